"""Named regular-expression tables, shared by the choice and text types.

Both types recognise words in free student text: a choice by its synonyms,
a text answer by the concepts it mentions. Patterns are the author's, run on
text normalised once (see `normalise`), so an author writes `cross correlation`
and it matches "Cross-Correlation" and "cross_correlation" alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from autograder.base import limits
from autograder.answers.base import BadOptions, Unreadable
from autograder.answers.reading import excerpt, unify_characters


@dataclass(frozen=True)
class Entry:
    id: str
    label: str
    patterns: tuple[re.Pattern, ...]


def fold_for_matching(text: str) -> str:
    text = unify_characters(text).lower()
    text = re.sub(r"[-_‐‑–—/]+", " ", text)
    return " ".join(text.split())


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


def build_table(options: Mapping, key: str) -> tuple[Entry, ...]:
    """Parse `options[key]`: {id: {label: str, patterns: [regex, ...]}} in author order."""
    unknown = set(options) - {key}
    if unknown:
        raise BadOptions(f"unknown option(s) {sorted(unknown)}; expected only {key!r}")
    table = options.get(key)
    if not isinstance(table, dict) or not table:
        raise BadOptions(f"options.{key} must map ids to {{label, patterns}}")
    entries = []
    for entry_id, spec in table.items():
        if not isinstance(spec, dict) or set(spec) - {"label", "patterns"} or "patterns" not in spec:
            raise BadOptions(f"options.{key}.{entry_id} must have patterns: [...] and an optional label:")
        patterns = spec["patterns"]
        if not isinstance(patterns, list) or not patterns or not all(isinstance(p, str) for p in patterns):
            raise BadOptions(f"options.{key}.{entry_id}.patterns must be a non-empty list of regular expressions")
        compiled = []
        for pattern in patterns:
            try:
                compiled.append(re.compile(pattern))
            except re.error as exc:
                raise BadOptions(f"options.{key}.{entry_id}: bad regular expression {pattern!r}: {exc}") from None
        entries.append(Entry(str(entry_id), str(spec.get("label", entry_id)), tuple(compiled)))
    return tuple(entries)


def matching(entries: tuple[Entry, ...], text: str) -> tuple[Entry, ...]:
    normalised = fold_for_matching(text)
    return tuple(entry for entry in entries if any(p.search(normalised) for p in entry.patterns))


# "not", "isn't", "rather than" ... up to two words before a match: "cross-correlation, not a convolution".
_NEGATED = re.compile(r"(?:\bnot|n't|\bnever|\brather than|\binstead of|\bunlike)\s+(?:\S+\s+){0,2}$")


def affirmed(entry: Entry, text: str) -> bool:
    """Whether the text names the entry at least once without negating it."""
    normalised = fold_for_matching(text)
    return any(not _NEGATED.search(normalised[: match.start()])
               for pattern in entry.patterns for match in pattern.finditer(normalised))
