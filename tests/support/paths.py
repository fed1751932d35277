"""Where the checkout's rubrics and samples are, and how a subprocess runs this checkout's code."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from autograder.authoring.build import lay_out_root

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "submissions_samples"
HW5 = REPO / "rubric" / "hw5.yaml"
CANONICAL = SAMPLES / "hw5" / "01-canonical-full-credit"


def checkout_env(**extra: str) -> dict:
    """The environment for a subprocess that runs this checkout's code with this interpreter."""
    env = {k: v for k, v in os.environ.items() if k not in ("AUTOGRADER_ROOT", "AUTOGRADER_RUBRIC")}
    env.update({"AUTOGRADER_PYTHON": sys.executable, "PYTHONPATH": str(REPO), **extra})
    return env


def autograder_root(tmp_path: Path, image: Path, sample: Path) -> Path:
    """A fresh /autograder for one submission: source, run_autograder, submission, metadata."""
    root = tmp_path / "autograder"
    lay_out_root(image, sample, root)
    return root
