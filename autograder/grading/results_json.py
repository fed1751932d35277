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

Visibility: parts are the rubric's `part_visibility` (`after_due_date` by
default, `after_published` or `visible`); the 0-point "Submission check" is
`visible`, so until then a student sees only how each answer was read (and,
for a rubric with per-student numbers, which numbers they are graded with).
No test is ever `hidden` (that would hide every student's total).
`extra_data` is stored, never shown: the staff-only note that a wrong
answer is another variant's correct one goes there.

Format: every output is `text`, so nothing a student wrote is rendered
(no HTML, no Markdown links or images). Each output is built as lines and
goes through `neutralise.gradescope_text`: what would still mislead as plain
text (control characters, a line break inside a file name that would add a
fake line, bidirectional overrides that reorder the line, a lone surrogate
that is no character) is shown as a visible \\uXXXX escape.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Mapping

from autograder.answers.base import quote
from autograder.base import limits
from autograder.base.atomic import write_text_atomic
from autograder.base.neutralise import gradescope_text
from autograder.grading.late import DueSource
from autograder.grading.outcomes import Failure, Outcome
from autograder.grading.rubric import PartVisibility
from autograder.grading.score import GradeResult, PartScore
from autograder.grading.variants import VariantRule

# When a student is told the parts' scores and feedback come: the last line of the Submission check.
_PARTS_SHOWN = {
    PartVisibility.AFTER_DUE_DATE: "Scores and feedback per part are shown after the due date.",
    PartVisibility.AFTER_PUBLISHED: "Scores and feedback per part are shown once the course staff publish the grades.",
    PartVisibility.VISIBLE: "Scores and feedback per part are shown with each part.",
}
OUTPUT_FORMATS = {"output_format": "text", "test_output_format": "text", "test_name_format": "text"}
# A part whose credit a TA set: its extra_data key, and its rule in the regrade tables (changes.csv).
TA_DECISION = "ta_decision"


def results_json(result: GradeResult) -> dict:
    """What JSONTestRunner(stdout_visibility="hidden", failure_prefix="") writes for these tests, post-processed."""
    started = time.time()
    tests = ([_part_test(part_score, result.rubric.part_visibility) for part_score in result.parts]
             + [_submission_check_test(result)])
    data = {"tests": tests, "leaderboard": [], "stdout_visibility": "hidden",
            "execution_time": format(time.time() - started, "0.2f")}
    _post_process(data, result)
    _bound_size(data)
    return data


def crash_json(message: str, failure: Failure, max_score: Fraction | None, extra: dict) -> dict:
    """What the student sees when grading could not run at all: 0, and a message they can act on.

    `extra` (the engine, the rubric's hash when known) goes to extra_data with the failure as "error"."""
    message = gradescope_text([message])
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


def _bound_size(data: dict) -> None:
    """Keep results.json under limits.MAX_RESULTS_BYTES: the longest texts are cut, each saying so.

    Only texts are cut (every output, and each part's `read_as`), longest
    first, all to one length that halves until the whole fits; extra_data.cut
    names each. The scores, the tests and the late details are never touched."""
    if _size(data) <= limits.MAX_RESULTS_BYTES:
        return
    texts = [(test, "output", f"test {test.get('number')} output") for test in data["tests"]]
    texts += [(test["extra_data"], "read_as", f"test {test.get('number')} extra_data.read_as")
              for test in data["tests"] if isinstance(test.get("extra_data"), dict)]
    texts.append((data, "output", "output"))
    texts = [(holder, key, label) for holder, key, label in texts if isinstance(holder.get(key), str)]
    originals = {label: holder[key] for holder, key, label in texts}
    cut: list[str] = []
    data["extra_data"]["cut"] = cut
    length = max(len(text) for text in originals.values())
    while _size(data) > limits.MAX_RESULTS_BYTES and length > _SHORTEST_CUT:
        length //= 2
        for holder, key, label in texts:
            original = originals[label]
            if len(original) > length:
                holder[key] = f"{original[:length]}\n[{len(original) - length} more characters cut: too long]"
                if label not in cut:
                    cut.append(label)


_SHORTEST_CUT = 80  # characters a cut text keeps at least: one line


def _size(data: dict) -> int:
    return len(json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8", "surrogatepass"))


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


def _part_test(part_score: PartScore, visibility: PartVisibility) -> dict:
    part = part_score.part
    labels = (part.id.split(".")[0], "review") if part.review else (part.id.split(".")[0],)
    return _test(f"{part.number} {part.title}", _points(part_score.points), _points(part.points),
                 _part_feedback(part_score), visibility, part.number, labels)


def _part_feedback(part_score: PartScore) -> str:
    part, verdict = part_score.part, part_score.verdict
    lines = []
    if verdict.read_as is not None:
        lines.append(f"Your answer was read as: {verdict.read_as}")
    ta_credit = verdict.decision is not None and verdict.decision.decision.credit is not None
    if verdict.mistake and not ta_credit:  # a TA's credit replaces the engine's reading of the mistake
        # The label, never the id: ids are the staff's names ("gave_h_n" reads as nothing to a student).
        label = part.mistake(verdict.mistake).label
        lines.append(f"Recognised mistake: {label.rstrip('.')}." if label else "Recognised a common mistake.")
    lines.append(verdict.feedback)
    lines.append(f"Points: {_points(part_score.points):g} of {_points(part.points):g}.")
    if part.review:
        lines.append("A TA reviews every answer to this part.")
    return gradescope_text(lines)


def _submission_check_test(result: GradeResult) -> dict:
    return _test("Submission check", None, 0, _submission_check(result), "visible", "0")


def _variant_lines(result: GradeResult) -> list[str]:
    variant = result.variant
    if variant is None:
        return []
    if variant.choice.rule is VariantRule.NO_EMAIL:
        head = ("No e-mail address came with this submission, so it was graded with the numbers printed in the "
                "homework (if your handout shows other numbers, tell the course staff):")
    else:
        head = (f"Your numbers (variant {variant.choice.label}), as in your handout"
                + (", those of your group member who sorts first by e-mail" if variant.choice.rule is VariantRule.GROUP
                   else "") + ":")
    return [head, *(f"  {line}" for line in variant.numbers)]


def _submission_check(result: GradeResult) -> str:
    submission = result.submission
    lines = _variant_lines(result)
    if submission.problem:
        lines += [submission.problem, "The file should hold these keys, as the template does: "
                  + "; ".join(_expected_keys(result))]
    else:
        lines += [f"Answer file: {submission.file}"]
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
    lines.append(_PARTS_SHOWN[result.rubric.part_visibility])
    return gradescope_text(lines)


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
        if verdict.decision is not None:
            decision = verdict.decision.decision
            test["extra_data"][TA_DECISION] = {
                "number": decision.number, "line": decision.line,
                "credit": None if decision.credit is None else str(decision.credit),
                "engine_credit": str(verdict.decision.engine_credit),
            }
        fits = result.variant.fits.get(part_score.part.id) if result.variant else None
        if fits:
            test["extra_data"]["fits_other_variants"] = list(fits)
    check = data["tests"][-1]
    if result.submission.problem or not all(reading.read for reading in result.parsed.readings):
        check["status"] = "failed"
    data["score"] = _points(result.final)
    data["execution_time"] = float(data["execution_time"])
    summary = lateness.message
    if result.submission.problem:
        summary = " ".join(filter(None, (result.submission.problem, summary)))
    data["output"] = gradescope_text([summary])
    data.update(OUTPUT_FORMATS)
    data["extra_data"] = {
        "rubric": result.rubric.name,
        "rubric_sha256": result.rubric.sha256,
        "engine": result.engine,
        "answer_file": result.submission.file,
        "score_before_late_policy": _points(result.earned),
        # The due date used and whose it is (late.py: the staff's list or a recorded one in a regrade, the
        # student's own on Gradescope, Gradescope's assignment's, else the rubric's), where it was read,
        # and the rubric's and Gradescope's late due date beside it, so that any factor can be checked.
        "late": {
            "factor": str(lateness.factor),
            "days_late": lateness.days_late,
            "submitted": lateness.submitted,
            "due": lateness.due,
            "due_source": lateness.due_source,
            "due_found_in": lateness.due_found_in,
            "rubric_due": lateness.rubric_due,
            "late_due": lateness.late_due,
        },
    }
    decisions = result.decisions
    if decisions.path is not None:
        data["extra_data"]["ta_decisions"] = {"file": decisions.path.name, "sha256": decisions.sha256}
    if result.variant is not None:
        choice = result.variant.choice
        data["extra_data"]["variant"] = {"index": choice.index, "label": choice.label, "rule": choice.rule,
                                         "pool": result.variant.pool_id}
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
    decision: int | None = None          # the TA decision (its number in the decisions file) that set the grade
    engine_points: float | None = None   # the engine's own points when a decision set them
    fits_other_variants: tuple[str, ...] = ()   # a wrong answer that is right for these other variants

    @property
    def rule(self) -> str:
        """What set the points: the TA decision, else the mistake's id (empty for none)."""
        return TA_DECISION if self.decision is not None else str(self.mistake or "")


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
    due_source: DueSource | None   # None when unknown, or a value this engine does not name
    rubric_sha256: str | None
    engine: str | None
    failure: Failure | None        # why grading could not run; None when it did
    decisions_sha256: str | None   # the TA decisions file graded with, if any
    output: str
    parts: Mapping[str, WrittenPart]
    variant: str | None = None     # the variant graded on ("17", "base"); None for a rubric without draw:
    pool: str | None = None        # the pool's id (which secret drew it)

    @classmethod
    def from_json(cls, data: Any) -> WrittenResult:
        """A results.json's parsed JSON (anything, even damaged) as a WrittenResult."""
        data = data if isinstance(data, dict) else {}
        extra = data.get("extra_data") if isinstance(data.get("extra_data"), dict) else {}
        late = extra.get("late") if isinstance(extra.get("late"), dict) else {}
        parts = {}
        for test in data.get("tests") or ():
            test_extra = test.get("extra_data") if isinstance(test, dict) else None
            if isinstance(test_extra, dict) and "part" in test_extra:
                decided = test_extra.get(TA_DECISION) if isinstance(test_extra.get(TA_DECISION), dict) else {}
                fits = test_extra.get("fits_other_variants")
                parts[test_extra["part"]] = WrittenPart(
                    test_extra["part"], _float(test.get("score")), _member(Outcome, test_extra.get("verdict")),
                    test_extra.get("mistake"), test_extra.get("read_as"), _int(decided.get("number")),
                    _share(decided.get("engine_credit"), _float(test.get("max_score"))) if decided else None,
                    tuple(str(label) for label in fits) if isinstance(fits, list) else ())
        error = extra.get("error")
        decisions = extra.get("ta_decisions") if isinstance(extra.get("ta_decisions"), dict) else {}
        variant = extra.get("variant") if isinstance(extra.get("variant"), dict) else {}
        return cls(
            score=_float(data.get("score")) or 0.0,
            score_before_late_policy=_float(extra.get("score_before_late_policy")),
            late_factor=late.get("factor") if isinstance(late.get("factor"), str) else None,
            days_late=late.get("days_late") if isinstance(late.get("days_late"), int) else 0,
            submitted=late.get("submitted"),
            due_source=_member(DueSource, late.get("due_source")),
            rubric_sha256=_text(extra.get("rubric_sha256")),
            engine=_text(extra.get("engine")),
            # An error this engine does not name is still an error.
            failure=None if error is None else (_member(Failure, error) or Failure.ENGINE),
            decisions_sha256=_text(decisions.get("sha256")),
            output=str(data.get("output") or ""),
            parts=parts,
            variant=_text(variant.get("label")),
            pool=_text(variant.get("pool")),
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


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _share(credit: Any, max_score: float | None) -> float | None:
    """A credit as written ("1/3") times the part's points."""
    try:
        return round(float(Fraction(str(credit))) * max_score, 4) if max_score is not None else None
    except (ValueError, ZeroDivisionError):
        return None


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _member(vocabulary, value: Any):
    try:
        return vocabulary(value)
    except ValueError:
        return None
