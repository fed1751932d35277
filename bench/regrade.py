"""Benchmark (not a test): grading against its floor, reading the files, in one run.

Usage: python bench/regrade.py [--count 10000] [--runs 15] [--jobs N] [--zip]

Bytecode: Gradescope's setup.sh byte-compiles the code once, so every run
imports it from __pycache__; a machine with PYTHONDONTWRITEBYTECODE=1 would
otherwise compile every module on every run. Each side is therefore
compiled first (`python -m compileall -q`, as setup.sh does), and one run of
each with PYTHONVERBOSE=1 checks that no module was compiled from source;
the figures say so.

(a) Cold start: builds an /autograder root as setup.sh leaves it (the code
    and one rubric in source/ with its compiled key, byte-compiled) and
    alternates `bash run_autograder` (the real container path: bash, then
    `python -m autograder grade`) with `python -c "import yaml, json"`, the
    floor of any grader that reads a YAML file and writes JSON, --runs times
    each, the same Python for both. Each run starts, as on Gradescope, with no
    results.json. Prints the medians and their ratio. Target: at most 1.5x.
(b) One process, per submission: builds an export of --count submissions
    from the samples (tests/support/export_fixture.py: every mistake and
    answer format of the samples, late ones, an extension, a group every 50),
    compiles the key, then times `autograder regrade -j 1` against a loop that
    only loads the same files with libyaml's CSafeLoader (each submission's
    YAML/JSON files). Per submission: the regrade's grading phase (from its
    progress lines: every submission read, graded and its results.json
    written) against the loop's time. The results.json writes are measured
    apart (the regrade's own results, written again with the engine's atomic
    write into a fresh folder) and the ratio is also given without them.
    Target: at most 3x, with the writes. The whole command (start-up, reading
    the export's metadata, the tables and report.html) is shown too.
(c) The class regrade on every core (or --jobs): wall time and peak memory
    (its whole process tree, sampled every 20 ms, and its largest process).
    Target for 10,000: under 500 MB. --zip regrades the export zipped.
"""

from __future__ import annotations

import argparse
import json
import os
import re
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
FLOOR = "import yaml, json"
# The regrade's last progress line (not a terminal): "regrade: N of N submissions (100%) in S s, ...".
PROGRESS = re.compile(r"regrade: (\d+) of \1 submissions \(100%\) in ([\d.]+) s")


def timed(command: list[str], env: dict | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def compile_key(rubric: Path, source: Path) -> None:
    # Run in the source folder: `-m` puts the working folder first on sys.path, before PYTHONPATH.
    subprocess.run([sys.executable, "-m", "autograder", "compile", str(rubric)], check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, "PYTHONPATH": str(source)}, cwd=source)


def byte_compile(*folders: Path) -> None:
    """What setup.sh does last: every module's bytecode written once, whatever PYTHONDONTWRITEBYTECODE says."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", *map(str, folders)], check=True, env=env,
                   stdout=subprocess.DEVNULL)


def compiled_from_source(command: list[str], env: dict) -> tuple[int, list[str]]:
    """(modules imported, those compiled from source rather than read from bytecode), by one verbose run."""
    run = subprocess.run(command, env={**env, "PYTHONVERBOSE": "1"}, capture_output=True, text=True, check=True)
    loaded = [line[len("# code object from "):] for line in run.stderr.splitlines()
              if line.startswith("# code object from ")]
    return len(loaded), [path for path in loaded if not path.endswith(".pyc'")]


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
    (root / "results").mkdir()  # Gradescope's harness makes it (results/stdout)
    compile_key(source / "rubric" / RUBRIC.name, source)
    byte_compile(source / "autograder", source / "reference")
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable, "PYTHONPATH": ""}
    results = root / "results" / "results.json"
    grade_command, floor_command = ["bash", str(root / "run_autograder")], [sys.executable, "-c", FLOOR]
    grade, floor, bare = [], [], []
    for _ in range(runs):
        results.unlink(missing_ok=True)  # each submission gets a fresh container
        grade.append(timed(grade_command, env))
        floor.append(timed(floor_command, env))
        bare.append(timed([sys.executable, "-c", "pass"], env))
    written = json.loads(results.read_text(encoding="utf-8"))
    wanted = json.loads((COLD_SAMPLE / "expected.json").read_text(encoding="utf-8"))["score"]
    if written.get("score") != wanted or "error" in written.get("extra_data", {}):
        raise SystemExit(f"run_autograder did not grade the sample as expected: {written.get('output')}")
    results.unlink()
    checks = {"run_autograder": compiled_from_source(grade_command, env),
              "the floor": compiled_from_source(floor_command, env)}
    grade_s, floor_s, bare_s = statistics.median(grade), statistics.median(floor), statistics.median(bare)
    print(f"(a) cold run_autograder on {COLD_SAMPLE.name}, {runs} runs each, alternating:")
    for label, (loaded, from_source) in checks.items():
        state = "all from bytecode" if not from_source else f"{len(from_source)} COMPILED FROM SOURCE: {from_source[:3]}"
        print(f"    bytecode: {label} imports {loaded} modules, {state}")
    print(f"    bash run_autograder          median {grade_s * 1000:5.0f} ms (min {min(grade) * 1000:.0f} ms)")
    print(f"    python -c \"{FLOOR}\"  median {floor_s * 1000:5.0f} ms (min {min(floor) * 1000:.0f} ms)")
    print(f"    python -c pass               median {bare_s * 1000:5.0f} ms (min {min(bare) * 1000:.0f} ms)")
    print(f"    ratio {grade_s / floor_s:.2f}x the floor (target at most 1.5x: "
          f"{'met' if grade_s <= 1.5 * floor_s else 'NOT met'}); {grade_s / bare_s:.1f}x python -c pass")


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


def floor_loop(export: Path, graded: Path, scratch: Path) -> None:
    """The floor, in its own process: every submission's YAML/JSON files loaded with CSafeLoader and nothing
    else; then, apart, the regrade's results.json files written again as the engine writes them."""
    import yaml

    from autograder.grading.results_json import write_json

    folders = sorted(folder for folder in export.iterdir() if folder.is_dir())
    started = time.perf_counter()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix.lower() in (".yaml", ".yml", ".json") and path.is_file() and not path.is_symlink():
                try:
                    yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
                except yaml.YAMLError:
                    pass
    load_s = time.perf_counter() - started
    results = [(scratch / folder.name / "results.json", json.loads((graded / folder.name / "results.json").read_bytes()))
               for folder in folders]
    started = time.perf_counter()
    for path, data in results:
        write_json(path, data)
    print(f"{len(folders)} {load_s} {time.perf_counter() - started}")


