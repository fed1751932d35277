"""`autograder build`: the Gradescope autograder zip, kept only if it grades every sample as expected.

The zip holds at its root what Gradescope runs (`setup.sh`, `run_autograder`),
what `setup.sh` installs (`pyproject.toml`, `README.md`, `autograder/`,
`reference/`), and one rubric with its compiled key (for a rubric with
`draw:`, the key holds the checked pool of variants, and the zip also holds
the course secret and the overrides file, which grading reads to choose
each student's variant), and its TA decisions file, when there is one. It is reproducible:
sorted entries, fixed timestamps (SOURCE_DATE_EPOCH when set), fixed
permissions and compression, so the same rubric and code give the same bytes.

Before the zip is put in place it is unpacked into a temporary folder laid
out like /autograder, and each sample is graded there by the unpacked
`run_autograder`, as Gradescope runs it: with the zip's code and key, never
the checkout's. A single difference and no zip is kept. `setup.sh` is not
run (it needs apt and root); the zip's key must already be current for the
zip's code, which every sample's results.json confirms.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from autograder.authoring.compile import cached_or_compiled
from autograder.grading.decisions import decisions_path
from autograder.grading.key import AnswerKey, write_cache
from autograder.grading.results_json import WrittenResult
from autograder.grading.rubric import Rubric, load_rubric
from autograder.authoring.samples import (
    ExpectedError, NoSamples, SampleOutcome, outcome_lines, read_expected, sample_mismatches, samples_for,
)
from autograder.grading.variants import overrides_path, read_overrides, read_secret, secret_path

# The checkout whose code is running: the zip must hold the very sources the
# key's engine fingerprint was computed from (see fingerprint.py).
CHECKOUT = Path(__file__).resolve().parents[2]
SCRIPTS = ("run_autograder", "setup.sh")
TOP_FILES = ("pyproject.toml", "README.md")
SOURCE_PACKAGES = ("autograder", "reference")
# The package data declared in pyproject.toml ([tool.setuptools.package-data]).
PACKAGE_DATA = ("autograder/schema/*.json",)
EARLIEST_ZIP_TIME = 315532800          # 1980-01-01T00:00:00Z: zip cannot store earlier times
LATEST_ZIP_TIME = 4354819199           # 2107-12-31T23:59:59Z: nor later ones
SAMPLE_TIMEOUT_SECONDS = 60
MAX_WORKERS = 8


class BuildError(Exception):
    """The zip cannot be built from this checkout or verified (the message says why)."""


@dataclass(frozen=True)
class BuildReport:
    """The zip built (or not) and each sample's grade in it; `summary()` is what `autograder build` prints."""

    zip_path: Path | None                 # None when a sample failed: then no zip is kept
    entries: tuple[str, ...]
    size: int                             # bytes of the zip as built, kept or not
    outcomes: tuple[SampleOutcome, ...]   # sorted by sample name
    removed_stale: bool                   # a failed build deleted an older zip at the same path
    out_dir: Path = Path("dist")
    seconds: float = 0.0
    pool_lines: tuple[str, ...] = ()      # for a rubric with draw:, the pool drawn, rejected and shipped

    @property
    def failures(self) -> tuple[SampleOutcome, ...]:
        """The samples that did not grade as expected inside the zip."""
        return tuple(outcome for outcome in self.outcomes if outcome.mismatches)

    @property
    def exit_code(self) -> int:
        """1 when no zip was kept."""
        return 0 if self.zip_path is not None else 1

    def summary(self, verbose: bool = False) -> str:
        """Each failing sample with its differences (and log, if verbose), then the outcome."""
        lines = []
        for outcome in self.failures:
            lines.append(f"MISMATCH {outcome.name}: score {outcome.score}, expected {outcome.expected_score}")
            lines.extend(outcome_lines(outcome, verbose))
        lines.extend(self.pool_lines)
        samples = f"{len(self.outcomes) - len(self.failures)} of {len(self.outcomes)} samples grade as expected"
        if self.zip_path is None:
            removed = " (and the older zip there was removed)" if self.removed_stale else ""
            lines.append(f"{samples} in the unpacked zip: no zip written to {self.out_dir}{removed}")
        else:
            lines.append(f"{samples} in the unpacked zip; wrote {self.zip_path} ({len(self.entries)} files, "
                         f"{self.size / 1024:.1f} KiB) in {self.seconds:.1f} s")
        return "\n".join(lines)


def zip_name(rubric: Rubric) -> str:
    """The zip's file name: <rubric name>-autograder.zip."""
    return f"{rubric.name}-autograder.zip"


