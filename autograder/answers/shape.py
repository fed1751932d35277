"""A tensor shape, such as a layer's output "8x64x64" (C x W x H).

The value is a tuple of non-negative ints. Commas and spaces separate
dimensions here, so they are never read as thousands separators. Beyond the
plain notations, the shape a student states is found in what they paste and
write around it: `torch.Size([8, 64, 64])`, "output shape: 16x62x62",
"(64+2-3)/1+1 = 64, so 8x64x64", "16 x 31 x 31 pixels", "8 channels of
64x64", "C=8, W=64, H=64" (named by the part's form), "8×64²".

A leading batch axis ("N x 8 x 64 x 64", "torch.Size([1, 8, 64, 64])",
"(None, 64, 64, 8)") is read off the shape with the note `batch_axis`; by
default it costs nothing, and a rubric may declare the reading as a mistake
with its credit (`reading: batch_axis`).
"""

from __future__ import annotations

import re
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Callable, Iterator, Mapping, Sequence

from autograder.base import limits
from autograder.answers import reading, statement
from autograder.answers.base import BATCH_AXIS, BadOptions, ExactAnswer, keyed_mutations, quote, typed
from autograder.answers.reading import Kind, NotRead, Token



class Shape(tuple):
    """Dimensions as ints; equal to the plain tuple. `notes` says how it was read (e.g. a batch axis dropped)."""

    def __new__(cls, dimensions: Sequence[int] = (), notes: frozenset = frozenset()):
        shape = super().__new__(cls, dimensions)
        shape.notes = frozenset(notes)
        return shape


# "x", "×" (also from \times), "*", "," or "by", or a plain space. An "x"
# or "by" inside a word ("sixty") is no separator, so the word is reported.
_SEPARATOR = re.compile(
    r" ?(?:[×*,]|(?<![a-wyz])x(?![a-wyz])|(?<![a-z])by(?![a-z])) ?| ", re.IGNORECASE
)


def _channels_last(shape: Shape) -> Shape | None:
    return Shape(shape[1:] + shape[:1]) if len(shape) >= 3 else None


def _drop_channels(shape: Shape) -> Shape | None:
    return Shape(shape[1:]) if len(shape) >= 3 else None


class ShapeAnswer(ExactAnswer):
    """A tensor shape, dimensions in the order the homework asks for."""

    name = "shape"
    transforms = MappingProxyType(
        {"channels_last": _channels_last, "drop_channels": _drop_channels}
    )
    key_words = ("shape", "size", "dims", "dimension", "dimensions")
    readings = MappingProxyType({BATCH_AXIS: "a leading batch axis (1, N, None, batch) read off the shape"})

    def __init__(self, options: Mapping[str, Any]) -> None:
        # `form` names the dimensions for students ("C x W x H", "N x features"): it is
        # what every "could not read" message ends with, so it should match the homework.
        form = (options or {}).get("form", 'dimensions separated by "x", e.g. "3x32x32"')
        reading.check_no_options(self.name, {key: value for key, value in (options or {}).items() if key != "form"})
        if not isinstance(form, str) or not form.strip() or len(form) > 100:
            raise BadOptions("options.form describes the expected shape in at most 100 characters, "
                             'e.g. "C x W x H, e.g. 3x32x32"')
        self.expected_form = form.strip()
        self.names = _form_names(self.expected_form)

    def parse(self, raw: Any) -> Shape:
        return reading.read_answer(raw, "a shape", self.expected_form, lambda value: _read(value, self.names))

    def from_key(self, data: Any) -> Shape:
        return reading.read_answer(data, "a shape", self.expected_form, lambda value: _read_list(value, None))

    def to_key(self, value: Shape) -> list[int]:
        return list(value)

    def same(self, student: Shape, expected: Shape) -> bool:
        return tuple(student) == tuple(expected)

    def formula_input(self, value: Shape) -> tuple[int, ...]:
        return tuple(value)

    def show(self, value: Shape) -> str:
        shown = " x ".join(str(d) for d in value)
        return shown + (" (without its batch axis)" if BATCH_AXIS in self.notes(value) else "")

    def notes(self, value: Shape) -> frozenset:
        """How the value was read, for a rubric's `reading:` mistakes."""
        return getattr(value, "notes", frozenset())

    def mutations(self, expected: Shape) -> Iterator[tuple[str, Shape]]:
        return keyed_mutations(self, _slips(list(expected)))


