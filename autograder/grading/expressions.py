"""Expressions over a rubric's parameters, and text templates that name them.

A rubric names its parameters in three places where the numbers must follow
each student's variant: feedback (`{conv1.pad}`), the `draw:` section's
derived values and constraints, and the homework's Markdown handout. One
small language serves all three: Python's expression syntax, read with
`ast` and walked over a whitelist (never `eval`), holding

- parameter paths: `conv1.pad`, `input_shape.1` (a list's item), `A`;
- whole numbers, exact arithmetic `+ - * / // %`, comparisons, `and`,
  `or`, `not`;
- the functions `min`, `max`, `abs`, `rot180` (a matrix turned by 180°)
  and `transpose`.

A template is text with `{expression}` placeholders (`{{` and `}}` stand
for literal braces). Feedback may also name `{answer}` (the part's correct
answer, shown as students see answers) and `{@q1a.layer1_output}` (the
student's own answer to that part); a handout may add a format,
`{A:matrix}` (aligned rows) or `{input_shape:shape}` (`4 × 64 × 64`).
"""

from __future__ import annotations

import ast
import functools
import operator
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Iterator, Mapping

from autograder.answers.reading import show_number

ANSWER = "answer"                     # {answer}: the part's correct answer, in feedback
MAX_EXPRESSION_CHARS = 200            # an author's expression, not a program
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
_DOTTED = re.compile(r"(?<![\w.])[A-Za-z_]\w*(?:\.\w+)+")   # conv1.pad, input_shape.1
_PART = re.compile(r"@([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)+)")
_BINARY: dict[type, Callable] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
}
_COMPARE: dict[type, Callable] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge,
}


def _rot180(matrix: Any) -> list:
    return [list(row)[::-1] for row in list(matrix)[::-1]]


def _transpose(matrix: Any) -> list:
    return [list(column) for column in zip(*matrix)]


FUNCTIONS: Mapping[str, Callable] = {"min": min, "max": max, "abs": abs, "rot180": _rot180, "transpose": _transpose}


class ExpressionError(ValueError):
    """An expression that cannot be read or evaluated; the message says why, in the author's terms."""


@dataclass(frozen=True)
class Expression:
    """A parsed expression: its text and the parameter paths it reads."""

    text: str
    tree: ast.expr

    @property
    def paths(self) -> tuple[str, ...]:
        """The parameter paths it names, as dotted text ("conv1.pad", "input_shape.1")."""
        return tuple(dict.fromkeys(_path_text(node) for node in _path_nodes(self.tree)))

    def evaluate(self, parameters: Mapping[str, Any]) -> Any:
        """Its value on these parameters; ExpressionError when a path is missing or the arithmetic fails."""
        try:
            return _evaluate(self.tree, parameters)
        except ExpressionError:
            raise
        except (ZeroDivisionError, TypeError, ValueError, IndexError, KeyError, OverflowError) as exc:
            raise ExpressionError(f"{self.text}: {type(exc).__name__}: {exc}") from None


@functools.lru_cache(maxsize=4096)
def parse_expression(text: str) -> Expression:
    """Read an expression; ExpressionError for anything outside the language."""
    stripped = text.strip()
    if not stripped:
        raise ExpressionError("an empty expression")
    if len(stripped) > MAX_EXPRESSION_CHARS:
        raise ExpressionError(f"{stripped[:40]}...: longer than {MAX_EXPRESSION_CHARS} characters")
    try:
        tree = ast.parse(_DOTTED.sub(_indexes, stripped), mode="eval").body
    except SyntaxError:
        raise ExpressionError(f"{stripped}: not an expression (write parameters as conv1.pad, "
                              "numbers and + - * / // % ( ) == != < <= > >= and or not)") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise ExpressionError(f"{stripped}: {type(node).__name__.lower()} is not allowed here")
        if isinstance(node, ast.Constant) and (isinstance(node.value, bool) or not isinstance(node.value, int)):
            raise ExpressionError(f"{stripped}: only whole numbers may be written, not {node.value!r}")
        if isinstance(node, ast.Call) and (not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS
                                           or node.keywords):
            raise ExpressionError(f"{stripped}: the functions are {', '.join(FUNCTIONS)}")
        if isinstance(node, ast.Subscript) and not (isinstance(node.slice, ast.Constant)
                                                    and isinstance(node.slice.value, int)):
            raise ExpressionError(f"{stripped}: an item is chosen by its number, as input_shape.1")
        if isinstance(node, (ast.Attribute, ast.Subscript)) and not isinstance(node.value, (ast.Name, ast.Attribute,
                                                                                           ast.Subscript)):
            raise ExpressionError(f"{stripped}: only a parameter has fields or items")
    return Expression(stripped, tree)


def _indexes(match: re.Match) -> str:
    """input_shape.1 -> input_shape[1]: Python reads ".1" as a number."""
    head, *steps = match.group().split(".")
    return head + "".join(f"[{step}]" if step.isdigit() else f".{step}" for step in steps)


_ALLOWED = (ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.Call, ast.Constant, ast.Name, ast.Attribute,
            ast.Subscript, ast.Load, ast.USub, ast.UAdd, ast.Not, ast.And, ast.Or, *_BINARY, *_COMPARE)


