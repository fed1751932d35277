"""`autograder check`: every broken rubric fixture fails with its exact messages and lines; good rubrics pass."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder import cli
from autograder.answers.matrix import MatrixAnswer
from autograder.authoring.check import ERROR, NOTE, SCHEMA_PATH, WARNING, check_rubric, grade_example, yaml_as_json
from autograder.grading.run import Paths, run
from autograder.authoring.compile import compile_key
from autograder.grading.rubric import load_rubric

TESTS = Path(__file__).parent
REPO = TESTS.parent
TINY = TESTS / "rubrics" / "tiny.yaml"
BROKEN = sorted((TESTS / "rubrics" / "broken").glob("*.yaml"))
RUBRICS = sorted((REPO / "rubric").glob("*.yaml"))


def reported(report) -> list[str]:
    return [f"{p.line}:{p.column}: {p.severity}: {p.message}" for p in report.problems if p.severity in (ERROR, WARNING)]


def expected(fixture: Path) -> list[str]:
    return re.findall(r"^# expect: (.*)$", fixture.read_text(encoding="utf-8"), flags=re.MULTILINE)


def test_there_are_enough_broken_fixtures():
    assert len(BROKEN) >= 15


@pytest.mark.parametrize("fixture", BROKEN, ids=[path.stem for path in BROKEN])
def test_broken_rubric_reports_exactly_its_errors_and_lines(fixture):
    report = check_rubric(fixture)
    assert expected(fixture), f"{fixture.name} states no expected output"
    assert reported(report) == expected(fixture)
    assert not report.ok


def test_a_broken_rubric_fails_the_command_with_file_line_column(capsys):
    fixture = TESTS / "rubrics" / "broken" / "several-errors.yaml"
    assert cli.main(["check", str(fixture)]) == 1
    out = capsys.readouterr().out
    assert f"{fixture}:36:9: error: part q1.params: unknown field 'pionts' (did you mean 'points'?)" in out
    assert "3 errors" in out


def test_every_error_is_reported_in_one_run():
    report = check_rubric(TESTS / "rubrics" / "broken" / "several-errors.yaml")
    assert len(report.of(ERROR)) == 3


@pytest.mark.parametrize("rubric", [TINY, *RUBRICS], ids=lambda path: path.name)
def test_good_rubrics_pass_with_no_warning(rubric, capsys):
    report = check_rubric(rubric)
    assert reported(report) == []
    assert report.examples_graded >= sum(len(part.mistakes) for part in report.rubric.parts)
    assert report.mutations_tried > 0
    assert cli.main(["check", str(rubric)]) == 0
    assert ": OK, 0 warnings" in capsys.readouterr().out


def test_every_declared_mistake_has_an_example_in_the_course_rubrics():
    for path in RUBRICS:
        rubric = load_rubric(path)
        for part in rubric.parts:
            shown = {example.mistake for example in part.examples}
            assert {mistake.id for mistake in part.mistakes} <= shown, f"{path.name} {part.id}"


def test_a_lenient_comparison_is_caught_by_mutations(monkeypatch):
    """A matrix comparison that ignored signs would accept a sign-flipped answer: check must say so."""
    monkeypatch.setattr(MatrixAnswer, "same", lambda self, student, expected: tuple(
        tuple(abs(x) for x in row) for row in student) == tuple(tuple(abs(x) for x in row) for row in expected))
    report = check_rubric(TINY)
    messages = [p.message for p in report.of(ERROR)]
    assert "part q2.xcorr: the mutation 'all signs flipped' ([[3]]) is graded correct" in messages


def test_full_credit_through_a_declared_mistake_is_a_note_not_an_error():
    report = check_rubric(REPO / "rubric" / "hw5.yaml")
    notes = [p.message for p in report.of(NOTE)]
    assert any("gets full credit as mistake channels_last" in note for note in notes)
    assert report.ok


def test_examples_are_graded_as_a_real_answer_file_would_be(tmp_path):
    """grade_example and the container's path agree on every example of the tiny rubric."""
    key = compile_key(load_rubric(TINY))
    for part in key.rubric.parts:
        for number, example in enumerate(part.examples):
            verdict = grade_example(key, part.id, example.answer, dict(example.given))
            root = tmp_path / f"{part.id}-{number}"
            question, name = part.id.split(".")
            (root / "submission").mkdir(parents=True)
            (root / "submission" / "answers.yaml").write_text(yaml.safe_dump({question: {name: example.answer}}))
            results = run(TINY, Paths.under(root), stream=open(root / "log.txt", "w"), key=key)
            graded = next(t["extra_data"] for t in results["tests"] if t.get("extra_data", {}).get("part") == part.id)
            assert (graded["verdict"], graded["mistake"]) == (verdict.outcome, verdict.mistake)


def test_the_schema_is_valid_and_accepts_the_course_rubrics():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    for path in [TINY, *RUBRICS]:
        jsonschema.validate(yaml_as_json(yaml.safe_load(path.read_text(encoding="utf-8"))), schema)


def test_course_rubrics_point_editors_at_the_schema():
    for path in [TINY, *RUBRICS]:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
        assert match, f"{path.name} does not start with the yaml-language-server line"
        assert (path.parent / match.group(1)).resolve() == SCHEMA_PATH.resolve()


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_check_never_crashes_on_an_edited_rubric(tmp_path_factory, data):
    """Whatever an instructor's edit breaks, check reports problems; it never raises."""
    lines = TINY.read_text(encoding="utf-8").splitlines()
    for _ in range(data.draw(st.integers(1, 3), label="edits")):
        index = data.draw(st.integers(0, len(lines) - 1), label="line")
        edit = data.draw(st.sampled_from(["delete", "duplicate", "dedent", "indent", "replace value"]), label="edit")
        if edit == "delete":
            del lines[index]
        elif edit == "duplicate":
            lines.insert(index, lines[index])
        elif edit == "dedent":
            lines[index] = lines[index][2:]
        elif edit == "indent":
            lines[index] = "  " + lines[index]
        elif ":" in lines[index]:
            value = data.draw(st.sampled_from(["0", "-1", "x", "[]", "{}", "null", "1/0", '"@q1.shape"', "$A"]), label="value")
            lines[index] = lines[index].split(":", 1)[0] + ": " + value
    path = tmp_path_factory.mktemp("edited") / "tiny.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = check_rubric(path)
    assert all(problem.line >= 1 and problem.message for problem in report.problems)
