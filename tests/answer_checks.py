"""Checks shared by the answer-type tests."""

from __future__ import annotations

import random

from autograder.answers.base import Unreadable


def read_or_none(answer, raw):
    """The value, or None when the reader refuses; any other exception fails the test."""
    try:
        return answer.parse(raw)
    except Unreadable:
        return None


def assert_random_inputs_round_trip(answer, alphabet: list[str], seed: int, longest: int, count: int = 3000) -> None:
    """Random strings over alphabet are read or refused, and what is read reads back the same from show()."""
    rng = random.Random(seed)
    for _ in range(count):
        raw = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, longest)))
        value = read_or_none(answer, raw)
        if value is not None:
            assert answer.parse(answer.show(value)) == value, raw
