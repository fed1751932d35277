"""Solver formulas stored as small JSON trees and evaluated without sympy.

Error carried forward needs a part's formula evaluated on a student's own
earlier answer, once per submission. Importing sympy costs more than
grading a whole submission, so the key compiler (authoring/compile.py)
turns each sympy expression into a tree of plain lists once, and grading
walks that tree with exact Fractions.

Tree grammar: an int; ["sym", name]; ["frac", p, q]; ["add", t...];
["mul", t...]; ["pow", t, int]; ["floor", t]; ["ceil", t].
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Mapping

Tree = Any


def evaluate(tree: Tree, values: Mapping[str, Fraction | int]) -> Fraction:
    """Exact value of the tree; every symbol must be in `values`."""
    if isinstance(tree, int):
        return Fraction(tree)
    head, *args = tree
    if head == "sym":
        return Fraction(values[args[0]])
    if head == "frac":
        return Fraction(args[0], args[1])
    if head == "add":
        return sum((evaluate(arg, values) for arg in args), Fraction(0))
    if head == "mul":
        return math.prod((evaluate(arg, values) for arg in args), start=Fraction(1))
    if head == "pow":
        base = evaluate(args[0], values)
        if base == 0 and args[1] < 0:
            raise ZeroDivisionError("0 to a negative power")
        return base ** args[1]
    if head == "floor":
        return Fraction(math.floor(evaluate(args[0], values)))
    if head == "ceil":
        return Fraction(math.ceil(evaluate(args[0], values)))
    raise ValueError(f"unknown formula node {head!r}")
