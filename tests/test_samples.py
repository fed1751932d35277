"""Every sample submission, graded end to end through run_autograder as Gradescope runs it."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from autograder.grading.results_json import WrittenResult
from autograder.authoring.samples import compare, sample_folders
from support.paths import REPO, SAMPLES, autograder_root, checkout_env

HW5_SAMPLES = sample_folders(SAMPLES / "hw5")


def run_autograder(root, cwd) -> tuple[dict, str]:
    completed = subprocess.run(["bash", str(root / "run_autograder")], cwd=cwd, capture_output=True, text=True,
                               env=checkout_env(AUTOGRADER_ROOT=str(root), PYTHONPATH="",
                                                AUTOGRADER_RUBRIC=str(root / "source" / "rubric" / "hw5.yaml")),
                               timeout=60)
    assert completed.returncode == 0, completed.stderr
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8")), completed.stdout


def test_there_are_enough_samples():
    assert len(HW5_SAMPLES) >= 15


@pytest.mark.parametrize("sample", HW5_SAMPLES, ids=lambda path: path.name)
def test_sample_grades_as_expected(sample, image, tmp_path):
    root = autograder_root(tmp_path, image, sample)
    results, log = run_autograder(root, cwd=root)
    expected = json.loads((sample / "expected.json").read_text(encoding="utf-8"))
    assert compare(WrittenResult.from_json(results), expected) == (), log


def test_run_from_a_checkout_in_any_folder(tmp_path):
    sample = SAMPLES / "hw5" / "01-canonical-full-credit"
    root = tmp_path / "root"
    root.mkdir()
    shutil.copytree(sample / "submission", root / "submission")
    completed = subprocess.run(["bash", str(REPO / "run_autograder")], cwd=tmp_path, capture_output=True, text=True,
                               env=checkout_env(AUTOGRADER_ROOT=str(root), AUTOGRADER_RUBRIC=str(REPO / "rubric" / "hw5.yaml")),
                               timeout=60)
    assert completed.returncode == 0, completed.stderr
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert results["score"] == 35
