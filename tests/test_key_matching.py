"""Keys the way students write them, and readings the rubric decides (issue 10)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from autograder.authoring.compile import compile_key
from autograder.grading.judge import judge_all
from autograder.grading.outcomes import Outcome
from autograder.grading.readings import parse_submission
from autograder.grading.rubric import load_rubric
from autograder.grading.submission import read_submission
from support.paths import HW5

RUBRIC = load_rubric(HW5)
KEY = compile_key(RUBRIC)


def parsed(tmp_path, text: str):
    folder = tmp_path / "submission"
    folder.mkdir(parents=True)
    (folder / "answers.yaml").write_text(text, encoding="utf-8")
    return parse_submission(read_submission(folder), RUBRIC)


# (answer file, part, the key the answer was found under)
KEYS = [
    ("Problem 1:\n  a:\n    output after layer 1: 8x64x64\n", "q1a.layer1_output", "Problem 1.a.output after layer 1"),
    ("1.a:\n  layer 2: 16x62x62\n", "q1a.layer2_output", "1.a.layer 2"),
    ("1(a):\n  num params: 3512\n", "q1a.total_params", "1(a).num params"),
    ("1(b):\n  shape after pooling: 16x31x31\n", "q1b.pool_output", "1(b).shape after pooling"),
    ("q1a:\n  out1: 8x64x64\n", "q1a.layer1_output", "q1a.out1"),
    ("q1b:\n  n_params: 0\n", "q1b.pool_params", "q1b.n_params"),
    ("question_1b:\n  pool_output: 16x31x31\n", "q1b.pool_output", "question_1b.pool_output"),
    ("Q2:\n  (b): B is centrosymmetric.\n", "q2b.condition", "Q2.(b)"),
    ("q2b: B is centrosymmetric.\n", "q2b.condition", "q2b"),
    ("q_3:\n  answer: cross-correlation\n", "q3.answer", "q_3.answer"),
    ("q3:\n  answer: cross-correlation\n  why: The kernel is learned.\n", "q3.reason", "q3.why"),
    ("q2a:\n  xcorr: [[1]]\n  conv: [[2]]\n", "q2a.cross_correlation", "q2a.xcorr"),
    ("layer1_output: 8x64x64\n", "q1a.layer1_output", "layer1_output"),
    ("q1a:\n  pool_params: 0\n", "q1b.pool_params", "q1a.pool_params"),
    ("q1a.total_params: 3512\n", "q1a.total_params", "q1a.total_params"),
    ("q1a：\n  total_params: 3512\n", "q1a.total_params", "q1a.total_params"),
]


@pytest.mark.parametrize("text, part, key", KEYS, ids=[case[2] for case in KEYS])
def test_a_key_as_students_write_it_finds_its_part(tmp_path, text, part, key):
    reading = parsed(tmp_path, text).reading(part)
    assert reading.read and reading.key == key, reading


def test_a_value_on_a_two_part_question_goes_to_the_parts_that_read_it(tmp_path):
    submission = parsed(tmp_path, "q3: Cross-correlation, because the kernel is learned and no flip is cheaper.\n")
    assert submission.reading("q3.answer").value == "cross_correlation"
    assert submission.reading("q3.reason").read


def test_a_key_naming_an_answered_part_is_not_taken_by_elimination(tmp_path):
    submission = parsed(tmp_path, "q1a:\n  layer1_output: 8x64x64\n  total_params: 3512\n  total_params_again: 1\n")
    assert submission.reading("q1a.layer2_output").refusal is Outcome.MISSING
    assert submission.ignored_keys == ("q1a.total_params_again",)


@pytest.mark.parametrize("text", [
    "q1a:\n  total_params: 3512\n  total_params:\n",           # the unfilled template copy below
    "q1a:\n  total_params:\n  total_params: 3512\n",
    "q1a:\n  total_params: 3512\nq1a.total_params: 3512\n",    # the same answer twice
])
def test_an_empty_or_identical_duplicate_is_no_second_answer(tmp_path, text):
    assert parsed(tmp_path, text).reading("q1a.total_params").value == 3512


def test_two_different_answers_to_one_part_are_refused_quoting_both(tmp_path):
    reading = parsed(tmp_path, "q1a:\n  total_params: 3488\n  total_params: 3512\n").reading("q1a.total_params")
    assert reading.refusal is Outcome.UNREADABLE
    assert '"3488"' in reading.message and '"3512"' in reading.message and "Keep only the one you mean" in reading.message


def test_rows_as_a_mapping_under_the_part_are_one_matrix(tmp_path):
    text = "q2a:\n  convolution:\n    r1: [-7, 20, 16]\n    r2: 20 26 -23\n    r3: [-1, -31, 24]\n"
    assert parsed(tmp_path, text).reading("q2a.convolution").value == ((-7, 20, 16), (20, 26, -23), (-1, -31, 24))


def verdict(tmp_path, text: str, part: str):
    submission = parsed(tmp_path, text)
    return next(v for v in judge_all(KEY, submission) if v.part_id == part)


def test_a_declared_reading_multiplies_the_verdict_of_the_answer_as_read(tmp_path):
    # HW5 declares batch_axis (credit 1): a batch axis read off, then judged as the shape of one sample.
    correct = verdict(tmp_path / "a", "q1a:\n  layer1_output: torch.Size([1, 8, 64, 64])\n", "q1a.layer1_output")
    assert (correct.outcome, correct.mistake, correct.credit) == (Outcome.MISTAKE, "batch_axis", 1)
    assert "batch axis" in correct.feedback
    pad0 = verdict(tmp_path / "b", "q1a:\n  layer1_output: N x 8 x 62 x 62\n", "q1a.layer1_output")
    assert (pad0.mistake, pad0.credit) == ("pad0", Fraction(1, 2)) and "batch_axis" in pad0.tried


def test_an_undeclared_reading_costs_nothing(tmp_path):
    # The MLP rubric declares no batch_axis: the engine's default reads the axis off at no cost.
    rubric = load_rubric(HW5.parent / "mlp.yaml")
    part = next(p for p in rubric.parts if p.answer_type.name == "shape" and p.answer_type.names)
    value = part.answer_type.parse("1 x " + " x ".join("4" for _ in part.answer_type.names))
    assert part.answer_type.notes(value) == {"batch_axis"} and len(value) == len(part.answer_type.names)


def test_a_matrix_of_another_size_says_so(tmp_path):
    wrong = verdict(tmp_path, "q2a:\n  cross_correlation: [[35, -17, -10, -20, 2, 30, 5, 27, 2]]\n", "q2a.cross_correlation")
    assert wrong.outcome is Outcome.WRONG
    assert "read as a 1 x 9 matrix; the answer is 3 x 3. Put each row on its own line" in wrong.feedback


def test_a_flat_list_of_entries_is_read_row_by_row(tmp_path):
    flat = verdict(tmp_path, "q2a:\n  cross_correlation: [35, -17, -10, -20, 2, 30, 5, 27, 2]\n", "q2a.cross_correlation")
    assert flat.outcome is Outcome.CORRECT


def check_output(tmp_path, files: dict) -> str:
    import io

    from autograder.grading.run import Paths, run

    folder = tmp_path / "submission"
    folder.mkdir(parents=True)
    for name, content in files.items():
        (folder / name).write_text(content, encoding="utf-8")
    data = run(HW5, Paths(folder, tmp_path / "none.json", tmp_path / "results.json"), stream=io.StringIO(), key=KEY)
    return data["tests"][-1]["output"]


def test_the_submission_check_names_each_part_s_key_and_the_student_s(tmp_path):
    check = check_output(tmp_path, {"answers.yaml": "Problem 1:\n  b:\n    params: \u2014\n    output: 16x31\u200bx31\n"})
    assert "(q1b.pool_params, from \"Problem 1.b.params\"): COULD NOT READ" in check
    assert "(q1b.pool_output, from \"Problem 1.b.output\"): 16 x 31 x 31" in check


def test_a_file_that_cannot_be_read_lists_the_keys_it_should_hold(tmp_path):
    check = check_output(tmp_path, {"answers.yaml": "The output is 8x64x64 and there are 3512 parameters.\n"})
    assert "q1a: layer1_output, layer2_output, total_params; q1b: pool_output, pool_params" in check


def test_invisible_characters_are_shown_visibly(tmp_path):
    check = check_output(tmp_path, {"answers.yaml": "q1a:\n  layer1_output: eight\u200bx64\n"})
    assert "\\u200b" in check
