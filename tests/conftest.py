"""Fixtures: an /autograder-like image built from this checkout, as Gradescope builds it.

Shared code lives in tests/support/ (imported as `support.*`); test modules never import each other."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support.paths import REPO, checkout_env


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
