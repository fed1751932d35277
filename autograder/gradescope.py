"""Stage 7: GradeResult -> Gradescope's results.json.

gradescope-utils' JSONTestRunner writes the familiar format: one generated
test per part (@weight/@partial_credit, @number, @visibility, @tags), and a
post_processor adds what the runner has no field for: the late-adjusted
top-level score, per-test extra_data, the engine's identity. Its known
pitfalls (gradescope.md §5) are avoided by construction: no setUpClass, no
subTest, no skips, no imports that can fail inside the suite, and the
whole result is built in memory and written once, atomically.

Visibility: parts are `after_due_date`; the 0-point "Submission check" is
`visible`, so before the due date a student sees only how each answer was
read. No test is ever `hidden` (that would hide every student's total).
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import unittest
from fractions import Fraction
from pathlib import Path

from gradescope_utils.autograder_utils.decorators import number, partial_credit, tags, visibility, weight
from gradescope_utils.autograder_utils.json_test_runner import JSONTestRunner

from autograder.parse import MISSING, READ, UNREADABLE
from autograder.score import GradeResult, PartScore

PART_VISIBILITY = "after_due_date"


def results_json(result: GradeResult) -> dict:
    tests = [_part_test(part) for part in result.parts] + [_submission_check_test(result)]
    stream = io.StringIO()
    runner = JSONTestRunner(stream=stream, stdout_visibility="hidden", failure_prefix="",
                            post_processor=lambda data: _post_process(data, result))
    runner.run(unittest.TestSuite(tests))
    return json.loads(stream.getvalue())


def crash_json(message: str, max_score: Fraction | None, extra: dict) -> dict:
    """What the student sees when grading could not run at all: 0, and a message they can act on."""
    test = {"name": "Autograder error", "score": 0.0, "status": "failed", "visibility": "visible", "output": message}
    if max_score is not None:
        test["max_score"] = _points(max_score)
    return {"score": 0.0, "output": message, "tests": [test], "stdout_visibility": "hidden", "extra_data": extra}


def write_json(path: str | Path, data: dict) -> None:
    """Write results atomically: Gradescope must never read half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".results-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, indent=2, sort_keys=True, ensure_ascii=False)
            stream.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _points(value: Fraction) -> float:
    return round(float(value), 4)


def _make_test(name: str, body, decorators) -> unittest.TestCase:
    for decorate in decorators:
        body = decorate(body)
    body.__doc__ = name
    case = type("PartTest", (unittest.TestCase,), {"test_part": body})
    return case("test_part")


def _part_test(part_score: PartScore) -> unittest.TestCase:
    part = part_score.part
    feedback = _part_feedback(part_score)

    def test_part(self, set_score=None):
        set_score(_points(part_score.points))
        print(feedback)

    labels = (part.id.split(".")[0], "review") if part.review else (part.id.split(".")[0],)
    decorators = (partial_credit(_points(part.points)), number(part.number), visibility(PART_VISIBILITY), tags(*labels))
    return _make_test(f"{part.number} {part.title}", test_part, decorators)


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
    return "\n".join(lines)


def _submission_check_test(result: GradeResult) -> unittest.TestCase:
    output = _submission_check(result)

    def test_submission_check(self):
        print(output)

    return _make_test("Submission check", test_submission_check, (weight(0), number("0"), visibility("visible")))


def _submission_check(result: GradeResult) -> str:
    submission = result.submission
    if submission.problem:
        lines = [submission.problem]
    else:
        lines = [f"Answer file: {submission.file}"]
        for part_score in result.parts:
            part = part_score.part
            reading = result.parsed.reading(part.id)
            if reading.status == READ:
                shown = (f"received ({len(reading.value.text)} characters)" if part.review
                         else part.answer_type.show(reading.value))
                lines.append(f"  {part.number} {part.title}: {shown}")
            else:
                label = "COULD NOT READ" if reading.status == UNREADABLE else "MISSING"
                lines.append(f"  {part.number} {part.title}: {label}. {reading.message}")
        if result.parsed.ignored_keys:
            lines.append("Keys not used by any question: " + ", ".join(result.parsed.ignored_keys[:10]))
    lines.extend(submission.notes)
    lines.append("Scores and feedback per part are shown after the due date.")
    return "\n".join(lines)


def _post_process(data: dict, result: GradeResult) -> None:
    """The runner's dict -> the final results: late-adjusted score and machine-readable details."""
    lateness = result.lateness
    for test, part_score in zip(data["tests"], result.parts):
        verdict = part_score.verdict
        test["extra_data"] = {
            "part": part_score.part.id,
            "verdict": verdict.kind,
            "mistake": verdict.mistake,
            "read_as": verdict.read_as,
            "credit": str(verdict.credit),
            "tried": list(verdict.tried),
            "review": part_score.part.review,
        }
    check = data["tests"][-1]
    statuses = {reading.status for reading in result.parsed.readings}
    if result.submission.problem or statuses & {UNREADABLE, MISSING}:
        check["status"] = "failed"
    data["score"] = _points(result.final)
    data["execution_time"] = float(data["execution_time"])
    summary = lateness.message
    if result.submission.problem:
        summary = " ".join(filter(None, (result.submission.problem, summary)))
    data["output"] = summary
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
