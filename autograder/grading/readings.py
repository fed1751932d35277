"""Stage 4: the student's raw answers -> one Reading per rubric part.

Keys are matched loosely ("Q1(a)" / "1a" / "q1a", nested or dotted), then
each part's raw value goes through its answer type's parser. A value that
cannot be read costs that part only.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

from autograder.answers.base import Unreadable, quote
from autograder.grading.outcomes import Outcome
from autograder.grading.rubric import Rubric
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
    raw: Any = None                 # what was under that key, for staff reports

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
    text = "".join(unicodedata.normalize("NFKC", str(segment)).lower() for segment in segments)
    text = re.sub(r"[^a-z0-9]", "", text)
    text = re.sub(r"^(question|problem|prob|exercise|ex)(?=\d)", "", text)
    return "q" + text if text[:1].isdigit() else text


def parse_submission(submission: Submission, rubric: Rubric) -> ParsedSubmission:
    """Match the answers' keys to the rubric's parts and read each part's answer with its answer type."""
    if submission.problem:
        return ParsedSubmission(tuple(Reading(part.id, refusal=submission.problem_kind, message=submission.problem)
                                      for part in rubric.parts), ())
    by_key: dict[str, list[tuple[str, Any]]] = {}
    for path, raw in submission.entries:
        by_key.setdefault(normalise_key(path), []).append((".".join(path), raw))
    readings = []
    for part in rubric.parts:
        found = by_key.pop(normalise_key(tuple(part.id.split("."))), [])
        readings.append(_read_part(part, found))
    ignored = tuple(key for entries in by_key.values() for key, _ in entries)
    return ParsedSubmission(tuple(readings), ignored)


def _read_part(part, found: list[tuple[str, Any]]) -> Reading:
    if not found:
        return Reading(part.id, refusal=Outcome.MISSING, message=f"No answer found: the key {part.id} is missing.")
    if len(found) > 1:
        keys = ", ".join(key for key, _ in found)
        return Reading(part.id, refusal=Outcome.UNREADABLE, message=f"This part is answered more than once ({keys}): keep one.",
                       key=found[0][0])
    key, raw = found[0]
    if raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []:
        return Reading(part.id, refusal=Outcome.MISSING, message=f"The key {key} is there but left blank.", key=key)
    if isinstance(raw, Refused):
        return Reading(part.id, refusal=Outcome.UNREADABLE, message=f"Could not read the answer under {key}: {raw.reason}.", key=key)
    if _contains_refused(raw):
        return Reading(part.id, refusal=Outcome.UNREADABLE,
                       message=f"Could not read the answer under {key}: it holds a value that is not allowed.", key=key)
    try:
        value = part.answer_type.parse(raw)
    except Unreadable as exc:
        return Reading(part.id, refusal=Outcome.UNREADABLE, message=str(exc), key=key, raw=_bounded(raw))
    return Reading(part.id, value=value, key=key, raw=_bounded(raw))


def _contains_refused(raw: Any) -> bool:
    if isinstance(raw, Refused):
        return True
    if isinstance(raw, dict):
        return any(_contains_refused(item) for item in raw.values())
    return isinstance(raw, list) and any(_contains_refused(item) for item in raw)


def _bounded(raw: Any) -> str:
    return raw if isinstance(raw, str) and len(raw) <= 300 else quote(raw, 300)
