"""`autograder new NAME`: a homework that passes check, samples and build as generated, and whose accepted
samples the test suite's discovery grades."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.authoring.samples import course_samples
from autograder.authoring.scaffold import ScaffoldError, new_homework
from support.paths import REPO, checkout_env


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    """A copy of the checkout's code (no homework of its own) in which `new demo` has run."""
    root = tmp_path_factory.mktemp("checkout")
    for name in ("autograder", "reference"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("run_autograder", "setup.sh", "pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, root / name)
    completed = autograder(root, "new", "demo")
    assert completed.returncode == 0, completed.stderr
    return root


def autograder(root: Path, *argv: str) -> subprocess.CompletedProcess:
    """The CLI run from ROOT on ROOT's code, as an author runs it in their checkout."""
    return subprocess.run([sys.executable, "-m", "autograder", *argv], cwd=root, capture_output=True, text=True,
                          env=checkout_env(PYTHONPATH=str(root)), timeout=120)


def test_new_writes_the_homework_and_registers_its_solvers(checkout):
    written = sorted(path.relative_to(checkout).as_posix() for path in checkout.rglob("*")
                     if path.is_file() and "demo" in path.as_posix())
    assert written == ["reference/demo.py", "rubric/demo.md", "rubric/demo.yaml",
                       "submissions_samples/demo/01-full-credit/expected.json",
                       "submissions_samples/demo/01-full-credit/submission/answers.yaml",
                       "submissions_samples/demo/02-no-bias-then-ecf/expected.json",
                       "submissions_samples/demo/02-no-bias-then-ecf/submission/answers.yaml"]
    registry = (checkout / "reference" / "__init__.py").read_text(encoding="utf-8")
    imported = re.search(r"^from reference import (.+)$", registry, re.M).group(1).split(", ")
    assert "demo" in imported and imported == sorted(imported)
    assert '    "demo_total_params": Solver(demo.total_params, symbolic=True),\n}' in registry
    first = (checkout / "rubric" / "demo.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../autograder/schema/rubric.schema.json"


def test_the_new_homework_passes_check_samples_and_build_as_generated(checkout):
    check = autograder(checkout, "check", "rubric/demo.yaml")
    assert check.returncode == 0 and "rubric/demo.yaml: OK, 0 warnings" in check.stdout, check.stdout + check.stderr
    samples = autograder(checkout, "samples", "rubric/demo.yaml")
    assert samples.returncode == 0 and "2 of 2 samples grade as expected" in samples.stdout, samples.stdout
    build = autograder(checkout, "build", "rubric/demo.yaml", "-j", "2")
    assert build.returncode == 0, build.stdout + build.stderr
    assert (checkout / "dist" / "demo-autograder.zip").is_file()


def test_a_sample_added_and_accepted_is_found_by_the_tests_discovery(checkout):
    sample = checkout / "submissions_samples" / "demo" / "03-per-input-bias-wrong-total"
    (sample / "submission").mkdir(parents=True)
    (sample / "submission" / "answers.yaml").write_text("q1:\n  layer1: 16\n  total: 30\n", encoding="utf-8")
    # Found (and failed, having no expected.json) even before it is accepted: no sample escapes the tests.
    assert (checkout / "rubric" / "demo.yaml", sample) in course_samples(checkout)
    before = autograder(checkout, "samples", "rubric/demo.yaml")
    assert before.returncode == 1 and "no expected.json" in before.stdout
    accepted = autograder(checkout, "samples", "rubric/demo.yaml", "--accept", sample.name)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert '+    "q1.layer1": {"points": 2, "mistake": "bias_per_input"},' in accepted.stdout
    assert json.loads((sample / "expected.json").read_text(encoding="utf-8"))["score"] == 2
    after = autograder(checkout, "samples", "rubric/demo.yaml")
    assert after.returncode == 0 and "3 of 3 samples grade as expected" in after.stdout


@pytest.mark.parametrize("name, message", [
    ("Demo", "'Demo' cannot name a homework: use lowercase letters"),
    ("2nd", "'2nd' cannot name a homework"),
    ("class", "'class' cannot name a homework"),
    ("demo", "rubric/demo.yaml exists already: choose another name (nothing was written)"),
])
def test_names_that_cannot_be_used(checkout, name, message):
    completed = autograder(checkout, "new", name)
    assert completed.returncode == 1 and message in completed.stderr


def test_new_runs_only_in_the_checkout_it_imports_its_solvers_from(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScaffoldError, match="run `autograder new` in the checkout the autograder runs from"):
        new_homework("elsewhere")
    assert list(tmp_path.iterdir()) == []
