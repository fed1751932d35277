"""One of a few named options, recognised by the author's synonyms."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from autograder.answers.base import ExactAnswer, Unreadable, quote
from autograder.answers.patterns import affirmed, build_table, matching, read_text


class ChoiceAnswer(ExactAnswer):
    """One option of a few, recognised by the author's patterns; the value is the option's id."""

    name = "choice"
    transforms: Mapping = {}
    near_misses: Mapping = {}

    def __init__(self, options: Mapping):
        self.choices = build_table(options, "choices")
        self.labels = {choice.id: choice.label for choice in self.choices}
        self.expected_form = "one of: " + ", ".join(f'"{label}"' for label in self.labels.values())

    def parse(self, raw: Any) -> str:
        text = read_text(raw, self.expected_form)
        found = matching(self.choices, text)
        if len(found) > 1:  # "cross-correlation, not convolution" names one choice
            found = tuple(choice for choice in found if affirmed(choice, text)) or found
        if len(found) == 1:
            return found[0].id
        if not found:
            raise Unreadable(f"Could not read {quote(raw)} as an answer: expected {self.expected_form}.")
        both = " and ".join(f'"{choice.label}"' for choice in found)
        raise Unreadable(f"{quote(raw)} names {both}: give just one of them.")

    def from_key(self, data: Any) -> str:
        if data not in self.labels:
            raise ValueError(f"{data!r} is not one of the choices {sorted(self.labels)}")
        return data

    def to_key(self, value: str) -> str:
        return value

    def same(self, student: str, expected: str) -> bool:
        return student == expected

    def show(self, value: str) -> str:
        return self.labels[value]

    def mutations(self, expected: str) -> Iterator[tuple[str, str]]:
        return ((f"the choice {other}", other) for other in self.labels)
