"""A tensor shape, such as a layer's output "8x64x64" (C x W x H).

The value is a tuple of non-negative ints. Commas and spaces separate
dimensions here, so they are never read as thousands separators.
"""

from __future__ import annotations

import re
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Callable, Iterator, Mapping, Sequence

from autograder.base import limits
from autograder.answers import reading
from autograder.answers.base import BadOptions, ExactAnswer, keyed_mutations
from autograder.answers.reading import NotRead

Shape = tuple[int, ...]

# "x", "×" (also from \times), "*", "," or "by", or a plain space. An "x"
# or "by" inside a word ("sixty") is no separator, so the word is reported.
_SEPARATOR = re.compile(
    r" ?(?:[×*,]|(?<![a-wyz])x(?![a-wyz])|(?<![a-z])by(?![a-z])) ?| ", re.IGNORECASE
)


def _channels_last(shape: Shape) -> Shape | None:
    return shape[1:] + shape[:1] if len(shape) >= 3 else None


def _drop_channels(shape: Shape) -> Shape | None:
    return shape[1:] if len(shape) >= 3 else None


class ShapeAnswer(ExactAnswer):
    """A tensor shape, dimensions in the order the homework asks for."""

    name = "shape"
    transforms = MappingProxyType(
        {"channels_last": _channels_last, "drop_channels": _drop_channels}
    )
    near_misses = MappingProxyType({})

    def __init__(self, options: Mapping[str, Any]) -> None:
        # `form` names the dimensions for students ("C x W x H", "N x features"): it is
        # what every "could not read" message ends with, so it should match the homework.
        form = (options or {}).get("form", 'dimensions separated by "x", e.g. "3x32x32"')
        reading.check_no_options(self.name, {key: value for key, value in (options or {}).items() if key != "form"})
        if not isinstance(form, str) or not form.strip() or len(form) > 100:
            raise BadOptions("options.form describes the expected shape in at most 100 characters, "
                             'e.g. "C x W x H, e.g. 3x32x32"')
        self.expected_form = form.strip()

    def parse(self, raw: Any) -> Shape:
        return reading.read_answer(raw, "a shape", self.expected_form, _read)

    def from_key(self, data: Any) -> Shape:
        return reading.read_answer(data, "a shape", self.expected_form, _read_list)

    def to_key(self, value: Shape) -> list[int]:
        return list(value)

    def same(self, student: Shape, expected: Shape) -> bool:
        return student == expected

    def show(self, value: Shape) -> str:
        return " x ".join(str(d) for d in value)

    def mutations(self, expected: Shape) -> Iterator[tuple[str, Shape]]:
        return keyed_mutations(self, _slips(list(expected)))


def _slips(dimensions: list[int]) -> Iterator[tuple[str, list[int]]]:
    for i, dimension in enumerate(dimensions):
        for step in (1, -1):
            yield f"dimension {i + 1} off by {step:+d}", dimensions[:i] + [dimension + step] + dimensions[i + 1:]
    yield "reversed", dimensions[::-1]
    yield "first dimension (channels) dropped", dimensions[1:]
    yield "last dimension dropped", dimensions[:-1]


def _read(raw: Any) -> Shape:
    if isinstance(raw, str):
        return _read_text(raw)
    if isinstance(raw, (list, tuple)):
        return _read_list(raw)
    return _dimensions([raw], reading.read_scalar)


def _read_list(raw: Any) -> Shape:
    if not isinstance(raw, (list, tuple)):
        raise NotRead("it is not a list of dimensions")
    # YAML "- 8x64x64" is a one-element list holding the whole shape.
    if len(raw) == 1 and isinstance(raw[0], str):
        return _read_text(raw[0])
    if len(raw) <= limits.MAX_SHAPE_DIMS and any(isinstance(d, (list, tuple)) for d in raw):
        raise NotRead("it has a list inside the list; write one number per dimension")
    return _dimensions(raw, reading.read_scalar)


def _read_text(raw: str) -> Shape:
    text = reading.drop_comments(reading.clean_line(raw))
    if "=" in text:
        text = reading.after_last_equals(text)
    text = _unwrap(text)
    if not text:
        raise NotRead("it is empty")
    if any(c in text for c in "()[]"):
        raise NotRead("it has brackets inside; write the dimensions once")
    parts = _SEPARATOR.split(text)
    if "" in parts:
        raise NotRead("a dimension is missing between separators")
    return _dimensions(parts, reading.read_number)


def _unwrap(text: str) -> str:
    for left, right in ("()", "[]"):
        if text[:1] == left and text[-1:] == right:
            return text[1:-1].strip()
    return text


def _dimensions(parts: Sequence[Any], read: Callable[[Any], Fraction]) -> Shape:
    # Too many parts is refused before reading; too few after, so that a
    # word ("eight") is reported as not a number rather than as missing.
    if len(parts) > limits.MAX_SHAPE_DIMS:
        raise NotRead(f"it has {len(parts)} dimensions, more than {limits.MAX_SHAPE_DIMS}")
    shape = tuple(_dimension(read(part)) for part in parts)
    if len(shape) < 2:
        raise NotRead(_too_few(len(shape)))
    return shape


def _too_few(count: int) -> str:
    return f"it has {count} number{'s' if count != 1 else ''}; a shape has at least 2 dimensions"


def _dimension(value: Fraction) -> int:
    if value.denominator != 1:
        raise NotRead(f"{reading.show_number(value)} is not a whole number")
    if value < 0:
        raise NotRead(f"{value} is negative")
    return value.numerator
