"""The base install (what setup.sh puts in the container) grades; every other command names the extra it needs.

`base_python` is a Python that can import only pyproject.toml's base dependencies: a bare virtual
environment holding links to those distributions' files, read from this environment's metadata, so
a dependency added to or dropped from the base list changes it too.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.cli import EXTRAS, SOLVERS, main
from support.paths import REPO, SAMPLES, autograder_root, checkout_env

CANONICAL = SAMPLES / "hw5" / "01-canonical-full-credit"
# Every module of an extra, and the solvers' own package: grading imports none of them.
NOT_FOR_GRADING = {module for _, modules in EXTRAS.values() for module in modules} | {"reference"}


def requirements(extra: str | None) -> list[str]:
    """pyproject.toml's requirements for `extra` (None: the base dependencies), as installed metadata has them."""
    found = []
    for requirement in importlib.metadata.requires("hw-autograder") or []:
        marker = re.search(r"""extra\s*==\s*["']([^"']+)["']""", requirement)
        if (marker.group(1) if marker else None) == extra:
            found.append(requirement.split(";")[0].strip())
    return found


def distributions(extra: str | None) -> set[str]:
    """The distribution names `extra` installs, through the extras of hw-autograder it includes."""
    names, pending, seen = set(), [extra], set()
    while pending:
        current = pending.pop()
        seen.add(current)
        for requirement in requirements(current):
            name = re.match(r"[A-Za-z0-9._-]+", requirement).group(0)
            included = re.fullmatch(r"hw-autograder\[([^\]]+)\]", requirement)
            if included:
                pending.extend(item.strip() for item in included.group(1).split(",") if item.strip() not in seen)
            else:
                names.add(name.lower())
    return names


def top_level(distribution: str) -> set[str]:
    """The top-level files and folders of an installed distribution (3.10's packages_distributions()
    knows only those that list them in top_level.txt, which numpy's wheel does not)."""
    dist = importlib.metadata.distribution(distribution)
    return {file.parts[0] for file in dist.files or () if file.parts[0] != ".."}


def modules(distribution: str) -> set[str]:
    """The top-level modules an installed distribution provides."""
    return {name.split(".")[0] for name in top_level(distribution)
            if not name.endswith((".dist-info", ".pth")) and name != "__pycache__"}


@pytest.fixture(scope="module")
def base_python(tmp_path_factory) -> Path:
    """A Python that can import the base dependencies and nothing else (see the module's docstring)."""
    venv = tmp_path_factory.mktemp("base") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               check=True, capture_output=True, text=True).stdout.strip())
    for name in distributions(None):
        for top in sorted(top_level(name)):
            (site / top).symlink_to(importlib.metadata.distribution(name).locate_file(top))
    return python


def run_base(python: Path, *argv: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(python), "-m", "autograder", *argv], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env=checkout_env())


def install_hint(python: Path, extra: str) -> str:
    return f"{shlex.quote(str(python))} -m pip install -e {shlex.quote(f'{REPO}[{extra}]')}"


@pytest.fixture
def uncompiled(tmp_path) -> Path:
    """hw5.yaml in a folder of its own, with no compiled key beside it."""
    folder = tmp_path / "rubric"
    folder.mkdir()
    return Path(shutil.copy2(REPO / "rubric" / "hw5.yaml", folder / "hw5.yaml"))


def test_the_base_install_grades_through_run_autograder(base_python, image, tmp_path):
    root = autograder_root(tmp_path, image, CANONICAL)
    completed = subprocess.run(["bash", str(root / "run_autograder")], cwd=root, capture_output=True, text=True,
                               timeout=60, env=checkout_env(AUTOGRADER_ROOT=str(root), PYTHONPATH="",
                                                            AUTOGRADER_RUBRIC=str(image / "rubric" / "hw5.yaml"),
                                                            AUTOGRADER_PYTHON=str(base_python)))
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert results["score"] == 35, completed.stdout


def test_grading_imports_no_extra_even_where_they_are_installed(image, tmp_path):
    root = autograder_root(tmp_path, image, CANONICAL)
    completed = subprocess.run([sys.executable, "-X", "importtime", "-m", "autograder", "grade",
                                str(image / "rubric" / "hw5.yaml"), "--root", str(root)],
                               cwd=tmp_path, capture_output=True, text=True, timeout=60,
                               env=checkout_env(PYTHONPATH=str(image)))
    imported = {line.split("|")[-1].strip() for line in completed.stderr.splitlines() if line.startswith("import time:")}
    assert "yaml" in imported and "autograder.grading.run" in imported
    assert {module.split(".")[0] for module in imported} & NOT_FOR_GRADING == set()
    assert json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))["score"] == 35


