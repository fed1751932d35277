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


def unreadable_message(answer, raw) -> str:
    """The message the reader refuses raw with; the test fails if it reads it."""
    try:
        answer.parse(raw)
    except Unreadable as refused:
        return str(refused)
    raise AssertionError(f"{raw!r} was read, not refused")


def assert_refused_with_form(answer, raw, fragment: str) -> None:
    """Refused with a message that names the problem, quotes the answer and shows the expected form."""
    message = unreadable_message(answer, raw)
    assert fragment in message
    assert message.startswith("Could not read ")
    assert message.endswith(f"Expected {answer.expected_form}.")


def assert_refused_briefly(answer, raw, fragment: str) -> None:
    """Hostile input is refused with a message that names the problem in a few lines at most."""
    message = unreadable_message(answer, raw)
    assert fragment in message
    assert len(message) < 300


def nested(value, depth: int):
    """value wrapped in depth lists: [[[...value...]]]."""
    for _ in range(depth):
        value = [value]
    return value
