"""A single number, such as a parameter count ("3512").

The value is an exact Fraction rather than an int: "3512.4" is a readable
answer that is simply not 3512, and the student should be told it was read
that way instead of being told it could not be read.
"""

from __future__ import annotations

import re
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Iterator, Mapping

from autograder.answers import reading
from autograder.answers.base import ExactAnswer, keyed_mutations
from autograder.answers.reading import NotRead


_MAX_REPEATS = 3


class IntegerAnswer(ExactAnswer):
    """One number, read exactly; "3512.4" is read (and wrong), never rounded."""

    name = "integer"
    expected_form = 'one integer, e.g. "1234"'
    transforms = MappingProxyType({})
    near_misses = MappingProxyType({})

    def __init__(self, options: Mapping[str, Any]) -> None:
        reading.check_no_options(self.name, options)

    def parse(self, raw: Any) -> Fraction:
        return reading.read_answer(raw, "an integer", self.expected_form, _read)

    def from_key(self, data: Any) -> Fraction:
        return reading.read_answer(data, "an integer", self.expected_form, reading.read_scalar)

    def to_key(self, value: Fraction) -> int | str:
        return reading.key_number(value)

    def same(self, student: Fraction, expected: Fraction) -> bool:
        return student == expected

    def show(self, value: Fraction) -> str:
        return reading.show_number(value)

    def mutations(self, expected: Fraction) -> Iterator[tuple[str, Fraction]]:
        slips = (("plus one", expected + 1), ("minus one", expected - 1), ("sign flipped", -expected),
                 ("zero", Fraction(0)), ("doubled", 2 * expected))
        return keyed_mutations(self, ((name, reading.key_number(number)) for name, number in slips))


def _read(raw: Any) -> Fraction:
    if isinstance(raw, (list, tuple)):
        # A YAML answer written as "- 3512" arrives as a one-element list.
        if len(raw) != 1:
            raise NotRead(f"it is a list of {len(raw)} values, not one number")
        raw = raw[0]
        if isinstance(raw, (list, tuple)):
            raise NotRead("it is a list inside a list, not one number")
    if isinstance(raw, str):
        return _read_text(raw)
    return reading.read_scalar(raw)


# "How many parameters does max pooling have?" "None." is as clear as 0.
_ZERO_IN_WORDS = re.compile(r"(none|zero|nil|nothing|no (learnable |trainable )?(parameters?|params|weights))[.!]?",
                            re.IGNORECASE)


def _read_text(raw: str) -> Fraction:
    text = reading.drop_comments(reading.clean_line(raw))
    if not text:
        raise NotRead("it is empty")
    if _ZERO_IN_WORDS.fullmatch(text.strip()):
        return Fraction(0)
    worked = "=" in text
    if worked:
        text = reading.after_last_equals(text)
    tokens = reading.find_numbers(text)
    if not tokens:
        where = 'after the last "="' if worked else "in it"
        raise NotRead(f"there is no number {where}")
    # The same number twice ("3512 (3,512)") is still one answer; a long
    # list of numbers is not, whatever they are, so it is not read at all.
    values = {reading.read_number(token) for token in tokens[:_MAX_REPEATS]}
    if len(values) > 1 or len(tokens) > _MAX_REPEATS:
        listed = ", ".join(tokens[:3]) + (", …" if len(tokens) > 3 else "")
        raise NotRead(
            f'it has {len(tokens)} numbers in it ({listed}); write only the result, '
            f'or end with "= result"'
        )
    return values.pop()