def test_with_a_current_key_the_base_install_also_compiles_and_grades_the_samples(base_python, image, tmp_path):
    rubric = str(image / "rubric" / "hw5.yaml")
    for argv in (["compile", "--check", rubric], ["compile", rubric], ["samples", rubric, str(SAMPLES / "hw5")],
                 ["template", rubric]):
        completed = run_base(base_python, *argv, cwd=tmp_path)
        assert (completed.returncode, completed.stderr) == (0, ""), argv


@pytest.mark.parametrize("argv, extra, needs", [
    (["check", "{rubric}"], "author", "the authoring tools (missing: numpy, sympy, jsonschema)"),
    (["compile", "{rubric}"], "author",
     "the authoring tools to compile {key}, which is missing or not current (missing: numpy, sympy)"),
    (["samples", "{rubric}", str(SAMPLES / "hw5")], "author",
     "the authoring tools to compile {key}, which is missing or not current (missing: numpy, sympy)"),
    (["build", "{rubric}", "-o", "{dist}", "--samples", str(SAMPLES / "hw5")], "author",
     "the authoring tools to compile {key}, which is missing or not current (missing: numpy, sympy)"),
    (["regrade", "{rubric}", str(SAMPLES / "hw5"), "-o", "{dist}"], "regrade",
     "the regrade tools (missing: numpy, sympy, tqdm, matplotlib)"),
], ids=lambda value: value[0] if isinstance(value, list) else None)
def test_a_command_without_its_extra_says_in_one_line_what_to_install(argv, extra, needs, base_python, uncompiled,
                                                                      tmp_path):
    values = {"rubric": uncompiled, "key": uncompiled.with_name("hw5.key.json"), "dist": tmp_path / "dist"}
    argv = [arg.format(**values) for arg in argv]
    completed = run_base(base_python, *argv, cwd=tmp_path)
    assert completed.returncode == 1
    assert completed.stdout == ""
    assert completed.stderr == (f"error: autograder {argv[0]} needs {needs.format(**values)}: "
                                f"{install_hint(base_python, extra)}\n")
    assert not (tmp_path / "dist").exists()


def test_a_stale_key_is_reported_without_the_solvers(base_python, uncompiled, tmp_path):
    completed = run_base(base_python, "compile", "--check", str(uncompiled), cwd=tmp_path)
    key = uncompiled.with_name("hw5.key.json")
    assert (completed.returncode, completed.stderr) == (1, "")
    assert completed.stdout == f"{key} is missing: `autograder compile {uncompiled}` compiles it\n"
    key.write_text("{}", encoding="utf-8")
    completed = run_base(base_python, "compile", "--check", str(uncompiled), cwd=tmp_path)
    assert completed.stdout == f"{key} is not current for this rubric and code: `autograder compile {uncompiled}` compiles it\n"


def test_an_unchecked_import_of_an_extra_still_gives_one_line(base_python, tmp_path):
    """If a command imports an extra that no check above expects, main() still says what to install."""
    code = ("import sys, autograder.cli as cli\n"
            "def handler(args):\n    import sympy\n"
            "cli._template = handler\nsys.exit(cli.main(['template', 'any.yaml']))\n")
    completed = subprocess.run([str(base_python), "-c", code], cwd=tmp_path, capture_output=True, text=True,
                               timeout=60, env=checkout_env())
    assert completed.returncode == 1
    assert completed.stderr == f"error: autograder template needs the authoring tools (missing: sympy): " \
                               f"{install_hint(base_python, 'author')}\n"


def test_an_import_error_of_anything_else_is_not_hidden(monkeypatch):
    def handler(args):
        raise ModuleNotFoundError("No module named 'nothing_of_ours'", name="nothing_of_ours")

    monkeypatch.setattr("autograder.cli._template", handler)
    with pytest.raises(ModuleNotFoundError):
        main(["template", "any.yaml"])


@pytest.mark.parametrize("extra", sorted(EXTRAS))
def test_each_extra_brings_the_modules_the_cli_says_it_does(extra):
    """autograder/cli.py's EXTRAS against pyproject.toml (as installed): the extra named installs them."""
    brought = set().union(*(modules(name) for name in distributions(extra)))
    for module in EXTRAS[extra][1]:
        assert module in brought, f"[{extra}] does not install {module}"
    assert set(SOLVERS) <= set(EXTRAS["author"][1])


def test_the_extras_install_what_the_readme_says():
    assert distributions(None) == {"pyyaml"}
    assert distributions("author") == {"numpy", "sympy", "jsonschema"}
    assert distributions("regrade") == distributions("author") | {"tqdm", "matplotlib"}
    assert distributions("regrade") | {"pyyaml"} <= distributions("test") | distributions(None)
