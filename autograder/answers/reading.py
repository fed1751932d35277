"""Lenient lexing shared by the integer, shape and matrix answer types.

Students write numbers in many notations: a Unicode minus from a word
processor, LaTeX pasted from Overleaf, thousands separators, full-width
digits from an input method. These helpers reduce that variety to plain
text and read one number exactly, as a Fraction. Every step is linear in the
input and bounded by autograder.base.limits, because input is hostile until read:
no eval, and int() only ever sees a string whose length was checked.
"""

from __future__ import annotations

import math
import re
import reprlib
from fractions import Fraction
from typing import Any, Callable, Mapping

from autograder.base import limits
from autograder.answers.base import BadOptions, Unreadable, quote


class NotRead(Exception):
    """Why (part of) an answer is not a value.

    The answer type turns it into an Unreadable that quotes the whole answer
    first, so the reason is a clause that reads well after a colon.
    """


_CHARS = str.maketrans(
    {
        # Every dash a word processor or a keyboard makes of a minus sign. One
        # left out is skipped as punctuation: "—5" (an em dash) read as +5.
        **{c: "-" for c in "\u2212\u2013\u2012\ufe63\uff0d\u2010\u2011\u2014\u2015\ufe58\u207b\u208b\u02d7\u2796"},
        **{chr(0xFF10 + d): str(d) for d in range(10)},
        "\u22c5": "×",  # the dot operator, as in 8⋅64⋅64
        "\r": "\n",
    }
)
# Newlines survive normalising: a matrix may have one row per line.
_SPACES = re.compile(r"[^\S\n]+")


def unify_characters(text: str) -> str:
    """Unicode look-alikes -> ASCII, runs of spaces -> one space, stripped."""
    text = text.replace("\r\n", "\n").translate(_CHARS)
    return _SPACES.sub(" ", text).strip()


_MATH_DELIMITERS = (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]"))


def strip_math(text: str) -> str:
    """Removes one pair of LaTeX math delimiters around the whole text."""
    for left, right in _MATH_DELIMITERS:
        if (
            len(text) >= len(left) + len(right)
            and text.startswith(left)
            and text.endswith(right)
        ):
            return text[len(left) : len(text) - len(right)].strip()
    return text


_LATEX = (
    # \phantom{-}7 only aligns a column; the sign in it is not part of the number.
    (re.compile(r"\\phantom\{[^{}]*\}"), ""),
    (re.compile(r"\\(?:times|cdot)(?![A-Za-z])"), " × "),
    (re.compile(r"\\(?:left|right|text|mathrm|textrm|mbox)(?![A-Za-z])|\\!|[{}]"), ""),
    # "3\,512" is LaTeX's thousands separator, so thin spaces become spaces.
    (re.compile(r"\\(?:quad|qquad)(?![A-Za-z])|\\[,;: ]"), " "),
)


def delatex(text: str) -> str:
    """Drops the LaTeX that students wrap around numbers and dimensions."""
    for pattern, replacement in _LATEX:
        text = pattern.sub(replacement, text)
    return _SPACES.sub(" ", text).strip()


def clean_line(text: str) -> str:
    """Student text -> one plain line: Unicode, math delimiters and LaTeX undone."""
    return " ".join(delatex(strip_math(unify_characters(text))).split())


def after_last_equals(text: str) -> str:
    """A worked answer ("288 + 8 + 3200 + 16 = 3512") ends with its result."""
    return text.rsplit("=", 1)[-1].strip()


_COMMENT = re.compile(r"\(([^()]*)\)")


def drop_comments(text: str) -> str:
    """Drops parentheticals with letters but no digits, e.g. "(C x W x H)".

    One with digits may be the answer itself ("(8 x 64 x 64)") or a second
    number, which must not be silently ignored.
    """

    def comment(match: re.Match[str]) -> str:
        inside = match.group(1)
        if any(c.isalpha() for c in inside) and not any(c in "0123456789" for c in inside):
            return " "
        return match.group(0)

    return _COMMENT.sub(comment, text).strip()


# A number inside prose. It must not be glued to letters ("q1a", "conv1",
# "64²"): those digits are not the answer. A sign may follow a digit
# ("3512-3488" is two numbers) but not a letter ("x-5" is no number).
_NUMBER_IN_TEXT = re.compile(
    r"(?:(?<![^\W\d])(?<![.])[-+]|(?<![\w.+-]))"
    r"(?:[0-9]+(?:[ ,_][0-9]{3})*(?:\.[0-9]*)?|\.[0-9]+)"
    r"(?:[eE][-+]?[0-9]+|/[0-9]+)?"
    r"(?!\w|\.[0-9])"
)


