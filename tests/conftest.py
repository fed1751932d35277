"""Shared fixtures: an /autograder-like image built from this checkout, as Gradescope builds it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.authoring.build import lay_out_root

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "submissions_samples"


def checkout_env(**extra: str) -> dict:
    """The environment for a subprocess that runs this checkout's code with this interpreter."""
    env = {k: v for k, v in os.environ.items() if k not in ("AUTOGRADER_ROOT", "AUTOGRADER_RUBRIC")}
    env.update({"AUTOGRADER_PYTHON": sys.executable, "PYTHONPATH": str(REPO), **extra})
    return env


@pytest.fixture(scope="session")
def image(tmp_path_factory) -> Path:
    """/autograder/source as the zip unpacks it, with the key compiled as setup.sh compiles it."""
    source = tmp_path_factory.mktemp("image") / "source"
    source.mkdir()
    for name in ("autograder", "reference", "rubric"):
        shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.key.json"))
    for name in ("run_autograder", "setup.sh", "pyproject.toml"):
        shutil.copy2(REPO / name, source / name)
    for rubric in sorted((source / "rubric").glob("*.yaml")):
        subprocess.run([sys.executable, "-m", "autograder", "compile", str(rubric)], check=True,
                       env=checkout_env(PYTHONPATH=str(source)), capture_output=True)
    return source


def autograder_root(tmp_path: Path, image: Path, sample: Path) -> Path:
    """A fresh /autograder for one submission: source, run_autograder, submission, metadata."""
    root = tmp_path / "autograder"
    lay_out_root(image, sample, root)
    return root