def build(rubric_path: str | Path, out_dir: str | Path = "dist", samples: str | Path | None = None,
          workers: int | None = None, on_sample: Callable[[SampleOutcome], None] | None = None) -> BuildReport:
    """Write OUT_DIR/<rubric name>-autograder.zip if every sample grades as expected inside it.

    Samples default to submissions_samples/<rubric name> (relative to the
    working folder, as for `autograder samples`). Raises RubricError or
    CompileError for a bad rubric, BuildError for a missing piece."""
    started = time.perf_counter()
    rubric = load_rubric(rubric_path)
    try:
        sample_dirs = samples_for(rubric.name, samples)
    except NoSamples as exc:
        raise BuildError(f"{exc}: a zip is kept only once samples grade as expected in it "
                         "(name another folder with --samples)") from None
    key = cached_or_compiled(rubric)
    entries = zip_entries(rubric, write_cache(key))
    pool_lines: tuple[str, ...] = ()
    if key.pool is not None:
        from autograder.authoring.pool import pool_summary  # pool.py compiles through compile.py, as this module does

        overrides = read_overrides(rubric.path, len(key.pool))
        if overrides.problems:
            raise BuildError("the overrides file has lines that cannot be used:\n  " + "\n  ".join(overrides.problems))
        entries = sorted(entries + variant_entries(rubric))
        pool_lines = tuple(pool_summary(key.pool))
    target = Path(out_dir) / zip_name(rubric)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, staged_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(handle)
    staged = Path(staged_name)
    try:
        write_zip(entries, staged)
        staged.chmod(0o644)  # mkstemp makes it private; a build output is as readable as any file
        size = staged.stat().st_size
        outcomes = verify_zip(staged, sample_dirs, key, workers, on_sample)
        names = tuple(name for name, _ in entries)
        if any(outcome.mismatches for outcome in outcomes):
            # An older zip at this path no longer matches this checkout: never leave it to be uploaded.
            removed_stale = target.exists()
            target.unlink(missing_ok=True)
            return BuildReport(None, names, size, outcomes, removed_stale, Path(out_dir), time.perf_counter() - started,
                               pool_lines)
        os.replace(staged, target)
        return BuildReport(target, names, size, outcomes, False, Path(out_dir), time.perf_counter() - started,
                           pool_lines)
    finally:
        staged.unlink(missing_ok=True)


def zip_entries(rubric: Rubric, key_path: Path) -> list[tuple[str, Path]]:
    """(name in the zip, file to read) for everything the zip holds, sorted by name."""
    missing = [name for name in SCRIPTS + TOP_FILES if not (CHECKOUT / name).is_file()]
    if missing:
        raise BuildError(f"{CHECKOUT} has no {', '.join(missing)}: run `autograder build` from a checkout "
                         "of the autograder (installed with pip install -e)")
    for script in SCRIPTS:
        if b"\r" in (CHECKOUT / script).read_bytes():
            raise BuildError(f"{CHECKOUT / script} has Windows (CRLF) line endings, which bash on Gradescope "
                             "cannot run: convert it to LF")
    entries = {name: CHECKOUT / name for name in SCRIPTS + TOP_FILES}
    for package in SOURCE_PACKAGES:
        for path in (CHECKOUT / package).rglob("*.py"):
            entries[path.relative_to(CHECKOUT).as_posix()] = path
    for pattern in PACKAGE_DATA:
        for path in CHECKOUT.glob(pattern):
            entries[path.relative_to(CHECKOUT).as_posix()] = path
    # Always rubric/<stem>.yaml: the name run_autograder and setup.sh look for.
    stem = Path(rubric.path).stem
    entries[f"rubric/{stem}.yaml"] = Path(rubric.path)
    entries[f"rubric/{stem}.key.json"] = key_path
    decisions = decisions_path(rubric)
    if decisions.is_file():  # the TA decisions: the container grades a decided answer as the regrade did
        entries[f"rubric/{decisions.name}"] = decisions
    return sorted(entries.items())


def variant_entries(rubric: Rubric) -> list[tuple[str, Path | bytes]]:
    """What grading needs to choose each student's variant: the course secret in use (from the
    environment or the file: the zip holds it as the file) and the overrides file, if any."""
    stem = Path(rubric.path).stem
    entries: list[tuple[str, Path | bytes]] = [(f"rubric/{secret_path(stem).name}", read_secret(rubric.path).value + b"\n")]
    if overrides_path(rubric.path).is_file():
        entries.append((f"rubric/{overrides_path(stem).name}", overrides_path(rubric.path)))
    return entries


def write_zip(entries: list[tuple[str, Path | bytes]], target: Path) -> None:
    """A zip whose bytes depend only on the entries' names and contents (a file's, or bytes given)."""
    date_time = zip_date_time()
    with zipfile.ZipFile(target, "w") as archive:
        for name, path in entries:
            info = zipfile.ZipInfo(name, date_time)
            info.create_system = 3  # Unix, so that unzip applies the permission bits below
            info.external_attr = (0o100755 if name in SCRIPTS else 0o100644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path if isinstance(path, bytes) else path.read_bytes(), compresslevel=9)


