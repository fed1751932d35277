"""The README says what the code does: its command table and its limits table are checked against the code."""

from __future__ import annotations

import re

from autograder.base import limits
from autograder.cli import build_parser
from support.paths import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
UNITS = {"KB": 1024, "KiB": 1024, "MiB": 1024 ** 2, "GiB": 1024 ** 3}


def section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end if end >= 0 else None]


def table_rows(text: str) -> list[list[str]]:
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in text.splitlines() if line.startswith("|")]
    return [row for row in rows[2:]]  # after the header and its rule


def subcommands() -> dict:
    parser = build_parser()
    [commands] = [action for action in parser._actions if action.dest == "command"]
    return commands.choices


def test_the_command_table_lists_every_sub_command_and_no_other():
    documented = {re.match(r"`autograder (\w+)", row[0]).group(1) for row in table_rows(section("Commands"))}
    assert documented == set(subcommands())


def test_every_option_in_the_command_table_exists():
    for row in table_rows(section("Commands")):
        usage = row[0].strip("`")
        name = usage.split()[1]
        parser = subcommands()[name]
        known = {option for action in parser._actions for option in action.option_strings}
        for option in re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", usage):
            assert option in known, f"`autograder {name}` has no option {option} (README: {usage})"


def test_the_limits_table_lists_every_limit_with_its_value():
    rows = {row[0].strip("`"): row[1] for row in table_rows(section("Robustness")) if row[0].startswith("`MAX_")}
    names = {name for name in vars(limits) if name.startswith("MAX_")}
    assert set(rows) == names
    for name, default in rows.items():
        number, unit = re.match(r"(\d[\d,]*)\s*(KB|KiB|MiB|GiB)?", default).groups()
        assert int(number.replace(",", "")) * UNITS.get(unit, 1) == getattr(limits, name), (name, default)


def test_every_public_name_has_a_docstring():
    """Modules, and their public classes, functions and methods. An answer type's implementation of
    the AnswerType protocol is documented by the protocol (answers/base.py), so it is not repeated."""
    import ast

    from autograder.answers.base import AnswerType

    protocol = {name for name in vars(AnswerType) if not name.startswith("_")}
    missing = []
    for path in sorted((REPO / "autograder").rglob("*.py")) + sorted((REPO / "reference").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(REPO).as_posix()
        if not ast.get_docstring(tree):
            missing.append(f"{where}: module")

        def visit(body, owner=None):
            for node in body:
                if not isinstance(node, (ast.FunctionDef, ast.ClassDef)) or node.name.startswith("_"):
                    continue
                answer_type = owner is not None and owner.name != "AnswerType" and where.startswith("autograder/answers/")
                if not ast.get_docstring(node) and not (answer_type and node.name in protocol):
                    missing.append(f"{where}:{node.lineno}: {node.name}")
                if isinstance(node, ast.ClassDef):
                    visit(node.body, node)

        visit(tree.body)
    assert missing == []
