"""The rubric's phrase language: what a concept or a choice is, in words a rubric author writes.

A phrase is matched word by word against an answer's tokens (wording.py),
never as a substring, so `symmetric` is not found inside "asymmetric":

    centrosymmetr*                      a word beginning so (centrosymmetric, centrosymmetry)
    symmetr* about (its|the) center     one of several words, or of several word sequences
    symmetr* about [its] center         [...] may be left out
    rotat* ... 180                      ... stands for up to 6 other words of the same sentence
    learn* [the] {kernel}               {name}: one of the terms of `words:` or `subjects:`
    中心对称                             CJK characters are words of their own: no spaces needed

Case, width, punctuation and British spelling (centre, optimise, learnt) do
not matter. A word of 7 letters or more also matches it with one typo
(symetric, cheapper); a hyphenated or joined compound matches the words
apart (centro-symmetric, crosscorrelation match `centro symmetr*`, `cross
correlat*`). A word that is a phrase word behind a negating prefix (a-, an-,
un-, in-, im-, il-, ir-, non-, dis-, anti-, skew-) matches as its denial:
"asymmetric" denies `symmetr*`, "non-learnable" denies `learnable`. Whether
the sentence asserts, denies or hedges what a phrase names, and of whom, is
read by claims.py: phrases never spell out "not".
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterator, Mapping, Sequence

from autograder.base import limits
from autograder.answers.base import BadOptions, Unreadable
from autograder.answers.formulas import Formula, compile_formula
from autograder.answers.reading import excerpt
from autograder.answers.wording import NEGATING_PREFIXES, Token, fold, one_typo_apart, words

GAP_WORDS = 6                    # what `...` may skip
TYPO_MIN_LETTERS = 7             # shorter words must be spelt right: "simply" is not "simple"
_SEPARATE_PREFIXES = frozenset({"non", "anti", "skew"})   # "non symmetric": never a word of its own
_PREFIX_REST_MIN = 4             # "a" + "symmetric"; "in" + "put" is no denial of "put"
_STARTS_MEMO = 50_000            # words remembered per index (a class's vocabulary, bounded)


@dataclass(frozen=True)
class WordPattern:
    """One word of a phrase: a folded word, or a stem (`symmetr*`) any word beginning so matches."""

    word: str
    stem: bool = False


@dataclass(frozen=True)
class Options:
    """One element of a phrase: one of several word sequences (a plain word is the one-sequence case)."""

    sequences: tuple[tuple[WordPattern, ...], ...]
    optional: bool = False
    subject: str | None = None   # a {subject} placeholder: the claim is said of this subject


@dataclass(frozen=True)
class Gap:
    """`...`: up to GAP_WORDS other words of the same sentence."""


@dataclass(frozen=True)
class Phrase:
    """One phrase of a concept or choice, compiled: its words, alternatives and gaps."""

    source: str                  # as the rubric writes it
    elements: tuple[Options | Gap, ...]


@dataclass(frozen=True)
class Match:
    """Where a phrase matched, in token indices [start, end)."""

    start: int
    end: int
    denied: bool                 # through a negating prefix ("asymmetric")
    subject: str | None          # bound by a {subject} placeholder


@dataclass(frozen=True)
class Entry:
    """A concept of a text part, or an option of a choice part, as the rubric declares it."""

    id: str
    label: str
    phrases: tuple[Phrase, ...]
    formulas: tuple[Formula, ...] = ()
    about: tuple[str, ...] = ()  # subjects its phrases may be said of (or of no named subject)
    letter: str | None = None    # a choice's letter: "A" in "(A)", "option A", "A is correct"


@dataclass(frozen=True)
class Table:
    """A part's entries and the subjects its claims can be said of."""

    entries: tuple[Entry, ...]
    subjects: Mapping[str, tuple[Phrase, ...]]
    phrases: PhraseIndex = field(init=False, compare=False, repr=False)    # tagged by Entry
    mentions: PhraseIndex = field(init=False, compare=False, repr=False)   # tagged by subject

    def __post_init__(self):
        object.__setattr__(self, "phrases", PhraseIndex([(entry, phrase) for entry in self.entries
                                                         for phrase in entry.phrases]))
        object.__setattr__(self, "mentions", PhraseIndex([(subject, phrase) for subject, phrases in self.subjects.items()
                                                          for phrase in phrases]))

    @property
    def labels(self) -> dict[str, str]:
        """Entry id -> the label students read."""
        return {entry.id: entry.label for entry in self.entries}


