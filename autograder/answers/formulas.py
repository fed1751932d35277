"""A concept shown by a formula or a line of code, read as text: nothing a student writes is evaluated.

Both the rubric's formula and the student's answer are rewritten into the
same plain notation, then the formula is looked for as a run of tokens:

    B[i][j], B[i, j], B_{i,j}     -> b [ i , j ]
    np.rot90(B, k=2) == B         -> rot90 ( b , 2 ) = b      (np., numpy., torch. and keywords dropped)
    Bᵀ, B^T, B^{T}, B.T, B^\top   -> b ^ t
    rot_{180^\\circ}(B), rot(B, π) -> rot180 ( b ), rot ( b , 180 )
    "is equal to", "must equal"   -> =

In a rubric formula the letters i, j, k, l, p, q, u, v, x, y are indices:
each stands for whatever one letter the student used, consistently
(`B[i][j] = B[j][i]` matches "B[x][y] = B[y][x]"). Every other name is
literal, and n is the matrix size. An equation also matches with its sides
swapped. A formula is not found inside a longer expression: `B = B^T` is not
in "B = -B^T" nor in "-B = B^T".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from autograder.answers.base import BadOptions
from autograder.answers.wording import prepare

INDEX_LETTERS = frozenset("ijklpquvxy")
_OPERATORS_BEFORE = frozenset({"-", "+", "*", "/", "^", "_", "."})   # "-B = B^T" is not "B = B^T"
_CONTINUES = frozenset({"^", "[", "(", "*", "/", "+", "-", "_", "."})  # "B = B^T" is not the start of "B = B^T B"

_REWRITES = tuple((re.compile(pattern, re.IGNORECASE), replacement) for pattern, replacement in (
    (r"\b(?:np|numpy|torch|tf|scipy|math)\s*\.\s*", ""),
    (r"\.\s*t\b(?!\s*\()", "^t"),                              # B.T
    (r"\^\s*\{?\s*(?:\\top|\\intercal|t)\s*\}?(?![a-z])", "^t"),  # B^T, B^{T}, B^\top
    (r"={2,3}|\\equiv|≡", "="),
    (r"\b(?:is\s+)?(?:equal|equals|equivalent)\s+to\b|\bequals?\b|\b(?:is\s+)?(?:the\s+)?same\s+as\b", "="),
    # "B must = ...", "B has to be = ...": the verb around an equation says nothing more.
    (r"\b(?:must|should|shall|would|will|can|could|has\s+to|have\s+to|needs?\s+to|is|are)(?:\s+be)?\s*(?==)", ""),
    (r"(?<=,)\s*[a-z_][a-z0-9_]*\s*=(?!=)", ""),             # rot90(B, k=2): a keyword argument's name
    (r"(\d+)\s*(?:degrees?|deg)\b", r"\1"),
    (r"\bpi\b ?", "180"),
    (r"\{([a-z][a-z0-9]*)\}", r"\1"),                           # \mathrm{rot} -> rot
    (r"([a-z][a-z0-9]*)\s*_\s*\{\s*(\d+)\s*\}", r"\1\2"),     # rot_{180} -> rot180
    (r"([a-z][a-z0-9]*)_(\d+)\b", r"\1\2"),                    # rot_180 -> rot180
    (r"_\s*\{([^{}]*)\}", r"[\1]"),                            # B_{i,j} -> B[i,j]
    (r"[{}$\\]", " "),
    (r"\]\s*\[", ","),                                         # B[i][j] -> B[i,j]
))
_TOKEN = re.compile(r"[a-z][a-z0-9]*|\d+|[=+\-*/^()\[\],:]")


@dataclass(frozen=True)
class Formula:
    """A rubric formula in plain notation, with its sides swapped as a second form."""

    source: str
    forms: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class FormulaMatch:
    """Where a formula of the rubric was found in a student's text."""

    start: int          # character offsets into wording.prepare(text)
    end: int


def notation(text: str) -> tuple[tuple[str, int, int], ...]:
    """The prepared text in plain notation: (token, start, end), offsets into wording.prepare(text)."""
    prepared = prepare(text)
    # Rewrites keep offsets by working on a lower-cased copy and padding each replacement
    # to the width it replaced, so a token can be traced back to the words around it.
    plain = prepared.lower()
    for pattern, replacement in _REWRITES:
        plain = pattern.sub(lambda match: _same_width(match.expand(replacement), match.end() - match.start()), plain)
    return tuple((match.group(), match.start(), match.end()) for match in _TOKEN.finditer(plain))


def _same_width(replacement: str, width: int) -> str:
    return replacement if len(replacement) >= width else replacement + " " * (width - len(replacement))


def compile_formula(source: str, where: str, path: tuple = ()) -> Formula:
    """A rubric formula -> its plain forms; BadOptions if it is no equation or relation of tokens."""
    tokens = tuple(token for token, _, _ in notation(source))
    if len(tokens) < 3:
        raise BadOptions(f'{where}: "{source}" is too short to be a formula', path)
    forms = [tokens]
    depth, equals = 0, []
    for index, token in enumerate(tokens):
        if token in ("(", "["):
            depth += 1
        elif token in (")", "]"):
            depth -= 1
        elif token == "=" and depth == 0:
            equals.append(index)
    if len(equals) == 1:
        cut = equals[0]
        forms.append(tokens[cut + 1:] + ("=",) + tokens[:cut])
    return Formula(source, tuple(forms))


def find_formula(formula: Formula, plain: tuple[tuple[str, int, int], ...]) -> Iterator[FormulaMatch]:
    """Where the formula stands in the student's plain notation, on its own."""
    tokens = [token for token, _, _ in plain]
    for form in formula.forms:
        for start in range(len(tokens) - len(form) + 1):
            if start and tokens[start - 1] in _OPERATORS_BEFORE:
                continue
            end = start + len(form)
            if end < len(tokens) and tokens[end] in _CONTINUES:
                continue
            if _fits(form, tokens[start:end]):
                yield FormulaMatch(plain[start][1], plain[end - 1][2])


def _fits(form: tuple[str, ...], tokens: list[str]) -> bool:
    bound: dict[str, str] = {}
    for expected, token in zip(form, tokens):
        if len(expected) == 1 and expected in INDEX_LETTERS:
            if not (len(token) == 1 and token.isalpha()):
                return False
            if bound.setdefault(expected, token) != token:
                return False
        elif expected != token:
            return False
    return len(set(bound.values())) == len(bound)
