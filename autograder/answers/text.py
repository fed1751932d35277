"""Free text, scored by the concepts it mentions and always left for a TA to review.

The value of a student's answer is the set of concepts the author's patterns
found in it; an expected value is the set of concepts that must all be there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from autograder.answers.patterns import build_table, matching, read_text


@dataclass(frozen=True)
class TextValue:
    """A student's text and the concepts found in it."""

    text: str
    concepts: frozenset[str]


class TextAnswer:
    """Free text: credited by the concepts it mentions, and always read by a TA."""

    name = "text"
    expected_form = "a sentence or two of text"
    needs_review = True
    transforms: Mapping = {}
    near_misses: Mapping = {}

    def __init__(self, options: Mapping):
        self.concepts = build_table(options, "concepts")
        self.labels = {concept.id: concept.label for concept in self.concepts}

    def parse(self, raw: Any) -> TextValue:
        text = read_text(raw, self.expected_form)
        return TextValue(text.strip(), frozenset(concept.id for concept in matching(self.concepts, text)))

    def from_key(self, data: Any) -> frozenset[str]:
        if not isinstance(data, list) or not data or any(item not in self.labels for item in data):
            raise ValueError(f"a text answer is a list of concept ids from {sorted(self.labels)}, got {data!r}")
        return frozenset(data)

    def to_key(self, value: frozenset[str]) -> list[str]:
        return sorted(value)

    def same(self, student: TextValue, expected: frozenset[str]) -> bool:
        return expected <= student.concepts

    def received(self, value: TextValue) -> str:
        return f"received ({len(value.text)} characters)"

    def review_text(self, value: TextValue) -> str:
        return value.text

    def answer_like(self, expected: frozenset[str]) -> TextValue:
        return TextValue("", expected)

    def mutations(self, expected: frozenset[str]) -> Iterator[tuple[str, TextValue]]:
        return iter(())  # which wordings mean what is the author's patterns' business, and a TA's

    def show(self, value: TextValue) -> str:
        found = [label for concept_id, label in self.labels.items() if concept_id in value.concepts]
        return "mentions " + "; ".join(found) if found else "mentions none of the concepts looked for"
