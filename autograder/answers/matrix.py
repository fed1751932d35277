"""A matrix of exact numbers, such as a convolution result.

Rows may come as YAML/JSON lists, one per line, MATLAB rows separated by
";", numpy nested brackets or a LaTeX matrix environment. Commas and spaces
separate entries here, so they are never read as thousands separators.
"""

from __future__ import annotations

import re
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Iterator, Mapping

from autograder.base import limits
from autograder.answers import reading
from autograder.answers.base import ExactAnswer, keyed_mutations
from autograder.answers.reading import NotRead

Matrix = tuple[tuple[Fraction, ...], ...]

_WRAPPER = re.compile(r"(?:np\.|numpy\.)?(?:array|asarray|matrix)\((.*)\)", re.DOTALL)
_BEGIN = re.compile(r"\\begin\{(matrix|[bBpvV]matrix|smallmatrix|array)\}")
_COLUMN_SPEC = re.compile(r"\s*\{[^{}]*\}")
# What may surround a LaTeX environment: \left[ ... \right] and spacing.
_LATEX_FRAME = re.compile(r"\\left|\\right|[\s\[\]().|]")
_ENTRY_SEPARATOR = re.compile(r"\s*,\s*|\s+")
_ROW_BRACKETS = ("[]", "()", "||")


def _transpose(matrix: Matrix) -> Matrix:
    return tuple(zip(*matrix))


def _wrong_entries(student: Matrix, expected: Matrix) -> int | None:
    if _dimensions(student) != _dimensions(expected):
        return None
    return sum(
        s != e
        for student_row, expected_row in zip(student, expected)
        for s, e in zip(student_row, expected_row)
    )


def _dimensions(matrix: Matrix) -> tuple[int, int]:
    return len(matrix), (len(matrix[0]) if matrix else 0)


class MatrixAnswer(ExactAnswer):
    """A matrix of exact numbers (Fractions), row by row."""

    name = "matrix"
    expected_form = 'rows of numbers, e.g. "[[1, -2], [3, 4]]" or one row per line'
    transforms = MappingProxyType({"transpose": _transpose})
    near_misses = MappingProxyType({"wrong_entries": _wrong_entries})

    def __init__(self, options: Mapping[str, Any]) -> None:
        reading.check_no_options(self.name, options)

    def parse(self, raw: Any) -> Matrix:
        return reading.read_answer(raw, "a matrix", self.expected_form, _read)

    def from_key(self, data: Any) -> Matrix:
        return reading.read_answer(data, "a matrix", self.expected_form, _read_list)

    def to_key(self, value: Matrix) -> list[list[int | str]]:
        return [[reading.key_number(x) for x in row] for row in value]

    def same(self, student: Matrix, expected: Matrix) -> bool:
        return student == expected

    def show(self, value: Matrix) -> str:
        rows = (", ".join(reading.show_number(x) for x in row) for row in value)
        return "[" + ", ".join(f"[{row}]" for row in rows) + "]"

    def mutations(self, expected: Matrix) -> Iterator[tuple[str, Matrix]]:
        return keyed_mutations(self, ((name, self.to_key(rows)) for name, rows in _slips(expected)))

    def near_miss_limit(self, name: str, expected: Matrix) -> int:
        rows, columns = _dimensions(expected)
        return rows * columns - 1  # wrong_entries: at least one entry must still be right


def _slips(matrix: Matrix) -> Iterator[tuple[str, list[list[Fraction]]]]:
    rows = [list(row) for row in matrix]
    yield "transposed", [list(column) for column in zip(*rows)]
    yield "all signs flipped", [[-item for item in row] for row in rows]
    yield "rows reversed", rows[::-1]
    yield "columns reversed", [row[::-1] for row in rows]
    yield "flipped (rotated 180°)", [row[::-1] for row in rows[::-1]]
    for i, row in enumerate(rows):
        for j, item in enumerate(row):
            changed = [list(r) for r in rows]
            changed[i][j] = item + 1
            yield f"entry ({i + 1},{j + 1}) changed", changed
            if item:
                changed = [list(r) for r in rows]
                changed[i][j] = -item
                yield f"sign of entry ({i + 1},{j + 1}) flipped", changed


def _read(raw: Any) -> Matrix:
    if isinstance(raw, str):
        return _read_text(raw)
    if isinstance(raw, (list, tuple)):
        return _read_list(raw)
    return _rectangular([[reading.read_scalar(raw)]])


def _read_list(raw: Any) -> Matrix:
    if not isinstance(raw, (list, tuple)):
        raise NotRead("it is not a list of rows")
    # YAML "- [[1, 2], [3, 4]]" is a one-element list holding the whole matrix.
    if len(raw) == 1 and isinstance(raw[0], str):
        return _read_text(raw[0])
    _check_size(len(raw))
    rows: list[list[Fraction]] = []
    entries = chars = 0
    for number, row in enumerate(raw, 1):
        if isinstance(row, (list, tuple)):
            entries += len(row)
            _check_size(entries)
            if any(isinstance(entry, (list, tuple)) for entry in row):
                raise NotRead(f"row {number} has a list inside it; a row holds numbers")
            rows.append([reading.read_scalar(entry) for entry in row])
        elif isinstance(row, str):
            chars += len(row)
            if chars > limits.MAX_ANSWER_CHARS:
                raise NotRead(f"its rows are too long (at most {limits.MAX_ANSWER_CHARS} characters)")
            tokens = _split_row(reading.strip_math(reading.unify_characters(row)), number)
            entries += len(tokens)
            _check_size(entries)
            rows.append([reading.read_number(token) for token in tokens])
        else:
            entries += 1
            rows.append([reading.read_scalar(row)])
    return _rectangular(rows)


