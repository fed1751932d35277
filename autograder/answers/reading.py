"""Lenient lexing shared by the integer, shape and matrix answer types.

Students write numbers in many notations: a Unicode minus from a word
processor, LaTeX pasted from Overleaf, Markdown, a value pasted from Python
(`torch.Size([8, 64, 64])`), thousands separators, full-width characters
from an input method. These helpers reduce that variety to plain text,
split it into tokens and read numbers and numbers-only arithmetic exactly,
as Fractions. Every step is linear in the input and bounded by
autograder.base.limits, because input is hostile until read: no eval, and
int() only ever sees a string whose length was checked.
"""

from __future__ import annotations

import functools
import math
import re
import reprlib
import unicodedata
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Mapping

from autograder.base import limits
from autograder.base.text_enum import TextEnum
from autograder.answers.base import BadOptions, Unreadable, quote


class NotRead(Exception):
    """Why (part of) an answer is not a value.

    The answer type turns it into an Unreadable that quotes the whole answer
    first, so the reason is a clause that reads well after a colon.
    """


# ---------------------------------------------------------------- characters

# Applied before NFKC, which would turn "10²" into "102" and "4½" into "41⁄2".
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻", "0123456789+-")
_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
# An exponent after a base ("10²", "x⁻¹"); elsewhere a superscript digit is a digit ("¹0" is 10) and a
# lone ⁻ a minus sign (see _CHARS).
_SUPERSCRIPT_RUN = re.compile("(?<=[0-9A-Za-z)\\]}])[⁺⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+")
_VULGAR_FRACTION = re.compile("[¼½¾⅐-⅞]")
_BEFORE_NFKC = str.maketrans({"º": "°", "˚": "°"})  # NFKC makes the ordinal º an "o"

# After NFKC, which already maps full-width ASCII (（）［］，；：－＊Ｘ０-９), the
# ideographic space and the no-break spaces to plain ASCII.
_CHARS = str.maketrans(
    {
        # Every dash a word processor or a keyboard makes of a minus sign. One
        # left out is skipped as punctuation: "—5" (an em dash) read as +5.
        **{c: "-" for c in "\u2212\u2013\u2012\ufe63\u2010\u2011\u2014\u2015\ufe58\u207b\u208b\u02d7\u2796"},
        **{c: "×" for c in "\u22c5\u00b7\u2219\u2715\u2716\u2a2f"},   # dot operators, as in 8⋅64⋅64
        "\u2217": "*", "\u2044": "/", "\u2215": "/", "\u2236": ":",
        **{c: '"' for c in "“”„‟″"}, **{c: "'" for c in "‘’‚‛′"},
        "【": "[", "】": "]", "〖": "[", "〗": "]", "〔": "(", "〕": ")", "「": '"', "」": '"',
        "『": '"', "』": '"', "、": ",", "。": ". ",
        # Invisible characters (zero-width spaces and joiners, the BOM, a soft
        # hyphen) are dropped: "16\u200bx62" is what the student sees as 16x62.
        **{c: None for c in "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"},
        **{chr(c): " " for c in range(32) if chr(c) != "\n"},
        "\x7f": " ",
    }
)
_CJK = "\u2e80-\u2fff\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
# A CJK character next to a Latin letter or digit: Chinese has no spaces, but
# "共3512个" holds the number 3512 and "旋转180°" the angle 180°, so a space
# is put between the scripts for every reader and matcher downstream.
@functools.cache  # compiled when first needed: its CJK ranges take milliseconds, and only non-ASCII text uses it
def _script_boundary() -> re.Pattern:
    return re.compile(f"(?<=[{_CJK}])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9°])(?=[{_CJK}])")


_SPACES = re.compile(r"[^\S\n]+")
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")


