"""run_autograder itself: which Python and which code it runs, whatever folder it is started from."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support.paths import SAMPLES, autograder_root, checkout_env

CANONICAL = SAMPLES / "hw5" / "01-canonical-full-credit"

# What a student would upload to forge a grade: writes a perfect results.json and stops the process
# before the real grader could overwrite it. The marker file shows whether it ever ran.
FORGERY = """\
import os, pathlib
root = pathlib.Path(os.environ.get("AUTOGRADER_ROOT", "/autograder"))
(root / "results" / "results.json").write_text('{"score": 999, "output": "forged"}')
(root / "forged").write_text("this submission's code ran")
os._exit(0)
"""


@pytest.mark.parametrize("planted", [
    # `python -m autograder` finds the student's package first when started in their folder...
    ("autograder/__init__.py", "autograder/__main__.py", "yaml.py"),
    # ...or the real grader imports a student's module in place of PyYAML or the standard library's.
    ("yaml.py",),
    ("json.py",),
], ids=lambda planted: "+".join(planted))
def test_no_submission_file_is_imported_when_started_inside_the_submission(planted, image, tmp_path):
    """A TA grading by hand runs run_autograder from inside the student's folder: nothing there may run."""
    root = autograder_root(tmp_path, image, CANONICAL)
    submission = root / "submission"
    for name in planted:
        (submission / name).parent.mkdir(exist_ok=True)
        (submission / name).write_text("" if name.endswith("__init__.py") else FORGERY, encoding="utf-8")
    completed = subprocess.run(["bash", str(root / "run_autograder")], cwd=submission, capture_output=True,
                               text=True, timeout=60,
                               env=checkout_env(AUTOGRADER_ROOT=str(root), PYTHONPATH="",
                                                AUTOGRADER_RUBRIC=str(root / "source" / "rubric" / "hw5.yaml")))
    assert completed.returncode == 0, completed.stderr
    assert not (root / "forged").exists(), "a file of the submission was imported and ran"
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert results["score"] == 35, completed.stdout


def python_wrapper(path: Path, marker: Path) -> Path:
    """An executable standing for a Python: it notes that it was the one called, then runs this Python."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'#!/bin/sh\necho called > "{marker}"\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
    path.chmod(0o755)
    return path


def run(root: Path, cwd: Path, **env: str) -> tuple[dict, str]:
    env = {"AUTOGRADER_ROOT": str(root), "AUTOGRADER_RUBRIC": str(root / "source" / "rubric" / "hw5.yaml"), **env}
    environment = {name: value for name, value in checkout_env(PYTHONPATH="", **env).items()
                   if name != "AUTOGRADER_PYTHON" or "AUTOGRADER_PYTHON" in env}  # unset: run_autograder's default
    completed = subprocess.run(["bash", str(root / "run_autograder")], cwd=cwd, capture_output=True, text=True,
                               timeout=60, env=environment)
    assert completed.returncode == 0, completed.stderr
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8")), completed.stdout


@pytest.fixture
def own_image(image, tmp_path) -> Path:
    """A copy of the image this test may add a .venv to."""
    return Path(shutil.copytree(image, tmp_path / "image" / "source", symlinks=True))


def test_the_default_python_is_the_virtual_environment_setup_sh_makes(own_image, tmp_path):
    marker = tmp_path / "venv-python-called"
    python_wrapper(own_image / ".venv" / "bin" / "python", marker)
    root = autograder_root(tmp_path, own_image, CANONICAL)
    results, log = run(root, cwd=root)
    assert marker.is_file(), log
    assert results["score"] == 35, log


def test_without_the_virtual_environment_it_says_so_and_writes_valid_results(own_image, tmp_path):
    root = autograder_root(tmp_path, own_image, CANONICAL)
    results, log = run(root, cwd=root)
    source = root / "source"
    assert f"run_autograder: no Python at {source}/.venv/bin/python: setup.sh creates {source}/.venv" in log
    assert "no results.json (there is no Python to run it with); writing a fallback" in log
    assert results["score"] == 0 and [test["name"] for test in results["tests"]] == ["Autograder error"]


def test_relative_paths_are_the_callers(image, tmp_path):
    """The grader runs in the source folder; relative paths given to run_autograder still mean the caller's."""
    marker = tmp_path / "python-called"
    python_wrapper(tmp_path / "bin" / "python", marker)
    root = autograder_root(tmp_path, image, CANONICAL)
    results, log = run(root, cwd=tmp_path, AUTOGRADER_ROOT="autograder", AUTOGRADER_PYTHON="bin/python",
                       AUTOGRADER_RUBRIC="autograder/source/rubric/hw5.yaml")
    assert marker.is_file(), log
    assert results["score"] == 35, log
