"""Grade sample submissions and compare each with the result expected beside it.

A sample folder is laid out like /autograder: `submission/`, an optional
`submission_metadata.json`, and `expected.json` holding the expected total
`score` and per-part `points` (and optionally `verdict` and `mistake`).
Each is graded through `grade.run`, the code path of `run_autograder`.
"""

from __future__ import annotations

import io
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from autograder.grading.key import AnswerKey
from autograder.grading.results_json import WrittenResult
from autograder.grading.run import Paths, run

TOLERANCE = 1e-6


@dataclass(frozen=True)
class SampleOutcome:
    """One sample graded: its score, the expected one, every difference, and the grading log."""

    name: str
    score: float | None
    expected_score: float | None
    mismatches: tuple[str, ...]
    log: str


@dataclass(frozen=True)
class SamplesReport:
    """Every sample graded against its expected.json; `summary()` is what `autograder samples` prints."""

    outcomes: tuple[SampleOutcome, ...]
    total_points: float

    @property
    def failures(self) -> tuple[SampleOutcome, ...]:
        """The samples that did not grade as expected."""
        return tuple(outcome for outcome in self.outcomes if outcome.mismatches)

    @property
    def exit_code(self) -> int:
        """1 when a sample did not grade as expected."""
        return 1 if self.failures else 0

    def summary(self, verbose: bool = False) -> str:
        """A table of each sample's score against the expected one, with every difference (and log, if verbose)."""
        lines = [f"{'sample':<52} {'score':>7} {'expected':>9}  result"]
        for outcome in self.outcomes:
            status = "ok" if not outcome.mismatches else "MISMATCH"
            lines.append(f"{outcome.name:<52} {outcome.score:>7g} {outcome.expected_score:>9g}  {status}")
            lines.extend(f"    {problem}" for problem in outcome.mismatches)
            if verbose:
                lines.append("    " + outcome.log.rstrip().replace("\n", "\n    "))
        lines.append(f"{len(self.outcomes) - len(self.failures)} of {len(self.outcomes)} samples grade as expected "
                     f"(out of {self.total_points:g} points).")
        return "\n".join(lines)


def grade_samples(key: AnswerKey, samples: Sequence[Path]) -> SamplesReport:
    """Grade each sample folder through `grading.run.run`, as run_autograder would."""
    with tempfile.TemporaryDirectory(prefix="autograder-samples-") as results_root:
        outcomes = tuple(grade_sample(key, sample, Path(results_root)) for sample in samples)
    return SamplesReport(outcomes, float(key.rubric.total_points))


class NoSamples(Exception):
    """There is no sample to grade: the message says where none was found."""


def samples_for(rubric_name: str, folder: str | Path | None = None) -> list[Path]:
    """The sample folders of FOLDER, by default submissions_samples/<rubric name>; NoSamples if there are none."""
    folder = Path(folder) if folder else Path("submissions_samples") / rubric_name
    if not folder.is_dir():
        raise NoSamples(f"no samples folder {folder}")
    found = sample_folders(folder)
    if not found:
        raise NoSamples(f"no sample folder with an expected.json under {folder}")
    return found


def sample_folders(folder: str | Path) -> list[Path]:
    """The folders under `folder` that hold an expected.json, sorted."""
    return sorted(path for path in Path(folder).iterdir() if (path / "expected.json").is_file())


def grade_sample(key: AnswerKey, sample: Path, results_root: Path) -> SampleOutcome:
    """Grade one sample folder as run_autograder would and compare it with its expected.json."""
    expected = json.loads((sample / "expected.json").read_text(encoding="utf-8"))
    paths = Paths(sample / "submission", sample / "submission_metadata.json", results_root / sample.name / "results.json")
    log = io.StringIO()
    result = WrittenResult.from_json(run(key.rubric.path, paths, stream=log, key=key))
    return SampleOutcome(sample.name, result.score, expected.get("score"), compare(result, expected), log.getvalue())


def compare(result: WrittenResult, expected: dict) -> tuple[str, ...]:
    """Every difference between a results.json and an expected.json, in words."""
    problems = []
    if abs(result.score - float(expected["score"])) > TOLERANCE:
        problems.append(f"score {result.score} != expected {expected['score']}")
    for part_id, want in expected.get("parts", {}).items():
        written = result.parts.get(part_id)
        if written is None:
            problems.append(f"{part_id}: no test in results.json")
            continue
        if written.points is None or abs(written.points - float(want["points"])) > TOLERANCE:
            problems.append(f"{part_id}: {written.points} points != expected {want['points']}")
        got = {"verdict": written.outcome, "mistake": written.mistake}
        for field in ("verdict", "mistake"):
            if field in want and got[field] != want[field]:
                problems.append(f"{part_id}: {field} {got[field]!r} != expected {want[field]!r}")
    return tuple(problems)
