"""A matrix of exact numbers, such as a convolution result.

Rows may come as YAML/JSON lists (of lists, of row strings, or a mapping of
named rows), one per line, MATLAB rows separated by ";", rows separated by
" / " or " | ", numpy nested brackets (also printed, or pasted as
`array(...)`/`tensor(...)`), Markdown tables, a LaTeX matrix environment,
or rows spelled out in sentences. Commas and spaces separate entries here, so
they are never read as thousands separators, and a detached sign belongs to
the entry after it ("- 17" is -17).

Entries written with no rows at all (a flat list or one line of 9 numbers)
are a `flat` matrix: its entries in reading order, compared row by row with
an expected matrix of the same size.
"""

from __future__ import annotations

import re
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Iterator, Mapping, Sequence

from autograder.base import limits
from autograder.answers import reading
from autograder.answers.base import BATCH_AXIS, ExactAnswer, keyed_mutations, quote, typed
from autograder.answers.reading import NotRead



class Matrix(tuple):
    """Rows of Fractions. `flat`: written without rows (compared in reading order); `notes`: how it was read."""

    def __new__(cls, rows: Sequence[Sequence[Fraction]] = (), flat: bool = False, notes: frozenset = frozenset()):
        matrix = super().__new__(cls, (tuple(row) for row in rows))
        matrix.flat = flat
        matrix.notes = frozenset(notes)
        return matrix


_BEGIN = re.compile(r"\\begin\{(matrix|[bBpvV]matrix|smallmatrix|array)\}")
_COLUMN_SPEC = re.compile(r"\s*\{[^{}]*\}")
# What may surround a LaTeX environment: \left[ ... \right], spacing and math delimiters.
_LATEX_FRAME = re.compile(r"\\left|\\right|\\[,;!]|[\s\[\]().|$]")
_ENTRY_SEPARATOR = re.compile(r"\s*,\s*|\s+")
_ROW_BRACKETS = ("[]", "()", "||")
_DETACHED_SIGN = re.compile(r"(?<![\w)\].])([-+])\s+(?=[0-9.])")
_TABLE_SEPARATOR = re.compile(r"^\|?[\s:|-]*-[\s:|-]*\|?$")
_ENTRY_LABEL = re.compile(r"\b[A-Za-z][\w]*\s*=\s*(?=[-+0-9.])")
# "Row 1:", "row1 =", "The first row is": a label of words before a row's numbers.
_ROW_LABEL = re.compile(r"^[A-Za-z][A-Za-z ]*?(?:\s*[0-9]+)?\s*(?::|=|\bis\b)\s*")
_SENTENCE_END = re.compile(r"(?<=[0-9])\.\s+(?=[A-Za-z])")


def _transpose(matrix: Matrix) -> Matrix:
    return Matrix(zip(*matrix))


def _entries(matrix: Matrix) -> tuple:
    return tuple(x for row in matrix for x in row)


def _comparable(student: Matrix, expected: Matrix) -> tuple[tuple, tuple] | None:
    """The two as rows, or in reading order when the student wrote no rows; None if the sizes differ."""
    if getattr(student, "flat", False):
        first, second = _entries(student), _entries(expected)
        return (first, second) if len(first) == len(second) else None
    if _dimensions(student) != _dimensions(expected):
        return None
    return _entries(student), _entries(expected)


def _wrong_entries(student: Matrix, expected: Matrix) -> int | None:
    pair = _comparable(student, expected)
    if pair is None:
        return None
    return sum(s != e for s, e in zip(*pair))


def _dimensions(matrix: Matrix) -> tuple[int, int]:
    return len(matrix), (len(matrix[0]) if matrix else 0)


