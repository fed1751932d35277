"""Grade sample submissions and compare each with the result expected beside it; accept new expectations.

A sample folder is laid out like /autograder: `submission/`, an optional
`submission_metadata.json`, and `expected.json`:

    {"description": "what the sample shows (optional, kept when accepted)",
     "score": 30.5,                                  # the final score, after the late policy
     "parts": {"q1a.layer1_output": {"points": 2, "verdict": "correct"},
               "q1a.layer2_output": {"points": 1.5, "mistake": "pad0"}}}

Per part, `points` (before the late policy) and either `verdict` (correct,
ecf, wrong, unreadable, missing) or `mistake: <id>`, as a rubric's examples
are written. Files written before that convention, with `"verdict":
"mistake"` beside the id or `"mistake": null` beside a verdict, read the
same. A part left out of `parts` is not compared. Each sample is graded
through `grading.run.run`, the code path of `run_autograder`.
"""

from __future__ import annotations

import difflib
import io
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from autograder.base.atomic import write_text_atomic
from autograder.base.text_enum import TextEnum
from autograder.grading.key import AnswerKey
from autograder.grading.outcomes import Outcome
from autograder.grading.results_json import WrittenResult
from autograder.grading.rubric import Rubric, did_you_mean, load_rubric
from autograder.grading.run import Paths, run
from autograder.grading.submission import read_submission

TOLERANCE = 1e-6
EXPECTED = "expected.json"


@dataclass(frozen=True)
class SampleOutcome:
    """One sample graded: its score against the expected one, every difference in words, and the grading log."""

    name: str
    score: float | None
    expected_score: float | None
    mismatches: tuple[str, ...]
    log: str
    details: tuple[str, ...] = ()   # differences that follow from the first mismatch, listed with -v


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
            lines.append(f"{outcome.name:<52} {_shown(outcome.score):>7} {_shown(outcome.expected_score):>9}  {status}")
            lines.extend(outcome_lines(outcome, verbose))
        lines.append(f"{len(self.outcomes) - len(self.failures)} of {len(self.outcomes)} samples grade as expected "
                     f"(out of {self.total_points:g} points).")
        return "\n".join(lines)


def outcome_lines(outcome: SampleOutcome, verbose: bool) -> list[str]:
    """A sample's differences, indented: the consequences of a file-level one and the log only when verbose."""
    lines = [f"    {problem}" for problem in outcome.mismatches]
    if verbose:
        lines += [f"      {problem}" for problem in outcome.details]
        lines.append("    " + outcome.log.rstrip().replace("\n", "\n    "))
    return lines


def _shown(number: float | None) -> str:
    return "-" if number is None else f"{number:g}"


def grade_samples(key: AnswerKey, samples: Sequence[Path]) -> SamplesReport:
    """Grade each sample folder through `grading.run.run`, as run_autograder would."""
    with tempfile.TemporaryDirectory(prefix="autograder-samples-") as results_root:
        outcomes = tuple(grade_sample(key, sample, Path(results_root)) for sample in samples)
    return SamplesReport(outcomes, float(key.rubric.total_points))


class NoSamples(Exception):
    """There is no sample to grade: the message says where none was found."""


def samples_folder(rubric_name: str, folder: str | Path | None = None) -> Path:
    """FOLDER, by default submissions_samples/<rubric name> (relative to the working folder)."""
    return Path(folder) if folder else Path("submissions_samples") / rubric_name


def samples_for(rubric_name: str, folder: str | Path | None = None) -> list[Path]:
    """The sample folders of FOLDER, by default submissions_samples/<rubric name>; NoSamples if there are none."""
    folder = samples_folder(rubric_name, folder)
    if not folder.is_dir():
        raise NoSamples(f"no samples folder {folder}")
    found = sample_folders(folder)
    if not found:
        raise NoSamples(f"no sample folder (with a submission/ folder or an {EXPECTED}) under {folder}")
    return found


def sample_folders(folder: str | Path) -> list[Path]:
    """Every sample under FOLDER: a folder with an expected.json or a submission/ folder (one not accepted yet)."""
    return sorted(path for path in Path(folder).iterdir()
                  if (path / EXPECTED).is_file() or (path / "submission").is_dir())


class ExpectedError(Exception):
    """A sample's expected.json is missing or is not one: the message says what to do."""