def _form_names(form: str) -> tuple[str, ...] | None:
    """"C x W x H, e.g. ..." -> ("C", "W", "H"); None when the form does not name the dimensions."""
    head = form.split(",")[0].strip()
    names = tuple(part.strip() for part in re.split(r"\s+[x×]\s+", head))
    if len(names) >= 2 and all(re.fullmatch(r"[A-Za-z]\w{0,11}", name) for name in names):
        return names
    return None


def _slips(dimensions: list[int]) -> Iterator[tuple[str, list[int]]]:
    for i, dimension in enumerate(dimensions):
        for step in (1, -1):
            yield f"dimension {i + 1} off by {step:+d}", dimensions[:i] + [dimension + step] + dimensions[i + 1:]
    yield "reversed", dimensions[::-1]
    yield "first dimension (channels) dropped", dimensions[1:]
    yield "last dimension dropped", dimensions[:-1]


def _read(raw: Any, names: tuple[str, ...] | None) -> Shape:
    if isinstance(raw, str):
        return _read_text(typed(raw), names)
    if isinstance(raw, (list, tuple)):
        return _read_list(raw, names)
    return _dimensions([raw], reading.read_scalar)


_BATCH_WORDS = frozenset("n b none batch batch_size bs ?".split())


def _read_list(raw: Any, names: tuple[str, ...] | None) -> Shape:
    if not isinstance(raw, (list, tuple)):
        raise NotRead("it is not a list of dimensions")
    # YAML "- 8x64x64" is a one-element list holding the whole shape.
    if len(raw) == 1 and isinstance(raw[0], str):
        return _read_text(typed(raw[0]), names)
    if len(raw) <= limits.MAX_SHAPE_DIMS and any(isinstance(d, (list, tuple)) for d in raw):
        raise NotRead("it has a list inside the list; write one number per dimension")
    items = list(raw)
    batch = bool(items) and isinstance(items[0], str) and items[0].strip().lower() in _BATCH_WORDS
    if batch:
        items = items[1:]
    shape = _dimensions(items, reading.read_scalar)
    return _without_batch(shape, batch, names)


def _without_batch(shape: Shape, batch: bool, names: tuple[str, ...] | None) -> Shape:
    """A leading batch axis read off: a symbol, or a 1 in front of as many dimensions as the form names."""
    if not batch and names and len(shape) == len(names) + 1 and shape[0] == 1:
        shape, batch = Shape(shape[1:]), True
    return Shape(shape, shape.notes | {BATCH_AXIS}) if batch else shape


def _read_text(raw: str, names: tuple[str, ...] | None) -> Shape:
    text = reading.clean_text(raw).replace("\n", " ; ")
    if not text:
        raise NotRead("it is empty")
    try:
        return _plain(text, names)
    except NotRead as plain_problem:
        try:
            found = _stated(text, names)
        except _NoCandidate:
            raise plain_problem from None
        return found


def _plain(text: str, names: tuple[str, ...] | None) -> Shape:
    """The whole text is one shape: "8x64x64", "(8, 64, 64)", "C x W x H = 16 x 31 x 31"."""
    text = _prepare(text)
    if "=" in text:
        text = text.rsplit("=", 1)[-1].strip()
    text = _unwrap(text)
    if not text:
        raise NotRead("it is empty")
    if any(c in text for c in "()[]"):
        raise NotRead("it has brackets inside; write the dimensions once")
    parts = _SEPARATOR.split(text)
    if "" in parts:
        raise NotRead("a dimension is missing between separators")
    batch = bool(parts) and parts[0].lower() in _BATCH_WORDS and len(parts) > 2
    shape = _dimensions(parts[1:] if batch else parts, reading.read_entry)
    return _without_batch(shape, batch, names)


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
    shape = Shape(_dimension(read(part)) for part in parts)
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


