"""Solver formulas stored as small JSON trees and evaluated without sympy.

Error carried forward needs a part's formula evaluated on a student's own
earlier answer, once per submission. Importing sympy costs more than
grading a whole submission, so the compiler turns each sympy expression
into a tree of plain lists once, and grading walks that tree with exact
Fractions.

Tree grammar: an int; ["sym", name]; ["frac", p, q]; ["add", t...];
["mul", t...]; ["pow", t, int]; ["floor", t]; ["ceil", t].
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Mapping

Tree = Any


class NotAFormula(ValueError):
    """A sympy expression uses something the tree grammar cannot hold."""


def from_sympy(expr) -> Tree:
    import sympy

    if isinstance(expr, sympy.Integer):
        return int(expr)
    if isinstance(expr, sympy.Rational):
        return ["frac", int(expr.p), int(expr.q)]
    if isinstance(expr, sympy.Symbol):
        return ["sym", expr.name]
    if isinstance(expr, sympy.Add):
        return ["add", *(from_sympy(arg) for arg in expr.args)]
    if isinstance(expr, sympy.Mul):
        return ["mul", *(from_sympy(arg) for arg in expr.args)]
    if isinstance(expr, sympy.Pow) and isinstance(expr.exp, sympy.Integer):
        return ["pow", from_sympy(expr.base), int(expr.exp)]
    if isinstance(expr, sympy.floor):
        return ["floor", from_sympy(expr.args[0])]
    if isinstance(expr, sympy.ceiling):
        return ["ceil", from_sympy(expr.args[0])]
    raise NotAFormula(f"cannot store {expr} ({type(expr).__name__}) as a formula")


def symbols_in(tree: Tree) -> set[str]:
    if isinstance(tree, list):
        if tree[0] == "sym":
            return {tree[1]}
        return set().union(*(symbols_in(arg) for arg in tree[1:] if isinstance(arg, list)))
    return set()


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