def unify_characters(text: str) -> str:
    """Unicode look-alikes -> ASCII (NFKC and a small table), scripts spaced, runs of spaces -> one.

    Newlines survive: a matrix may have one row per line. The one normaliser
    for every reader and for the text/choice matcher."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Look-alikes, superscripts, other scripts' digits and CJK are all outside ASCII, where NFKC changes
    # nothing: most answers are ASCII and skip these passes.
    if not text.isascii():
        text = _SUPERSCRIPT_RUN.sub(lambda m: "^(" + m.group().translate(_SUPERSCRIPTS) + ")", text.translate(_BEFORE_NFKC))
        text = text.translate(_SUPERSCRIPT_DIGITS)
        text = _VULGAR_FRACTION.sub(lambda m: " " + unicodedata.normalize("NFKC", m.group()) + " ", text)
        text = unicodedata.normalize("NFKC", text)
    text = text.translate(_CHARS)
    if not text.isascii():
        text = _OTHER_DIGIT.sub(lambda m: str(unicodedata.decimal(m.group())), text)  # "١٥٢" (Arabic-Indic) is 152
        text = _script_boundary().sub(" ", text)
    return "\n".join(line.strip() for line in _SPACES.sub(" ", text).split("\n")).strip()


# ---------------------------------------------------------------- markup students add

_FENCE = re.compile(r"^\s*(?:```|~~~)[\w+-]*\s*$", re.MULTILINE)
_STRUCK = re.compile(r"~~.*?~~", re.DOTALL)
# Emphasis marks come in pairs around text, never between digits ("10**3", "8*64*64").
_EMPHASIS = re.compile(r"(?<![\w*])(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_PROMPT_LINE = re.compile(r"^\s*(?:>>>|\.\.\.|In \[\d*\]:|\$ ).*$\n?", re.MULTILINE)
_OUT_PROMPT = re.compile(r"^\s*Out\[\d*\]:\s*", re.MULTILINE)
_QUOTES = ('""', "''", "``")


def strip_markup(text: str) -> str:
    """Markdown and notebook clutter -> the text itself.

    Code fences, `code`, **bold**, *italics*, struck-out ~~first tries~~ (withdrawn,
    so dropped with their content), REPL input lines (">>> f(A)": the command,
    not its result), "Out[7]:" prompts, and quotes around the whole answer."""
    # Each pattern is tried only on text holding a character it cannot match without.
    if "`" in text or "~" in text:
        text = _STRUCK.sub(" ", _FENCE.sub("", text))
    if any(mark in text for mark in ">.[$"):
        text = _OUT_PROMPT.sub("", _PROMPT_LINE.sub("", text))
    text = text.replace("`", "")
    if "*" in text or "_" in text:
        text = _EMPHASIS.sub(r"\2", text)
    text = text.strip()
    while len(text) >= 2 and text[0] + text[-1] in _QUOTES:
        text = text[1:-1].strip()
    return text


# What numpy and PyTorch print around a value: array(...), tensor(...), torch.Size(...).
_WRAPPER = re.compile(r"(?<![\w.])(?:(?:torch|np|numpy)\.)?(?:tensor|array|asarray|matrix|Size)\s*\(")
_KEYWORD_ARGUMENT = re.compile(r"^\s*[A-Za-z_]\w*\s*=")


def unwrap_printed(text: str) -> str:
    """`tensor([[1., 2.]], grad_fn=<...>)` -> `[[1., 2.]]`: the printed value without its call and keywords."""
    for _ in range(4):  # wrappers nest at most a few deep; each pass is linear
        match = _WRAPPER.search(text)
        if match is None:
            return text
        close = _matching(text, match.end() - 1)
        if close is None:
            return text
        arguments = [a for a in _split_top_level(text[match.end():close]) if not _KEYWORD_ARGUMENT.match(a)]
        text = text[: match.start()] + ", ".join(a.strip() for a in arguments) + text[close + 1:]
    return text




def _matching(text: str, open_index: int) -> int | None:
    """Index of the bracket that closes the one at open_index (any kind nests), or None."""
    depth = 0
    for index in range(open_index, len(text)):
        char = text[index]
        if char in "([{<":
            depth += 1
        elif char in ")]}>":
            depth -= 1
            if depth == 0:
                return index
    return None


def _split_top_level(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char in "([{<":
            depth += 1
        elif char in ")]}>":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return [part for part in parts if part.strip()]


# ---------------------------------------------------------------- LaTeX

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


_BRACED = r"\{([^{}]*)\}"
_LATEX = (
    (re.compile(r"\{,\}"), ","),  # 3{,}512: LaTeX's thousands comma
    # \phantom{-}7 only aligns a column; the sign in it is not part of the number.
    (re.compile(r"\\phantom\s*" + _BRACED), ""),
    (re.compile(r"\\[dt]?frac\s*" + _BRACED + r"\s*" + _BRACED), r"((\1)/(\2))"),
    (re.compile(r"\\(?:text|textrm|textbf|textit|mathrm|mathbf|mathit|mathsf|boldsymbol|operatorname|mbox)\s*" + _BRACED),
     r" \1 "),
    (re.compile(r"\^\s*" + _BRACED), r"^(\1)"),
    (re.compile(r"\^\s*\\circ|\\circ|\\degree"), "°"),
    (re.compile(r"\\(?:times|cdot|ast)(?![A-Za-z])"), " × "),
    (re.compile(r"\\div(?![A-Za-z])"), " ÷ "),
    (re.compile(r"\\(?:to|rightarrow|Rightarrow|implies|longrightarrow|Longrightarrow|mapsto)(?![A-Za-z])"), " → "),
    (re.compile(r"\\star(?![A-Za-z])"), " ⋆ "),
    (re.compile(r"\\lfloor(?![A-Za-z])"), " floor( "),
    (re.compile(r"\\rfloor(?![A-Za-z])"), " ) "),
    (re.compile(r"\\(?:left|right|bigl|bigr|Bigl|Bigr|big|Big)(?![A-Za-z])|\\!|\\%"), ""),
    # "3\,512" is LaTeX's thousands separator, so thin spaces become spaces.
    (re.compile(r"\\(?:quad|qquad)(?![A-Za-z])|\\[,;: ]|~"), " "),
    (re.compile(r"[{}]"), ""),
)
_LATEX_MARKS = "\\{}~"  # no pattern above matches text without one of these


def delatex(text: str) -> str:
    """Drops the LaTeX that students wrap around numbers and dimensions; math stays math (\\frac -> ( )/( ))."""
    if any(mark in text for mark in _LATEX_MARKS):
        for pattern, replacement in _LATEX[:3]:
            text = pattern.sub(replacement, text)
        for _ in range(2):  # \frac inside \frac
            text = _LATEX[2][0].sub(_LATEX[2][1], text)
        for pattern, replacement in _LATEX[3:]:
            text = pattern.sub(replacement, text)
    if text.count("$") % 2 == 0:  # math delimiters in prose ("$W = 64$, so $8 \times 64$"); a lone $ is money
        text = text.replace("$", " ")
    return _SPACES.sub(" ", text).strip()


def clean_text(text: str) -> str:
    """Student text -> plain text: Unicode, markup, printed wrappers, math delimiters and LaTeX undone; lines kept."""
    text = unwrap_printed(strip_markup(unify_characters(text)))
    return "\n".join(delatex(strip_math(line.strip())) for line in strip_math(text).split("\n")).strip()


def clean_line(text: str) -> str:
    """clean_text() on one line."""
    return " ".join(clean_text(text).split())


# ---------------------------------------------------------------- tokens

class Kind(TextEnum):
    """What a token is. The tokenizer's regex names its groups by these values."""

    NUMBER = "number"
    WORD = "word"
    OPERATOR = "operator"
    OPEN = "open"
    CLOSE = "close"
    EQUALS = "equals"
    ARROW = "arrow"
    COMMA = "comma"
    SEMICOLON = "semicolon"
    COLON = "colon"
    SYMBOL = "symbol"
    BATCH = "batch"  # a batch axis symbol in front of a shape's dimensions ("N", "None"): set by the shape reader


