"""A single number, such as a parameter count ("3512").

The value is an exact Fraction rather than an int: "3512.4" is a readable
answer that is simply not 3512, and the student should be told it was read
that way instead of being told it could not be read. Numbers-only arithmetic
is evaluated exactly ("288+8+3200+16" is 3512, "4.5x10^14" is standard form);
anything with a letter or another symbol is a formula and is refused, never
read as one of its numbers ("2*pi" is not 2).
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any, Iterator, Mapping

from autograder.answers import reading, statement
from autograder.answers.base import ExactAnswer, keyed_mutations, quote, typed
from autograder.answers.reading import NotRead


class IntegerAnswer(ExactAnswer):
    """One number, read exactly; "3512.4" is read (and wrong), never rounded."""

    name = "integer"
    expected_form = 'one integer, e.g. "1234"'
    key_words = ("number", "count")

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

    def formula_input(self, value: Fraction) -> Fraction:
        return value

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
        return _read_text(typed(raw))
    return reading.read_scalar(raw)


# The letter x as a times sign: in standard form ("4.5x10^14", "1 x 10**4") and spaced between
# numbers ("3 x 32 x 32 = 3,072"); glued to a number it is part of a name or hex ("2x2", "0x10").
_STANDARD_FORM_X = re.compile(r"(?<=[0-9.])\s*[xX]\s*(?=10\s*(?:\^|\*\*))|(?<=[0-9.])\s+[xX]\s+(?=[0-9(])")
# "4.2x10-3" means 4.2e-3 but says 4.2*10-3 = 39: refused rather than either.
_BROKEN_STANDARD_FORM = re.compile(r"[0-9.]\s*[xX×*]\s*10[-+][0-9]")


def _read_text(raw: str) -> Fraction:
    text = reading.clean_text(raw).replace("\n", " ; ")
    if not text:
        raise NotRead("it is empty")
    words = reading.number_in_words(text.rstrip(". "))
    if words is not None:
        return Fraction(words)
    broken = _BROKEN_STANDARD_FORM.search(text)
    if broken:
        raise NotRead(f'{quote(broken.group())} is standard form without "^": write e.g. 4.2x10^-3')
    text = _STANDARD_FORM_X.sub(" × ", text)
    tokens = reading.tokenize(text, grouping=True)
    groups = statement.split_groups(tokens)
    candidates = statement.number_candidates(text, groups.main)
    usable = [c for c in candidates if c.problem is None]
    if not usable and statement.ZERO_WORDS.search(text):
        return Fraction(0)  # "How many parameters does max pooling have?" "None." is as clear as 0.
    if not candidates:
        calls = [t.text for t in groups.main if t.text.endswith("(...)")]
        if calls:
            raise NotRead(f"it is a formula ({calls[0]}); write the number it comes to")
        raise NotRead("there is no number in it")
    statement.annotate(groups.main, candidates)
    answer = statement.choose(groups.main, candidates, _same, reading.show_number, statement.chain_value)
    value = reading.checked_value(quote(answer.text), answer.value)
    remarks = []
    for remark in groups.remarks:
        found = statement.number_candidates(text, remark)
        statement.annotate(remark, found)
        # A breakdown ("(288 + 8 + 3200 + 16)") is working, not a second answer.
        remarks.append([c for c in found if not any(t.kind == reading.Kind.OPERATOR and t.text not in "+-"[:0]
                                                    for t in remark[c.start:c.end] if c.end - c.start > 1)])
    statement.check_remarks(remarks, answer, _same, reading.show_number)
    return value


def _same(first: Fraction, second: Fraction) -> bool:
    return first == second
