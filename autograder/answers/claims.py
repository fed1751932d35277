"""What an answer asserts: each phrase or formula found, read with the words around it.

A match of an entry's phrase (patterns.py) or formula (formulas.py) becomes
a Claim with a stance:

- denied: by a negating prefix ("asymmetric"), by a negation before it in
  its clause ("not", "no", "never", "n't" within three words: "doesn't need
  to be symmetric", 不, 没); "without", "rather than", "instead of",
  "unlike", 非 right before it), or by what follows it ("... is not enough", "... is
  incorrect", "... don't help", "Convolution? No");
- hedged: "maybe", "perhaps", "possibly", "not sure", "unsure" before it
  in its clause;
- said of another subject: the entry is `about` some subjects, and the
  claim is said of another one (`B is symmetric`'s concept, said of A);
- asserted otherwise.

The subject of a claim is the subject its phrase names ({B}), or the
subject named nearest before it in its sentence, else the nearest after it
in its clause; a name governed by a preposition ("applied to A", "of the
kernel") is not a subject, nor are the English words "a" and "I", nor a
capital "A" starting a clause before a noun ("A symmetric kernel").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from autograder.base.text_enum import TextEnum
from autograder.answers.formulas import find_formula, notation
from autograder.answers.patterns import Table
from autograder.answers.wording import Token, Words, words

NEGATION_WORDS = frozenset({"not", "no", "never", "neither", "nor", "none", "nothing", "hardly", "不", "没", "无"})
NEGATION_REACH = 3                     # words between "not" and what it denies: "not need to be symmetric"
OBJECT_NEGATIONS = frozenset({"without", "unlike", "non", "anti", "skew", "非"})
TWO_WORD_NEGATIONS = frozenset({("rather", "than"), ("instead", "of"), ("other", "than")})
DETERMINERS = frozenset({"the", "a", "an", "any", "its", "this", "that", "their", "these", "those", "his", "her"})
_NOT_NEGATING_AFTER = frozenset({"sure", "only", "just", "merely"})   # "not sure" hedges, "not only" adds
HEDGES = frozenset({"maybe", "perhaps", "possibly", "unsure", "probably"})
HEDGE_REACH = 5
# "... is not enough", "... is wrong": what follows a claim and takes it back.
_DENIED_BY = frozenset({"incorrect", "wrong", "false", "insufficient", "inadequate"})
_NOT_WHAT = frozenset({"enough", "sufficient", "correct", "right", "true", "needed", "necessary", "required",
                       "help", "helps", "matter", "matters", "valid"})
_NOT_THE = frozenset({"answer", "reason", "case", "point", "right"})
_BRIDGE = frozenset({"is", "are", "was", "were", "be", "been", "would", "will", "does", "do", "did", "also", "really",
                     "alone", "just", "quite", "itself", "here", "by", "simply", "still", "definitely", "certainly"})
PREPOSITIONS = frozenset({"of", "to", "on", "with", "by", "from", "in", "into", "for", "than", "as", "like", "between",
                          "about", "under", "over", "against", "via", "through", "at", "onto", "wrt", "after", "before"})
_VERBS_AFTER_A_NAME = frozenset({"is", "are", "was", "were", "must", "should", "has", "have", "can", "could", "will",
                                 "would", "does", "do", "and", "or", "equals", "=", "being", "becomes", "stays",
                                 "remains", "needs", "may", "might", "itself", "gives", "times"})
_PRONOUNS = frozenset({"it", "them", "they", "we", "you", "he", "she", "i"})


class Stance(TextEnum):
    """What the answer does with a concept or an option it names."""

    ASSERTED = "asserted"
    DENIED = "denied"
    HEDGED = "hedged"
    OTHER_SUBJECT = "other subject"


@dataclass(frozen=True)
class Claim:
    """One place an answer names an entry, and what it says of it there."""

    entry: str
    stance: Stance
    start: int                 # token span [start, end)
    end: int
    excerpt: str               # the words, as written
    subject: str | None = None  # the subject it is said of, when one is named


@dataclass(frozen=True)
class Reading:
    """An answer's words and every claim found in it, in text order."""

    words: Words
    claims: tuple[Claim, ...]
    mentions: tuple[tuple[int, str], ...]   # (token index, subject): the subjects named


def read_claims(table: Table, text: str) -> Reading:
    """Every phrase and formula of the table's entries found in the text, each with its stance."""
    found = words(text)
    tokens = found.tokens
    mentions = tuple(_mentions(table, tokens))
    plain = None
    claims = []
    named = frozenset(index for index, _ in mentions)
    for entry, match in table.phrases.matches(tokens):
        stance = (Stance.DENIED if match.denied else None) or stance_at(tokens, match.start, match.end, named)
        subject = match.subject
        if subject is None and stance is Stance.ASSERTED and entry.about:
            subject = subject_of(tokens, mentions, match.start, match.end)
            if subject is not None and subject not in entry.about:
                stance = Stance.OTHER_SUBJECT
        claims.append(Claim(entry.id, stance, match.start, match.end, found.excerpt(match.start, match.end), subject))
    for entry in table.entries:
        for formula in entry.formulas:
            plain = plain if plain is not None else notation(text)
            for match in find_formula(formula, plain):
                start, end = _token_span(tokens, match.start, match.end)
                if start < end:   # a formula is said of the names it is written with: no subject to look for
                    claims.append(Claim(entry.id, stance_at(tokens, start, end, named), start, end,
                                        found.excerpt(start, end)))
    claims.sort(key=lambda claim: (claim.start, claim.end, claim.entry))
    return Reading(found, tuple(claims), mentions)