def build(count: int, workdir: Path, zipped: bool) -> tuple[Path, Path, Path]:
    """(the export folder, what to regrade: it or its zip, the rubric with its compiled key)."""
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
    byte_compile(REPO / "autograder", REPO / "reference")
    print(f"export of {count} submissions ({'zipped' if zipped else 'a folder'}) built in "
          f"{time.perf_counter() - started:.0f} s")
    return export, source, rubric


def regrade_command(rubric: Path, source: Path, outdir: Path, jobs: int) -> list[str]:
    return [sys.executable, "-m", "autograder", "regrade", str(rubric), str(source), "-o", str(outdir), "-j", str(jobs)]


def single_process(export: Path, source: Path, rubric: Path, workdir: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    outdir = workdir / "single"
    os.sync()  # the export was just written: its writeback must not be timed as the regrade's
    started = time.perf_counter()
    run = subprocess.run(regrade_command(rubric, source, outdir, 1), env=env, capture_output=True, text=True, cwd=REPO)
    whole_s = time.perf_counter() - started
    if run.returncode != 0:
        raise SystemExit(f"regrade -j 1 exited {run.returncode}: {run.stderr[-2000:]}")
    count, grading_s = max((int(found[0]), float(found[1])) for found in PROGRESS.findall(run.stderr))
    os.sync()
    started = time.perf_counter()
    floor = subprocess.run([sys.executable, __file__, "--floor", str(export), str(outdir / "results"),
                            str(workdir / "rewritten")], check=True, env=env, capture_output=True, text=True, cwd=REPO)
    floor_whole_s = time.perf_counter() - started
    floored, load_s, write_s = floor.stdout.split()
    if int(floored) != count:
        raise SystemExit(f"the floor loaded {floored} submissions, the regrade graded {count}")
    load_s, write_s = float(load_s), float(write_s)
    per = 1000 / count
    print(f"(b) one process, per submission ({count} submissions):")
    print(f"    regrade -j 1, grading     {grading_s * per:6.3f} ms (read, graded, results.json written; "
          f"{grading_s:.2f} s in all)")
    print(f"      of which the writes     {write_s * per:6.3f} ms (results.json written again atomically)")
    print(f"    CSafeLoader load only     {load_s * per:6.3f} ms ({load_s:.2f} s in all)")
    print(f"    ratio {grading_s / load_s:.2f}x (target at most 3x: {'met' if grading_s <= 3 * load_s else 'NOT met'}); "
          f"{(grading_s - write_s) / load_s:.2f}x without the writes")
    print(f"    whole commands: regrade -j 1 {whole_s:.2f} s ({whole_s * per:.3f} ms each), the floor's process "
          f"{floor_whole_s:.2f} s: {whole_s / floor_whole_s:.2f}x")


def all_cores(source: Path, rubric: Path, workdir: Path, jobs: int | None) -> None:
    jobs = jobs or len(os.sched_getaffinity(0))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    os.sync()
    started = time.perf_counter()
    process = subprocess.Popen(regrade_command(rubric, source, workdir / "parallel", jobs), env=env, cwd=REPO,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    memory = TreeMemory(process.pid)
    summary, _ = process.communicate()
    regrade_s = time.perf_counter() - started
    tree_peak, largest = memory.stop()
    if process.returncode != 0:
        raise SystemExit(f"regrade exited {process.returncode}")
    print(f"(c) the class regrade, {jobs} processes:")
    print("    " + summary.splitlines()[0])
    print(f"    {regrade_s:.2f} s wall, peak memory {tree_peak / 2**20:.0f} MB (process tree), "
          f"{largest / 2**20:.0f} MB (largest process); under 500 MB: {'met' if tree_peak < 500 * 2**20 else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="submissions in the export (default 10000)")
    parser.add_argument("--runs", type=int, default=15, help="cold runs of each command (default 15)")
    parser.add_argument("--jobs", type=int, help="the class regrade's worker processes (default: all cores)")
    parser.add_argument("--zip", action="store_true", help="regrade the export zipped")
    parser.add_argument("--floor", nargs=3, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor:
        floor_loop(*args.floor)
        return
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable), "
          f"load average {os.getloadavg()[0]:.1f} at the start")
    with tempfile.TemporaryDirectory(prefix="bench-cold-") as workdir:
        cold_run(Path(workdir), args.runs)
    with tempfile.TemporaryDirectory(prefix="bench-regrade-") as workdir:
        export, source, rubric = build(args.count, Path(workdir), args.zip)
        single_process(export, source, rubric, Path(workdir))
        all_cores(source, rubric, Path(workdir), args.jobs)


if __name__ == "__main__":
    main()