def read_expected(sample: Path, rubric_path: str = "RUBRIC") -> dict:
    """The sample's expected.json, checked for the fields `compare` uses; ExpectedError if it cannot be used."""
    path = sample / EXPECTED
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ExpectedError(f"no {EXPECTED}: review how it grades (`autograder preview {rubric_path} {sample} "
                            f"--after-due`), then write one with `autograder samples {rubric_path} --accept "
                            f"{sample.name}`") from None
    except (OSError, ValueError) as exc:
        raise ExpectedError(f"{EXPECTED} cannot be read: {exc}") from None
    if not isinstance(data, dict) or not _is_number(data.get("score")):
        raise ExpectedError(f"{EXPECTED} must be an object with a numeric \"score\"")
    parts = data.get("parts", {})
    if not isinstance(parts, dict) or not all(isinstance(want, dict) and _is_number(want.get("points"))
                                              for want in parts.values()):
        raise ExpectedError(f"{EXPECTED}: \"parts\" must map part ids to objects with numeric \"points\"")
    return data


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def grade_sample(key: AnswerKey, sample: Path, results_root: Path) -> SampleOutcome:
    """Grade one sample in this process, through `grading.run.run`, and compare it with its expected.json."""
    result, log = grade_in_process(key, sample, results_root)
    try:
        expected = read_expected(sample, key.rubric.path)
    except ExpectedError as exc:
        return SampleOutcome(sample.name, result.score, None, (str(exc),), log)  # its score, for the review
    mismatches, details = sample_mismatches(sample, key.rubric.answer_file, result, expected)
    return SampleOutcome(sample.name, result.score, expected["score"], mismatches, log, details)


def grade_in_process(key: AnswerKey, sample: Path, results_root: Path) -> tuple[WrittenResult, str]:
    """The sample's results.json as run_autograder's code path writes it, read back, and the staff log."""
    paths = Paths(sample / "submission", sample / "submission_metadata.json", results_root / sample.name / "results.json")
    log = io.StringIO()
    return WrittenResult.from_json(run(key.rubric.path, paths, stream=log, key=key)), log.getvalue()


def sample_mismatches(sample: Path, answer_file: str, result: WrittenResult,
                      expected: dict) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(mismatches, details): every difference; when the answer file itself could not be read, that
    reason alone, first, and the differences that follow from it as details."""
    problems = compare(result, expected)
    if not problems:
        return (), ()
    if not result.parts:
        failure = f" ({result.failure})" if result.failure else ""
        cause = f"no part was graded{failure}: {' '.join(result.output.split()) or 'no output'} (-v shows the log)"
    else:
        cause = read_submission(sample / "submission", answer_file).problem
        if cause is None:
            return problems, ()
        cause = f"submission: {cause}"
    count = len(problems)
    return ((cause, f"{count} difference{'s' * (count != 1)} from {EXPECTED} follow from that (-v lists them)"),
            problems)


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
        verdict, mistake = expected_verdict(want)
        if verdict is not None and written.outcome != verdict:
            problems.append(f"{part_id}: verdict {_value(written.outcome)!r} != expected {verdict!r}")
        if (mistake or verdict not in (None, Outcome.MISTAKE)) and written.mistake != mistake:
            problems.append(f"{part_id}: mistake {written.mistake!r} != expected {mistake!r}")
    return tuple(problems)


def expected_verdict(want: dict) -> tuple[str | None, str | None]:
    """An expected part's (verdict, mistake id): `mistake: <id>` means the verdict mistake; a verdict alone,
    no mistake. (None, None) when neither is stated: only the points are compared."""
    mistake = want.get("mistake")
    if mistake:
        return Outcome.MISTAKE.value, mistake
    verdict = want.get("verdict")
    return (None, None) if verdict is None else (str(verdict), None)


def _value(outcome: Outcome | None) -> str | None:
    return None if outcome is None else outcome.value


# ------------------------------------------------------------------ accepting what the engine gives now

class AcceptStatus(TextEnum):
    """What accepting did to a sample's expected.json."""

    NEW = "new"
    CHANGED = "changed"
    REWRITTEN = "rewritten"    # the same expectations, written in the current format
    UNCHANGED = "unchanged"
    REFUSED = "refused"        # grading failed: nothing was written


@dataclass(frozen=True)
class Accepted:
    """One sample's expected.json as the engine grades it now: the diff against the old one, if any."""

    name: str
    status: AcceptStatus
    diff: str            # unified diff of the file, old -> new; when refused, the reason


@dataclass(frozen=True)
class AcceptReport:
    """Each accepted sample with its diff; `summary()` is what `autograder samples --accept` prints."""

    accepted: tuple[Accepted, ...]

    @property
    def exit_code(self) -> int:
        """1 when a sample could not be accepted."""
        return 1 if any(item.status is AcceptStatus.REFUSED for item in self.accepted) else 0

    def summary(self) -> str:
        """Each sample's diff against its old expected.json and what was written."""
        lines = []
        for item in self.accepted:
            if item.diff:
                lines.append(item.diff.rstrip("\n"))
            lines.append(f"{item.name}: {_ACCEPT_WORDS[item.status]}")
        counts = {status: sum(item.status == status for item in self.accepted) for status in _ACCEPT_WORDS}
        lines.append(", ".join(f"{count} {status}" for status, count in counts.items() if count)
                     + f" ({len(self.accepted)} sample{'s' * (len(self.accepted) != 1)})")
        return "\n".join(lines)