# ---------------------------------------------------------------- student text

def read_text(raw: Any, form: str) -> str:
    """Student input as bounded text: a scalar, or a list of lines."""
    if isinstance(raw, list) and all(isinstance(item, (str, int, float)) and not isinstance(item, bool) for item in raw):
        raw = "\n".join(_as_text(item, form) for item in raw)
    elif isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raw = _as_text(raw, form)
    if not isinstance(raw, str):
        # excerpt, not quote: repr of any value, however deep or large, is bounded.
        raise Unreadable(f"Could not read {excerpt(raw)}: expected {form}.")
    if len(raw) > limits.MAX_ANSWER_CHARS:
        raise Unreadable(f"The answer is {len(raw)} characters long; at most {limits.MAX_ANSWER_CHARS} are read. Expected {form}.")
    if not raw.strip():
        raise Unreadable(f"The answer is empty: expected {form}.")
    return raw


# An int this large has more digits than an answer may have characters. It
# is refused before str() makes the digits: beyond 4300 digits str() raises.
_TOO_MANY_DIGITS = 10**limits.MAX_ANSWER_CHARS


def _as_text(item: str | int | float, form: str) -> str:
    if isinstance(item, int) and abs(item) >= _TOO_MANY_DIGITS:
        raise Unreadable(f"The answer is a number of more than {limits.MAX_ANSWER_CHARS} digits; "
                         f"at most {limits.MAX_ANSWER_CHARS} characters are read. Expected {form}.")
    return str(item)


# ---------------------------------------------------------------- the rubric's tables

_ENTRY_FIELDS = {"concepts": {"label", "phrases", "formulas", "about"},
                 "choices": {"label", "phrases", "formulas", "about", "letter"}}


def build_table(options: Mapping, key: str) -> Table:
    """Parse a part's options: `key` (concepts or choices) mapping ids to entries, and optional `subjects:`, `words:`."""
    unknown = set(options) - {key, "subjects", "words"}
    if unknown:
        raise BadOptions(f"unknown option(s) {sorted(unknown)}; expected {key}, and optionally subjects and words")
    lists = {name: _term_list(options, "words", name, terms) for name, terms in _mapping(options, "words").items()}
    subjects = {name: _term_list(options, "subjects", name, terms) for name, terms in _mapping(options, "subjects").items()}
    clash = set(lists) & set(subjects)
    if clash:
        raise BadOptions(f"{sorted(clash)} is both a word list and a subject: rename one")
    table = options.get(key)
    if not isinstance(table, dict) or not table:
        raise BadOptions(f"options.{key} must map ids to {{label, phrases}}")
    entries = []
    for entry_id, spec in table.items():
        where, at = f"options.{key}.{entry_id}", (key, entry_id)
        if not isinstance(spec, dict):
            raise BadOptions(f"{where} must be a mapping with label: and phrases:", at)
        extra = sorted(set(spec) - _ENTRY_FIELDS[key])
        if extra:
            close = difflib.get_close_matches(str(extra[0]), sorted(_ENTRY_FIELDS[key]), n=1)
            raise BadOptions(f"{where}: unknown field {extra[0]!r}" + (f" (did you mean {close[0]!r}?)" if close else
                             f"; expected {', '.join(sorted(_ENTRY_FIELDS[key]))}"), at + (extra[0],))
        letter = spec.get("letter")
        if letter is not None and not (isinstance(letter, str) and re.fullmatch(r"[A-Za-z]", letter)):
            raise BadOptions(f"{where}.letter must be one letter, such as A", at + ("letter",))
        phrases = tuple(compile_phrase(text, lists, subjects, f"{where}.phrases[{index}]", at + ("phrases", index))
                        for index, text in enumerate(_strings(spec, "phrases", where, at, required=letter is None)))
        formulas = tuple(compile_formula(text, f"{where}.formulas[{index}]", at + ("formulas", index))
                         for index, text in enumerate(_strings(spec, "formulas", where, at, required=False)))
        about = spec.get("about", ())
        about = (about,) if isinstance(about, str) else about
        if not isinstance(about, (list, tuple)) or any(name not in subjects for name in about):
            raise BadOptions(f"{where}.about names subjects declared under options.subjects"
                             + _did_you_mean(about, subjects), at + ("about",))
        label = spec.get("label", entry_id)
        if not isinstance(label, str) or not label.strip():
            raise BadOptions(f"{where}.label must be text", at + ("label",))
        entries.append(Entry(str(entry_id), label.strip(), phrases, formulas, tuple(about),
                             letter.upper() if letter else None))
    return Table(tuple(entries), {name: tuple(phrases) for name, phrases in subjects.items()})


