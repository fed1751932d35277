"""Error carried forward carries the value an earlier answer was credited as, not its literal value.

`64x64x8` for layer 1 gets full credit as channels_last: it stands for
8 x 64 x 64. Read literally it would have C = 64 and W x H = 64 x 8, so
layer 2 "16x62x6" and the pool "16x31x3" would follow "correctly" from it.
"""

from __future__ import annotations

import pytest

from autograder.grading.judge import judge_all
from autograder.grading.readings import parse_submission
from autograder.grading.submission import Submission
from support.grading import hw5_key

PARTS = ("q1a.layer1_output", "q1a.layer2_output", "q1b.pool_output")


def judged(layer1: str, layer2: str, pool: str) -> list[tuple[str, str | None]]:
    entries = tuple((tuple(part.split(".")), value) for part, value in zip(PARTS, (layer1, layer2, pool)))
    verdicts = {verdict.part_id: verdict for verdict in
                judge_all(hw5_key(), parse_submission(Submission(file="answers.yaml", entries=entries), hw5_key().rubric))}
    return [(verdicts[part].outcome, verdicts[part].mistake) for part in PARTS]


@pytest.mark.parametrize("layer1, layer2, pool, expected", [
    # Credited as 8 x 64 x 64: the literal channels (64) and width/height (64 x 8) carry nothing to layer 2;
    # the pool then follows from that wrong layer 2, which is what error carried forward is for.
    ("64x64x8", "16x62x6", "16x31x3", [("mistake", "channels_last"), ("wrong", None), ("ecf", None)]),
    ("64x64x8", "16x62x6", "8x32x4", [("mistake", "channels_last"), ("wrong", None), ("wrong", None)]),
    ("64x64x8", "16x62x62", "16x31x31", [("mistake", "channels_last"), ("correct", None), ("correct", None)]),
    # Layer 2 credited as channels_last of its error-carried-forward value 16 x 30 x 30: the pool follows that.
    ("8x32x32", "30x30x16", "16x15x15", [("wrong", None), ("mistake", "channels_last"), ("ecf", None)]),
    ("8x32x32", "30x30x16", "30x15x8", [("wrong", None), ("mistake", "channels_last"), ("wrong", None)]),
    # A transform that loses information (drop_channels) stands for the value it was made from too:
    # layer 2 "60x60" is 16 x 60 x 60 without its channels, and the pool follows that.
    ("8x62x62", "60x60", "16x30x30", [("mistake", "pad0"), ("mistake", "missing_channels"), ("ecf", None)]),
    ("8x62x62", "60x60", "30x30", [("mistake", "pad0"), ("mistake", "missing_channels"), ("mistake", "missing_channels")]),
    # A mistake that is a computation (pad0) is credited as the value written: ECF follows it.
    ("8x62x62", "16x60x60", "16x30x30", [("mistake", "pad0"), ("ecf", None), ("ecf", None)]),
])
def test_ecf_follows_the_credited_reading(layer1, layer2, pool, expected):
    assert judged(layer1, layer2, pool) == expected
