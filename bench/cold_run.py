"""Time one cold `run_autograder` on a sample against `python3 -c pass`, in the same run.

Usage: python bench/cold_run.py [SAMPLE_FOLDER] [--runs N]
Builds an /autograder-like root with the compiled key (as setup.sh does),
then alternates the two commands N times and prints medians and their ratio.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def timed(command: list[str], env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sample", nargs="?", default=str(REPO / "submissions_samples/hw5/18-late-1-day-channels-last"))
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary) / "autograder"
        source = root / "source"
        for name in ("autograder", "reference", "rubric"):
            shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.key.json"))
        shutil.copy2(REPO / "run_autograder", root / "run_autograder")
        shutil.copytree(Path(args.sample) / "submission", root / "submission")
        metadata = Path(args.sample) / "submission_metadata.json"
        if metadata.exists():
            shutil.copy2(metadata, root / "submission_metadata.json")
        env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable, "PYTHONPATH": ""}
        subprocess.run([sys.executable, "-m", "autograder", "compile", str(source / "rubric/hw5.yaml")],
                       env={**env, "PYTHONPATH": str(source)}, check=True, stdout=subprocess.DEVNULL)
        grade, bare = [], []
        for _ in range(args.runs):
            grade.append(timed(["bash", str(root / "run_autograder")], env))
            bare.append(timed([sys.executable, "-c", "pass"], env))
    grade_s, bare_s = statistics.median(grade), statistics.median(bare)
    print(f"cores: {os.cpu_count()}, runs: {args.runs}, python: {sys.version.split()[0]}")
    print(f"cold run_autograder: median {grade_s * 1000:.0f} ms (min {min(grade) * 1000:.0f} ms)")
    print(f"python -c pass:      median {bare_s * 1000:.0f} ms (min {min(bare) * 1000:.0f} ms)")
    print(f"ratio: {grade_s / bare_s:.1f}x")


if __name__ == "__main__":
    main()
