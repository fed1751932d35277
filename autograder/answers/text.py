"""Free text, scored by the concepts it asserts and always left for a TA to review.

The value of a student's answer is the set of concepts it asserts (claims.py:
a concept denied, hedged, or said of the wrong subject is not asserted),
with a note for each concept it names without asserting; an expected value
is the set of concepts that must all be there. The feedback says which
expected concepts were not found and, where the answer named one without
asserting it, why, quoting the student's words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from autograder.answers.base import AnswerTypeDefaults
from autograder.answers.claims import Stance, read_claims
from autograder.answers.patterns import build_table, read_text


@dataclass(frozen=True)
class Note:
    """A concept the answer names without asserting it, and where."""

    concept: str
    stance: Stance
    excerpt: str
    subject: str | None


@dataclass(frozen=True)
class TextValue:
    """A student's text, the concepts it asserts, and the concepts it names only to deny, hedge or misattribute."""

    text: str
    concepts: frozenset[str]
    notes: tuple[Note, ...] = ()


class TextAnswer(AnswerTypeDefaults):
    """Free text: credited by the concepts it asserts, and always read by a TA."""

    name = "text"
    expected_form = "a sentence or two of text"
    needs_review = True
    literal_key = True

    def __init__(self, options: Mapping):
        self.table = build_table(options, "concepts")
        self.labels = self.table.labels
        self.about = {entry.id: entry.about for entry in self.table.entries}

    def parse(self, raw: Any) -> TextValue:
        text = read_text(raw, self.expected_form)
        reading = read_claims(self.table, text)
        asserted = {claim.entry for claim in reading.claims if claim.stance is Stance.ASSERTED}
        notes, noted = [], set()
        for claim in reading.claims:
            if claim.entry not in asserted and claim.entry not in noted:
                noted.add(claim.entry)
                context = reading.words.excerpt(_clause_start(reading.words.tokens, claim.start), claim.end)
                notes.append(Note(claim.entry, claim.stance, context, claim.subject))
        return TextValue(text.strip(), frozenset(asserted), tuple(notes))

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
        return iter(())  # which wordings mean what is the rubric's phrases' business, and a TA's

    def show(self, value: TextValue) -> str:
        found = [label for concept_id, label in self.labels.items() if concept_id in value.concepts]
        return "mentions " + "; ".join(found) if found else "mentions none of the ideas looked for"

    def explain(self, value: TextValue, expected: frozenset[str]) -> str:
        """The expected concepts not found, each with why when the answer names it without asserting it."""
        notes = {note.concept: note for note in value.notes}
        missing = []
        for concept_id, label in self.labels.items():
            if concept_id in expected and concept_id not in value.concepts:
                note = notes.get(concept_id)
                missing.append(f"{label} ({self._why(note)})" if note else label)
        return f"Not found: {'; '.join(missing)}." if missing else ""

    def _why(self, note: Note) -> str:
        quoted = f'"{note.excerpt}"'
        if note.stance is Stance.DENIED:
            return f"{quoted} says it does not hold"
        if note.stance is Stance.HEDGED:
            return f"{quoted} is not stated firmly"
        about = " or ".join(_named(subject) for subject in self.about[note.concept])
        return f"{quoted} is said of {_named(note.subject)}, not of {about}"


def _named(subject: str | None) -> str:
    return (subject or "something else").replace("_", "-")


def _clause_start(tokens, index: int) -> int:
    clause = tokens[index].clause
    while index > 0 and tokens[index - 1].clause == clause:
        index -= 1
    return index
