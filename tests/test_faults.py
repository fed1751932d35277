"""Fault injection on the grading path. For each fault: what the student sees
(results.json), what the staff log says, and that nothing already graded or
submitted is lost.

An engine crash inside grading and a rubric whose points do not add up are
tested in tests/test_results.py.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import reference
from autograder.grading import submission as submission_module
from autograder.answers.integer import IntegerAnswer
from autograder.grading.run import STAFF_ERROR, TERMINATED_ERROR, Paths, run
from support.paths import CANONICAL, REPO, SAMPLES, checkout_env
from support.hostile import METADATA, results_problems
from support.grading import grade, hw5_key, slow_parse
from support.grading import write_variant
from support.paths import HW5

LATE = SAMPLES / "hw5" / "18-late-1-day-channels-last"


def fingerprint(folder: Path) -> dict:
    """Every file under folder and its content's hash: the student's work, to show it is untouched."""
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def copy_sample(tmp_path: Path, sample: Path) -> Path:
    target = tmp_path / "sample"
    shutil.copytree(sample, target, symlinks=True)
    return target


def test_a_solver_that_raises(tmp_path, monkeypatch):
    solver = reference.SOLVERS["conv2d_param_count"]

    @functools.wraps(solver.function)
    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero in the reference solution")

    monkeypatch.setitem(reference.SOLVERS, "conv2d_param_count", dataclasses.replace(solver, function=broken))
    rubric = write_variant(tmp_path, "total_points: 35", "total_points: 35")  # a copy with no compiled key beside it
    sample = copy_sample(tmp_path, CANONICAL)
    before = fingerprint(sample)
    data, log = grade(tmp_path, sample, rubric=rubric, key=None)
    assert results_problems(data, hw5_key().rubric) == ["grading failed (rubric) instead of grading"]
    assert data["output"] == STAFF_ERROR and data["tests"][0]["max_score"] == 35
    assert "RUBRIC ERROR" in log and "total_params" in log and "division by zero in the reference solution" in log
    assert "division" not in json.dumps(data)
    assert fingerprint(sample) == before


@pytest.mark.parametrize("breakage", [
    ("missing", None, "cannot read the rubric"),
    ("bad YAML", ("total_points: 35", "total_points: [35"), "hw5.yaml:"),
    ("not a rubric", ("rubric: hw5", "rubric: [hw5]"), "hw5.yaml:"),
], ids=lambda breakage: breakage[0])
def test_a_rubric_that_does_not_load(tmp_path, breakage):
    _, change, logged = breakage
    rubric = write_variant(tmp_path, *change) if change else tmp_path / "missing.yaml"
    data, log = grade(tmp_path, CANONICAL, rubric=rubric, key=None)
    assert data["score"] == 0 and data["output"] == STAFF_ERROR and data["extra_data"]["error"] == "rubric"
    assert results_problems(data, hw5_key().rubric) == ["grading failed (rubric) instead of grading"]
    assert "RUBRIC ERROR" in log and logged in log


@pytest.mark.parametrize("metadata", METADATA, ids=lambda metadata: repr(metadata)[:40])
def test_missing_or_malformed_metadata_costs_no_grades(tmp_path, metadata):
    sample = copy_sample(tmp_path, LATE)
    (sample / "submission_metadata.json").unlink()
    if metadata is not None:
        (sample / "submission_metadata.json").write_bytes(metadata)
    data, log = grade(tmp_path, sample)
    assert results_problems(data, hw5_key().rubric) == []
    expected = json.loads((LATE / "expected.json").read_text())["parts"]
    assert {test["extra_data"]["part"]: test["score"] for test in data["tests"][:-1]} == \
        {part: want["points"] for part, want in expected.items()}
    assert data["extra_data"]["score_before_late_policy"] == 35
    if data["extra_data"]["late"]["factor"] == "1":
        assert "no late penalty" in data["output"] or "on time" in data["output"]
    if metadata is None or metadata in (b"", b"not json", b"[]", b"{" * 5000):
        assert "metadata:" in log


def test_unusable_metadata_is_logged_with_its_cause(tmp_path):
    sample = copy_sample(tmp_path, LATE)
    (sample / "submission_metadata.json").write_bytes(METADATA[8])  # an extension due in year 1, at UTC+14
    data, log = grade(tmp_path, sample)
    assert data["score"] == 35
    assert data["output"] == "The submission time is not known, so no late penalty was applied."
    assert "metadata: could not be used, so no late penalty was applied" in log and "OverflowError" in log


def test_an_unwritable_results_folder_leaves_the_results_in_the_staff_log(tmp_path):
    (tmp_path / "results").write_text("a file where the results folder should be")
    paths = Paths(CANONICAL / "submission", CANONICAL / "submission_metadata.json", tmp_path / "results" / "results.json")
    log = io.StringIO()
    with pytest.raises(OSError):
        run(HW5, paths, stream=log, key=hw5_key())
    logged = log.getvalue()
    assert "COULD NOT WRITE" in logged
    saved = json.loads(logged.split("The results, so that they are not lost:\n", 1)[1])
    assert saved["score"] == 35 and results_problems(saved, hw5_key().rubric) == []


def test_a_submission_folder_that_vanishes_after_the_answer_file_was_found(tmp_path, monkeypatch):
    sample = copy_sample(tmp_path, CANONICAL)
    choose = submission_module._choose

    def choose_then_vanish(files, stem):
        chosen = choose(files, stem)
        shutil.rmtree(sample / "submission")
        return chosen

    monkeypatch.setattr(submission_module, "_choose", choose_then_vanish)
    data, log = grade(tmp_path, sample)
    assert results_problems(data, hw5_key().rubric) == []
    assert data["score"] == 0
    assert data["output"].startswith("Could not read answers.yaml: the file could not be opened (No such file or directory).")
    assert "answer file: answers.yaml; Could not read answers.yaml" in log


def test_a_folder_that_vanishes_while_it_is_searched(tmp_path, monkeypatch):
    sample = copy_sample(tmp_path, SAMPLES / "hw5" / "36-yml-in-subfolder")
    scandir = os.scandir

    def scandir_then_vanish(path):
        listing = scandir(path)
        if isinstance(path, Path) and path == sample / "submission":
            shutil.rmtree(sample / "submission" / "HW5")  # listed, then gone before it is opened
        return listing

    monkeypatch.setattr(submission_module.os, "scandir", scandir_then_vanish)
    data, log = grade(tmp_path, sample)
    assert results_problems(data, hw5_key().rubric) == []
    assert data["output"].startswith("No answer file: expected answers.yaml")
    assert "answer file: -; No answer file" in log


def test_the_time_limit_stops_a_slow_submission(tmp_path, monkeypatch):
    monkeypatch.setattr(IntegerAnswer, "parse", slow_parse)
    sample = copy_sample(tmp_path, CANONICAL)
    before, handler = fingerprint(sample), signal.getsignal(signal.SIGALRM)
    paths = Paths(sample / "submission", sample / "submission_metadata.json", tmp_path / "results" / "results.json")
    log = io.StringIO()
    data = run(HW5, paths, stream=log, key=hw5_key(), time_limit=0.2)
    assert json.loads(paths.results.read_text()) == data
    assert results_problems(data, hw5_key().rubric) == ["grading failed (time_limit) instead of grading"]
    assert data["score"] == 0 and data["tests"][0]["max_score"] == 35
    assert data["output"].startswith("Grading was stopped: it took longer than 0.2 seconds, the limit for one submission.")
    assert "TIME LIMIT: grading stopped after 0.2 s" in log.getvalue() and "slow_parse" in log.getvalue()
    assert fingerprint(sample) == before
    assert signal.getsignal(signal.SIGALRM) == handler and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_off_the_main_thread_there_is_no_time_limit_and_grading_still_works(tmp_path):
    outcome = {}
    worker = threading.Thread(target=lambda: outcome.update(grade(tmp_path, CANONICAL)[0]))
    worker.start()
    worker.join()
    assert outcome["score"] == 35 and results_problems(outcome, hw5_key().rubric) == []


# SIGTERM needs a process of its own: the grader in a subprocess, made slow at
# one point by a wrapper, signalled once it gets there.
WRAPPER = """
import sys, time
from pathlib import Path
import autograder.grading.run
from autograder.answers.integer import IntegerAnswer
from autograder.cli import main