# ---------------------------------------------------------------- a shape in prose

class _NoCandidate(Exception):
    """No shape at all in the text: the plain reading's message says more."""


# "64²" / "64^2" as dimensions: 64 x 64.
_POWER = re.compile(r"(?<![\w.^])([0-9]+)\s*\^\s*(?:\(\s*([2-8])\s*\)|([2-8]))(?![0-9.])")
# The letter x, "by" or "@" between dimensions: "8x64x64", "8@64x64", "N x 8 x ...".
_TIMES = re.compile(r"(?:(?<=[0-9)\]])|(?<=\b[NB]))\s*(?:[xX@]|\bby\b)\s*(?=[0-9(\[])", re.IGNORECASE)
_CHANNEL_WORDS = frozenset("channel channels feature maps map filters filter kernels 通道 个通道 通道数".split())
_SHAPE_SEPARATORS = frozenset("×*,")


def _prepare(text: str) -> str:
    """Separators made plain ("8x64", "8@64", "N x 8" -> ×) and powers expanded ("64²" -> 64 × 64)."""
    text = _TIMES.sub(" × ", text)
    return _POWER.sub(lambda m: " × ".join([m.group(1)] * int(m.group(2) or m.group(3))), text)


def _stated(text: str, names: tuple[str, ...] | None) -> Shape:
    text = _prepare(text)
    tokens = [_batch_token(t, i, tokens_) for tokens_ in [reading.tokenize(text)] for i, t in enumerate(tokens_)]
    groups = statement.split_groups(tokens)
    candidates = _candidates(text, groups.main, names)
    if not candidates:
        raise _NoCandidate
    statement.annotate(groups.main, candidates)
    answer = statement.choose(groups.main, candidates, _same, _show, lambda members: members[-1])
    remarks = []
    for remark in groups.remarks:
        found = _candidates(text, remark, names)
        statement.annotate(remark, found)
        remarks.append(found)
    statement.check_remarks(remarks, answer, _restates, _show)
    return answer.value


def _batch_token(token: Token, index: int, tokens: list[Token]) -> Token:
    """"N", "None", "batch" in front of dimensions is a batch symbol, not a word."""
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    if (token.kind == Kind.WORD and token.text.lower() in _BATCH_WORDS and following is not None
            and (following.kind == Kind.COMMA or following.text in ("×", "*"))):
        return Token(Kind.BATCH, token.text, token.start, token.end, token.spaced)
    return token


def _same(first: Shape, second: Shape) -> bool:
    return tuple(first) == tuple(second)


def _restates(first: Shape, second: Shape) -> bool:
    """The same dimensions, maybe in another order ("16x31x31 (31x31x16 in TensorFlow order)")."""
    return sorted(first) == sorted(second)


def _show(value: Shape) -> str:
    return " x ".join(str(d) for d in value)


def _candidates(text: str, tokens: list[Token], names: tuple[str, ...] | None) -> list[statement.Candidate]:
    found: list[statement.Candidate] = []
    pairs = statement.bracket_pairs(tokens)
    index = 0
    while index < len(tokens):
        run = _run(tokens, index, pairs)
        if run is None:
            index += 1
            continue
        start, end, dimensions, batch = run
        candidate = _candidate(text, tokens, start, end, dimensions, batch, names)
        if candidate is not None:
            found.append(candidate)
        index = end
    found.extend(_named(text, tokens, names))
    found.sort(key=lambda c: c.start)
    return found


