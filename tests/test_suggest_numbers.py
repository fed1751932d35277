"""`autograder check --suggest`: problem numbers for which every mistake stays distinct, nearest first."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from autograder.authoring.numbers import SuggestError, suggest_numbers
from autograder.cli import main
from support.paths import REPO

HW5 = REPO / "rubric" / "hw5.yaml"


def lines(out: str) -> list[str]:
    """The report without its timing."""
    return [re.sub(r" in \d+\.\d s", " in T s", line) for line in out.splitlines()]


def test_the_nearest_paddings_that_keep_hw5s_mistakes_apart(capsys):
    assert main(["check", str(HW5), "--suggest", "conv1.pad=0..3", "conv2.pad=0..3"]) == 0
    assert lines(capsys.readouterr().out) == [
        f"{HW5}: searched conv1.pad in 0..3, conv2.pad in 0..3: 13 of 16 combinations tried, nearest first, in T s",
        "the rubric's values (conv1.pad=1 conv2.pad=1) keep every mistake distinct",
        "nearest values for which every mistake differs from the answer and from each other (and the checks pass):",
        "  conv1.pad=1 conv2.pad=1   (the rubric's values)",
        # conv1.pad=0 makes "forgot the padding" (pad0) the right answer; conv2.pad=2 keeps the size, as
        # same_padding assumes; conv2.pad=0 makes one of pad0's variants the right answer.
        "  conv1.pad=2 conv2.pad=1   (distance 1)",
        "  conv1.pad=1 conv2.pad=3   (distance 2)",
        "  conv1.pad=3 conv2.pad=1   (distance 2)",
        "  conv1.pad=2 conv2.pad=3   (distance 3)",
    ]


def test_values_that_clash_are_named_and_the_nearest_good_ones_found(tmp_path, capsys):
    rubric = tmp_path / "hw5.yaml"
    rubric.write_text(HW5.read_text(encoding="utf-8").replace(
        "conv1: {in_channels: 4, out_channels: 8, kernel: 3, stride: 1, pad: 1}",
        "conv1: {in_channels: 4, out_channels: 8, kernel: 3, stride: 1, pad: 0}"), encoding="utf-8")
    assert main(["check", str(rubric), "--suggest", "conv1.pad=0,1,2"]) == 0
    assert lines(capsys.readouterr().out) == [
        f"{rubric}: searched conv1.pad in 0..2: 3 of 3 combinations tried, nearest first, in T s",
        "with the rubric's values (conv1.pad=0):",
        "  part q1a.layer1_output, mistake pad0: gives the correct answer (8 x 62 x 62)",
        "nearest values for which every mistake differs from the answer and from each other (and the checks pass):",
        "  conv1.pad=1   (distance 1)",
        "  conv1.pad=2   (distance 2)",
    ]


def test_values_a_solver_refuses_are_never_suggested():
    report = suggest_numbers(HW5, ["conv1.kernel=0..3"], shown=10)
    assert report.tried == 4 and (0,) not in [trial.values for trial in report.found]  # a kernel of size 0


def test_time_running_out_is_said(capsys):
    report = suggest_numbers(HW5, ["conv1.pad=1..3"], max_seconds=0)
    assert (report.tried, report.found, report.stopped_early, report.exit_code) == (0, (), True, 1)
    assert report.summary().splitlines()[1:] == [
        "no combination tried keeps every mistake distinct from the answer and from each other: widen the ranges, "
        "or name other parameters"]
    assert "(time ran out)" in report.summary().splitlines()[0]


@pytest.mark.parametrize("specs, message", [
    (["conv1.padd=0..3"], "'conv1.padd=0..3': there is no parameter 'conv1.padd' (did you mean 'conv1.pad'?)"),
    (["conv1=0..3"], "'conv1=0..3': conv1 is {'in_channels': 4, 'out_channels': 8, 'kernel': 3, 'stride': 1, "
                     "'pad': 1}, not a whole number: only whole numbers are searched"),
    (["conv1.pad"], "'conv1.pad': write PARAMETER=LOW..HIGH or PARAMETER=A,B,C, e.g. conv1.pad=0..3"),
    (["conv1.pad=3..1"], "'conv1.pad=3..1': the range is empty (write the low end first)"),
    (["conv1.pad=one"], "'conv1.pad=one': 'one' is not LOW..HIGH or a list of whole numbers A,B,C"),
    (["conv1.pad=0..1", "conv1.pad=2"], "each parameter may be named once"),
    (["conv1.pad=0..999", "conv2.pad=0..999"], "1000000 combinations is more than 100000: narrow the ranges"),
])
def test_ranges_that_cannot_be_searched(specs, message, capsys):
    with pytest.raises(SuggestError) as error:
        suggest_numbers(HW5, specs)
    assert str(error.value) == message
    assert main(["check", str(HW5), "--suggest", *specs]) == 1
    assert capsys.readouterr().err == f"error: {message}\n"


def test_a_rubric_that_does_not_load_is_an_error(tmp_path, capsys):
    broken = Path(tmp_path / "hw5.yaml")
    broken.write_text(HW5.read_text(encoding="utf-8").replace("total_points: 35", "total_points: 34"), encoding="utf-8")
    assert main(["check", str(broken), "--suggest", "P=0..2"]) == 1
    assert "total_points is 34 but the parts add up to 35" in capsys.readouterr().err
