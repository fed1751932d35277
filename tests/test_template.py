"""`autograder template`: the answers file students fill in, read back by the grader itself."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from autograder.answers.reading import show_number
from autograder.cli import main
from autograder.grading.run import Paths, run
from autograder.authoring.compile import cached_or_compiled
from autograder.grading.rubric import load_rubric
from autograder.authoring.template import answers_template
from support.paths import REPO

HW5 = REPO / "rubric" / "hw5.yaml"


@pytest.fixture(scope="module")
def key():
    return cached_or_compiled(load_rubric(HW5))


def correct_answers(key) -> dict[str, str]:
    """Each part's right answer as a student would write it: the answer type's own display of the key.

    A text part's key is the set of concepts it must mention: their labels, which name them."""
    answers = {}
    for part_key in key.parts:
        answer_type = part_key.part.answer_type
        if part_key.part.type_name == "text":
            answers[part_key.part.id] = "; ".join(answer_type.labels[concept] for concept in sorted(part_key.correct))
        else:
            answers[part_key.part.id] = answer_type.show(part_key.correct)
    return answers


def fill(template: str, answers: dict[str, str]) -> str:
    """The template with each part's key given its answer, everything else (comments, layout) kept."""
    filled, question = [], None
    for line in template.splitlines():
        found = re.fullmatch(r"( *)(\w+):( >-)?", line)
        if found is None:
            filled.append(line)
            continue
        indent, name, block = found.groups()
        if not indent:
            question = name
            filled.append(line)
        elif block:
            filled += [line, f"{indent}  {answers[f'{question}.{name}']}"]
        else:
            filled.append(f"{indent}{name}: {answers[f'{question}.{name}']}")
    return "\n".join(filled) + "\n"


def grade_text(key, text: str, root: Path) -> dict:
    (root / "submission").mkdir(parents=True)
    (root / "submission" / "answers.yaml").write_text(text, encoding="utf-8")
    return run(key.rubric.path, Paths.under(root), stream=io.StringIO(), key=key)


def verdicts(results: dict) -> dict[str, str]:
    parts = [test["extra_data"] for test in results["tests"] if "part" in test.get("extra_data", {})]
    return {part["part"]: part["verdict"] for part in parts}


def test_the_template_filled_with_the_right_answers_gets_full_marks(key, tmp_path):
    results = grade_text(key, fill(answers_template(key.rubric), correct_answers(key)), tmp_path)
    assert results["score"] == float(key.rubric.total_points)
    assert verdicts(results) == {part.id: "correct" for part in key.rubric.parts}


def test_the_unfilled_template_reads_as_every_part_missing(key, tmp_path):
    results = grade_text(key, answers_template(key.rubric), tmp_path)
    assert results["score"] == 0
    assert verdicts(results) == {part.id: "missing" for part in key.rubric.parts}


def test_every_key_has_a_comment_with_its_title_points_and_form(key):
    lines = answers_template(key.rubric).splitlines()
    assert lines[0] == f"# {key.rubric.title} (35 points)"
    assert any("answers.yaml" in line for line in lines[:6])
    question = None
    for part in key.rubric.parts:
        question_id, name = part.id.split(".")
        if question_id != question:
            question = question_id
            at = lines.index(f"{question_id}:")
            assert lines[at - 1] == f"# {part.question_title}"
        at = next(i for i, line in enumerate(lines) if re.fullmatch(rf"  {name}:( >-)?", line) and i > at)
        comment = lines[at - 1]
        assert comment.startswith(f"  # {part.title} ({show_number(part.points)} point")
        assert part.answer_type.expected_form in comment


def test_the_cli_prints_or_writes_the_template(tmp_path, capsys):
    assert main(["template", str(HW5)]) == 0
    printed = capsys.readouterr().out
    assert printed == answers_template(load_rubric(HW5))
    assert main(["template", str(HW5), "-o", str(tmp_path / "answers.yaml")]) == 0
    assert (tmp_path / "answers.yaml").read_text(encoding="utf-8") == printed


def test_a_broken_rubric_is_an_input_error(tmp_path, capsys):
    broken = tmp_path / "broken.yaml"
    broken.write_text("rubric: [unclosed\n", encoding="utf-8")
    assert main(["template", str(broken)]) == 1
    assert f"error: {broken}:" in capsys.readouterr().err
