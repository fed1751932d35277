"""The small interface every answer type implements.

After PrairieLearn's answer elements: one module per type owns its lenient
parsing, its comparison and its feedback wording. The judge never looks
inside a value; it only calls these methods.

Values are plain, hashable Python data (ints, Fractions, str, tuples), so a
compiled answer key can be stored as JSON and compared without numpy/sympy.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Protocol


class Unreadable(Exception):
    """A student's answer that could not be read.

    The message is shown to the student as is: it quotes (a bounded excerpt
    of) what they wrote and shows the form that was expected.
    """


class BadOptions(ValueError):
    """A part's type options in the rubric are wrong (an author error)."""


# A transform maps the correct value to another reading of it that the
# author may declare as a mistake (e.g. a shape written channels-last).
# It returns None where the reading does not exist for that value.
Transform = Callable[[Any], Any]

# A near miss compares the student's value with the correct one and returns
# a count of how far off it is (e.g. wrong matrix entries), or None when the
# comparison does not apply.
NearMiss = Callable[[Any, Any], "int | None"]


class AnswerType(Protocol):
    name: str
    expected_form: str
    transforms: Mapping[str, Transform]
    near_misses: Mapping[str, NearMiss]

    def parse(self, raw: Any) -> Any:
        """Student input (str, or list/number from YAML/JSON) -> value; raises Unreadable."""

    def from_key(self, data: Any) -> Any:
        """Plain JSON data from a solver or the compiled key -> value."""

    def to_key(self, value: Any) -> Any:
        """Value -> plain JSON data (inverse of from_key)."""

    def same(self, student: Any, expected: Any) -> bool:
        """Whether the student's value is this expected value."""

    def show(self, value: Any) -> str:
        """The value as the student is shown it ("8 x 64 x 64")."""


def quote(raw: Any, limit: int = 80) -> str:
    """A bounded, single-line excerpt of student input for messages."""
    text = raw if isinstance(raw, str) else repr(raw)
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f'"{text}"'
