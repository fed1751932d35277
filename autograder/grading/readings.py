"""Stage 4: the student's raw answers -> one Reading per rubric part.

Keys are matched the way students write them. A key names a question
("q1a", "Q1(a)", "1a", "Problem 1: a:", "1.a", "question_1b", "(3)") and a
part within it: the part's id ("layer1_output"), or words that name one part
only ("output after layer 1", "out1", "num params", "shape after pooling"),
or, by elimination, the one part of the question still unanswered ("why:"
when "answer:" is there). A part's id that belongs to one question only is
found at the top level or under another question too ("pool_params" under
q1a). A value given directly on a question answers its only part, or each of
its parts that read it ("q3: cross-correlation, because ..."). An empty
duplicate of a key (the unfilled template below the answers) is no second
answer, nor is the same answer twice; two different answers to one part are
refused, quoting both. A value that cannot be read costs that part only.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

from autograder.answers.base import Unreadable
from autograder.answers.reading import excerpt
from autograder.grading.outcomes import Outcome
from autograder.grading.rubric import Part, Rubric
from autograder.grading.submission import Refused, Submission

Refusal = Literal[Outcome.UNREADABLE, Outcome.MISSING]


@dataclass(frozen=True)
class Reading:
    """One part's answer as read: a value of its answer type, or why there is none."""

    part_id: str
    value: Any = None               # the answer type's value, when one was read
    refusal: Refusal | None = None  # UNREADABLE or MISSING when no value was read
    message: str = ""               # why there is no value, for the student
    key: str | None = None          # the key as the student wrote it

    @property
    def read(self) -> bool:
        """Whether a value was read (else `refusal` says why not)."""
        return self.refusal is None


@dataclass(frozen=True)
class ParsedSubmission:
    """Every part's Reading, in rubric order, and the keys no part used."""

    readings: tuple[Reading, ...]
    ignored_keys: tuple[str, ...]

    def reading(self, part_id: str) -> Reading:
        """The reading of one part."""
        return next(reading for reading in self.readings if reading.part_id == part_id)


def normalise_key(segments: tuple[str, ...]) -> str:
    """("Q1(a)", "Total Params") -> "q1atotalparams"; a leading "Question"/"1a" becomes "q1a"."""
    text = _QUESTION_WORD.sub("", "".join(_plain(segment) for segment in segments))
    return "q" + text if text[:1].isdigit() else text


_QUESTION_WORD = re.compile(r"^(question|problem|prob|exercise|ex)(?=\d)")
_NOT_PLAIN = re.compile(r"[^a-z0-9]")


def _plain(segment: Any) -> str:
    return _NOT_PLAIN.sub("", unicodedata.normalize("NFKC", str(segment)).lower())


@functools.lru_cache(maxsize=4096)  # a rubric's parts, normalised once rather than for every submission
def _part_keys(part_id: str, number: str) -> tuple[str, str, str]:
    """A part's question ("1a"), its name in the question and its whole key, normalised as students' keys are."""
    return _plain(number.rsplit(".", 1)[0]), _plain(part_id.split(".", 1)[1]), normalise_key(tuple(part_id.split(".")))


def parse_submission(submission: Submission, rubric: Rubric) -> ParsedSubmission:
    """Match the answers' keys to the rubric's parts and read each part's answer with its answer type."""
    if submission.problem:
        return ParsedSubmission(tuple(Reading(part.id, refusal=submission.problem_kind, message=submission.problem)
                                      for part in rubric.parts), ())
    found, direct, ignored = _KeyMatcher(rubric).assign(submission.entries)
    readings = []
    for part in rubric.parts:
        if part.id in found:
            readings.append(_read_part(part, found[part.id]))
        elif part.id in direct:
            readings.append(_read_direct(part, direct[part.id]))
        else:
            readings.append(Reading(part.id, refusal=Outcome.MISSING,
                                    message=f"No answer found: the key {part.id} is missing."))
    return ParsedSubmission(tuple(readings), tuple(ignored))


Entry = tuple[str, Any]   # (the key as written, "q1a.total_params"; the raw value)

# A question designator: "q1a", "Q1", "Question 1b", "Problem 1", "1(a)", "(3)", "question_1b", "q_3".
_QUESTION = re.compile(r"(?:q|question|problem|prob|exercise|ex|hw\d*q|task)?(\d+)([a-z]?)")
_PART_LETTER = re.compile(r"(?:part)?([a-z])")
# Words that say nothing about which part is meant.
_STOPWORDS = frozenset("a an the of after in for to with and by from its is what how many".split())


