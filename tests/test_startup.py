"""A student's run starts only what grading their submission needs: no other program from bash, and no
module the rubric in hand does not use (every millisecond of start-up is paid by every submission)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from support.paths import CANONICAL, REPO, SAMPLES, checkout_env

FREE_TEXT = ("autograder.answers.claims", "autograder.answers.patterns", "autograder.answers.wording",
             "autograder.answers.formulas", "autograder.answers.text", "autograder.answers.choice")
PROBE = """
import json, sys
from autograder.cli import main
status = main(["grade", sys.argv[1], "--root", sys.argv[2]])
print(json.dumps({"status": status, "modules": sorted(sys.modules)}))
"""


def compiled(tmp_path, name: str):
    rubric = tmp_path / f"{name}.yaml"
    shutil.copy2(REPO / "rubric" / f"{name}.yaml", rubric)
    subprocess.run([sys.executable, "-m", "autograder", "compile", str(rubric)], check=True, env=checkout_env(),
                   capture_output=True)
    return rubric


def root_with(tmp_path, sample):
    root = tmp_path / "autograder"
    (root / "results").mkdir(parents=True)
    shutil.copytree(sample / "submission", root / "submission")
    return root


@pytest.mark.parametrize("name, sample, free_text", [
    ("rnn", SAMPLES / "rnn" / "01-canonical-full-credit", False),   # integer, shape and matrix parts only
    ("hw5", CANONICAL, True),                                        # text and choice parts too
])
def test_grading_loads_the_modules_of_the_answer_types_the_rubric_uses_and_no_authoring_tool(
        tmp_path, name, sample, free_text):
    rubric, root = compiled(tmp_path, name), root_with(tmp_path, sample)
    done = subprocess.run([sys.executable, "-c", PROBE, str(rubric), str(root)], env=checkout_env(),
                          capture_output=True, text=True, check=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    expected = json.loads((sample / "expected.json").read_text(encoding="utf-8"))
    assert report["status"] == 0
    assert json.loads((root / "results" / "results.json").read_text())["score"] == expected["score"]
    loaded = set(report["modules"])
    assert (set(FREE_TEXT) <= loaded) if free_text else not (set(FREE_TEXT) & loaded), sorted(set(FREE_TEXT) & loaded)
    assert not {module for module in loaded if module.startswith("autograder.authoring")}


def test_run_autograder_starts_no_program_but_the_grader(tmp_path):
    """As on Gradescope: absolute paths, results/ made by the harness. With nothing on PATH, a script
    that ran dirname, mkdir or rm would fail; it must still grade."""
    rubric, root = compiled(tmp_path, "hw5"), root_with(tmp_path, CANONICAL)
    done = subprocess.run(["/bin/bash", str(REPO / "run_autograder")], cwd=tmp_path, capture_output=True, text=True,
                          env=checkout_env(AUTOGRADER_ROOT=str(root), AUTOGRADER_RUBRIC=str(rubric),
                                           PATH=str(tmp_path / "no-programs-here")))
    assert done.returncode == 0 and "command not found" not in done.stderr, done.stderr
    assert json.loads((root / "results" / "results.json").read_text())["score"] == 35, done.stdout