_ACCEPT_WORDS = {
    AcceptStatus.NEW: f"{EXPECTED} written",
    AcceptStatus.CHANGED: f"{EXPECTED} updated (the diff above)",
    AcceptStatus.REWRITTEN: f"same expectations, {EXPECTED} rewritten in the current format (the diff above)",
    AcceptStatus.UNCHANGED: f"{EXPECTED} unchanged",
    AcceptStatus.REFUSED: f"not accepted, {EXPECTED} left as it was",
}


def course_samples(root: str | Path) -> list[tuple[Path, Path]]:
    """(rubric file, sample folder) for every sample of every rubric/*.yaml under ROOT whose samples folder,
    submissions_samples/<rubric name>/, exists: what the tests grade, so no sample goes ungraded.

    Raises RubricError for a rubric that does not load: its samples cannot be graded either."""
    root = Path(root)
    found = []
    for rubric_path in sorted((root / "rubric").glob("*.yaml")):
        folder = root / "submissions_samples" / load_rubric(rubric_path).name
        if folder.is_dir():
            found += [(rubric_path, sample) for sample in sample_folders(folder)]
    return found


def chosen_samples(samples: Sequence[Path], names: Sequence[str]) -> list[Path]:
    """The samples named (all of them when no name is given); NoSamples names one that is not there."""
    if not names:
        return list(samples)
    by_name = {sample.name: sample for sample in samples}
    unknown = [name for name in names if name.rstrip("/").split("/")[-1] not in by_name]
    if unknown:
        raise NoSamples("; ".join(f"no sample {name!r}{did_you_mean(name, by_name)}" for name in unknown))
    return [by_name[name.rstrip("/").split("/")[-1]] for name in dict.fromkeys(names)]


def accept_samples(key: AnswerKey, samples: Sequence[Path]) -> AcceptReport:
    """Write each sample's expected.json from how the engine grades it now, keeping its description."""
    with tempfile.TemporaryDirectory(prefix="autograder-accept-") as results_root:
        return AcceptReport(tuple(accept_sample(key, sample, Path(results_root)) for sample in samples))


def accept_sample(key: AnswerKey, sample: Path, results_root: Path) -> Accepted:
    """Grade one sample and write its expected.json, unless grading failed."""
    result, log = grade_in_process(key, sample, results_root)
    if result.failure is not None:
        return Accepted(sample.name, AcceptStatus.REFUSED, f"grading failed ({result.failure}), so there is nothing to accept:\n"
                        + log.rstrip())
    path = sample / EXPECTED
    old_text = path.read_text(encoding="utf-8") if path.is_file() else None
    try:
        old = json.loads(old_text) if old_text is not None else {}
    except ValueError:
        old = {}
    new_text = expected_text(expected_from(key.rubric, result, old.get("description") if isinstance(old, dict) else None))
    if new_text == old_text:
        return Accepted(sample.name, AcceptStatus.UNCHANGED, "")
    diff = "".join(difflib.unified_diff((old_text or "").splitlines(keepends=True), new_text.splitlines(keepends=True),
                                        f"{path} (before)", f"{path} (accepted)"))
    status = AcceptStatus.NEW if old_text is None else AcceptStatus.CHANGED
    try:
        if old_text is not None and not compare(result, read_expected(sample)):
            status = AcceptStatus.REWRITTEN
    except ExpectedError:
        pass  # an unusable old file: its replacement is a change
    write_text_atomic(path, new_text)
    return Accepted(sample.name, status, diff)


def expected_from(rubric: Rubric, result: WrittenResult, description: str | None) -> dict:
    """The expected.json that states this result: the final score, and each part's points and verdict."""
    parts = {}
    for part in rubric.parts:
        written = result.parts[part.id]
        entry: dict[str, Any] = {"points": _plain(written.points)}
        if written.outcome is Outcome.MISTAKE:
            entry["mistake"] = written.mistake
        else:
            entry["verdict"] = _value(written.outcome)
        parts[part.id] = entry
    data: dict[str, Any] = {"description": description} if description else {}
    data.update(score=_plain(result.score), parts=parts)
    return data


def expected_text(data: dict) -> str:
    """expected.json with one line per part, so that a diff shows each part that changed on its own line."""
    head = {name: value for name, value in data.items() if name != "parts"}
    lines = [f"  {json.dumps(name)}: {json.dumps(value, ensure_ascii=False)}," for name, value in head.items()]
    parts = [f"    {json.dumps(part_id)}: {json.dumps(entry)}" for part_id, entry in data["parts"].items()]
    return "{\n" + "\n".join(lines) + '\n  "parts": {\n' + ",\n".join(parts) + "\n  }\n}\n"


def _plain(number: float | None) -> float | int | None:
    """2.0 -> 2, so an accepted file reads as one written by hand."""
    return int(number) if isinstance(number, float) and number.is_integer() else number