marker, where, rubric, root = sys.argv[1:5]

def slow(original, seconds):
    def stall(*args):
        Path(marker).touch()
        time.sleep(seconds)
        return original(*args)
    return stall

if where == "grading":  # the SIGTERM cuts this sleep short
    IntegerAnswer.parse = slow(IntegerAnswer.parse, 60)
else:  # the grades exist: the SIGTERM waits for this sleep and the write
    autograder.grading.run.results_json = slow(autograder.grading.run.results_json, 1)
sys.exit(main(["grade", rubric, "--root", root]))
"""


def grade_and_terminate(tmp_path: Path, where: str) -> tuple[subprocess.CompletedProcess, dict]:
    root = tmp_path / "autograder"
    shutil.copytree(CANONICAL / "submission", root / "submission")
    marker = tmp_path / "reached"
    process = subprocess.Popen([sys.executable, "-c", WRAPPER, str(marker), where, str(HW5), str(root)],
                               env=checkout_env(), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=60)
    done = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    return done, json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def test_sigterm_while_grading_writes_results_then_exits(tmp_path):
    done, data = grade_and_terminate(tmp_path, "grading")
    assert done.returncode == -signal.SIGTERM, done.stderr
    assert results_problems(data, hw5_key().rubric) == ["grading failed (terminated) instead of grading"]
    assert data["output"] == TERMINATED_ERROR and data["tests"][0]["max_score"] == 35
    assert "SIGTERM while grading" in done.stdout and "stall" in done.stdout


def test_sigterm_after_grading_keeps_the_grades(tmp_path):
    done, data = grade_and_terminate(tmp_path, "results")
    assert done.returncode == -signal.SIGTERM, done.stderr
    assert results_problems(data, hw5_key().rubric) == [] and data["score"] == 35
    assert "wrote " in done.stdout


def test_sigterm_to_run_autograder_reaches_the_grader(tmp_path):
    """Gradescope signals run_autograder (bash), not Python: bash must pass the signal on."""
    root = tmp_path / "autograder"
    shutil.copytree(CANONICAL / "submission", root / "submission")
    marker, slow_grader = tmp_path / "reached", tmp_path / "slow_grader.py"
    slow_grader.write_text(WRAPPER, encoding="utf-8")
    python = tmp_path / "python"  # called as: python -m autograder grade RUBRIC --root ROOT
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{slow_grader}" "{marker}" grading "$4" "$6"\n')
    python.chmod(0o755)
    process = subprocess.Popen(["bash", str(REPO / "run_autograder")], cwd=tmp_path, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=checkout_env(AUTOGRADER_ROOT=str(root), AUTOGRADER_RUBRIC=str(HW5),
                                                AUTOGRADER_PYTHON=str(python)))
    deadline = time.monotonic() + 60
    while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    data = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert data["output"] == TERMINATED_ERROR, stdout
    assert "SIGTERM while grading" in stdout and "writing a fallback" not in stdout