def _read_text(raw: str) -> Matrix:
    text = reading.strip_math(reading.unify_characters(raw))
    if "=" in text:
        # "C = [[...]]": the matrix is what follows the name.
        text = reading.strip_math(reading.after_last_equals(text))
    if not text:
        raise NotRead("it is empty")
    rows = _latex_rows(text) if "\\begin" in text else _plain_rows(text)
    _check_size(sum(len(row) for row in rows))
    return _rectangular([[reading.read_number(token) for token in row] for row in rows])


def _latex_rows(text: str) -> list[list[str]]:
    begin = _BEGIN.search(text)
    if begin is None:
        raise NotRead("its \\begin{...} is not a matrix; use bmatrix, pmatrix or array")
    if text.count("\\begin") > 1:
        raise NotRead("it has more than one \\begin{...}")
    end_tag = f"\\end{{{begin.group(1)}}}"
    end = text.find(end_tag, begin.end())
    if end < 0:
        raise NotRead(f"it has no {end_tag}")
    if _LATEX_FRAME.sub("", text[: begin.start()] + text[end + len(end_tag) :]):
        raise NotRead("it has text outside the matrix")
    body = text[begin.end() : end]
    if begin.group(1) == "array":
        spec = _COLUMN_SPEC.match(body)
        if spec:
            body = body[spec.end() :]
    lines = [line.strip() for line in body.replace("\\hline", " ").split("\\\\")]
    # A "\\" before \end{...} leaves an empty last line.
    while lines and not lines[-1]:
        lines.pop()
    rows = []
    for number, line in enumerate(lines, 1):
        if not line:
            raise NotRead(f"row {number} is empty")
        row = [reading.delatex(entry) for entry in line.split("&")]
        if "" in row:
            raise NotRead(f"row {number} has an empty entry")
        rows.append(row)
    return rows


def _plain_rows(text: str) -> list[list[str]]:
    wrapper = _WRAPPER.fullmatch(text)
    if wrapper:
        text = wrapper.group(1).strip()
    if _wrapped_in_brackets(text):
        inner = text[1:-1].strip()
        if "[" in inner:
            return _bracket_rows(inner)
        text = inner
    lines = [line.strip() for line in text.split(";" if ";" in text else "\n")]
    lines = [line for line in lines if line]
    _check_size(len(lines))
    return [_split_row(line, number) for number, line in enumerate(lines, 1)]


def _wrapped_in_brackets(text: str) -> bool:
    """Whether the first "[" is closed by the last "]" (not "[1 2]\\n[3 4]")."""
    if text[:1] != "[" or text[-1:] != "]":
        return False
    depth = 0
    for index, char in enumerate(text):
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return index == len(text) - 1
    return False


def _bracket_rows(inner: str) -> list[list[str]]:
    """Rows of numpy style "[a, b], [c, d]" (the outer brackets removed)."""
    rows = []
    index = 0
    while True:
        while index < len(inner) and inner[index] in " \n,;":
            index += 1
        if index == len(inner):
            return rows
        if inner[index] != "[":
            raise NotRead("it has text between the rows' brackets")
        # The outer brackets matched, so every "[" inside is closed.
        close = inner.index("]", index)
        content = inner[index + 1 : close]
        if "[" in content:
            raise NotRead("it is nested deeper than a matrix")
        rows.append(_split_row(content, len(rows) + 1))
        index = close + 1


def _split_row(text: str, number: int) -> list[str]:
    """Entries of one row: "35 -17 -10", "[35, -17, -10]," or "| 35 -17 -10 |"."""
    text = text.strip()
    if text.endswith(","):
        text = text[:-1].rstrip()
    for left, right in _ROW_BRACKETS:
        if len(text) >= 2 and text[0] == left and text[-1] == right:
            text = text[1:-1].strip()
            break
    if any(c in text for c in "[]()|"):
        raise NotRead(f"row {number} has unexpected brackets")
    if not text:
        raise NotRead(f"row {number} is empty")
    tokens = _ENTRY_SEPARATOR.split(text)
    if "" in tokens:
        raise NotRead(f"row {number} has an empty entry")
    return tokens


def _check_size(entries: int) -> None:
    if entries > limits.MAX_MATRIX_ENTRIES:
        raise NotRead(f"it has more than {limits.MAX_MATRIX_ENTRIES} entries")


def _rectangular(rows: list[list[Fraction]]) -> Matrix:
    if not rows:
        raise NotRead("it is empty")
    width = len(rows[0])
    if width == 0:
        raise NotRead("row 1 is empty")
    for number, row in enumerate(rows, 1):
        if len(row) != width:
            raise NotRead(
                f"row {number} has {_entries(len(row))} but row 1 has {_entries(width)}; "
                "every row needs the same number"
            )
    return tuple(tuple(row) for row in rows)


def _entries(count: int) -> str:
    return "1 entry" if count == 1 else f"{count} entries"
