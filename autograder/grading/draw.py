"""A rubric's `draw:` section: how each variant of the pool draws its parameters.

`parameters:` stays the base variant, the homework as printed; `draw:`
names the parameters that differ per student and what each is drawn from:

    draw:
      pool: 64                                  # variants drawn, checked and deployed
      values:                                   # in this order
        input_shape.1: {integer: [28, 64]}      # both ends included
        input_shape.2: {derived: input_shape.1} # an expression (grading/expressions.py)
        conv1.kernel: {choice: [3, 5]}
        B: {matrix: [3, 3], entries: [-4, 4]}
      constraints:
        - that: B != rot180(B)
          because: a centrosymmetric B makes convolution equal cross-correlation

The drawing itself (seeded by the course's secret) and the checks of each
variant are `authoring/pool.py`'s; grading only picks a compiled variant.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Mapping

from autograder.base.text_enum import TextEnum
from autograder.grading.expressions import Expression, ExpressionError, lookup, parse_expression


class DistributionKind(TextEnum):
    """What a drawn parameter's value comes from."""

    INTEGER = "integer"      # a whole number in [low, high]
    CHOICE = "choice"        # one of a list
    MATRIX = "matrix"        # rows x columns whole numbers, each in [low, high]
    DERIVED = "derived"      # an expression over the parameters


@dataclass(frozen=True)
class Distribution:
    """How one parameter (a dotted path into `parameters:`) is drawn."""

    path: str
    kind: DistributionKind
    low: int = 0                        # INTEGER, and a MATRIX's entries
    high: int = 0
    choices: tuple = ()                 # CHOICE
    shape: tuple[int, int] = (0, 0)     # MATRIX: rows, columns
    expression: Expression | None = None  # DERIVED
    at: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class Constraint:
    """An expression every variant must make true, and why (the reason a variant that breaks it is rejected with)."""

    expression: Expression
    because: str
    at: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class Draw:
    """The pool's size, each drawn parameter in order, and the constraints."""

    pool_size: int
    values: tuple[Distribution, ...]
    constraints: tuple[Constraint, ...]
    at: tuple[int, int] = (0, 0)

    @property
    def top_level(self) -> tuple[str, ...]:
        """The top-level parameters some of whose values are drawn (input_shape, conv1, A...), in order."""
        return tuple(dict.fromkeys(value.path.split(".")[0] for value in self.values))


def read_draw(loader, value: Any, parameters: Mapping[str, Any]) -> Draw:
    """The `draw:` section, validated against the base parameters; `loader` is the rubric loader,
    whose `mapping`, `fail` and `position` locate each error."""
    where = ("draw",)
    draw = loader.mapping(value, where, "draw", "draw")
    size = draw["pool"]
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 10000:
        raise loader.fail(where + ("pool",), f"draw.pool must be a whole number from 1 to 10000, got {size!r}")
    entries = draw["values"]
    if not isinstance(entries, dict) or not entries:
        raise loader.fail(where + ("values",), "draw.values maps parameter paths (conv1.pad) to how each is drawn")
    known = parameter_paths(parameters)
    values: list[Distribution] = []
    for path, item in entries.items():
        values.append(_distribution(loader, str(path), item, where + ("values", path), parameters, known, values))
    for index, value in enumerate(values):
        used = value.expression.paths if value.expression else ()
        for later in values[index:]:
            if any(path == later.path or path.startswith(later.path + ".") for path in used):
                raise loader.fail(where + ("values", value.path),
                                  f"draw.values.{value.path}: derived from {later.path}, which is drawn "
                                  + ("by this entry" if later is value else "below it: list it above"))
    constraints = []
    for index, item in enumerate(draw.get("constraints") or []):
        at = where + ("constraints", index)
        constraint = loader.mapping(item, at, "draw constraint", "constraint")
        expression = _expression(loader, constraint["that"], at + ("that",), "draw constraint", parameters, known)
        because = loader.text(constraint["because"], at + ("because",), "draw constraint: because")
        constraints.append(Constraint(expression, because, loader.position(at)))
    return Draw(size, tuple(values), tuple(constraints), loader.position(where))