def _run(tokens: list[Token], index: int, pairs: dict[int, int]) -> tuple[int, int, list[Token], bool] | None:
    """Dimensions joined by × * or commas from tokens[index], maybe in brackets, maybe nested once."""
    start = index
    opened = tokens[index].kind == Kind.OPEN
    if opened:
        index += 1
    batch = index < len(tokens) and tokens[index].kind == Kind.BATCH
    if batch:
        index += 2
    dimensions: list[Token] = []
    while index < len(tokens):
        token = tokens[index]
        if token.kind == Kind.NUMBER:
            dimensions.append(token)
            index += 1
        elif token.kind == Kind.OPEN and dimensions and index + 1 < len(tokens) and tokens[index + 1].kind == Kind.NUMBER:
            close = pairs.get(index)
            inner = tokens[index + 1:close] if close is not None else []
            if not inner or any(t.kind not in (Kind.NUMBER,) and t.text not in _SHAPE_SEPARATORS for t in inner):
                break
            dimensions.extend(t for t in inner if t.kind == Kind.NUMBER)
            index = close + 1
        else:
            break
        if index + 1 < len(tokens) and tokens[index].text in _SHAPE_SEPARATORS \
                and tokens[index + 1].kind in (Kind.NUMBER, Kind.OPEN):
            index += 1
            continue
        break
    if opened:
        if index < len(tokens) and tokens[index].kind == Kind.CLOSE and dimensions:
            index += 1
        else:
            return _run(tokens, start + 1, pairs) if start + 1 < len(tokens) and tokens[start + 1].kind != Kind.OPEN else None
    if len(dimensions) < 2 and not (batch and dimensions):
        return None
    return start, index, dimensions, batch


def _candidate(text, tokens, start, end, dimensions, batch, names) -> statement.Candidate | None:
    shown = statement.text_of(text, tokens, start, end)
    before = tokens[start - 1] if start > 0 else None
    after = tokens[end] if end < len(tokens) else None
    if (before is not None and before.kind == Kind.WORD and not tokens[start].spaced) or (
            after is not None and after.kind == Kind.WORD and not after.spaced and not statement.is_cjk(after.text)):
        return None  # part of a name ("conv2d3x3") or glued to letters
    if _arithmetic(before) or (_arithmetic(after) and after.text not in ("×", "*")):
        return None  # arithmetic, not a shape: working such as "(64+2-3)/1+1"
    if (before is not None and not tokens[start].spaced and before.kind in (Kind.NUMBER, Kind.CLOSE)) or (
            after is not None and not after.spaced and after.kind in (Kind.NUMBER, Kind.OPEN)):
        return None  # glued to other numbers or brackets ("485^(0)0 x 0"): not a shape on its own
    problem = None
    for neighbour in (before, after):
        if neighbour is not None and neighbour.kind == Kind.WORD and neighbour.text.lower() in ("x", "by"):
            # "O x 0 x 0", "8 x sixty-four": a dimension that is no number, so the shape is not this run.
            return statement.Candidate(None, start, end, shown, statement.Severe(
                f'{quote(statement.text_of(text, tokens, max(start - 2, 0), min(end + 2, len(tokens))))} has a dimension '
                "that is not a number"))
    try:
        shape = _dimensions([t.text for t in dimensions], reading.read_entry)
    except NotRead as reason:
        return statement.Candidate(None, start, end, shown, statement.Severe(f'{quote(shown)}: {reason}'))
    if len(shape) == 2 and not batch:
        channels = _channels_before(tokens, start)
        if channels is not None:
            number, first = channels
            shape = Shape((number,) + tuple(shape))
            start, shown = first, statement.text_of(text, tokens, first, end)
    caption = _caption_names(tokens, start)
    if caption is not None and names and len(caption) == len(shape) and set(names) <= set(caption):
        order = {name: i for i, name in enumerate(caption)}
        batch = batch or any(name.lower() in _BATCH_WORDS for name in caption if name not in names)
        shape = Shape(tuple(shape[order[name]] for name in names))
    return statement.Candidate(_without_batch(shape, batch, names), start, end, shown, problem)


