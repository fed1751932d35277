"""One of a few named options, read for the one the sentence gives as its answer.

Each option is named by its phrases (and its letter, for lettered options);
claims.py reads each naming as asserted, denied or hedged. Then:

- a naming that only names a thing is no answer: after "called", "named",
  "call ... ", or before "layer", "module", "class" ("the convolution layer
  uses cross-correlation" answers cross-correlation);
- an option denied anywhere ("not C", "A is incorrect", "Convolution? No")
  is ruled out; with two options, ruling one out answers the other;
- two options joined by "or" or "/", or named beside "maybe", "not sure",
  "either", are a hedge: refused, asking for one;
- of several options asserted, one qualified by "actually", "technically",
  "really", "mathematically", "in fact" is the answer; otherwise the answer
  names several and is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Sequence

from autograder.answers.base import ExactAnswer, Unreadable, quote
from autograder.answers.claims import HEDGES, Claim, Stance, read_claims, stance_at
from autograder.answers.patterns import build_table, read_text
from autograder.answers.wording import Token

NAMING_BEFORE = frozenset({"called", "call", "calls", "named", "name", "names", "termed", "dubbed", "labelled", "labeled"})
NAMING_AFTER = frozenset({"layer", "layers", "module", "modules", "class", "classes", "api"})
FIRMLY = frozenset({"actually", "technically", "really", "mathematically", "truly", "strictly", "fact", "reality"})
_REACH = 3
_LETTER_CUES = frozenset({"option", "answer", "choice", "choose", "pick", "is"})


@dataclass(frozen=True)
class _Naming:
    claim: Claim
    names_only: bool     # a name, not an answer: "the convolution layer"
    firm: bool           # "actually cross-correlation"


class ChoiceAnswer(ExactAnswer):
    """One option of a few, read for what the sentence asserts; the value is the option's id."""

    name = "choice"
    literal_key = True

    def __init__(self, options: Mapping):
        self.table = build_table(options, "choices")
        self.labels = self.table.labels
        self.letters = {entry.letter: entry.id for entry in self.table.entries if entry.letter}
        self.expected_form = "one of: " + ", ".join(f'"{label}"' for label in self.labels.values())

    def parse(self, raw: Any) -> str:
        text = read_text(raw, self.expected_form)
        reading = read_claims(self.table, text)
        tokens = reading.words.tokens
        namings = [_naming(tokens, claim) for claim in (*reading.claims, *self._letters(tokens))]
        answers = [naming for naming in namings if not naming.names_only]
        asserted = _ids(naming for naming in answers if naming.claim.stance is not Stance.DENIED)
        denied = _ids(naming for naming in answers if naming.claim.stance is Stance.DENIED)
        if _hedges(tokens, answers, asserted):
            raise Unreadable(f"{quote(raw)} hesitates between {self._named(asserted)}: give just one of them.")
        chosen = [choice for choice in asserted if choice not in denied]
        if len(chosen) > 1:
            firm = _ids(naming for naming in answers if naming.firm and naming.claim.entry in chosen)
            chosen = firm if len(firm) == 1 else chosen
        if len(chosen) == 1:
            return chosen[0]
        if chosen:
            raise Unreadable(f"{quote(raw)} names {self._named(chosen)}: give just one of them.")
        others = [choice for choice in self.labels if choice not in denied]
        if denied and len(others) == 1:
            return others[0]   # two options, one ruled out: "Not cross-correlation" answers convolution
        if denied:
            raise Unreadable(f"{quote(raw)} only rules out {self._named(denied)}: say which one you choose, "
                             f"{self.expected_form}.")
        raise Unreadable(f"Could not read {quote(raw)} as an answer: expected {self.expected_form}.")

    def _letters(self, tokens: Sequence[Token]) -> Iterator[Claim]:
        for index, token in enumerate(tokens):
            choice = self.letters.get(token.text.upper()) if len(token.text) == 1 else None
            if choice is not None and _is_letter(tokens, index):
                yield Claim(choice, stance_at(tokens, index, index + 1), index, index + 1, token.text)

    def _named(self, choices: Sequence[str]) -> str:
        return " and ".join(f'"{self.labels[choice]}"' for choice in choices)

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


def _ids(namings) -> list[str]:
    """Option ids in the order first named."""
    found: list[str] = []
    for naming in namings:
        if naming.claim.entry not in found:
            found.append(naming.claim.entry)
    return found


def _naming(tokens: Sequence[Token], claim: Claim) -> _Naming:
    clause = tokens[claim.start].clause
    before = [token.word for token in tokens[max(0, claim.start - _REACH):claim.start] if token.clause == clause]
    after = tokens[claim.end].word if claim.end < len(tokens) and tokens[claim.end].clause == clause else ""
    names_only = bool(NAMING_BEFORE & set(before)) or after in NAMING_AFTER
    return _Naming(claim, names_only, bool(FIRMLY & set(before)))


def _hedges(tokens: Sequence[Token], answers: Sequence[_Naming], asserted: Sequence[str]) -> bool:
    """Two options offered as alternatives: joined by "or" or "/", or beside "maybe", "not sure", "either"."""
    ordered = sorted((naming.claim for naming in answers if naming.claim.stance is not Stance.DENIED),
                     key=lambda claim: claim.start)
    for first, second in zip(ordered, ordered[1:]):
        between = {token.word for token in tokens[first.end:second.start]}
        if first.entry != second.entry and second.start - first.end <= 3 and between & {"or", "/"}:
            return True
    marked = any(token.word in HEDGES or token.word == "either"
                 or (token.word == "not" and index + 1 < len(tokens) and tokens[index + 1].word == "sure")
                 for index, token in enumerate(tokens))
    return marked and len(asserted) > 1


def _is_letter(tokens: Sequence[Token], index: int) -> bool:
    """Whether a one-letter word is an option's letter: "(A)", "Option a", "b", "A is correct", "so A"; not "a cat"."""
    token = tokens[index]
    if len(tokens) == 1 or (token.before == "(" and token.after == ")"):
        return True
    if index > 0 and tokens[index - 1].word in _LETTER_CUES:
        return True
    if not token.text.isupper():
        return False
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    opens = index == 0 or tokens[index - 1].clause != token.clause
    # A capital opening a clause before a lower-case word is the article: "A single layer ...".
    return not (opens and following is not None and following.clause == token.clause
                and following.text[:1].islower() and following.word not in _AFTER_A_LETTER)


_AFTER_A_LETTER = frozenset({"is", "was", "or", "and", "because", "since", "as", "would", "seems", "looks", "must",
                             "should", "it", "for", "then", "so"})
