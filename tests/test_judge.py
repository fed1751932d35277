"""Judging one part: error carried forward, relative mistakes, most credit wins."""

from __future__ import annotations

from fractions import Fraction

import pytest

from autograder.grading.judge import judge_all
from autograder.grading.readings import parse_submission
from autograder.grading.submission import read_submission
from support.grading import hw5_key


def verdicts(tmp_path, text: str) -> dict:
    folder = tmp_path / "submission"
    folder.mkdir(parents=True)
    (folder / "answers.yaml").write_text(text, encoding="utf-8")
    parsed = parse_submission(read_submission(folder), hw5_key().rubric)
    return {verdict.part_id: verdict for verdict in judge_all(hw5_key(), parsed)}


@pytest.mark.parametrize("layer1, layer2, pool, expected", [
    ("8x62x62", "16x60x60", "16x30x30", [("mistake", "pad0"), ("ecf", None), ("ecf", None)]),
    ("8x62x62", "16x58x58", "16x29x29", [("mistake", "pad0"), ("mistake", "pad0"), ("ecf", None)]),
    ("8x64x64", "16x58x58", "16x29x29", [("correct", None), ("mistake", "pad0"), ("ecf", None)]),
    ("8x64x64", "16x60x60", "16x31x31", [("correct", None), ("mistake", "pad0"), ("correct", None)]),
    ("8x66x66", "16x64x64", "16x32x32", [("wrong", None), ("ecf", None), ("ecf", None)]),
    ("8x64x64", "16x64x64", "16x32x32", [("correct", None), ("mistake", "same_padding"), ("ecf", None)]),
    # "60x60" is credited as 16 x 60 x 60 without its channels; the pool follows that (tests/test_ecf_credited_reading.py).
    ("8x62x62", "60x60", "16x30x30", [("mistake", "pad0"), ("mistake", "missing_channels"), ("ecf", None)]),
    ("8x62x62", "16x60x60", "8x31x31", [("mistake", "pad0"), ("ecf", None), ("mistake", "pooled_layer1")]),
])
def test_error_carried_forward_chain(tmp_path, layer1, layer2, pool, expected):
    found = verdicts(tmp_path, f"q1a:\n  layer1_output: {layer1}\n  layer2_output: {layer2}\nq1b:\n  pool_output: {pool}\n")
    got = [(found[p].outcome, found[p].mistake) for p in ("q1a.layer1_output", "q1a.layer2_output", "q1b.pool_output")]
    assert got == expected


def test_absurd_earlier_answers_never_crash_the_judge(tmp_path):
    # From 8x2x2 the relative pad0 reading of layer 2 is 16 x -2 x -2, which is no shape: skipped, not a crash.
    found = verdicts(tmp_path, "q1a:\n  layer1_output: 8x2x2\n  layer2_output: 16x0x0\nq1b:\n  pool_output: 16x1x1\n")
    assert found["q1a.layer2_output"].outcome == "ecf"
    assert found["q1b.pool_output"].outcome == "wrong"
    found = verdicts(tmp_path / "again", "q1a:\n  layer1_output: 8x1x1\n  layer2_output: 16x0x0\n")
    assert found["q1a.layer2_output"].outcome == "wrong"


def test_ecf_feedback_quotes_the_earlier_answer(tmp_path):
    found = verdicts(tmp_path, "q1a:\n  layer1_output: 8x62x62\n  layer2_output: 16x60x60\n")
    assert "1a.1 (8 x 62 x 62)" in found["q1a.layer2_output"].feedback
    assert found["q1a.layer2_output"].tried == ("ecf", "pad0")


@pytest.mark.parametrize("matrix, kind, mistake, credit", [
    ("[[35,-17,-10],[-20,2,30],[5,27,3]]", "mistake", "arithmetic_slip", Fraction(5, 6)),
    ("[[35,-17,-10],[-20,2,30],[5,28,3]]", "mistake", "arithmetic_slip", Fraction(2, 3)),
    ("[[35,-17,-10],[-20,2,30],[6,28,3]]", "wrong", None, 0),
    ("[[-7,20,16],[20,26,-23],[-1,-31,24]]", "mistake", "swapped", Fraction(1, 2)),
    ("[[35,-20,5],[-17,2,27],[-10,30,2]]", "mistake", "transposed_output", Fraction(1, 2)),
    ("2", "mistake", "no_padding", Fraction(1, 3)),
])
def test_cross_correlation_readings(tmp_path, matrix, kind, mistake, credit):
    verdict = verdicts(tmp_path, f"q2a:\n  cross_correlation: '{matrix}'\n")["q2a.cross_correlation"]
    assert (verdict.outcome, verdict.mistake, verdict.credit) == (kind, mistake, credit)
