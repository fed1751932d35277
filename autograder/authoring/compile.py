"""The key compiler: Rubric -> AnswerKey, running the reference solvers (numpy, sympy) once.

Each part gets its correct value, and each mistake the values it produces.
A part whose answer uses another part's answer ("@q1a.layer1_output") also
gets formulas: the same solver call with the referenced answers left as
symbols, stored as trees that grading evaluates on the student's own
earlier answers without importing sympy (see grading/formula.py). This is
the only place solvers run; the result is cached beside the rubric
(grading/key.py) so that grading never compiles.
"""

from __future__ import annotations

import copy
import inspect
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Mapping

from autograder.answers.reading import key_number
from autograder.base.fingerprint import engine_fingerprint
from autograder.grading import formula
from autograder.grading.key import AnswerKey, Formula, KeyUnavailable, MistakeKey, PartKey, cached_key, write_cache
from autograder.grading.rubric import (
    LiteralValue, Mistake, NearMiss, Part, ReadingNote, Rubric, SolverCall, SolverVariants, Transform, did_you_mean,
    load_rubric, references,
)


class CompileError(KeyUnavailable):
    """A solver call in the rubric failed: names the part, the mistake and the cause."""

    def __init__(self, message: str, part_id: str | None = None, mistake_id: str | None = None):
        super().__init__(message)
        self.part_id, self.mistake_id = part_id, mistake_id
        self.missing_part: str | None = None  # set when a "@part.id" reference names no part


@dataclass(frozen=True)
class CompileReport:
    """A key compiled and cached beside its rubric; `summary()` is what `autograder compile` prints."""

    key: AnswerKey
    path: Path
    seconds: float
    exit_code = 0

    def summary(self) -> str:
        """How many parts, how long, where the key was written; and for a rubric with draw:, its pool."""
        from autograder.authoring.pool import pool_summary  # pool.py compiles with this module

        lines = [f"compiled {len(self.key.parts)} parts in {self.seconds:.2f} s -> {self.path}"]
        return "\n".join(lines + (pool_summary(self.key.pool) if self.key.pool else []))


def compile_rubric(rubric_path: str | Path) -> CompileReport:
    """Load the rubric, compile its key (or take the current cache) and write the cache; raises
    RubricError or CompileError for an author's error."""
    started = time.perf_counter()
    key = cached_or_compiled(load_rubric(rubric_path))
    path = write_cache(key)
    return CompileReport(key, path, time.perf_counter() - started)


def cached_or_compiled(rubric: Rubric) -> AnswerKey:
    """The key cached beside the rubric when it is current, else compiled now (with the pool of
    variants, drawn and checked, for a rubric with draw:; raises PoolError or SecretError-based
    CompileError when that cannot be done)."""
    cached = cached_key(rubric)
    if cached is not None:
        return cached
    key = compile_key(rubric)
    if rubric.draw is None:
        return key
    from autograder.authoring.pool import draw_pool  # pool.py runs check.py's passes, which import this module
    from autograder.grading.variants import SecretError, read_secret

    try:
        secret = read_secret(rubric.path)
    except SecretError as exc:
        raise CompileError(str(exc)) from None
    return draw_pool(key, secret)


def compile_key(rubric: Rubric, errors: list[CompileError] | None = None, carry_forward: bool = True) -> AnswerKey:
    """Run every solver call. Raises the first CompileError, or, given an `errors` list,
    records each one, leaves out what failed (a part, a mistake) and goes on.

    carry_forward=False leaves out the formulas of error carried forward (the slow, symbolic
    part): the key's values alone, for searching the problem's numbers, not for grading."""
    from reference import SOLVERS  # numpy and sympy load only when a key is compiled

    compiler = _Compiler(rubric, SOLVERS, errors, carry_forward)
    parts = (compiler.attempt(compiler.part_key, part, part_id=part.id) for part in rubric.parts)
    return AnswerKey(rubric, tuple(part for part in parts if part is not None), engine_fingerprint())


