"""Finding and reading the answer file: lenient for students, closed to hostile input."""

from __future__ import annotations

import os

import pytest

from autograder.base import limits
from autograder.grading.outcomes import Outcome
from autograder.grading.readings import normalise_key, parse_submission
from autograder.grading.rubric import load_rubric
from autograder.grading.submission import Refused, read_submission
from support.paths import HW5
from support.submissions import submit

RUBRIC = load_rubric(HW5)


def values(submission) -> dict:
    return {path: raw for path, raw in submission.entries}


def test_every_scalar_stays_text(tmp_path):
    submission = submit(tmp_path, {"answers.yaml": "q3:\n  answer: no\n  reason: 1_000\nq1a:\n  total_params: 0x1F\n"})
    assert values(submission) == {("q3", "answer"): "no", ("q3", "reason"): "1_000", ("q1a", "total_params"): "0x1F"}


def test_json_numbers_stay_text_and_nan_is_refused(tmp_path):
    submission = submit(tmp_path, {"answers.json": '{"q1a": {"total_params": 3512.0, "layer1_output": NaN}}'})
    found = values(submission)
    assert found[("q1a", "total_params")] == "3512.0"
    assert isinstance(found[("q1a", "layer1_output")], Refused)


@pytest.mark.parametrize("text, message", [
    ("q1a: !!python/object/apply:os.system ['echo pwned']\n", None),
    ("a: &x [1, 2]\nb: *x\n", "aliases"),
    ("q: " + "[" * 40 + "]" * 40 + "\n", "nested more than"),
    ("q1a: [1, 2\n", "Line 1: a '[' or '{' opened here is not closed"),
    ("---\na: 1\n---\nb: 2\n", "line 3: a second document starts here"),
])
def test_hostile_yaml(tmp_path, text, message):
    submission = submit(tmp_path, {"answers.yaml": text})
    if message is None:
        assert isinstance(values(submission)[("q1a",)], Refused)
        assert submission.problem is None
    else:
        assert submission.problem_kind == "unreadable" and message in submission.problem


def test_alias_bomb_is_refused_without_expanding(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}]" for i in range(1, 10)]
    submission = submit(tmp_path, {"answers.yaml": "\n".join(lines)})
    assert "aliases" in submission.problem


def test_huge_file_is_refused(tmp_path):
    submission = submit(tmp_path, {"answers.yaml": "q1a: " + "1" * (limits.MAX_ANSWER_FILE_BYTES + 10)})
    assert "larger than" in submission.problem


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_byte_order_marks(tmp_path, encoding):
    submission = submit(tmp_path, {"answers.yaml": "q3:\n  answer: cross−correlation\n".encode(encoding)})
    assert values(submission)[("q3", "answer")] == "cross−correlation"


def test_latin1_file_is_read_with_a_note(tmp_path):
    submission = submit(tmp_path, {"answers.yaml": "q2b:\n  condition: B is symm\xe9tric\n".encode("latin-1")})
    assert values(submission)[("q2b", "condition")] == "B is symmétric"
    assert any("Windows-1252" in note for note in submission.notes)


def test_symlinks_are_never_followed(tmp_path):
    outside = tmp_path / "secret.yaml"
    outside.write_text("q1a:\n  total_params: 3512\n")
    folder = tmp_path / "submission"
    (folder / "dir").mkdir(parents=True)
    os.symlink(outside, folder / "answers.yaml")
    os.symlink(tmp_path, folder / "dir" / "up")
    submission = read_submission(folder)
    assert submission.problem_kind == "missing"
    assert any("links are not followed" in note for note in submission.notes)


def test_single_yaml_anywhere_is_used_and_junk_is_skipped(tmp_path):
    submission = submit(tmp_path, {"hw/Zhang_HW5.YML": "q1a: {total_params: 3512}\n", "__MACOSX/hw/._Zhang_HW5.YML": b"\x00\x05",
                                   ".hidden.yaml": "x: 1\n", "scan.pdf": b"%PDF-1.4"})
    assert submission.file == "hw/Zhang_HW5.YML"


def test_two_candidates_name_both(tmp_path):
    submission = submit(tmp_path, {"part1.yaml": "a: 1\n", "part2.json": "{}"})
    assert submission.problem_kind == "missing"
    assert "part1.yaml" in submission.problem and "part2.json" in submission.problem and "answers.yaml" in submission.problem


def test_answers_at_the_top_wins_over_a_deeper_one(tmp_path):
    submission = submit(tmp_path, {"answers.yaml": "q1a: {total_params: 3512}\n", "old/answers.yaml": "q1a: {total_params: 1}\n"})
    assert submission.file == "answers.yaml"


@pytest.mark.parametrize("segments", [("Q1(a)", "Total Params"), ("1a", "total_params"), ("q1a.total_params",),
                                      ("Question 1a", "total-params"), ("q1", "a", "TotalParams")])
def test_keys_match_loosely(segments):
    assert normalise_key(segments) == normalise_key(("q1a", "total_params"))


def test_one_bad_value_costs_only_its_part(tmp_path):
    submission = submit(tmp_path, {"answers.yaml": "q1a:\n  layer1_output: eight by sixty-four\n  total_params: 3,512\n"
                                                    "  total_params_again: 1\nq1b:\n  pool_params:\n"})
    parsed = parse_submission(submission, RUBRIC)
    assert parsed.reading("q1a.layer1_output").refusal is Outcome.UNREADABLE
    assert '"eight by sixty-four"' in parsed.reading("q1a.layer1_output").message
    assert parsed.reading("q1a.total_params").read
    assert parsed.reading("q1b.pool_params").refusal is Outcome.MISSING
    assert "left blank" in parsed.reading("q1b.pool_params").message
    assert "q1a.layer2_output is missing" in parsed.reading("q1a.layer2_output").message
    assert parsed.ignored_keys == ("q1a.total_params_again",)


def test_a_part_answered_twice_is_unreadable(tmp_path):
    submission = submit(tmp_path, {"answers.yaml": "q1a:\n  total_params: 3512\nq1a.total_params: 3488\n"})
    assert "more than once" in parse_submission(submission, RUBRIC).reading("q1a.total_params").message