def zip_date_time() -> tuple[int, int, int, int, int, int]:
    """Every entry's timestamp: SOURCE_DATE_EPOCH (reproducible-builds.org) if set, else 1980-01-01."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return (1980, 1, 1, 0, 0, 0)
    if not epoch.isdigit():
        raise BuildError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01 UTC, got {epoch!r}")
    seconds = min(max(int(epoch), EARLIEST_ZIP_TIME), LATEST_ZIP_TIME)
    return time.gmtime(seconds)[:6]


def verify_zip(zip_path: Path, samples: list[Path], key: AnswerKey, workers: int | None = None,
               on_sample: Callable[[SampleOutcome], None] | None = None) -> tuple[SampleOutcome, ...]:
    """Unpack the zip as /autograder/source and grade every sample with its run_autograder."""
    with tempfile.TemporaryDirectory(prefix="autograder-build-") as scratch:
        source = Path(scratch) / "source"
        unpack(zip_path, source)
        return grade_samples_in(source, samples, key.engine, Path(scratch) / "roots", workers, on_sample,
                                answer_file=key.rubric.answer_file)


def unpack(zip_path: Path, destination: Path) -> None:
    """Extract with the permissions stored in the zip, as Gradescope's unzip does."""
    with zipfile.ZipFile(zip_path) as archive:
        for info in archive.infolist():
            Path(archive.extract(info, destination)).chmod((info.external_attr >> 16) & 0o777)


def grade_samples_in(source: Path, samples: list[Path], engine: str, roots: Path, workers: int | None = None,
                     on_sample: Callable[[SampleOutcome], None] | None = None,
                     answer_file: str = "answers") -> tuple[SampleOutcome, ...]:
    """Grade each sample in its own /autograder-like root that shares `source`; in parallel, as each is a process."""
    workers = workers or min(os.cpu_count() or 1, MAX_WORKERS)
    outcomes = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(grade_sample_in, source, sample, roots / sample.name, engine, answer_file)
                   for sample in samples]
        for future in as_completed(futures):
            outcome = future.result()
            if on_sample:
                on_sample(outcome)
            outcomes.append(outcome)
    return tuple(sorted(outcomes, key=lambda outcome: outcome.name))


def grade_sample_in(source: Path, sample: Path, root: Path, engine: str, answer_file: str = "answers") -> SampleOutcome:
    """Run root/run_autograder on one sample, as Gradescope runs it, and compare with its expected.json."""
    try:
        expected = read_expected(sample)
    except ExpectedError as exc:
        return SampleOutcome(sample.name, None, None, (str(exc),), "")
    lay_out_root(source, sample, root)
    # Nothing from this process may leak in: run_autograder alone decides which code runs.
    env = {name: value for name, value in os.environ.items() if not name.startswith("AUTOGRADER_") and name != "PYTHONPATH"}
    env.update(AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable)
    try:
        completed = subprocess.run([str(root / "run_autograder")], cwd=root, env=env, capture_output=True,
                                   text=True, timeout=SAMPLE_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        return SampleOutcome(sample.name, None, expected.get("score"),
                             (f"run_autograder did not finish within {SAMPLE_TIMEOUT_SECONDS} s",), "")
    except OSError as exc:
        return SampleOutcome(sample.name, None, expected.get("score"), (f"run_autograder could not start: {exc}",), "")
    log = completed.stdout + completed.stderr
    try:
        result = WrittenResult.from_json(json.loads((root / "results" / "results.json").read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        return SampleOutcome(sample.name, None, expected.get("score"), (f"no valid results.json: {exc}",), log)
    mismatches, details = sample_mismatches(sample, answer_file, result, expected)
    problems = list(mismatches)
    if completed.returncode != 0:
        problems.append(f"run_autograder exited with status {completed.returncode}, not 0")
    graded_by = result.engine
    if graded_by != engine:
        problems.append(f"graded by engine {graded_by}, but the zip's key was compiled by {engine}: "
                        "the zip's code is not the code the key was compiled with")
    return SampleOutcome(sample.name, result.score, expected.get("score"), tuple(problems), log, details)


def lay_out_root(source: Path, sample: Path, root: Path) -> None:
    """root/ as Gradescope prepares /autograder for one submission."""
    root.mkdir(parents=True)
    (root / "source").symlink_to(source, target_is_directory=True)
    shutil.copy2(source / "run_autograder", root / "run_autograder")
    shutil.copytree(sample / "submission", root / "submission", symlinks=True)
    metadata = sample / "submission_metadata.json"
    if metadata.is_file():
        shutil.copyfile(metadata, root / "submission_metadata.json")
    (root / "results").mkdir()