def _words(text: str) -> list[str]:
    """"output after layer 1" / "out1" / "n_params" / "shapeAfterConv1" -> lower-case words and numbers."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text).lower()
    return [w for w in re.findall(r"[a-z]+|[0-9]+", text) if w not in _STOPWORDS]


def _related(word: str, vocabulary: frozenset[str]) -> bool:
    """A student's word names a vocabulary word: equal, a prefix ("out", "conv"), or sharing 5 letters ("params")."""
    for known in vocabulary:
        if word == known:
            return True
        if word.isdigit() or known.isdigit():
            continue
        if (len(word) >= 3 and known.startswith(word)) or (len(known) >= 3 and word.startswith(known)):
            return True
        if len(word) >= 5 and len(known) >= 5 and word[:5] == known[:5]:
            return True
    return False


class _KeyMatcher:
    """Which part each entry of the answer file answers."""

    def __init__(self, rubric: Rubric):
        self.parts = rubric.parts
        self.questions: dict[str, list[Part]] = {}
        self.by_name: dict[str, list[Part]] = {}
        self.names: dict[str, str] = {}   # part id -> its name in its question
        self.full: dict[str, Part] = {}
        for part in rubric.parts:
            question, name, full = _part_keys(part.id, part.number)
            self.questions.setdefault(question, []).append(part)
            self.by_name.setdefault(name, []).append(part)
            self.names[part.id] = name
            self.full.setdefault(full, part)  # two parts whose keys read the same: the first one (check reports the other)

    def assign(self, entries) -> tuple[dict[str, list[Entry]], dict[str, list[Entry]], list[str]]:
        """Entries by the part they answer (explicit keys), direct values on questions, and the keys no part used."""
        found: dict[str, list[Entry]] = {}
        direct: dict[str, list[Entry]] = {}
        loose: list[tuple[str | None, list[str], Entry]] = []
        elsewhere: list[tuple[Part, tuple]] = []
        order: dict[str, int] = {}
        for path, key, raw in self._grouped(entries):
            entry = (".".join(str(segment) for segment in path), raw)
            order.setdefault(entry[0], len(order))
            exact = self.full.get(key)
            if exact is not None:
                found.setdefault(exact.id, []).append(entry)
                continue
            question, rest = self._question(path)
            if question is not None and not rest:
                for part in self.questions[question]:
                    direct.setdefault(part.id, []).append(entry)
                continue
            part, own = self._named_part(question, rest)
            if part is not None and own:
                found.setdefault(part.id, []).append(entry)
            elif part is not None:
                elsewhere.append((part, (question, rest, entry)))
            else:
                loose.append((question, rest, entry))
        # A part's name under another question or at the top level answers it only when its own question does not.
        for part, item in elsewhere:
            if part.id in found:
                loose.append(item)
            else:
                found[part.id] = [item[2]]
        ignored = sorted((entry[0] for _, _, entry in self._described(loose, found)), key=order.__getitem__)
        return found, {part_id: entries for part_id, entries in direct.items()
                       if part_id not in found or all(_empty(raw) for _, raw in found[part_id])}, ignored

    def _grouped(self, entries):
        """(key path, its normalised key, raw value) of each entry; entries under a part's own key
        ("cross_correlation: {row1: ..., row2: ...}") as one mapping answer."""
        groups: dict[tuple, dict] = {}
        for path, raw in entries:
            key = normalise_key(path)
            prefix = next((path[:k] for k in range(len(path) - 1, 0, -1) if normalise_key(path[:k]) in self.full), None)
            if prefix is None or key in self.full:
                yield path, key, raw
            elif prefix not in groups:
                groups[prefix] = {".".join(str(s) for s in path[len(prefix):]): raw}
                yield prefix, normalise_key(prefix), groups[prefix]
            else:
                groups[prefix][".".join(str(s) for s in path[len(prefix):])] = raw

    def _question(self, path) -> tuple[str | None, list[str]]:
        """The question a key path names, and the rest of its segments ("Problem 1" / "a" / "output")."""
        segments = [piece for segment in path for piece in str(segment).split(".") if piece.strip()]
        if not segments:
            return None, []
        first = _plain(segments[0])
        match = _QUESTION.fullmatch(first)
        if match is None:
            return None, segments
        number, letter = match.group(1), match.group(2)
        rest = segments[1:]
        if not letter and rest:
            letter_match = _PART_LETTER.fullmatch(_plain(rest[0]))
            if letter_match and number + letter_match.group(1) in self.questions:
                letter, rest = letter_match.group(1), rest[1:]
        question = number + letter
        return (question, rest) if question in self.questions else (None, segments)

    def _named_part(self, question: str | None, rest: list[str]) -> tuple[Part | None, bool]:
        """A part named by its id, and whether under its own question; else the one part anywhere with that name."""
        name = _plain("".join(rest))
        if question is not None:
            inside = [part for part in self.questions[question] if self.names[part.id] == name]
            if inside:
                return inside[0], True
        elsewhere = self.by_name.get(name, [])
        return (elsewhere[0] if len(elsewhere) == 1 else None), False

    def _described(self, loose, found: dict[str, list[Entry]]):
        """Entries whose keys describe a part in words, then by elimination; yields those left over."""
        unmatched = []
        for question, rest, entry in loose:
            candidates = self.questions.get(question, []) if question is not None else []
            part = _best_described(candidates, _words(" ".join(rest)), found)
            if part is not None:
                found.setdefault(part.id, []).append(entry)
            else:
                unmatched.append((question, rest, entry))
        by_question: dict[str, list] = {}
        for item in unmatched:
            if item[0] is not None:
                by_question.setdefault(item[0], []).append(item)
        for question, items in by_question.items():
            open_parts = [part for part in self.questions[question] if part.id not in found]
            # "why:" beside "answer:" is the reason; "total_params_again:" names an answered part, so it is no answer.
            if len(items) == 1 and len(open_parts) == 1 \
                    and not any(_score(part, _words(" ".join(items[0][1]))) for part in self.questions[question]):
                found.setdefault(open_parts[0].id, []).append(items[0][2])
                unmatched.remove(items[0])
        yield from unmatched