def _mapping(options: Mapping, key: str) -> Mapping:
    value = options.get(key) or {}
    if not isinstance(value, dict):
        raise BadOptions(f"options.{key} must map names to lists of terms", (key,))
    return value


def _term_list(options: Mapping, key: str, name: Any, terms: Any) -> list[Phrase]:
    where, at = f"options.{key}.{name}", (key, name)
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise BadOptions(f"{where}: a name is letters, digits and _", at)
    if not isinstance(terms, list) or not terms or not all(isinstance(term, str) and term.strip() for term in terms):
        raise BadOptions(f"{where} must be a non-empty list of terms", at)
    compiled = [compile_phrase(term, {}, {}, f"{where}[{index}]", at + (index,)) for index, term in enumerate(terms)]
    for index, term in enumerate(compiled):
        if len(term.elements) != 1 or term.elements[0].optional:
            raise BadOptions(f'{where}: "{term.source}": a term is plain words (or one group of alternatives)',
                             at + (index,))
    return compiled


def _strings(spec: Mapping, field: str, where: str, at: tuple, required: bool) -> list[str]:
    value = spec.get(field)
    if value is None and not required:
        return []
    if not isinstance(value, list) or not value or not all(isinstance(item, str) and item.strip() for item in value):
        raise BadOptions(f"{where}.{field} must be a non-empty list of phrases", at + (field,))
    return value


def _did_you_mean(names: Any, known: Mapping) -> str:
    if not isinstance(names, (list, tuple)):
        return ""
    folded = {str(name).casefold(): name for name in known}
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(str(name).casefold(), list(folded), n=1)
            return f" ({name!r} is not one" + (f"; did you mean {folded[close[0]]!r}?)" if close else ")")
    return ""


# ---------------------------------------------------------------- compiling a phrase

_PHRASE_TOKEN = re.compile(r"\.\.\.|[()\[\]|]|\{[^{}\s]*\}|[^\s()\[\]|{}]+")


