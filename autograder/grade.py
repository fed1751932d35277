"""One submission, end to end: the path `run_autograder` and every local run take.

`grade_submission` always writes a valid results.json. A rubric error or
an engine crash gives the student 0 with a message they can understand;
the details (never the rubric or the key) go to the staff log, which on
Gradescope is stdout, hidden from students.
"""

from __future__ import annotations

import os
import sys
import traceback
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Callable, TextIO

from autograder.fingerprint import engine_fingerprint
from autograder.gradescope import crash_json, results_json, write_json
from autograder.judge import judge_all
from autograder.key import AnswerKey, CompileError, load_key
from autograder.late import assess_lateness, read_metadata
from autograder.parse import parse_submission
from autograder.rubric import RubricError, load_rubric
from autograder.score import GradeResult, score
from autograder.submission import read_submission

STAFF_ERROR = ("The autograder could not grade this submission because of a problem on the course's side, "
               "not in your answers. Your submission is saved; the course staff have been told and will regrade it.")


@dataclass(frozen=True)
class Paths:
    """Where one submission is read from and its results are written, laid out like /autograder."""

    submission: Path
    metadata: Path
    results: Path

    @classmethod
    def under(cls, root: str | Path) -> Paths:
        root = Path(root)
        return cls(root / "submission", root / "submission_metadata.json", root / "results" / "results.json")


def grade_submission(key: AnswerKey, paths: Paths, log: Callable[[str], None]) -> GradeResult:
    """Grade with a compiled key; raises only on engine bugs (callers write crash results)."""
    rubric = key.rubric
    submission = read_submission(paths.submission, rubric.answer_file)
    parsed = parse_submission(submission, rubric)
    verdicts = judge_all(key, parsed)
    metadata, metadata_note = read_metadata(paths.metadata)
    if metadata_note:
        log(f"metadata: {metadata_note}")
    result = score(rubric, key.engine, submission, parsed, verdicts, assess_lateness(rubric.late_policy, metadata))
    log(f"answer file: {submission.file or '-'}; {submission.problem or 'read'}")
    for part_score in result.parts:
        verdict = part_score.verdict
        log(f"  {verdict.part_id:<24} {verdict.kind:<10} {verdict.mistake or '':<22} "
            f"{float(part_score.points):g}/{float(part_score.part.points):g}  tried={','.join(verdict.tried) or '-'}")
    log(f"score {float(result.earned):g} x late factor {result.lateness.factor} = {float(result.final):g}")
    return result


def run(rubric_path: str | Path, paths: Paths, stream: TextIO = sys.stdout, key: AnswerKey | None = None) -> dict:
    """Load the rubric and key (unless given), grade, and write results.json whatever happens.

    Returns what was written."""
    def log(line: str) -> None:
        print(line, file=stream, flush=True)

    max_score: Fraction | None = None
    extra = {"engine": engine_fingerprint()}
    try:
        rubric = key.rubric if key else load_rubric(rubric_path)
        max_score, extra["rubric_sha256"] = rubric.total_points, rubric.sha256
        key = key or load_key(rubric)
        data = results_json(grade_submission(key, paths, log))
    except (RubricError, CompileError) as exc:
        log(f"RUBRIC ERROR (fix the rubric, then rerun the autograder): {exc}")
        data = crash_json(STAFF_ERROR, max_score, {**extra, "error": "rubric"})
    except Exception:  # an engine bug must still leave the student a valid result
        log("ENGINE ERROR while grading:\n" + traceback.format_exc())
        data = crash_json(STAFF_ERROR, max_score, {**extra, "error": "engine"})
    write_json(paths.results, data)
    log(f"wrote {paths.results}")
    return data


def autograder_root() -> Path:
    return Path(os.environ.get("AUTOGRADER_ROOT", "/autograder"))
