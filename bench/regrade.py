"""Benchmark (not a test): one cold run_autograder and a class regrade, each against a baseline, in one run.

Usage: python bench/regrade.py [--count 10000] [--runs 15] [--jobs N] [--zip]

(a) Builds an /autograder root with the compiled key (as setup.sh does) and
    alternates `bash run_autograder` on one sample with `python3 -c pass`,
    --runs times each: medians and their ratio. Target: under 0.5 s.
(b) Builds an export of --count submissions from the samples
    (tests/export_fixture.py: every mistake and answer format of the
    samples, late ones, an extension, a group every 50), compiles the key as
    setup.sh does, then times `autograder regrade` into a new OUTDIR against a
    plain loop that only reads the same files with yaml.safe_load (each
    submission's YAML/JSON files, and submission_metadata.yml), each in its
    own process. Prints the wall times, the regrade's peak memory (its whole
    process tree, sampled every 20 ms, and its largest process) and the ratio.
    Targets for 10,000: under 10 s and under 500 MB. --zip regrades the
    export zipped instead.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from support.export_fixture import build_export  # noqa: E402  (tests/ holds the one export builder)

COLD_SAMPLE = REPO / "submissions_samples" / "hw5" / "18-late-1-day-channels-last"
RUBRIC = REPO / "rubric" / "hw5.yaml"


def timed(command: list[str], env: dict | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def compile_key(rubric: Path, source: Path) -> None:
    subprocess.run([sys.executable, "-m", "autograder", "compile", str(rubric)], check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, "PYTHONPATH": str(source)})


def cold_run(workdir: Path, runs: int) -> None:
    root = workdir / "autograder"
    source = root / "source"
    for name in ("autograder", "reference"):
        shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    (source / "rubric").mkdir()
    shutil.copy2(RUBRIC, source / "rubric" / RUBRIC.name)  # one rubric, as a zip made by `autograder build` holds
    shutil.copy2(REPO / "run_autograder", root / "run_autograder")
    shutil.copytree(COLD_SAMPLE / "submission", root / "submission")
    shutil.copy2(COLD_SAMPLE / "submission_metadata.json", root / "submission_metadata.json")
    compile_key(source / "rubric" / RUBRIC.name, source)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable, "PYTHONPATH": ""}
    grade, bare = [], []
    for _ in range(runs):
        grade.append(timed(["bash", str(root / "run_autograder")], env))
        bare.append(timed([sys.executable, "-c", "pass"], env))
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    wanted = json.loads((COLD_SAMPLE / "expected.json").read_text(encoding="utf-8"))["score"]
    if results.get("score") != wanted or "error" in results.get("extra_data", {}):
        raise SystemExit(f"run_autograder did not grade the sample as expected: {results.get('output')}")
    grade_s, bare_s = statistics.median(grade), statistics.median(bare)
    print(f"(a) cold run_autograder on {COLD_SAMPLE.name}, {runs} runs each:")
    print(f"    run_autograder  median {grade_s * 1000:.0f} ms (min {min(grade) * 1000:.0f} ms)")
    print(f"    python -c pass  median {bare_s * 1000:.0f} ms (min {min(bare) * 1000:.0f} ms)")
    print(f"    ratio {grade_s / bare_s:.1f}x; target under 500 ms: {'met' if grade_s < 0.5 else 'NOT met'}")


class TreeMemory:
    """Peaks of the RSS of a process and all its descendants, summed and of the largest, sampled from /proc."""

    def __init__(self, pid: int):
        self.pid, self.total, self.largest, self.stopped = pid, 0, 0, threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        while not self.stopped.wait(0.02):
            sizes = [_rss(pid) for pid in _tree(self.pid)]
            self.total, self.largest = max(self.total, sum(sizes)), max(self.largest, *sizes)

    def stop(self) -> tuple[int, int]:
        self.stopped.set()
        self.thread.join()
        return self.total, self.largest


def _tree(pid: int) -> list[int]:
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(child) for child in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def read_only(export: Path) -> None:
    """The baseline: every file the regrade reads, read with yaml.safe_load and nothing else."""
    import yaml

    started = time.perf_counter()
    for folder in sorted(export.iterdir()):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.suffix.lower() in (".yaml", ".yml", ".json") and path.is_file() and not path.is_symlink():
                try:
                    yaml.safe_load(path.read_bytes())
                except yaml.YAMLError:
                    pass
    answers = time.perf_counter() - started
    with open(export / "submission_metadata.yml", "rb") as stream:
        yaml.safe_load(stream)
    print(f"{answers} {time.perf_counter() - started - answers}")


def regrade(count: int, workdir: Path, jobs: int | None, zipped: bool) -> None:
    export = workdir / "export"
    started = time.perf_counter()
    build_export(export, count, groups_every=50)
    source = export
    if zipped:
        source = workdir / "export.zip"
        with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(export.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    archive.write(path, f"assignment_export/{path.relative_to(export).as_posix()}")
    rubric = workdir / "rubric" / "hw5.yaml"
    rubric.parent.mkdir()
    shutil.copy2(RUBRIC, rubric)
    compile_key(rubric, REPO)
    os.sync()  # the export was just written: its writeback must not be timed as the regrade's
    print(f"(b) regrade of {count} submissions ({'zipped' if zipped else 'a folder'}; built in "
          f"{time.perf_counter() - started:.0f} s), {os.cpu_count()} cores, jobs {jobs or 'all'}:")

    command = [sys.executable, "-m", "autograder", "regrade", str(rubric), str(source), "-o", str(workdir / "out")]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    process = subprocess.Popen(command + (["-j", str(jobs)] if jobs else []), env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    memory = TreeMemory(process.pid)
    summary, _ = process.communicate()
    regrade_s = time.perf_counter() - started
    tree_peak, largest = memory.stop()
    if process.returncode != 0:
        raise SystemExit(f"regrade exited {process.returncode}")

    os.sync()
    started = time.perf_counter()
    baseline = subprocess.run([sys.executable, __file__, "--read-only", str(export)], check=True, env=env,
                              capture_output=True, text=True)
    baseline_s = time.perf_counter() - started
    answers_s, metadata_s = (float(value) for value in baseline.stdout.split())

    print("    " + summary.splitlines()[0])
    print(f"    regrade            {regrade_s:6.2f} s wall, peak memory {tree_peak / 2**20:.0f} MB (process tree), "
          f"{largest / 2**20:.0f} MB (largest process)")
    print(f"    yaml.safe_load     {baseline_s:6.2f} s wall ({answers_s:.2f} s the answer files, "
          f"{metadata_s:.2f} s submission_metadata.yml)")
    print(f"    ratio {regrade_s / baseline_s:.2f}x the whole baseline, {regrade_s / answers_s:.2f}x its answer files")
    print(f"    targets: under 10 s {'met' if regrade_s < 10 else 'NOT met'}, "
          f"under 500 MB {'met' if tree_peak < 500 * 2**20 else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="submissions in the export (default 10000)")
    parser.add_argument("--runs", type=int, default=15, help="cold runs of each command (default 15)")
    parser.add_argument("--jobs", type=int, help="regrade's worker processes (default: all cores)")
    parser.add_argument("--zip", action="store_true", help="regrade the export zipped")
    parser.add_argument("--read-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.read_only:
        read_only(args.read_only)
        return
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="bench-cold-") as workdir:
        cold_run(Path(workdir), args.runs)
    with tempfile.TemporaryDirectory(prefix="bench-regrade-") as workdir:
        regrade(args.count, Path(workdir), args.jobs, args.zip)


if __name__ == "__main__":
    main()