def _path_nodes(tree: ast.expr) -> Iterator[ast.expr]:
    """The outermost Name/Attribute/Subscript chains: each is one parameter path."""
    if isinstance(tree, (ast.Name, ast.Attribute, ast.Subscript)):
        yield tree
        return
    for child in ast.iter_child_nodes(tree):
        if isinstance(tree, ast.Call) and child is tree.func:
            continue
        yield from _path_nodes(child)


def _path_text(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_path_text(node.value)}.{node.attr}"
    return f"{_path_text(node.value)}.{node.slice.value}"  # a Subscript: parse_expression allows int indexes only


def _evaluate(node: ast.expr, parameters: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.Name, ast.Attribute, ast.Subscript)):
        return lookup(parameters, _path_text(node))
    if isinstance(node, ast.UnaryOp):
        value = _evaluate(node.operand, parameters)
        return not value if isinstance(node.op, ast.Not) else -value if isinstance(node.op, ast.USub) else +value
    if isinstance(node, ast.BinOp):
        left, right = _evaluate(node.left, parameters), _evaluate(node.right, parameters)
        if isinstance(node.op, ast.Div):
            return _whole(Fraction(left) / Fraction(right))
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.BoolOp):
        values = (_evaluate(value, parameters) for value in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.Compare):
        left = _evaluate(node.left, parameters)
        for op, right_node in zip(node.ops, node.comparators):
            right = _evaluate(right_node, parameters)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.Call):
        return FUNCTIONS[node.func.id](*(_evaluate(arg, parameters) for arg in node.args))
    raise ExpressionError(f"{type(node).__name__} is not allowed")  # parse_expression lets none through


def _whole(value: Fraction) -> int | Fraction:
    return int(value) if value.denominator == 1 else value


def lookup(parameters: Mapping[str, Any], path: str) -> Any:
    """The parameter at a dotted path ("conv1.pad", "input_shape.1"); ExpressionError if there is none."""
    node: Any = parameters
    for step in path.split("."):
        if isinstance(node, Mapping) and step in node:
            node = node[step]
        elif isinstance(node, list) and step.isdigit() and int(step) < len(node):
            node = node[int(step)]
        else:
            raise ExpressionError(f"there is no parameter {path!r}")
    return node


# ---------------------------------------------------------------- templates

FORMATS: Mapping[str, Callable[[Any], str]] = {
    "shape": lambda value: " × ".join(show_value(item) for item in value),
    "matrix": lambda value: _aligned_rows(value),
}


@dataclass(frozen=True)
class Placeholder:
    """One `{...}` of a template: an expression, `answer`, or `@part.id`, with an optional format."""

    text: str
    expression: Expression | None    # None for {answer} and {@part.id}
    part: str | None                 # the part id of {@part.id}
    format: str | None


def placeholders(template: str, formats: bool = False) -> Iterator[Placeholder]:
    """Every placeholder of a template, read; ExpressionError for one that cannot be.

    `formats`: whether `{value:format}` is allowed (handouts); feedback shows values as answers are shown."""
    for match in _PLACEHOLDER.finditer(template):
        if match.group(1) is not None:
            yield _placeholder(match.group(1), formats)


@functools.lru_cache(maxsize=4096)
def _placeholder(text: str, formats: bool) -> Placeholder:
    body, format_name = text.strip(), None
    if formats and ":" in body:
        body, format_name = (piece.strip() for piece in body.rsplit(":", 1))
        if format_name not in FORMATS:
            raise ExpressionError(f"{{{text}}}: the formats are {', '.join(FORMATS)}")
    if body == ANSWER:
        return Placeholder(text, None, None, format_name)
    part = _PART.fullmatch(body)
    if part:
        return Placeholder(text, None, part.group(1), format_name)
    return Placeholder(text, parse_expression(body), None, format_name)


def render(template: str, parameters: Mapping[str, Any], answer: Callable[[], str] | None = None,
           part_answer: Callable[[str], str] | None = None, formats: bool = False) -> str:
    """The template with each placeholder replaced by its value on these parameters.

    `answer()` and `part_answer(part_id)` give {answer} and {@part.id} as text;
    without them those placeholders are an error."""
    if "{" not in template and "}" not in template:
        return template  # most feedback names no parameter

    def value(match: re.Match) -> str:
        if match.group(1) is None:
            return match.group()[0]
        placeholder = _placeholder(match.group(1), formats)
        if placeholder.expression is not None:
            shown = placeholder.expression.evaluate(parameters)
            return FORMATS[placeholder.format](shown) if placeholder.format else show_value(shown)
        if placeholder.part is not None and part_answer is not None:
            return part_answer(placeholder.part)
        if placeholder.part is None and answer is not None:
            return answer()
        raise ExpressionError(f"{{{placeholder.text}}} cannot be used here")

    return _PLACEHOLDER.sub(value, template)


def show_value(value: Any) -> str:
    """A parameter's value as text: 3, 1/2, [4, 64, 64], [[2, 4], [3, -2]], {kernel: 2, stride: 2}."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, Fraction)):
        return show_number(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(show_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{name}: {show_value(item)}" for name, item in value.items()) + "}"
    return str(value)


def _aligned_rows(matrix: Any) -> str:
    cells = [[show_value(item) for item in row] for row in matrix]
    width = max((len(cell) for row in cells for cell in row), default=1)
    return "\n".join("[ " + " ".join(cell.rjust(width) for cell in row) + " ]" for row in cells)