def find_numbers(text: str) -> list[str]:
    """The number tokens in a line of prose, in order (not yet checked)."""
    return [m.group(0) for m in _NUMBER_IN_TEXT.finditer(text)]


_DECIMAL = re.compile(r"([-+]?)([0-9][0-9 ,_]*)?(?:\.([0-9]*))?(?:[eE]([-+]?[0-9]+))?")
_RATIO = re.compile(r"([-+]?)([0-9]+)/([0-9]+)")
# Longer than any number within MAX_NUMBER_DIGITS could be written, even
# with separators, so the regex and int() never see long input.
_MAX_TOKEN_CHARS = 2 * limits.MAX_NUMBER_DIGITS + 12
_MAX_EXPONENT = limits.MAX_NUMBER_DIGITS


def read_number(token: str) -> Fraction:
    """One number token, exactly: "3512", "3,512", "3512.0", "-2.5e3", "7/3"."""
    shown = quote(token)
    if len(token) > _MAX_TOKEN_CHARS:
        raise NotRead(f"{shown} has more than {limits.MAX_NUMBER_DIGITS} digits")
    ratio = _RATIO.fullmatch(token)
    if ratio:
        sign, numerator, denominator = ratio.groups()
        _check_digits(shown, numerator + denominator)
        _check_leading_zero(shown, numerator)
        _check_leading_zero(shown, denominator)
        if int(denominator) == 0:
            raise NotRead(f"{shown} divides by zero")
        value = Fraction(int(numerator), int(denominator))
        return -value if sign == "-" else value
    decimal = _DECIMAL.fullmatch(token)
    if not decimal or not (decimal.group(2) or decimal.group(3)):
        raise NotRead(f"{shown} is not a number")
    sign, whole, fraction, exponent = decimal.groups()
    whole = _ungroup(shown, whole or "")
    fraction = fraction or ""
    _check_digits(shown, whole + fraction)
    _check_leading_zero(shown, whole)
    value = Fraction(int(whole + fraction or "0"), 10 ** len(fraction))
    if exponent is not None:
        if len(exponent.lstrip("+-")) > 3 or abs(int(exponent)) > _MAX_EXPONENT:
            raise NotRead(f"{shown} has an exponent beyond ±{_MAX_EXPONENT}")
        value *= Fraction(10) ** int(exponent)
    # "9e40" has two digits as typed but 41 written out; the limit is on the
    # number, so that show_number() always gives text that reads back.
    digits, _ = _decimal(value)  # a decimal times a power of ten always ends
    if len(digits) > limits.MAX_NUMBER_DIGITS:
        raise NotRead(f"{shown} has more than {limits.MAX_NUMBER_DIGITS} digits written out")
    return -value if sign == "-" else value


def _ungroup(shown: str, whole: str) -> str:
    """Removes thousands separators, which must all be one kind, in threes."""
    separators = set(whole) - set("0123456789")
    if not separators:
        return whole
    if len(separators) > 1:
        raise NotRead(f"{shown} mixes different thousands separators")
    groups = whole.split(separators.pop())
    if not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:]):
        raise NotRead(f"{shown} does not group its digits in threes")
    return "".join(groups)


def _check_digits(shown: str, digits: str) -> None:
    if len(digits) > limits.MAX_NUMBER_DIGITS:
        raise NotRead(f"{shown} has more than {limits.MAX_NUMBER_DIGITS} digits")


def _check_leading_zero(shown: str, digits: str) -> None:
    # "1,000 2,000" split at its commas gives "000": refusing leading zeros
    # keeps such a misreading from passing as numbers.
    if len(digits) > 1 and digits[0] == "0":
        raise NotRead(f"{shown} starts with a zero")


# Bits of the largest number allowed: a cheap bound checked before str(int).
_MAX_BITS = math.ceil(limits.MAX_NUMBER_DIGITS * math.log2(10))


