"""Stage 7: GradeResult -> Gradescope's results.json.

The familiar format of gradescope-utils' JSONTestRunner: one test per part
(as @partial_credit, @number, @visibility, @tags would make it) and a
0-point Submission check, each entry built as the runner builds it for such
a test, and a post-processor adding what the runner has no field for: the
late-adjusted top-level score, per-test extra_data, the engine's identity.
Running unittest for generated tests only to collect these entries was a
quarter of the time to grade a submission; tests/test_gradescope_format.py
checks every sample against the runner itself. Its known pitfalls
(gradescope.md §5) cannot arise: no unittest run, no setUpClass, subTest or
skip, and the whole result is built in memory and written once, atomically.

Visibility: parts are `after_due_date`; the 0-point "Submission check" is
`visible`, so before the due date a student sees only how each answer was
read. No test is ever `hidden` (that would hide every student's total).

Format: every output is `text`, so nothing a student wrote is rendered
(no HTML, no Markdown links or images); what would still mislead as plain
text (control characters, bidirectional overrides that reorder the line, a
lone surrogate that is no character) is shown as a visible \\uXXXX escape.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Mapping

from autograder.answers.base import quote
from autograder.base.atomic import write_text_atomic
from autograder.grading.outcomes import Failure, Outcome
from autograder.grading.score import GradeResult, PartScore

PART_VISIBILITY = "after_due_date"
OUTPUT_FORMATS = {"output_format": "text", "test_output_format": "text", "test_name_format": "text"}
# Control characters, bidirectional overrides, lone surrogates, and invisible ones (zero-width
# spaces and joiners, the BOM, a soft hyphen): a zero-width space must not make "16" look unreadable for no reason.
_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069"
                     "\ufeff\ud800-\udfff]")


def results_json(result: GradeResult) -> dict:
    """What JSONTestRunner(stdout_visibility="hidden", failure_prefix="") writes for these tests, post-processed."""
    started = time.time()
    tests = [_part_test(part_score) for part_score in result.parts] + [_submission_check_test(result)]
    data = {"tests": tests, "leaderboard": [], "stdout_visibility": "hidden",
            "execution_time": format(time.time() - started, "0.2f")}
    _post_process(data, result)
    return data


def crash_json(message: str, failure: Failure, max_score: Fraction | None, extra: dict) -> dict:
    """What the student sees when grading could not run at all: 0, and a message they can act on.

    `extra` (the engine, the rubric's hash when known) goes to extra_data with the failure as "error"."""
    message = _visible(message)
    extra = {**extra, "error": failure}
    test = {"name": "Autograder error", "score": 0.0, "status": "failed", "visibility": "visible", "output": message}
    if max_score is not None:
        test["max_score"] = _points(max_score)
    return {"score": 0.0, "output": message, "tests": [test], "stdout_visibility": "hidden", "extra_data": extra,
            **OUTPUT_FORMATS}


def write_json(path: str | Path, data: dict) -> None:
    """Write results atomically: Gradescope must never read half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # One line: json's C encoder serves only unindented output, and indenting in
    # Python was a quarter of the time a regrade spends per submission.
    write_text_atomic(path, json.dumps(data, sort_keys=True, ensure_ascii=False) + "\n")


def _points(value: Fraction) -> float:
    return round(float(value), 4)


def _test(name: str, score: float | None, weight: float, printed: str, visibility: str, number: str,
          tags: tuple[str, ...] = ()) -> dict:
    """The entry JSONTestResult.buildResult makes for a passing test that printed `printed`.

    The test is decorated @weight(weight) (score None) or @partial_credit(weight)
    with set_score(score), and @visibility, @number, @tags; its docstring is `name`.
    """
    score = weight if score is None else score
    test = {"name": name.strip().split("\n")[0].strip(), "score": score, "max_score": weight,
            "status": "failed" if score < weight else "passed"}
    if tags:
        test["tags"] = list(tags)
    test["output"] = printed + "\n"
    test["visibility"] = visibility
    test["number"] = number
    return test


def _part_test(part_score: PartScore) -> dict:
    part = part_score.part
    labels = (part.id.split(".")[0], "review") if part.review else (part.id.split(".")[0],)
    return _test(f"{part.number} {part.title}", _points(part_score.points), _points(part.points),
                 _part_feedback(part_score), PART_VISIBILITY, part.number, labels)


def _part_feedback(part_score: PartScore) -> str:
    part, verdict = part_score.part, part_score.verdict
    lines = []
    if verdict.read_as is not None:
        lines.append(f"Your answer was read as: {verdict.read_as}")
    if verdict.mistake:
        lines.append(f"Recognised mistake: {verdict.mistake.replace('_', ' ')}.")
    lines.append(verdict.feedback)
    lines.append(f"Points: {_points(part_score.points):g} of {_points(part.points):g}.")
    if part.review:
        lines.append("A TA reviews every answer to this part.")
    return _visible("\n".join(lines))


def _visible(text: str) -> str:
    """Text for the `text` output format: characters that would not show as themselves, escaped."""
    return _UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _submission_check_test(result: GradeResult) -> dict:
    return _test("Submission check", None, 0, _submission_check(result), "visible", "0")


def _submission_check(result: GradeResult) -> str:
    submission = result.submission
    if submission.problem:
        lines = [submission.problem, "The file should hold these keys, as the template does: "
                 + "; ".join(_expected_keys(result))]
    else:
        lines = [f"Answer file: {submission.file}"]
        for part_score in result.parts:
            part = part_score.part
            reading = result.parsed.reading(part.id)
            # The part's key, and the student's own where it was matched loosely ("Problem 1 / a / params").
            key = part.id if reading.key in (None, part.id) else f"{part.id}, from {quote(reading.key, 40)}"
            if reading.read:
                lines.append(f"  {part.number} {part.title} ({key}): {part.answer_type.received(reading.value)}")
            else:
                label = "COULD NOT READ" if reading.refusal is Outcome.UNREADABLE else "MISSING"
                lines.append(f"  {part.number} {part.title} ({key}): {label}. {reading.message}")
        if result.parsed.ignored_keys:
            keys = result.parsed.ignored_keys
            lines.append("Keys not used by any question: " + ", ".join(quote(key, 60) for key in keys[:10])
                         + (f" and {len(keys) - 10} more" if len(keys) > 10 else ""))
    lines.extend(submission.notes)
    lines.append("Scores and feedback per part are shown after the due date.")
    return _visible("\n".join(lines))


def _expected_keys(result: GradeResult) -> list[str]:
    """"q1a: layer1_output, layer2_output, total_params", one entry per question."""
    questions: dict[str, list[str]] = {}
    for part_score in result.parts:
        question, _, name = part_score.part.id.partition(".")
        questions.setdefault(question, []).append(name)
    return [f"{question}: {', '.join(names)}" for question, names in questions.items()]


def _post_process(data: dict, result: GradeResult) -> None:
    """The runner's dict -> the final results: late-adjusted score and machine-readable details."""
    lateness = result.lateness
    for test, part_score in zip(data["tests"], result.parts):
        verdict = part_score.verdict
        test["extra_data"] = {
            "part": part_score.part.id,
            "verdict": verdict.outcome,
            "mistake": verdict.mistake,
            "read_as": verdict.read_as,
            "credit": str(verdict.credit),
            "tried": list(verdict.tried),
            "review": part_score.part.review,
        }
    check = data["tests"][-1]
    if result.submission.problem or not all(reading.read for reading in result.parsed.readings):
        check["status"] = "failed"
    data["score"] = _points(result.final)
    data["execution_time"] = float(data["execution_time"])
    summary = lateness.message
    if result.submission.problem:
        summary = " ".join(filter(None, (result.submission.problem, summary)))
    data["output"] = _visible(summary)
    data.update(OUTPUT_FORMATS)
    data["extra_data"] = {
        "rubric": result.rubric.name,
        "rubric_sha256": result.rubric.sha256,
        "engine": result.engine,
        "answer_file": result.submission.file,
        "score_before_late_policy": _points(result.earned),
        "late": {
            "factor": str(lateness.factor),
            "days_late": lateness.days_late,
            "submitted": lateness.submitted,
            "due": lateness.due,
            "due_source": lateness.due_source,
        },
    }
    del data["leaderboard"]


# ---------------------------------------------------------------- reading a written results.json

@dataclass(frozen=True)
class WrittenPart:
    """One part's test in a written results.json."""

    part_id: str
    points: float | None           # before the late policy; None if the test has no score
    outcome: Outcome | None        # None for a verdict this engine does not know
    mistake: str | None
    read_as: str | None


@dataclass(frozen=True)
class WrittenResult:
    """A results.json as written, read back: the one form everything downstream of grading uses
    (the regrade's resume, tables and report, samples, build). Tolerant: fields an older or damaged
    file lacks are None."""

    score: float
    score_before_late_policy: float | None
    late_factor: str | None        # as written, exact: "3/4"
    days_late: int
    submitted: str | None          # ISO 8601, when the submission time was known
    due_source: str | None
    rubric_sha256: str | None
    engine: str | None
    failure: Failure | None        # why grading could not run; None when it did
    output: str
    parts: Mapping[str, WrittenPart]

    @classmethod
    def from_json(cls, data: Any) -> WrittenResult:
        data = data if isinstance(data, dict) else {}
        extra = data.get("extra_data") if isinstance(data.get("extra_data"), dict) else {}
        late = extra.get("late") if isinstance(extra.get("late"), dict) else {}
        parts = {}
        for test in data.get("tests") or ():
            test_extra = test.get("extra_data") if isinstance(test, dict) else None
            if isinstance(test_extra, dict) and "part" in test_extra:
                parts[test_extra["part"]] = WrittenPart(
                    test_extra["part"], _float(test.get("score")), _member(Outcome, test_extra.get("verdict")),
                    test_extra.get("mistake"), test_extra.get("read_as"))
        error = extra.get("error")
        return cls(
            score=_float(data.get("score")) or 0.0,
            score_before_late_policy=_float(extra.get("score_before_late_policy")),
            late_factor=late.get("factor") if isinstance(late.get("factor"), str) else None,
            days_late=late.get("days_late") if isinstance(late.get("days_late"), int) else 0,
            submitted=late.get("submitted"),
            due_source=late.get("due_source"),
            rubric_sha256=_text(extra.get("rubric_sha256")),
            engine=_text(extra.get("engine")),
            # An error this engine does not name is still an error.
            failure=None if error is None else (_member(Failure, error) or Failure.ENGINE),
            output=str(data.get("output") or ""),
            parts=parts,
        )

    @classmethod
    def read(cls, path: str | Path) -> WrittenResult | None:
        """The results.json at path; None when there is none or it is not JSON."""
        try:
            return cls.from_json(json.loads(Path(path).read_bytes()))
        except (OSError, ValueError):
            return None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _member(vocabulary, value: Any):
    try:
        return vocabulary(value)
    except ValueError:
        return None
