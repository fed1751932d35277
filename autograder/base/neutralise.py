"""Text leaving the engine, made safe for where it goes: one neutraliser per destination.

Names, ids, file names and answers come from students and from Gradescope's
export, and can hold characters that do not show as themselves: an escape
sequence that rewrites a staff member's terminal, a line break that adds a
fake line to a summary, a log or a student's submission check, a
bidirectional override that reorders a name and an SID on the screen, a
lone surrogate that is no character at all. Every writer passes the text it
writes through the function for its destination, which shows each such
character as a visible `\\uXXXX` escape:

| destination | function | line breaks |
|---|---|---|
| a terminal or a log (the regrade's summary, the staff log, error messages) | `terminal` | escaped: give one line at a time |
| Gradescope's `text` output format (results.json) | `gradescope_text` | escaped inside a line; lines joined |
| a CSV cell (grades.csv, review.csv, changes.csv) | `csv_cell` | kept (the cell is quoted); a leading formula character guarded |
| HTML text (report.html) | `html_text` | kept (HTML folds them); then HTML-escaped |
"""

from __future__ import annotations

import re
from typing import Any, Iterable

# C0 and C1 controls (ESC, CR, NEL...), the bidirectional marks, embeddings,
# overrides and isolates, the Unicode line and paragraph separators, lone
# surrogates, and the invisible ones (zero-width spaces and joiners, word
# joiners, the BOM, a soft hyphen): a zero-width space must not make "16" look
# unreadable for no reason.
_NOT_C0 = ("\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\u2028\u2029"
           "\ufeff\ud800-\udfff")
_ANY_UNSAFE = re.compile(f"[\x00-\x1f{_NOT_C0}]")
_UNSAFE_BUT_NEWLINE = re.compile(f"[\x00-\x09\x0b-\x1f{_NOT_C0}]")
# A spreadsheet runs a cell that starts like a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _escape(match: re.Match) -> str:
    return f"\\u{ord(match.group()):04x}"


def terminal(line: Any) -> str:
    """One line for a terminal or a log: every character that would not show as itself, a line break included, escaped."""
    return _ANY_UNSAFE.sub(_escape, str(line))


def gradescope_text(lines: Iterable[str]) -> str:
    """Lines for Gradescope's `text` output format, each neutralised as one line, joined by line breaks."""
    return "\n".join(_ANY_UNSAFE.sub(_escape, line) for line in lines)


def csv_cell(value: Any) -> str:
    """A CSV cell: line breaks kept (the writer quotes them), every other unsafe character escaped, a formula guarded."""
    text = "" if value is None else _UNSAFE_BUT_NEWLINE.sub(_escape, str(value))
    return "'" + text if text.startswith(_FORMULA_START) else text


def html_text(value: Any) -> str:
    """Text for an HTML page: unsafe characters escaped as visible text, then HTML-escaped."""
    import html  # only report pages need it: its entity table would cost every grader's start a millisecond

    return html.escape(_UNSAFE_BUT_NEWLINE.sub(_escape, str(value)))