def compile_phrase(source: str, lists: Mapping[str, Sequence[Phrase]], subjects: Mapping[str, Sequence[Phrase]],
                   where: str, path: tuple = ()) -> Phrase:
    """A phrase as the rubric writes it -> its elements; BadOptions names the phrase and what is wrong."""
    def fail(problem: str) -> BadOptions:
        return BadOptions(f'{where}: "{source}": {problem}', path)

    pieces = _PHRASE_TOKEN.findall(source)
    elements: list[Options | Gap] = []
    index = 0
    while index < len(pieces):
        piece = pieces[index]
        if piece == "...":
            elements.append(Gap())
            index += 1
        elif piece in ("(", "["):
            close = ")" if piece == "(" else "]"
            try:
                end = pieces.index(close, index)
            except ValueError:
                raise fail(f'"{piece}" is never closed by "{close}"') from None
            inner = pieces[index + 1:end]
            if any(item in ("(", "[", ")", "]", "...") for item in inner):
                raise fail("groups cannot be nested or hold ...")
            sequences = []
            for alternative in _split(inner):
                if any(item.startswith("{") for item in alternative):
                    raise fail("{name} stands alone, not inside ( ) or [ ]")
                sequences.extend(_sequences(alternative, fail))
            elements.append(Options(tuple(sequences), optional=piece == "["))
            index = end + 1
        elif piece.startswith("{"):
            name = piece[1:-1]
            if name in subjects:
                terms, subject = subjects[name], name
            elif name in lists:
                terms, subject = lists[name], None
            else:
                close = difflib.get_close_matches(name, [*lists, *subjects], n=1)
                raise fail(f"no word list or subject {name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
            elements.append(Options(_terms_as_sequences(terms), subject=subject))
            index += 1
        elif piece in (")", "]", "|"):
            raise fail(f'"{piece}" without its group: alternatives go inside ( ) or [ ]')
        else:
            run = [piece]
            index += 1
            while index < len(pieces) and pieces[index] not in ("...", "(", "[", ")", "]", "|") \
                    and not pieces[index].startswith("{"):
                run.append(pieces[index])
                index += 1
            elements.append(Options(tuple(_sequences(run, fail))))
    if not any(isinstance(element, Options) and not element.optional for element in elements):
        raise fail("it has no word that must be there")
    if isinstance(elements[0], Gap) or isinstance(elements[-1], Gap):
        raise fail("... goes between words, not at either end")
    return Phrase(source, tuple(elements))


def _split(pieces: list[str]) -> list[list[str]]:
    alternatives, current = [], []
    for piece in pieces:
        if piece == "|":
            alternatives.append(current)
            current = []
        else:
            current.append(piece)
    alternatives.append(current)
    return alternatives


def _sequences(pieces: list[str], fail) -> list[tuple[WordPattern, ...]]:
    """Chunks of text -> word sequences: the words, and the same with two neighbours written as one word."""
    if not pieces:
        raise fail("an empty alternative")
    sequence: list[WordPattern] = []
    for piece in pieces:
        if "*" in piece:
            stem = piece[:-1]
            if not piece.endswith("*") or not stem.isalpha():
                raise fail(f"{piece!r}: a * ends a stem of letters, such as symmetr*")
            sequence.append(WordPattern(fold(stem), stem=True))
            continue
        found = words(piece).tokens
        if not found:
            raise fail(f"{piece!r} has no word in it")
        sequence.extend(WordPattern(token.word) for token in found)
    result = [tuple(sequence)]
    for i in range(len(sequence) - 1):   # "cross correlat*" also matches "crosscorrelation"
        first, second = sequence[i], sequence[i + 1]
        if not first.stem and first.word.isalpha() and second.word.isalpha() and first.word.isascii():
            joined = WordPattern(first.word + second.word, stem=second.stem)
            result.append((*sequence[:i], joined, *sequence[i + 2:]))
    return result


def _terms_as_sequences(terms: Sequence[Phrase]) -> tuple[tuple[WordPattern, ...], ...]:
    """A word list's or a subject's terms, as the word sequences of one element (each term is plain words)."""
    return tuple(sequence for term in terms for sequence in term.elements[0].sequences)


# ---------------------------------------------------------------- matching

def match_at(phrase: Phrase, tokens: Sequence[Token], start: int) -> Match | None:
    """The phrase's match beginning at tokens[start], if there is one."""
    found = _match(phrase.elements, 0, tokens, start, tokens[start].sentence, 0, None)
    if found is None or found[0] <= start:
        return None
    end, denials, subject = found
    return Match(start, end, denials % 2 == 1, subject)


class PhraseIndex:
    """Phrases (each with a tag) found in an answer, trying only those a word can begin.

    Which phrases a word can begin is remembered (up to _STARTS_MEMO words):
    most words begin none, and a class's answers share their words."""

    def __init__(self, tagged: Sequence[tuple[Any, Phrase]]):
        self.tagged = tuple(tagged)
        self.memo: dict[tuple[str, str | None], tuple[int, ...]] = {}

    def matches(self, tokens: Sequence[Token]) -> Iterator[tuple[Any, Match]]:
        """Every (tag, match) of the indexed phrases in the tokens, in order of position."""
        for start in range(len(tokens)):
            for index in self._candidates(tokens, start):
                tag, phrase = self.tagged[index]
                found = match_at(phrase, tokens, start)
                if found is not None:
                    yield tag, found

    def _candidates(self, tokens: Sequence[Token], position: int) -> tuple[int, ...]:
        token = tokens[position]
        following = tokens[position + 1] if position + 1 < len(tokens) else None
        joinable = (token.joined or token.word in _SEPARATE_PREFIXES) and following is not None \
            and following.sentence == token.sentence
        memo = (token.word, following.word if joinable else None)
        known = self.memo.get(memo)
        if known is None:
            known = tuple(index for index, (_, phrase) in enumerate(self.tagged)
                          if _can_begin(phrase, tokens, position))
            if len(self.memo) < _STARTS_MEMO:
                self.memo[memo] = known
        return known


def _can_begin(phrase: Phrase, tokens: Sequence[Token], position: int) -> bool:
    first = phrase.elements[0]
    return first.optional or any(True for sequence in first.sequences
                                 for _ in _word(sequence[0], tokens, position, tokens[position].sentence))


def _match(elements, index, tokens, position, sentence, denials, subject):
    if index == len(elements):
        return position, denials, subject
    element = elements[index]
    if isinstance(element, Gap):
        for skip in range(GAP_WORDS + 1):
            at = position + skip
            if skip and (at > len(tokens) or tokens[at - 1].sentence != sentence):
                break
            found = _match(elements, index + 1, tokens, at, sentence, denials, subject)
            if found is not None:
                return found
        return None
    for sequence in element.sequences:
        for end, denied in _sequence(sequence, 0, tokens, position, sentence):
            found = _match(elements, index + 1, tokens, end, sentence, denials + denied, subject or element.subject)
            if found is not None:
                return found
    if element.optional:
        return _match(elements, index + 1, tokens, position, sentence, denials, subject)
    return None


def _sequence(sequence, index, tokens, position, sentence) -> Iterator[tuple[int, int]]:
    """(end, denials) for each way the words sequence[index:] match from `position`."""
    if index == len(sequence):
        yield position, 0
        return
    for used, denied in _word(sequence[index], tokens, position, sentence):
        for end, more in _sequence(sequence, index + 1, tokens, position + used, sentence):
            yield end, denied + more


def _word(pattern: WordPattern, tokens, position, sentence) -> Iterator[tuple[int, int]]:
    """(tokens used, 1 if denied by a prefix else 0) for each way one phrase word matches at `position`."""
    if position >= len(tokens) or tokens[position].sentence != sentence:
        return
    token = tokens[position]
    polarity = word_polarity(pattern.word, pattern.stem, token.word)
    if polarity:
        yield 1, polarity < 0
    if (token.joined or token.word in _SEPARATE_PREFIXES) and position + 1 < len(tokens) \
            and tokens[position + 1].sentence == sentence:
        polarity = word_polarity(pattern.word, pattern.stem, token.word + tokens[position + 1].word)
        if polarity:
            yield 2, polarity < 0


# Keyed by the phrase word's text, not its WordPattern: a dataclass's hash is computed in Python, and this
# is looked up for every word of every answer.
@lru_cache(maxsize=262144)
def word_polarity(target: str, stem: bool, word: str) -> int:
    """1: the word is the phrase word `target` (any word beginning so, for a stem); -1: it denies it by a
    negating prefix; 0: neither."""
    if _plain(target, stem, word, typo=False):
        return 1
    rests = [word[len(prefix):] for prefix in NEGATING_PREFIXES
             if word.startswith(prefix) and len(word) - len(prefix) >= _PREFIX_REST_MIN]
    if any(_plain(target, stem, rest, typo=False) for rest in rests) \
            or any(_plain(target, stem, rest, typo=True) for rest in rests):
        return -1
    return 1 if _plain(target, stem, word, typo=True) else 0


def _plain(target: str, stem: bool, word: str, typo: bool) -> bool:
    if not typo:
        return word.startswith(target) if stem else word == target
    if not word.isalpha() or len(target) < TYPO_MIN_LETTERS:
        return False
    if not stem:
        return one_typo_apart(word, target)
    return any(one_typo_apart(word[:size], target) for size in (len(target) - 1, len(target), len(target) + 1)
               if size <= len(word))