class MatrixAnswer(ExactAnswer):
    """A matrix of exact numbers (Fractions), row by row."""

    name = "matrix"
    expected_form = 'rows of numbers, e.g. "[[1, -2], [3, 4]]" or one row per line'
    transforms = MappingProxyType({"transpose": _transpose})
    near_misses = MappingProxyType({"wrong_entries": _wrong_entries})
    key_words = ("matrix", "result")
    readings = MappingProxyType({BATCH_AXIS: "leading axes of size 1 around the matrix (a 1x1x3x3 tensor)"})

    def __init__(self, options: Mapping[str, Any]) -> None:
        reading.check_no_options(self.name, options)

    def parse(self, raw: Any) -> Matrix:
        return reading.read_answer(raw, "a matrix", self.expected_form, _read)

    def from_key(self, data: Any) -> Matrix:
        return reading.read_answer(data, "a matrix", self.expected_form, _read_key)

    def to_key(self, value: Matrix) -> list[list[int | str]]:
        return [[reading.key_number(x) for x in row] for row in value]

    def same(self, student: Matrix, expected: Matrix) -> bool:
        pair = _comparable(student, expected)
        return pair is not None and pair[0] == pair[1]

    def show(self, value: Matrix) -> str:
        rows = (", ".join(reading.show_number(x) for x in row) for row in value)
        return "[" + ", ".join(f"[{row}]" for row in rows) + "]"

    def notes(self, value: Matrix) -> frozenset:
        """How the value was read, for a rubric's `reading:` mistakes."""
        return getattr(value, "notes", frozenset())

    def explain(self, student: Matrix, expected: Matrix) -> str:
        """Why a matrix of another size cannot match: e.g. 9 numbers read as one row of a 3 x 3 answer."""
        (rows, columns), (want_rows, want_columns) = _dimensions(student), _dimensions(expected)
        if getattr(student, "flat", False) or (rows, columns) == (want_rows, want_columns):
            return ""
        note = f"It was read as a {rows} x {columns} matrix; the answer is {want_rows} x {want_columns}."
        if rows * columns == want_rows * want_columns:
            note += " Put each row on its own line or in its own brackets."
        return note

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
        return _read_text(typed(raw))
    if isinstance(raw, dict):
        # Rows as a mapping ("row1: 35 -17 -10", "r2: [20, 26, -23]"): the rows in order.
        return _read_list(list(raw.values()))
    if isinstance(raw, (list, tuple)):
        return _read_list(raw)
    return _rectangular([[reading.read_scalar(raw)]])


def _read_key(raw: Any) -> Matrix:
    if not isinstance(raw, (list, tuple)):
        raise NotRead("it is not a list of rows")
    return _read_list(raw)


def _read_list(raw: Sequence[Any]) -> Matrix:
    notes: frozenset = frozenset()
    # A tensor of shape 1 x 1 x 3 x 3: the leading axes of size 1 wrap the matrix.
    for _ in range(2):
        if len(raw) == 1 and isinstance(raw[0], (list, tuple)) and raw[0] and isinstance(raw[0][0], (list, tuple)):
            raw, notes = raw[0], frozenset({BATCH_AXIS})
    if sum(len(row) for row in raw[: limits.MAX_MATRIX_ENTRIES + 1] if isinstance(row, str)) > limits.MAX_ANSWER_CHARS:
        raise NotRead(f"its rows are too long (at most {limits.MAX_ANSWER_CHARS} characters)")
    # YAML "- [[1, 2], [3, 4]]" is a one-element list holding the whole matrix.
    if len(raw) == 1 and isinstance(raw[0], str):
        return _read_text(typed(raw[0]))
    _check_size(len(raw))
    if raw and not any(isinstance(row, (list, tuple, dict)) for row in raw) \
            and not any(isinstance(row, str) and _ENTRY_SEPARATOR.search(row.strip()) for row in raw):
        # A flat list of numbers: entries with no rows.
        return _rectangular([[reading.read_scalar(entry) for entry in raw]], flat=True, notes=notes)
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
            tokens = _split_row(reading.strip_math(reading.unify_characters(typed(row))), number)
            entries += len(tokens)
            _check_size(entries)
            rows.append([_entry(token) for token in tokens])
        else:
            entries += 1
            rows.append([reading.read_scalar(row)])
    return _rectangular(rows, notes=notes)


def _read_text(raw: str) -> Matrix:
    text = reading.unwrap_printed(reading.strip_markup(reading.unify_characters(raw)))
    text = reading.strip_math(text)
    if not text:
        raise NotRead("it is empty")
    if "\\begin" in text:
        rows = _latex_rows(text)
        flat = False
    else:
        rows, flat = _plain_rows(text)
    _check_size(sum(len(row) for row in rows))
    notes = frozenset({BATCH_AXIS}) if getattr(rows, "batch", False) else frozenset()
    return _rectangular([[_entry(token) for token in row] for row in rows], flat=flat, notes=notes)


def _entry(token: str) -> Fraction:
    token = token.strip()
    # "1,000 2,000" split at its commas gives "000": a leading zero keeps such a
    # misreading from passing as entries.
    digits = token.lstrip("+-")
    if len(digits) > 1 and digits[0] == "0" and digits[1].isdigit():
        raise NotRead(f'{quote(token)} starts with a zero')
    return reading.read_entry(token)


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
    # A caption before the matrix ends with "=": "A \star B = \begin{bmatrix}...".
    before = text[: begin.start()]
    if "=" in before:
        before = before.rsplit("=", 1)[1]
    if _LATEX_FRAME.sub("", before + text[end + len(end_tag) :]).strip(".,;"):
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