@dataclass(frozen=True)
class Token:
    """One lexical piece of an answer: a number, a word, an operator or punctuation, with where it is."""

    kind: Kind
    text: str
    start: int
    end: int
    spaced: bool  # whitespace before it


_GROUPED = r"[0-9]{1,3}(?:(?P<sep>[,' _\u2009\u202f])[0-9]{3}(?![0-9]))(?:(?P=sep)[0-9]{3}(?![0-9]))*"
_PLAIN = r"[0-9]+"
# "12 345.678 901 2": digits after the point grouped by spaces too, only where an integer is read.
_GROUPED_FRACTION = r"\.(?:[0-9]{3}(?:[ \u2009][0-9]{3})*(?:[ \u2009][0-9]{1,3})?(?![0-9])|[0-9]*)"
_FRACTION = r"\.[0-9]*"
_EXPONENT = r"(?:[eE][-+]?[0-9]+)?"
_LETTER = f"[^\\W\\d_{_CJK}]"
_WORDCHAR = f"[^\\W{_CJK}]"


@functools.cache  # compiled when first used: each takes milliseconds (the CJK ranges), and a rubric may need one
def _token_pattern(grouping: bool) -> re.Pattern:
    whole, fraction = (f"(?:{_GROUPED}|{_PLAIN})", _GROUPED_FRACTION) if grouping else (_PLAIN, _FRACTION)
    return re.compile(
        rf"(?P<number>(?:{whole}(?:{fraction})?|\.[0-9]+){_EXPONENT})"
        rf"|(?P<word>{_LETTER}{_WORDCHAR}*|[{_CJK}]+|°)"
        r"|(?P<arrow>->|=>|-->|==>|[→⇒⟶⟹↦∴])"
        r"|(?P<compare>==|>=|<=|!=|≠|≈|±|\+-|-\+)"
        r"|(?P<operator>\*\*|[-+*/×÷^])"
        r"|(?P<open>[(\[{])|(?P<close>[)\]}])|(?P<equals>=)|(?P<comma>,)|(?P<semicolon>;)|(?P<colon>:)"
        r"|(?P<space>\s+)|(?P<symbol>.)",
        re.DOTALL,
    )


