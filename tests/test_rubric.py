"""Rubric errors name the file, line and field; the key follows the parameters."""

from __future__ import annotations


import pytest

from autograder.authoring.compile import CompileError, compile_key
from autograder.grading.rubric import RubricError, load_rubric
from reference.conv import convolution, cross_correlation
from support.grading import HW5_TEXT, write_variant
from support.paths import HW5



def line_of(text: str, fragment: str) -> int:
    return HW5_TEXT[: HW5_TEXT.index(fragment)].count("\n") + 1


BROKEN = [
    ("misspelt part field", "        points: 2\n", "        pionts: 2\n",
     "unknown field 'pionts' (did you mean 'points'?)", "        points: 2\n"),
    ("misspelt answer type", "        type: integer\n", "        type: integr\n",
     "unknown type 'integr' (did you mean 'integer'?)", "        type: integer\n"),
    ("points do not add up", "total_points: 35", "total_points: 36",
     "total_points is 36 but the parts add up to 35", "total_points: 35"),
    ("credit above 1", "            credit: 3/5\n", "            credit: 5/3\n",
     "between 0 and 1", "            credit: 3/5\n"),
    ("literal matrix answer", "          solver: convolution\n          args: {input: $A, kernel: $B, pad: $P, stride: $stride}",
     "          value: [[1]]", "must be computed by a solver", "          solver: convolution\n          args: {input: $A"),
    ("unknown transform", "transform: drop_channels", "transform: drop_channel",
     "no transform 'drop_channel' (did you mean 'drop_channels'?)", "transform: drop_channels"),
    ("late due date without zone", "due: 2025-05-05T23:59:00+08:00", "due: 2025-05-05",
     "date-time with its time zone", "due: 2025-05-05T23:59:00+08:00"),
]


@pytest.mark.parametrize("name, old, new, message, located_at", BROKEN, ids=[case[0] for case in BROKEN])
def test_broken_rubric_names_the_line(tmp_path, name, old, new, message, located_at):
    path = write_variant(tmp_path, old, new)
    with pytest.raises(RubricError) as error:
        load_rubric(path)
    assert message in str(error.value)
    assert error.value.line == line_of(HW5_TEXT, located_at)
    assert str(error.value).startswith(f"{path}:{error.value.line}:")


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = write_variant(tmp_path, "  pool: {kernel: 2, stride: 2}", "  pool: {kernel: 2, stride: 2")
    with pytest.raises(RubricError, match="YAML syntax error") as error:
        load_rubric(path)
    assert error.value.line >= line_of(HW5_TEXT, "  pool: {kernel: 2, stride: 2}")


def test_unknown_solver_and_parameter_are_compile_errors(tmp_path):
    with pytest.raises(CompileError, match=r"part q2a.convolution, mistake swapped: unknown solver 'cross_corelation'"):
        compile_key(load_rubric(write_variant(tmp_path, "solver: cross_correlation\n            feedback: >-\n              This is the cross-correlation",
                                              "solver: cross_corelation\n            feedback: >-\n              This is the cross-correlation")))
    with pytest.raises(CompileError, match=r"there is no parameter 'conv1.padding'"):
        compile_key(load_rubric(write_variant(tmp_path, "params: {conv1.pad: 0}", "params: {conv1.padding: 0}")))


def test_solver_failure_names_the_part(tmp_path):
    path = write_variant(tmp_path, "conv2: {in_channels: 8, out_channels: 16, kernel: 5, stride: 1, pad: 1}",
                         "conv2: {in_channels: 8, out_channels: 16, kernel: 5, stride: 0, pad: 1}")
    with pytest.raises(CompileError, match=r"part q1a.layer2_output: solver 'conv2d_output_shape' failed: ValueError: stride must be a whole number ≥ 1, got 0"):
        compile_key(load_rubric(path))


def test_changing_a_parameter_changes_every_answer_and_mistake(tmp_path):
    new_a = [[1, -2, 0], [4, 5, -6], [7, 0, 9]]
    key = compile_key(load_rubric(write_variant(tmp_path, "A: [[2, 4, -3], [3, -2, 2], [-3, 1, 4]]", f"A: {new_a}")))
    b = [[3, 1, -2], [-2, 2, 4], [1, 3, -3]]
    by_id = {part_key.part.id: part_key for part_key in key.parts}
    xcorr, conv = by_id["q2a.cross_correlation"], by_id["q2a.convolution"]
    as_key = xcorr.part.answer_type.to_key
    assert as_key(xcorr.correct) == cross_correlation(new_a, b, 1)
    assert as_key(conv.correct) == convolution(new_a, b, 1)
    mistakes = {m.mistake.id: [as_key(v) for v in m.values] for m in xcorr.mistakes}
    assert mistakes["swapped"] == [convolution(new_a, b, 1)]
    assert mistakes["roles_swapped"] == [cross_correlation(b, new_a, 1)]
    assert mistakes["full_mode"] == [cross_correlation(new_a, b, "full")]


def test_hw5_key_matches_the_official_solutions():
    key = compile_key(load_rubric(HW5))
    shown = {k.part.id: k.part.answer_type.to_key(k.correct) for k in key.parts}
    assert shown["q1a.layer1_output"] == [8, 64, 64]
    assert shown["q1a.layer2_output"] == [16, 62, 62]
    assert shown["q1a.total_params"] == 3512
    assert shown["q1b.pool_output"] == [16, 31, 31]
    assert shown["q1b.pool_params"] == 0
    assert shown["q2a.cross_correlation"] == [[35, -17, -10], [-20, 2, 30], [5, 27, 2]]
    assert shown["q2a.convolution"] == [[-7, 20, 16], [20, 26, -23], [-1, -31, 24]]
    assert shown["q3.answer"] == "cross_correlation"
    params = {m.mistake.id: [k for k in m.values] for m in key.parts[2].mistakes}
    assert params == {"no_bias": [3488], "one_bias_per_layer": [3490], "no_in_channels": [496], "no_in_channels_no_bias": [472]}
