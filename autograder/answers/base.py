"""The small interface every answer type implements.

After PrairieLearn's answer elements: one module per type owns its lenient
parsing, its comparison and its feedback wording. The judge never looks
inside a value; it only calls these methods.

Values are plain, hashable Python data (ints, Fractions, str, tuples), so a
compiled answer key can be stored as JSON and compared without numpy/sympy.
"""

from __future__ import annotations

from fractions import Fraction
from types import MappingProxyType
from typing import Any, Callable, Iterable, Iterator, Mapping, Protocol


class Unreadable(Exception):
    """A student's answer that could not be read.

    The message is shown to the student as is: it quotes (a bounded excerpt
    of) what they wrote and shows the form that was expected.
    """


class BadOptions(ValueError):
    """A part's type options in the rubric are wrong (an author error).

    `path` is where in the options, when known: ("concepts", "symmetric", "phrases", 2)."""

    def __init__(self, message: str, path: tuple = ()):
        super().__init__(message)
        self.path = path


# A transform maps the correct value to another reading of it that the
# author may declare as a mistake (e.g. a shape written channels-last).
# It returns None where the reading does not exist for that value.
TransformFunction = Callable[[Any], Any]

# A near miss compares the student's value with the correct one and returns
# a count of how far off it is (e.g. wrong matrix entries), or None when the
# comparison does not apply.
NearMissCounter = Callable[[Any, Any], "int | None"]


class AnswerType(Protocol):
    """What the rest of the engine may ask of an answer type; nothing outside answers/ looks inside a value."""

    name: str
    expected_form: str
    needs_review: bool                 # a TA reads every answer (free text): tagged for review, listed in review.csv
    literal_key: bool                  # its key is typed into the rubric (a choice's id, a text's concepts): no solver computes it
    transforms: Mapping[str, TransformFunction]
    near_misses: Mapping[str, NearMissCounter]
    readings: Mapping[str, str]        # ways of reading it a rubric may declare as `reading:` mistakes, described
    key_words: tuple[str, ...]         # words students use for its answers in a key ("shape", "count")

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

    def received(self, value: Any) -> str:
        """How the submission check acknowledges a student's answer before the due date."""

    def review_text(self, value: Any) -> str | None:
        """The text a TA reads for this answer (free text), or None for a type no TA reviews."""

    def answer_like(self, expected: Any) -> Any:
        """A student's value that is exactly this expected value (the key of a text part is a set of concepts)."""

    def explain(self, value: Any, expected: Any) -> str:
        """What the student's value lacks of the expected one, in their terms, or "" (free text: the concepts not found)."""

    def notes(self, value: Any) -> frozenset[str]:
        """How the value was read where a rubric may declare it a `reading:` mistake (e.g. a batch axis read off)."""

    def formula_input(self, value: Any) -> Fraction | tuple[Fraction, ...] | None:
        """The value as a later part's formula takes it (error carried forward): a number, a tuple of
        numbers, or None when no formula can use a value of this type."""

    def mutations(self, expected: Any) -> Iterator[tuple[str, Any]]:
        """Named near-variants of a correct value (a sign flipped, a dimension off by one...), for `check`.

        None of them may be graded correct; a variant that is no value of
        this type (a negative dimension) is left out."""

    def near_miss_limit(self, name: str, expected: Any) -> int:
        """The largest count near miss `name` can give against this expected value while part of the
        answer is still right (an arithmetic slip on a 1x1 matrix can count none), for `check`."""


# A way of reading an answer that a rubric may declare as a mistake: a leading batch axis read off.
BATCH_AXIS = "batch_axis"


class AnswerTypeDefaults:
    """What an answer type has unless it says otherwise: no generic readings, no formula input."""

    literal_key = False
    transforms: Mapping[str, TransformFunction] = MappingProxyType({})
    near_misses: Mapping[str, NearMissCounter] = MappingProxyType({})
    readings: Mapping[str, str] = MappingProxyType({})
    key_words: tuple[str, ...] = ()

    def explain(self, value: Any, expected: Any) -> str:
        return ""  # the value shown and the mistake's feedback say it all

    def notes(self, value: Any) -> frozenset[str]:
        return frozenset()  # read as it stands

    def formula_input(self, value: Any) -> None:
        return None  # no solver formula takes a value of this type

    def near_miss_limit(self, name: str, expected: Any) -> int:
        return 0  # a type without near misses


class ExactAnswer(AnswerTypeDefaults):
    """The shared half of an answer type the engine judges alone: no TA reads it, and its key is an answer."""

    needs_review = False

    def received(self, value: Any) -> str:
        return self.show(value)

    def review_text(self, value: Any) -> None:
        return None

    def answer_like(self, expected: Any) -> Any:
        return expected


def keyed_mutations(answer_type: AnswerType, named_data: Iterable[tuple[str, Any]]) -> Iterator[tuple[str, Any]]:
    """Mutations made on a value's key data, as values; data that is no value of the type is skipped."""
    for name, data in named_data:
        try:
            yield name, answer_type.from_key(data)
        except (Unreadable, ValueError, TypeError, ArithmeticError):
            continue  # e.g. a shape of one dimension: no student can write it


class SourceText(str):
    """An answer as the file format read it, and as the student typed it (`typed`).

    YAML turns the \\t of a double-quoted "$8 \\times 64$" into a tab and folds
    rows typed on separate lines into one; the readers of numbers read what was
    typed, every other reader (and any comparison) sees the format's value."""

    def __new__(cls, value: str, typed: str):
        text = super().__new__(cls, value)
        text.typed = typed
        return text


def typed(raw: Any) -> Any:
    """The answer as the student typed it, where the file format read it otherwise."""
    return getattr(raw, "typed", raw)


def quote(raw: Any, limit: int = 80) -> str:
    """A bounded, single-line excerpt of student input for messages."""
    text = raw if isinstance(raw, str) else repr(raw)
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f'"{text}"'
