"""Fuzz the whole grading path: mutate the sample submissions and grade each through `grade.run`.

Usage: python bench/fuzz.py [--inputs N] [--seed S] [--duration SECONDS] [--jobs J] [--keep DIR]
       python bench/fuzz.py --replay I [--seed S] [--keep DIR]

The mutations are tests/test_fuzz.py's (tests/hostile.py): bytes flipped,
keys dropped, values swapped between parts, files renamed and re-encoded,
hostile values, files, links and metadata added. Input I of seed S is always
the same, so any failure can be replayed alone. Every results.json must be
valid against Gradescope's fields, grade every part within [0, max] and not
be an engine failure; a process that dies (a crash in C) is a failure too.
Ends with one summary line; exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import sys
import tempfile
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from autograder.grading.run import Paths, run  # noqa: E402
from support.hostile import apply_edits, random_edits, results_problems, samples, write_root  # noqa: E402
from support.grading import hw5_key  # noqa: E402

SAMPLES = samples()
CHUNK = 250


def mutated(seed: int, index: int):
    """Input `index` of `seed`: a sample and its edits, the same on every run."""
    rng = random.Random(f"{seed}:{index}")
    name, submission = rng.choice(SAMPLES)
    edits = random_edits(rng)
    return name, edits, apply_edits(submission, edits)


def grade_one(seed: int, index: int, root: Path) -> list[str]:
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    _, _, submission = mutated(seed, index)
    results = write_root(root, submission)
    paths = Paths(root / "submission", root / "submission_metadata.json", results)
    try:
        data = run(hw5_key().rubric.path, paths, stream=io.StringIO(), key=hw5_key())
        return results_problems(data, hw5_key().rubric, written=results)
    except Exception:
        return ["run() raised:\n" + traceback.format_exc()]


def grade_range(seed: int, start: int, stop: int) -> list[tuple[int, list[str]]]:
    """Grades inputs start..stop-1 in a scratch folder; returns the failures."""
    with tempfile.TemporaryDirectory(prefix="autograder-fuzz-") as scratch:
        failures = []
        for index in range(start, stop):
            problems = grade_one(seed, index, Path(scratch) / "root")
            if problems:
                failures.append((index, problems))
        return failures


def keep(seed: int, index: int, folder: Path) -> Path:
    name, edits, submission = mutated(seed, index)
    target = folder / f"seed{seed}-input{index}"
    shutil.rmtree(target, ignore_errors=True)
    write_root(target, submission)
    (target / "mutation.txt").write_text(f"sample {name}\n" + "\n".join(map(repr, edits)) + "\n", encoding="utf-8")
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=100_000, help="how many inputs to grade (default 100000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--duration", type=float, help="stop after this many seconds, whatever --inputs says")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="worker processes (default 2)")
    parser.add_argument("--keep", type=Path, help="write each failing input here as an /autograder-like folder")
    parser.add_argument("--replay", type=int, metavar="I", help="grade input I alone and print its problems")
    args = parser.parse_args()

    if args.replay is not None:
        name, edits, _ = mutated(args.seed, args.replay)
        print(f"input {args.replay} of seed {args.seed}: sample {name}, edits {edits}")
        with tempfile.TemporaryDirectory() as scratch:
            problems = grade_one(args.seed, args.replay, Path(scratch) / "root")
        print("\n".join(problems) or "no problems")
        if args.keep:
            print(f"kept in {keep(args.seed, args.replay, args.keep)}")
        return 1 if problems else 0

    started = time.perf_counter()
    deadline = started + args.duration if args.duration else float("inf")
    failures: list[tuple[int, list[str]]] = []
    died: list[tuple[int, int]] = []
    graded = next_start = 0
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        running = {}
        while running or (next_start < args.inputs and time.perf_counter() < deadline):
            while len(running) < 2 * args.jobs and next_start < args.inputs and time.perf_counter() < deadline:
                stop = min(next_start + CHUNK, args.inputs)
                running[pool.submit(grade_range, args.seed, next_start, stop)] = (next_start, stop)
                next_start = stop
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                start, stop = running.pop(future)
                try:
                    failures.extend(future.result())
                    graded += stop - start
                except BrokenProcessPool:
                    died.append((start, stop))
            if died:
                break
    elapsed = time.perf_counter() - started

    for index, problems in failures[:10]:
        print(f"FAIL input {index} (replay: python bench/fuzz.py --seed {args.seed} --replay {index}):")
        print("    " + "\n    ".join("\n".join(problems).splitlines()))
        if args.keep:
            print(f"    kept in {keep(args.seed, index, args.keep)}")
    for start, stop in died:
        print(f"FAIL a worker process died while grading inputs {start}..{stop - 1}: replay them one by one")
    print(f"fuzz: {graded} inputs graded (seed {args.seed}, {args.jobs} jobs) in {elapsed:.1f} s, "
          f"{graded / elapsed:.0f}/s: {len(failures)} invalid or failed, {len(died)} worker deaths")
    return 1 if failures or died else 0


if __name__ == "__main__":
    sys.exit(main())