class _Rows(list):
    """Rows of entry texts; `batch` when leading brackets of size 1 were read off."""

    batch = False


def _plain_rows(text: str) -> tuple[list[list[str]], bool]:
    """Rows of entry texts, and whether the text had no rows at all (flat)."""
    # A caption ends with "=": "C = [[...]]", "A ⋆ B = [[...]]", "Y = | 1 2 |" (not "C11 = -7, ...": digits).
    bracket = text.find("[")
    if bracket > 0 and "=" in text[:bracket]:
        text = text[text.rfind("=", 0, bracket) + 1 :].strip()
    caption = re.match(r"[^\d\n=\[]{1,40}=(?!=)", text)
    if caption:
        text = text[caption.end():].strip()
    rows = _Rows()
    for _ in range(2):  # [[[[...]]]]: a tensor of shape 1 x 1 x n x m
        if _wrapped_in_brackets(text) and text[1:].lstrip().startswith("[") \
                and _wrapped_in_brackets(text[1:-1].strip()) and text[1:-1].strip()[1:].lstrip().startswith("["):
            text, rows.batch = text[1:-1].strip(), True
    if _wrapped_in_brackets(text):
        inner = text[1:-1].strip()
        if not inner:
            raise NotRead("it is empty")
        if "[" in inner:
            rows.extend(_bracket_rows(inner))
            return rows, False
        text = inner
        if ";" not in text and "\n" not in text:
            rows.append(_split_row(text, 1))
            return rows, True
    lines = _row_lines(text)
    _check_size(len(lines))
    rows.extend(_split_row(line, number) for number, line in enumerate(lines, 1))
    return rows, len(lines) == 1 and len(rows[0]) > 1


def _row_lines(text: str) -> list[str]:
    """The rows' lines: captions and prose labels dropped, rows split at newlines, ";", " / " or " | "."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    rows = [line for line in lines if not _caption(line) and not _TABLE_SEPARATOR.match(line)]
    lines = rows or lines
    if len(lines) == 1:
        line = _SENTENCE_END.sub("; ", lines[0])
        for separator in (";", " / ", " | "):
            if separator in line and not (separator == " | " and line.startswith("|") and line.endswith("|")):
                lines = [part.strip() for part in line.split(separator) if part.strip()]
                break
    else:
        lines = [line.rstrip(";").strip() for line in lines]
    return [_ROW_LABEL.sub("", _ENTRY_LABEL.sub("", line), count=1).strip() for line in lines]


def _caption(line: str) -> bool:
    """A line of words around the matrix ("Pad A with zeros to 5x5, slide B:"), not a row."""
    return line.endswith(":") or not re.search(r"(?<![\w.])[-+]?[0-9]", line)


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
    """Entries of one row: "35 -17 -10", "[35, -17, -10],", "| 35 | -17 | -10 |", "- 20 2 30"."""
    text = text.strip()
    if text.endswith(","):
        text = text[:-1].rstrip()
    if text.startswith("|") and text.endswith("|") and text.count("|") > 2:
        text = text[1:-1].replace("|", " ").strip()  # a Markdown table row
    for left, right in _ROW_BRACKETS:
        if len(text) >= 2 and text[0] == left and text[-1] == right:
            text = text[1:-1].strip()
            break
    if any(c in text for c in "[]()|"):
        raise NotRead(f"row {number} has unexpected brackets")
    if not text:
        raise NotRead(f"row {number} is empty")
    tokens = _ENTRY_SEPARATOR.split(_DETACHED_SIGN.sub(r"\1", text))
    if "" in tokens:
        raise NotRead(f"row {number} has an empty entry")
    return tokens


def _check_size(entries: int) -> None:
    if entries > limits.MAX_MATRIX_ENTRIES:
        raise NotRead(f"it has more than {limits.MAX_MATRIX_ENTRIES} entries")


def _rectangular(rows: list[list[Fraction]], flat: bool = False, notes: frozenset = frozenset()) -> Matrix:
    if not rows:
        raise NotRead("it is empty")
    width = len(rows[0])
    if width == 0:
        raise NotRead("row 1 is empty")
    for number, row in enumerate(rows, 1):
        if len(row) != width:
            raise NotRead(
                f"row {number} has {_count(len(row))} but row 1 has {_count(width)}; "
                "every row needs the same number"
            )
    return Matrix(rows, flat=flat and len(rows) == 1, notes=notes)


def _count(count: int) -> str:
    return "1 entry" if count == 1 else f"{count} entries"