def tokenize(text: str, grouping: bool = False) -> list[Token]:
    """Tokens of clean text. With `grouping`, "3,512", "3 512", "3'512" are one number (an integer
    part); without it commas and spaces separate (a shape's or a matrix's entries)."""
    tokens: list[Token] = []
    spaced = False
    for match in _token_pattern(grouping).finditer(text):
        group = match.lastgroup
        if group == "space":
            spaced = True
            continue
        kind = Kind.SYMBOL if group == "compare" else Kind(group)
        tokens.append(Token(kind, match.group(), match.start(), match.end(), spaced))
        spaced = False
    return tokens


# ---------------------------------------------------------------- numbers

_DECIMAL = re.compile(r"([-+]?)([0-9][0-9 ,'_\u2009\u202f]*)?(?:\.([0-9 \u2009]*))?(?:[eE]([-+]?[0-9]+))?")
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
        if int(denominator) == 0:
            raise NotRead(f"{shown} divides by zero")
        value = Fraction(int(numerator), int(denominator))
        return -value if sign == "-" else value
    decimal = _DECIMAL.fullmatch(token)
    if not decimal or not (decimal.group(2) or (decimal.group(3) or "").strip()):
        raise NotRead(f"{shown} is not a number")
    sign, whole, fraction, exponent = decimal.groups()
    whole = _ungroup(shown, whole or "")
    fraction = (fraction or "").replace(" ", "").replace("\u2009", "")
    _check_digits(shown, whole + fraction)
    value = Fraction(int(whole + fraction or "0"), 10 ** len(fraction))
    if exponent is not None:
        if len(exponent.lstrip("+-")) > 3 or abs(int(exponent)) > _MAX_EXPONENT:
            raise NotRead(f"{shown} has an exponent beyond ±{_MAX_EXPONENT}")
        value *= Fraction(10) ** int(exponent)
    # "9e40" has two digits as typed but 41 written out; the limit is on the
    # number, so that show_number() always gives text that reads back.
    _check_written(shown, value)
    return -value if sign == "-" else value