def _arithmetic(token: Token | None) -> bool:
    # A spaced slash stands between two answers ("16x62x62 / 16x64x64"), not in a division.
    return token is not None and token.kind == Kind.OPERATOR and not (token.text == "/" and token.spaced)


def _channels_before(tokens: list[Token], start: int) -> tuple[int, int] | None:
    """"8 channels of 64x64", "16 feature maps, each 62x62", "eight channels of ...": the channel count."""
    for index in range(start - 1, max(start - 5, 0) - 1, -1):
        token = tokens[index]
        if token.kind == Kind.WORD and token.text.lower() in _CHANNEL_WORDS:
            count_index = index - 1
            if count_index >= 0 and tokens[count_index].kind == Kind.WORD and tokens[count_index].text.lower() == "feature":
                count_index -= 1
            if count_index < 0:
                return None
            count = tokens[count_index]
            if count.kind == Kind.NUMBER and re.fullmatch(r"[0-9]+", count.text):
                return int(count.text), count_index
            words = reading.number_in_words(count.text) if count.kind == Kind.WORD else None
            return (words, count_index) if words is not None else None
        if token.kind not in (Kind.WORD, Kind.COMMA):
            return None
    return None


def _caption_names(tokens: list[Token], start: int) -> list[str] | None:
    """"C x W x H = 16 x 31 x 31": the names before "=", in order."""
    index = start - 1
    if index < 0 or tokens[index].kind != Kind.EQUALS:
        return None
    names: list[str] = []
    index -= 1
    while index >= 0 and tokens[index].kind in (Kind.WORD, Kind.BATCH) and len(tokens[index].text) <= 12:
        names.append(_base_name(tokens[index].text))
        index -= 1
        if index >= 0 and (tokens[index].text in ("x", "X", "×", "*") or tokens[index].kind == Kind.COMMA):
            index -= 1
            continue
        break
    return names[::-1] if len(names) >= 2 else None


def _base_name(name: str) -> str:
    """"C_out" -> "C", "W_{out}" -> "W": the dimension a subscripted name stands for."""
    return name.split("_")[0]


def _named(text: str, tokens: list[Token], names: tuple[str, ...] | None) -> list[statement.Candidate]:
    """"C=8, W=64, H=64", "C=16, W=H=62", "H_out = W_out = 62, C_out = 16": the form's names, assigned."""
    if not names:
        return []
    wanted = {name.lower(): name for name in names}
    values: dict[str, int] = {}
    first = last = None
    index = 0
    while index < len(tokens):
        assigned: list[str] = []
        cursor = index
        while cursor + 1 < len(tokens) and tokens[cursor].kind == Kind.WORD and tokens[cursor + 1].kind == Kind.EQUALS:
            assigned.append(tokens[cursor].text)
            cursor += 2
        if assigned and cursor < len(tokens) and tokens[cursor].kind == Kind.NUMBER \
                and (cursor + 1 >= len(tokens) or tokens[cursor + 1].kind != Kind.OPERATOR) \
                and re.fullmatch(r"[0-9]+", tokens[cursor].text):
            for name in assigned:
                base = _base_name(name).lower()
                key = base if base in wanted else next((w for w in wanted if len(w) == 1 and base.startswith(w)
                                                         and len(base) > 3), None)
                if key is not None:
                    values[wanted[key]] = int(tokens[cursor].text)
                    first = index if first is None else first
                    last = cursor + 1
            index = cursor + 1
        else:
            index += 1
    if first is None or set(values) != set(names):
        return []
    shape = Shape(values[name] for name in names)
    return [statement.Candidate(shape, first, last, statement.text_of(text, tokens, first, last))]
