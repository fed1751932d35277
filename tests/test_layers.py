"""The package's tiers, enforced: each module imports only its own tier and the tiers below it,
and the container's grading path loads none of the heavy libraries the other tiers use."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support.paths import CANONICAL, REPO, checkout_env

PACKAGE = REPO / "autograder"
# Lowest first: a module may import from its own tier and those before it.
TIERS = ("base", "answers", "grading", "authoring", "regrade", "cli")
# Third-party code each tier may import (the standard library is always allowed).
THIRD_PARTY = {
    "base": set(), "answers": set(), "grading": {"yaml"},
    "authoring": {"yaml", "jsonschema", "reference", "sympy", "fpdf", "markdown_it", "matplotlib"}, "regrade": {"yaml", "tqdm", "matplotlib", "reference"},
    "cli": set(),
}
HEAVY = ("sympy", "numpy", "matplotlib", "jsonschema", "tqdm", "reference")


def tier_of(module: str) -> str:
    """The tier of a module of the package (the package itself, holding only its version, is base)."""
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in ("__main__", "cli"):
        return "cli"
    return parts[1] if len(parts) > 1 and parts[1] in TIERS else "base"


def modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(REPO).with_suffix("")
        name = ".".join(relative.parts[:-1] if relative.name == "__init__" else relative.parts)
        found.append((name, path))
    return found


def imports(path: Path, module: str) -> set[str]:
    """Every module `path` imports, at its top or inside a function (relative imports resolved)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")[: len(module.split(".")) - node.level + (path.name == "__init__.py")]
                base = ".".join(package + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}".startswith("autograder."))
    return found


@pytest.mark.parametrize("module, path", modules(), ids=[name for name, _ in modules()])
def test_a_module_imports_only_its_tier_and_those_below(module, path):
    tier = tier_of(module)
    allowed_tiers = TIERS[: TIERS.index(tier) + 1]
    for imported in sorted(imports(path, module)):
        top = imported.split(".")[0]
        if top == "autograder":
            target = tier_of(imported)
            assert target in allowed_tiers, f"{module} ({tier}) imports {imported} ({target})"
        elif top not in sys.stdlib_module_names and top != "__future__":
            assert top in THIRD_PARTY[tier], f"{module} ({tier}) imports {top}, which its tier may not use"


def test_every_module_belongs_to_a_tier():
    """A module outside the tier folders would escape the rule above: only the package root and the CLI may."""
    for module, _ in modules():
        parts = module.split(".")
        assert len(parts) == 1 or parts[1] in TIERS or parts[1] in ("__main__", "cli"), module


PROBE = """
import json, sys
from autograder.cli import main
status = main(["grade", sys.argv[1], "--root", sys.argv[2]])
print(json.dumps({"status": status, "modules": sorted(sys.modules)}))
"""


def test_grading_a_submission_loads_no_heavy_library(tmp_path):
    """The container's path (`autograder grade` with a compiled key) imports none of the authoring or
    regrade tiers' libraries: the container installs only what grading needs."""
    root = tmp_path / "autograder"
    (root / "results").mkdir(parents=True)
    shutil.copytree(CANONICAL / "submission", root / "submission")
    rubric = tmp_path / "hw5.yaml"
    shutil.copy2(REPO / "rubric" / "hw5.yaml", rubric)
    env = checkout_env()
    subprocess.run([sys.executable, "-m", "autograder", "compile", str(rubric)], check=True, env=env,
                   capture_output=True)
    done = subprocess.run([sys.executable, "-c", PROBE, str(rubric), str(root)], env=env, capture_output=True,
                          text=True, check=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["status"] == 0
    assert json.loads((root / "results" / "results.json").read_text())["score"] == 35
    loaded = {name.split(".")[0] for name in report["modules"]}
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