def _check_written(shown: str, value: Fraction) -> None:
    digits, _ = _decimal(value)
    if digits is not None and len(digits) > limits.MAX_NUMBER_DIGITS:
        raise NotRead(f"{shown} has more than {limits.MAX_NUMBER_DIGITS} digits written out")


def _ungroup(shown: str, whole: str) -> str:
    """Removes thousands separators, which must all be one kind, in threes, after a first group not led by 0."""
    separators = set(whole) - set("0123456789")
    if not separators:
        return whole
    if len(separators) > 1:
        raise NotRead(f"{shown} mixes different thousands separators")
    groups = whole.split(separators.pop())
    if not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:]):
        raise NotRead(f"{shown} does not group its digits in threes")
    if groups[0].startswith("0"):  # "0,123" is a decimal comma, not 123
        raise NotRead(f"{shown} starts with a zero before a separator")
    return "".join(groups)


def _check_digits(shown: str, digits: str) -> None:
    if len(digits.lstrip("0")) > limits.MAX_NUMBER_DIGITS or len(digits) > _MAX_TOKEN_CHARS:
        raise NotRead(f"{shown} has more than {limits.MAX_NUMBER_DIGITS} digits")


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
        return read_entry(text)
    raise NotRead(kind_error(raw))


def read_entry(text: str) -> Fraction:
    """One entry of a list or matrix as text: a number, with its sign possibly detached ("- 17")."""
    return read_number(_DETACHED_SIGN.sub(r"\1", text))


_DETACHED_SIGN = re.compile(r"^([-+])\s+")


def kind_error(raw: Any) -> str:
    """Why a value of this kind is not an answer at all."""
    if raw is None:
        return "there is no answer"
    if isinstance(raw, Mapping):
        return "it is a group of key: value pairs, not a value"
    return f"a value of type {type(raw).__name__} cannot be read"


# ---------------------------------------------------------------- numbers-only arithmetic

_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "×": 2, "/": 2, "÷": 2, "^": 4, "**": 4, "neg": 3, "pos": 3}
_RIGHT = {"^", "**", "neg", "pos"}
# Intermediate values may be larger than an answer (1e23 * 10^-20), but bounded.
_MAX_WORKING_BITS = 8 * _MAX_BITS