def read_scalar(raw: Any) -> Fraction:
    """One number given as YAML/JSON data: a number, or text that is one number."""
    if isinstance(raw, bool):
        raise NotRead(f"{str(raw).lower()} is not a number")
    if isinstance(raw, int):
        if raw.bit_length() > _MAX_BITS or len(str(abs(raw))) > limits.MAX_NUMBER_DIGITS:
            raise NotRead(f"a number has more than {limits.MAX_NUMBER_DIGITS} digits")
        return Fraction(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise NotRead(f"{raw!r} is not a finite number")
        # repr is the shortest text for the float, so 0.1 reads as 1/10,
        # not as the binary fraction nearest to it.
        return read_number(repr(raw))
    if isinstance(raw, Fraction):
        if max(abs(raw.numerator), raw.denominator).bit_length() > _MAX_BITS:
            raise NotRead(f"a number has more than {limits.MAX_NUMBER_DIGITS} digits")
        # Read as it is shown, so that a value too long to show readably is refused.
        return read_number(show_number(raw))
    if isinstance(raw, str):
        if len(raw) > limits.MAX_ANSWER_CHARS:
            raise NotRead("a value is too long")
        text = clean_line(raw)
        if not text:
            raise NotRead("a value is empty")
        return read_number(text)
    raise NotRead(kind_error(raw))


def kind_error(raw: Any) -> str:
    """Why a value of this kind is not an answer at all."""
    if raw is None:
        return "there is no answer"
    if isinstance(raw, Mapping):
        return "it is a group of key: value pairs, not a value"
    return f"a value of type {type(raw).__name__} cannot be read"


def show_number(value: Fraction) -> str:
    """A decimal when the expansion ends within MAX_NUMBER_DIGITS digits ("3512.4"), else "p/q"."""
    if value.denominator == 1:
        return str(value.numerator)
    digits, places = _decimal(value)
    if digits is None or len(digits) > limits.MAX_NUMBER_DIGITS:
        return f"{value.numerator}/{value.denominator}"
    sign = "-" if value < 0 else ""
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


def _decimal(value: Fraction) -> tuple[str | None, int]:
    """|value| written out as a decimal: its digits ("0125" for 0.125) and the places after the point.

    (None, 0) when the expansion never ends (1/3)."""
    if value.denominator == 1:
        return str(abs(value.numerator)), 0
    rest, twos, fives = value.denominator, 0, 0
    while rest % 2 == 0:
        rest, twos = rest // 2, twos + 1
    while rest % 5 == 0:
        rest, fives = rest // 5, fives + 1
    if rest != 1:
        return None, 0
    places = max(twos, fives)
    return str(abs(value.numerator) * (10**places // value.denominator)).rjust(places + 1, "0"), places


def key_number(value: Fraction) -> int | str:
    """JSON data for a number: an int, or "p/q" to stay exact."""
    if value.denominator == 1:
        return value.numerator
    return f"{value.numerator}/{value.denominator}"


class _Brief(reprlib.Repr):
    """repr bounded in depth and width, safe for any object."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel = 3
        self.maxlist = self.maxtuple = 8
        self.maxdict = 4
        self.maxstring = 60
        self.maxother = 40

    def repr_str(self, x: str, level: int) -> str:
        # Inside a list, text is shown as the student wrote it: [[2, -5], [x, 1]], not [['2', '-5'], ...].
        return x if len(x) <= self.maxstring else x[: self.maxstring - 1] + "…"

    def repr_int(self, x: int, level: int) -> str:
        # repr() of an int with more than 4300 digits raises ValueError.
        if x.bit_length() > 256:
            return f"<a {int(x.bit_length() * math.log10(2)) + 1}-digit number>"
        return repr(x)


_BRIEF = _Brief()


def excerpt(raw: Any) -> str:
    """quote() of any input, without the cost or errors of repr on huge data."""
    if isinstance(raw, str):
        # quote() shortens to 80 characters anyway; cut first so a huge
        # string costs nothing.
        return quote(raw[:200])
    return quote(_BRIEF.repr(raw))


def read_answer(raw: Any, what: str, expected: str, read: Callable[[Any], Any]) -> Any:
    """Runs a reader; turns its NotRead into the student-facing Unreadable."""
    try:
        if isinstance(raw, str) and len(raw) > limits.MAX_ANSWER_CHARS:
            raise NotRead(
                f"it is too long ({len(raw)} characters, at most {limits.MAX_ANSWER_CHARS})"
            )
        return read(raw)
    except NotRead as reason:
        raise Unreadable(
            f"Could not read {excerpt(raw)} as {what}: {reason}. Expected {expected}."
        ) from None


def check_no_options(name: str, options: Mapping[str, Any] | None) -> None:
    """The numeric types have no options; a stray one is a rubric typo."""
    if options is None:
        return
    if not isinstance(options, Mapping):
        raise BadOptions(f"options of a {name} answer must be a mapping, not {type(options).__name__}")
    if options:
        unknown = ", ".join(sorted(repr(key) for key in options))
        raise BadOptions(f"the {name} answer type takes no options; unknown: {unknown}")