def _token_span(tokens: Sequence[Token], start: int, end: int) -> tuple[int, int]:
    inside = [index for index, token in enumerate(tokens) if token.start >= start and token.end <= end]
    return (inside[0], inside[-1] + 1) if inside else (0, 0)


def stance_at(tokens: Sequence[Token], start: int, end: int, named: frozenset[int] = frozenset()) -> Stance:
    """How the sentence holds the words [start, end): denied, hedged, or asserted.

    `named` holds the token indexes where a subject is named: a negation right before one
    belongs to that name ("no flip is cheaper", "not flipping saves time"), not to the claim."""
    if negated_before(tokens, start, named) or negated_after(tokens, end):
        return Stance.DENIED
    if hedged(tokens, start):
        return Stance.HEDGED
    return Stance.ASSERTED


def negated_before(tokens: Sequence[Token], start: int, named: frozenset[int] = frozenset()) -> bool:
    """A negation earlier in the clause reaches the words at `start`, unless it negates a name between."""
    clause = tokens[start].clause
    for distance in range(1, NEGATION_REACH + 2):
        index = start - distance
        if index < 0 or tokens[index].clause != clause:
            return False
        word = tokens[index].word
        between = [token.word for token in tokens[index + 1:start]]
        if word in NEGATION_WORDS and _negates_a_name(tokens, index, start, named):
            continue
        if word in NEGATION_WORDS and tokens[index + 1].word not in _NOT_NEGATING_AFTER:
            return True
        if all(other in DETERMINERS for other in between):
            if word in OBJECT_NEGATIONS:
                return True
            if index > 0 and (tokens[index - 1].word, word) in TWO_WORD_NEGATIONS:
                return True
    return False


def _negates_a_name(tokens: Sequence[Token], index: int, start: int, named: frozenset[int]) -> bool:
    """Whether the negation at `index` is part of a name before `start`: "no flip", "not the flipping"."""
    following = index + 1
    while following < start and tokens[following].word in DETERMINERS:
        following += 1
    return following < start and following in named


def negated_after(tokens: Sequence[Token], end: int) -> bool:
    """What follows in the clause takes the claim back: "... is not enough", "... is wrong", "X? No"."""
    if end > 0 and tokens[end - 1].after == "?":
        following = tokens[end] if end < len(tokens) else None
        return following is not None and following.word == "no" and following.sentence != tokens[end - 1].sentence
    clause = tokens[end - 1].clause
    index = end
    while index < len(tokens) and tokens[index].clause == clause and index - end < 5:
        word = tokens[index].word
        if word in _DENIED_BY:
            return True
        if word == "not" and index + 1 < len(tokens) and tokens[index + 1].clause == clause:
            after = tokens[index + 1].word
            if after in _NOT_WHAT or (after == "the" and index + 2 < len(tokens) and tokens[index + 2].word in _NOT_THE):
                return True
        if word not in _BRIDGE and word != "not":
            return False
        index += 1
    return False


def hedged(tokens: Sequence[Token], start: int) -> bool:
    """A hedge earlier in the clause: "maybe", "perhaps", "not sure"."""
    clause = tokens[start].clause
    for index in range(start - 1, max(-1, start - 1 - HEDGE_REACH), -1):
        if tokens[index].clause != clause:
            return False
        word = tokens[index].word
        if word in HEDGES or (word == "not" and tokens[index + 1].word == "sure"):
            return True
    return False


# ---------------------------------------------------------------- subjects

def _mentions(table: Table, tokens: Sequence[Token]):
    for subject, match in table.mentions.matches(tokens):
        if _names(tokens, match.start, match.end):
            yield match.start, subject


def _names(tokens: Sequence[Token], start: int, end: int) -> bool:
    """Whether these words name a subject here: "A" the matrix, not "a" the article."""
    if end - start == 1 and len(tokens[start].text) == 1:
        letter = tokens[start].text
        if letter in ("a", "i", "I"):   # English words: the article, the pronoun
            return False
        if letter == "A" and _article_position(tokens, start):
            return False
    return True


def _article_position(tokens: Sequence[Token], index: int) -> bool:
    """A capital "A" opening a clause before a noun: "A symmetric kernel ..." (an article, not the matrix)."""
    token = tokens[index]
    opens = index == 0 or tokens[index - 1].clause != token.clause
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    return (opens and following is not None and following.clause == token.clause and following.text[:1].islower()
            and following.word not in _VERBS_AFTER_A_NAME)


def governed(tokens: Sequence[Token], index: int) -> bool:
    """A name after a preposition in its clause ("applied to A", "with a flipped kernel") is no subject."""
    clause = tokens[index].clause
    for back in range(1, 4):
        before = index - back
        if before < 0 or tokens[before].clause != clause:
            return False
        word = tokens[before].word
        if word in PREPOSITIONS:
            return True
        if word in _VERBS_AFTER_A_NAME or word in _PRONOUNS:   # "to call it convolution": "to" governs no name
            return False
    return False


def subject_of(tokens: Sequence[Token], mentions: Sequence[tuple[int, str]], start: int, end: int) -> str | None:
    """The subject named for the words [start, end): inside them, nearest before in the sentence, else after in the clause."""
    free = [(index, subject) for index, subject in mentions if not governed(tokens, index)]
    inside = [subject for index, subject in free if start <= index < end]
    if inside:
        return inside[0]
    sentence, clause = tokens[start].sentence, tokens[start].clause
    before = [subject for index, subject in free if index < start and tokens[index].sentence == sentence]
    if before:
        return before[-1]
    after = [subject for index, subject in free if index >= end and tokens[index].clause == clause]
    return after[0] if after else None