def evaluate(tokens: list[Token]) -> Fraction:
    """Numbers-only arithmetic, exactly (shunting-yard, no recursion): + - * × / ÷ ^ ** and brackets.

    Signs compose ("--(-12)" is -12); "+-" is the plus-minus sign and two
    numbers side by side ("4 2/3") are no arithmetic, so both are refused."""
    output: list[Fraction] = []
    operators: list[str] = []
    expect_operand = True
    previous: Token | None = None
    for token in tokens:
        if token.kind == Kind.NUMBER:
            if not expect_operand:
                raise NotRead(f'{quote(previous.text + " " + token.text)} are two numbers side by side, not one value')
            output.append(read_number(token.text))
            expect_operand = False
        elif token.kind == Kind.OPEN:
            if not expect_operand:
                raise NotRead(f'a number is followed by "{token.text}" with no operator between')
            operators.append("(")
        elif token.kind == Kind.CLOSE:
            if expect_operand:
                raise NotRead("a bracket closes an incomplete expression")
            while operators and operators[-1] != "(":
                _apply(operators.pop(), output)
            if not operators:
                raise NotRead("a bracket is closed but never opened")
            operators.pop()
        elif token.kind == Kind.OPERATOR:
            operator = "*" if token.text == "×" else "/" if token.text == "÷" else "^" if token.text == "**" else token.text
            if expect_operand:
                if operator not in "+-":
                    raise NotRead(f'{quote(token.text)} has no number before it')
                if previous is not None and previous.kind == Kind.OPERATOR and previous.text in "+-" \
                        and previous.text != operator and not token.spaced:
                    raise NotRead('"+-" is the plus-minus sign: two values, not one')
                operator = "neg" if operator == "-" else "pos"
            else:
                while operators and operators[-1] != "(" and (
                        _PRECEDENCE[operators[-1]] > _PRECEDENCE[operator]
                        or (_PRECEDENCE[operators[-1]] == _PRECEDENCE[operator] and operator not in _RIGHT)):
                    _apply(operators.pop(), output)
                expect_operand = True
            operators.append(operator)
        else:
            raise NotRead(f'{quote(token.text)} is not arithmetic')
        previous = token
    if expect_operand:
        raise NotRead("it ends with an operator")
    while operators:
        operator = operators.pop()
        if operator == "(":
            raise NotRead("a bracket is opened but never closed")
        _apply(operator, output)
    return output[-1]


def _apply(operator: str, output: list[Fraction]) -> None:
    if operator in ("neg", "pos"):
        output.append(-output.pop() if operator == "neg" else output.pop())
        return
    right, left = output.pop(), output.pop()
    if operator == "+":
        result = left + right
    elif operator == "-":
        result = left - right
    elif operator == "*":
        result = left * right
    elif operator == "/":
        if right == 0:
            raise NotRead("it divides by zero")
        result = left / right
    else:
        result = _power(left, right)
    if max(abs(result.numerator), result.denominator).bit_length() > _MAX_WORKING_BITS:
        raise NotRead(f"its arithmetic gives a number of more than {limits.MAX_NUMBER_DIGITS} digits")
    output.append(result)


def _power(base: Fraction, exponent: Fraction) -> Fraction:
    if exponent.denominator != 1:
        raise NotRead("it raises a number to a fractional power")
    size = max(abs(base.numerator), base.denominator).bit_length()
    if size * abs(exponent.numerator) > _MAX_WORKING_BITS:
        raise NotRead(f"its arithmetic gives a number of more than {limits.MAX_NUMBER_DIGITS} digits")
    if base == 0 and exponent < 0:
        raise NotRead("it divides by zero")
    return base ** int(exponent)


def checked_value(shown: str, value: Fraction) -> Fraction:
    """A computed value, refused unless it is shown within the bounds of a number typed in (and so reads back)."""
    if max(abs(value.numerator), value.denominator).bit_length() > _MAX_BITS + 8:
        raise NotRead(f"{shown} has more than {limits.MAX_NUMBER_DIGITS} digits")
    try:
        return read_number(show_number(value))
    except NotRead:
        raise NotRead(f"{shown} comes to a number of more than {limits.MAX_NUMBER_DIGITS} digits") from None


# ---------------------------------------------------------------- numbers in words

_UNITS = {word: n for n, word in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
_TENS = {word: 10 * n for n, word in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if n > 1}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9}


def number_in_words(text: str) -> int | None:
    """"three thousand five hundred and twelve" -> 3512; None unless the whole text is such a number."""
    words = re.split(r"[\s-]+", text.strip().lower())
    if not words or words == [""] or words[0] == "and" or len(words) > 20:
        return None
    total = current = 0
    seen_number = False
    for word in words:
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred" and seen_number:
            current = (current or 1) * 100
        elif word in _SCALES and seen_number:
            total, current = total + (current or 1) * _SCALES[word], 0
        elif word == "and" and seen_number:
            continue
        else:
            return None
        seen_number = True
    return total + current


# ---------------------------------------------------------------- showing numbers

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