class _Compiler:
    def __init__(self, rubric: Rubric, solvers: Mapping, errors: list[CompileError] | None = None,
                 carry_forward: bool = True):
        self.rubric, self.solvers, self.errors, self.carry_forward = rubric, solvers, errors, carry_forward
        self.part_ids = {part.id for part in rubric.parts}

    def attempt(self, build, *args, part_id: str, mistake_id: str | None = None):
        try:
            return build(*args)
        except CompileError as exc:
            exc.part_id, exc.mistake_id = part_id, exc.mistake_id or mistake_id
            if self.errors is None:
                raise
            self.errors.append(exc)
            return None

    def part_key(self, part: Part) -> PartKey:
        where = f"part {part.id}"
        if part.answer is None:
            correct = self.typed(part, part.literal_answer, where)
        else:
            correct = self.typed(part, self.value(part, part.answer, {}, where), where)
        ecf = None
        if self.carry_forward and part.ecf and part.answer is not None and references(part.answer.args):
            ecf = self.formula(part, part.answer, {}, where)
        mistakes = (self.attempt(self.mistake_key, part, mistake, part_id=part.id, mistake_id=mistake.id)
                    for mistake in part.mistakes)
        return PartKey(part, correct, ecf, tuple(mistake for mistake in mistakes if mistake is not None))

    def mistake_key(self, part: Part, mistake: Mistake) -> MistakeKey:
        where = f"part {part.id}, mistake {mistake.id}"
        match mistake.reproduction:
            case LiteralValue(value):
                return MistakeKey(mistake, (self.typed(part, value, where),), ())
            case SolverVariants(calls):
                if part.answer is None:
                    raise CompileError(f"{where}: only a part whose answer comes from a solver can have solver mistakes")
                values = tuple(self.typed(part, self.value(part, call, call.params, where), where) for call in calls)
                # Mistakes relative to the student's own earlier answers are errors carried forward too.
                formulas = tuple(
                    self.formula(part, call, call.params, where)
                    for call in calls
                    if self.carry_forward and part.ecf and references({**part.answer.args, **call.args})
                )
                return MistakeKey(mistake, values, formulas)
            case Transform() | NearMiss() | ReadingNote():
                return MistakeKey(mistake, (), ())  # the answer type applies them to each answer when grading

    def typed(self, part: Part, data: Any, where: str) -> Any:
        try:
            return part.answer_type.from_key(data)
        except Exception as exc:
            raise CompileError(f"{where}: the value {data!r} is not a valid {part.type_name} answer: {exc}") from None

    def formula(self, part: Part, call: SolverCall, overrides: Mapping, where: str) -> Formula:
        result = self.run(part, call, overrides, symbolic=True, where=where)
        refs = tuple(
            (part_id, len(value) if isinstance(value, list) else None)
            for part_id in sorted(references({**part.answer.args, **call.args}))
            for value in [self.value(self.rubric.part(part_id), SolverCall(None), {}, where)]
        )
        try:
            if isinstance(result, (list, tuple)):
                return Formula(tuple(from_sympy(_sympify(item)) for item in result), False, refs)
            return Formula((from_sympy(_sympify(result)),), True, refs)
        except NotAFormula as exc:
            raise CompileError(f"{where}: cannot carry errors forward through this solver's result: {exc}") from None

    def value(self, part: Part, call: SolverCall, overrides: Mapping, where: str) -> Any:
        """The call's result on concrete values, as plain JSON data."""
        return self.plain(self.run(part, call, overrides, symbolic=False, where=where), where)

    def run(self, part: Part, override: SolverCall, overrides: Mapping, symbolic: bool, where: str) -> Any:
        """Run part's solver call, with override's solver/args and parameter overrides."""
        solver_name = override.solver or part.answer.solver
        solver = self.solvers.get(solver_name)
        if solver is None:
            raise CompileError(f"{where}: unknown solver {solver_name!r}"
                               + (did_you_mean(str(solver_name), self.solvers)
                                  or f"; the solvers are {', '.join(sorted(self.solvers))}"))
        if symbolic and not solver.symbolic:
            raise CompileError(
                f"{where}: solver {solver_name!r} cannot carry errors forward (it is not symbolic); set ecf: false"
            )
        params = self.parameters(overrides, where)
        accepted = inspect.signature(solver.function).parameters
        for name in {**part.answer.args, **override.args}:
            if name not in accepted:
                raise CompileError(f"{where}: solver {solver_name!r} has no argument {name!r}"
                                   f"{did_you_mean(str(name), accepted)}; it takes {', '.join(accepted)}")
        args = {
            name: self.resolve(value, params, overrides, symbolic, where)
            for name, value in {**part.answer.args, **override.args}.items()
        }
        try:
            return solver.function(**args)
        except Exception as exc:
            raise CompileError(f"{where}: solver {solver_name!r} failed: {type(exc).__name__}: {exc}") from None

    def parameters(self, overrides: Mapping, where: str) -> dict:
        params = copy.deepcopy(dict(self.rubric.parameters))
        for dotted, value in overrides.items():
            *parents, leaf = str(dotted).split(".")
            node = params
            for name in parents:
                node = node.get(name) if isinstance(node, dict) else None
            if not isinstance(node, dict) or leaf not in node:
                raise CompileError(f"{where}: params: there is no parameter {dotted!r} to change"
                                   + did_you_mean(str(dotted), parameter_paths(self.rubric.parameters)))
            node[leaf] = self.resolve(value, self.rubric.parameters, {}, False, where)
        return params

    def resolve(self, value: Any, params: Mapping, overrides: Mapping, symbolic: bool, where: str) -> Any:
        if isinstance(value, list):
            return [self.resolve(item, params, overrides, symbolic, where) for item in value]
        if isinstance(value, dict):
            return {name: self.resolve(item, params, overrides, symbolic, where) for name, item in value.items()}
        if isinstance(value, str) and value.startswith("$"):
            node: Any = params
            for name in value[1:].split("."):
                if not isinstance(node, dict) or name not in node:
                    known = ["$" + path for path in parameter_paths(params)]
                    raise CompileError(f"{where}: unknown parameter {value!r}{did_you_mean(value, known)}")
                node = node[name]
            return copy.deepcopy(node)
        if isinstance(value, str) and value.startswith("@"):
            return self.reference(value[1:], overrides, symbolic, where)
        return value

    def reference(self, part_id: str, overrides: Mapping, symbolic: bool, where: str) -> Any:
        if part_id not in self.part_ids:
            error = CompileError(f"{where}: unknown part reference '@{part_id}'{did_you_mean(part_id, self.part_ids)}")
            error.missing_part = part_id
            raise error
        referenced = self.rubric.part(part_id)
        if referenced.answer is None:
            return referenced.literal_answer
        value = self.value(referenced, SolverCall(None), overrides, where)
        if not symbolic:
            return value
        import sympy

        if isinstance(value, list):
            return tuple(sympy.Symbol(f"{part_id}[{i}]", integer=True, nonnegative=True) for i in range(len(value)))
        return sympy.Symbol(part_id, integer=True)

    @staticmethod
    def plain(result: Any, where: str) -> Any:
        """Solver output (sympy/numpy/tuples) -> plain JSON data."""
        if isinstance(result, (list, tuple)):
            return [_Compiler.plain(item, where) for item in result]
        if isinstance(result, (str, int)) and not isinstance(result, bool):
            return result
        try:
            number = Fraction(str(result))
        except (ValueError, TypeError):
            raise CompileError(f"{where}: the solver returned {result!r}, not a number, text or list") from None
        return key_number(number)


def parameter_paths(parameters: Mapping, prefix: str = "") -> list[str]:
    """Every parameter's dotted path: "conv1", "conv1.pad", ..."""
    paths = []
    for name, value in parameters.items():
        paths.append(prefix + str(name))
        if isinstance(value, dict):
            paths.extend(parameter_paths(value, f"{prefix}{name}."))
    return paths


def _sympify(value: Any):
    import sympy

    return sympy.sympify(value)


def solve_variation(rubric: Rubric, part: Part, params: Mapping[str, Any], args: Mapping[str, Any],
                    solver: str | None = None) -> Any:
    """The part's answer with changed parameters, solver arguments or solver, as a value of its type.

    For finding the mistake entry a rubric could declare (the regrade report);
    raises CompileError where the solver refuses the change."""
    from reference import SOLVERS  # numpy and sympy load only when something is solved

    where = f"part {part.id}, variation"
    compiler = _Compiler(rubric, SOLVERS)
    return compiler.typed(part, compiler.value(part, SolverCall(solver, args, params), params, where), where)


class NotAFormula(ValueError):
    """A sympy expression uses something the tree grammar cannot hold."""


def from_sympy(expr) -> formula.Tree:
    """A sympy expression as a formula tree (grading/formula.py's grammar)."""
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