def _distribution(loader, path: str, value: Any, where: tuple, parameters: Mapping, known: list[str],
                  earlier: list[Distribution]) -> Distribution:
    from autograder.grading.rubric import did_you_mean  # the loader's module, which imports this one

    what = f"draw.values.{path}"
    item = loader.mapping(value, where, what, "draw_value")
    try:
        lookup(parameters, path)
    except ExpressionError:
        raise loader.fail(where, f"{what}: there is no parameter {path!r} in parameters: to draw"
                          + did_you_mean(path, known)) from None
    for other in earlier:
        if path == other.path or path.startswith(other.path + ".") or other.path.startswith(path + "."):
            raise loader.fail(where, f"{what}: {other.path!r} is drawn already; draw a parameter once")
    kinds = [kind for kind in DistributionKind if kind in item]
    if len(kinds) != 1 or ("entries" in item) != (kinds == [DistributionKind.MATRIX]):
        raise loader.fail(where, f"{what}: give exactly one of integer: [low, high], choice: [...], "
                                 "matrix: [rows, columns] with entries: [low, high], or derived: <expression>")
    kind, at = kinds[0], loader.position(where)
    if kind is DistributionKind.INTEGER:
        low, high = _range(loader, item["integer"], where + ("integer",), what)
        return Distribution(path, kind, low=low, high=high, at=at)
    if kind is DistributionKind.CHOICE:
        if not isinstance(item["choice"], list) or not item["choice"]:
            raise loader.fail(where + ("choice",), f"{what}: choice is a non-empty list of values")
        return Distribution(path, kind, choices=tuple(item["choice"]), at=at)
    if kind is DistributionKind.MATRIX:
        shape = item["matrix"]
        if (not isinstance(shape, list) or len(shape) != 2
                or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in shape)):
            raise loader.fail(where + ("matrix",), f"{what}: matrix is [rows, columns], each at least 1")
        low, high = _range(loader, item["entries"], where + ("entries",), what)
        return Distribution(path, kind, low=low, high=high, shape=(shape[0], shape[1]), at=at)
    expression = _expression(loader, str(item["derived"]), where + ("derived",), what, parameters, known)
    return Distribution(path, kind, expression=expression, at=at)


def _range(loader, value: Any, where: tuple, what: str) -> tuple[int, int]:
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(n, int) and not isinstance(n, bool) for n in value) or value[0] > value[1]):
        raise loader.fail(where, f"{what}: give [lowest, highest], two whole numbers, the lowest first; got {value!r}")
    return value[0], value[1]


def _expression(loader, text: Any, where: tuple, what: str, parameters: Mapping, known: list[str]) -> Expression:
    try:
        expression = parse_expression(str(text))
    except ExpressionError as exc:
        raise loader.fail(where, f"{what}: {exc}") from None
    problem = unknown_path(expression, parameters, known)
    if problem:
        raise loader.fail(where, f"{what}: {expression.text}: {problem}")
    return expression


def unknown_path(expression: Expression, parameters: Mapping, known: list[str]) -> str | None:
    """"there is no parameter 'conv1.padd' (did you mean 'conv1.pad'?)" for the first path the
    expression names that the parameters lack; None when it names none."""
    from autograder.grading.rubric import did_you_mean  # the loader's module, which imports this one

    for path in expression.paths:
        try:
            lookup(parameters, path)
        except ExpressionError:
            return f"there is no parameter {path!r}{did_you_mean(path, known)}"
    return None


def with_values(parameters: Mapping[str, Any], values: Any) -> dict:
    """A copy of the parameters with each (dotted path, value) of `values` set: a variant's parameters,
    in the base's order."""
    result = copy.deepcopy(dict(parameters))
    for path, value in values:
        *parents, leaf = path.split(".")
        node: Any = result
        for step in parents:
            node = node[int(step)] if isinstance(node, list) else node[step]
        node[int(leaf) if isinstance(node, list) else leaf] = value
    return result


def parameter_paths(parameters: Mapping, prefix: str = "") -> list[str]:
    """Every parameter's dotted path, a list's items included ("conv1", "conv1.pad", "input_shape.1"),
    a matrix's entries not: what a did-you-mean offers."""
    found = []
    items = parameters.items() if isinstance(parameters, Mapping) else enumerate(parameters)
    for name, value in items:
        found.append(f"{prefix}{name}")
        if isinstance(value, Mapping) or (isinstance(value, list) and value and not isinstance(value[0], list)):
            found.extend(parameter_paths(value, f"{prefix}{name}."))
    return found