def _best_described(parts: list[Part], words: list[str], found: dict[str, list[Entry]]) -> Part | None:
    """The one unanswered part whose id, title and type words the key's words name best; numbers must agree."""
    if not words:
        return None
    scores = []
    for part in parts:
        score = 0 if part.id in found else _score(part, words)
        if score:
            scores.append((score, part))
    scores.sort(key=lambda pair: -pair[0])
    if scores and (len(scores) == 1 or scores[0][0] > scores[1][0]):
        return scores[0][1]
    return None


def _score(part: Part, words: list[str]) -> int:
    """How many of a key's words name this part (its id, title, type); 0 when a number in the key is not the part's."""
    vocabulary = frozenset(_words(part.id.split(".", 1)[1].replace("_", " ")) + _words(part.title)
                           + list(part.answer_type.key_words))
    if not {w for w in words if w.isdigit()} <= {w for w in vocabulary if w.isdigit()}:
        return 0
    return sum(_related(word, vocabulary) for word in words if not word.isdigit() and len(word) > 1)


def _empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []


def _read_part(part: Part, found: list[Entry]) -> Reading:
    filled = [(key, raw) for key, raw in found if not _empty(raw)]
    if len(filled) > 1:
        texts: dict[str, Entry] = {}
        for key, raw in filled:
            texts.setdefault(" ".join(str(raw).split()), (key, raw))
        distinct = list(texts.values())
        if len(distinct) > 1:
            answers = " and ".join(f"{key} = {excerpt(raw)}" for key, raw in distinct[:3])
            return Reading(part.id, refusal=Outcome.UNREADABLE, key=filled[0][0],
                           message=f"This part is answered more than once, differently: {answers}. "
                                   "Keep only the one you mean.")
    key, raw = (filled or found)[0]
    if _empty(raw):
        return Reading(part.id, refusal=Outcome.MISSING, message=f"The key {key} is there but left blank.", key=key)
    if isinstance(raw, Refused):
        return Reading(part.id, refusal=Outcome.UNREADABLE, message=f"Could not read the answer under {key}: {raw.reason}.", key=key)
    if _contains_refused(raw):
        return Reading(part.id, refusal=Outcome.UNREADABLE,
                       message=f"Could not read the answer under {key}: it holds a value that is not allowed.", key=key)
    try:
        value = part.answer_type.parse(raw)
    except Unreadable as exc:
        return Reading(part.id, refusal=Outcome.UNREADABLE, message=str(exc), key=key)
    return Reading(part.id, value=value, key=key)


def _read_direct(part: Part, found: list[Entry]) -> Reading:
    """A value given directly on the part's question: this part's answer if the part reads it."""
    key, raw = found[0]
    reading = _read_part(part, found)
    if reading.read or len(found) != 1 or reading.refusal is Outcome.MISSING:
        return reading
    return Reading(part.id, refusal=Outcome.MISSING, key=key,
                   message=f"No answer found for {part.id}: the answer under {key} was read for another part.")


def _contains_refused(raw: Any) -> bool:
    if isinstance(raw, Refused):
        return True
    if isinstance(raw, dict):
        return any(_contains_refused(item) for item in raw.values())
    return isinstance(raw, list) and any(_contains_refused(item) for item in raw)

