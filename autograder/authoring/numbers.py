"""`autograder check --suggest conv1.pad=0..3 ...`: problem numbers for which every mistake stays distinct.

A homework's numbers decide whether its mistakes can be told apart: with
pad = 0, "forgot the padding" gives the right answer; with some sizes two
slips give the same number. For each combination of the named parameters'
values (in the ranges given), nearest to the rubric's own values first, the
key is compiled (the solvers run) and checked more strictly than `check`
does: no answer of any mistake (each of its variants) is the correct answer
or an answer of another mistake of the part; every correct answer reads back
as itself and no mutation of it is graded correct. The nearest few
combinations that pass are reported.

The rubric's examples are not graded: they state answers for the current
numbers, and change with them.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

from autograder.authoring.check import ERROR, Problem, answer_problems
from autograder.authoring.compile import CompileError, compile_key, parameter_paths
from autograder.grading.key import PartKey
from autograder.grading.rubric import Rubric, did_you_mean, load_rubric

MAX_COMBINATIONS = 100_000   # beyond this, narrow the ranges: the search tries them nearest first
MAX_SECONDS = 60.0           # the search stops here and reports what it found
SHOWN = 5                    # combinations reported


class SuggestError(Exception):
    """A --suggest range cannot be used: the message says why."""


@dataclass(frozen=True)
class Range:
    """The values tried for one parameter, by its dotted path."""

    path: str
    values: tuple[int, ...]
    current: int


@dataclass(frozen=True)
class Trial:
    """One combination of values and what the checks found with it."""

    values: tuple[int, ...]
    distance: int                       # sum of the differences from the rubric's values
    problems: tuple[Problem, ...]       # empty when every mistake stays distinct

    def shown(self, ranges: Sequence[Range]) -> str:
        """The tried values as `param=value` words."""
        return " ".join(f"{r.path}={value}" for r, value in zip(ranges, self.values))


@dataclass(frozen=True)
class SuggestReport:
    """The search and its findings; `summary()` is what `autograder check --suggest` prints."""

    file: str
    ranges: tuple[Range, ...]
    combinations: int
    tried: int
    current: Trial | None               # the rubric's own values, when they are in the ranges
    found: tuple[Trial, ...]            # nearest first
    stopped_early: bool                 # MAX_SECONDS ran out before every combination was tried
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        """1 when no tried values pass."""
        return 0 if self.found else 1

    def summary(self) -> str:
        """The nearest values that pass, or why none did."""
        lines = [f"{self.file}: searched {', '.join(f'{r.path} in {_span(r.values)}' for r in self.ranges)}: "
                 f"{self.tried} of {self.combinations} combinations tried, nearest first, in {self.seconds:.1f} s"
                 + (" (time ran out)" if self.stopped_early else "")]
        if self.current is not None:
            if self.current.problems:
                lines.append(f"with the rubric's values ({self.current.shown(self.ranges)}):")
                lines += [f"  {problem.message}" for problem in self.current.problems]
            else:
                lines.append(f"the rubric's values ({self.current.shown(self.ranges)}) keep every mistake distinct")
        if not self.found:
            lines.append("no combination tried keeps every mistake distinct from the answer and from each other: "
                         "widen the ranges, or name other parameters")
            return "\n".join(lines)
        lines.append("nearest values for which every mistake differs from the answer and from each other "
                     "(and the checks pass):")
        lines += [f"  {trial.shown(self.ranges)}" + ("   (the rubric's values)" if trial.distance == 0
                                                     else f"   (distance {trial.distance})")
                  for trial in self.found]
        return "\n".join(lines)


def suggest_numbers(rubric_path: str | Path, specs: Sequence[str], shown: int = SHOWN,
                    max_seconds: float = MAX_SECONDS) -> SuggestReport:
    """Search the named parameters' ranges ("conv1.pad=0..3", "P=1,2,4") for values keeping every mistake
    distinct. Raises RubricError for a rubric that does not load, SuggestError for a range that cannot be used."""
    started = time.perf_counter()
    rubric = load_rubric(rubric_path)
    ranges = tuple(parse_range(rubric, spec) for spec in specs)
    if not ranges:
        raise SuggestError("name at least one parameter to search, e.g. --suggest conv1.pad=0..3")
    if len({r.path for r in ranges}) != len(ranges):
        raise SuggestError("each parameter may be named once")
    combinations = 1
    for r in ranges:
        combinations *= len(r.values)
    if combinations > MAX_COMBINATIONS:
        raise SuggestError(f"{combinations} combinations is more than {MAX_COMBINATIONS}: narrow the ranges")
    current_values = tuple(r.current for r in ranges)
    ordered = sorted(itertools.product(*(r.values for r in ranges)),
                     key=lambda values: (_distance(values, current_values), values))
    found, current, tried, stopped = [], None, 0, False
    for values in ordered:
        if len(found) >= shown:
            break
        if time.perf_counter() - started > max_seconds:
            stopped = True
            break
        trial = _trial(rubric, ranges, values, current_values)
        tried += 1
        if values == current_values:
            current = trial
        if not trial.problems:
            found.append(trial)
    return SuggestReport(rubric.path, ranges, combinations, tried, current, tuple(found), stopped,
                         time.perf_counter() - started)


def parse_range(rubric: Rubric, spec: str) -> Range:
    """"conv1.pad=0..3" or "P=1,2,4" -> the values tried for that whole-number parameter."""
    match = re.fullmatch(r"\s*([^=\s]+)\s*=\s*(.+?)\s*", spec)
    if not match:
        raise SuggestError(f"{spec!r}: write PARAMETER=LOW..HIGH or PARAMETER=A,B,C, e.g. conv1.pad=0..3")
    path, values_text = match.groups()
    current = _parameter(rubric.parameters, path)
    if current is _MISSING:
        raise SuggestError(f"{spec!r}: there is no parameter {path!r}"
                           + did_you_mean(path, parameter_paths(rubric.parameters)))
    if isinstance(current, bool) or not isinstance(current, int):
        raise SuggestError(f"{spec!r}: {path} is {current!r}, not a whole number: only whole numbers are searched")
    bounds = re.fullmatch(r"(-?\d+)\s*\.\.\s*(-?\d+)", values_text)
    if bounds:
        low, high = (int(bound) for bound in bounds.groups())
        values = tuple(range(low, high + 1))
    elif re.fullmatch(r"-?\d+(\s*,\s*-?\d+)*", values_text):
        values = tuple(dict.fromkeys(int(value) for value in values_text.split(",")))
    else:
        raise SuggestError(f"{spec!r}: {values_text!r} is not LOW..HIGH or a list of whole numbers A,B,C")
    if not values:
        raise SuggestError(f"{spec!r}: the range is empty (write the low end first)")
    return Range(path, values, current)


_MISSING = object()


def _parameter(parameters: Mapping, path: str) -> Any:
    node: Any = parameters
    for name in path.split("."):
        if not isinstance(node, Mapping) or name not in node:
            return _MISSING
        node = node[name]
    return node


def _trial(rubric: Rubric, ranges: Sequence[Range], values: tuple[int, ...], current: tuple[int, ...]) -> Trial:
    parameters = copy.deepcopy(dict(rubric.parameters))
    for r, value in zip(ranges, values):
        *parents, leaf = r.path.split(".")
        node = parameters
        for name in parents:
            node = node[name]
        node[leaf] = value
    errors: list[CompileError] = []
    key = compile_key(dataclasses.replace(rubric, parameters=parameters), errors, carry_forward=False)
    problems = [Problem(rubric.path, 0, 0, ERROR, f"a solver refuses these values: {error}") for error in errors]
    problems += [Problem(rubric.path, *part_key.part.at, ERROR, clash) for part_key in key.parts
                 for clash in clashes(part_key)]
    problems += answer_problems(key)
    return Trial(values, _distance(values, current), tuple(problems))


def clashes(part_key: PartKey) -> list[str]:
    """Each answer of a mistake that is also the correct answer or an answer of another mistake, in words."""
    answer_type, correct = part_key.part.answer_type, part_key.correct
    # A mistake's answers as a student would give them, compared with the key's side of the others, as judged.
    answers = [(mistake_key.mistake.id, list(mistake_key.expected_values(answer_type, correct)))
               for mistake_key in part_key.mistakes]
    found = []
    where = f"part {part_key.part.id}"
    for index, (mistake_id, expected) in enumerate(answers):
        values = [answer_type.answer_like(value) for value in expected]
        same = [value for value in values if answer_type.same(value, correct)]
        if same:
            found.append(f"{where}, mistake {mistake_id}: gives the correct answer ({answer_type.show(same[0])})")
        for other_id, other_values in answers[:index]:
            shared = [value for value in values if any(answer_type.same(value, other) for other in other_values)]
            if shared:
                found.append(f"{where}, mistake {mistake_id}: gives the same answer ({answer_type.show(shared[0])}) "
                             f"as mistake {other_id}")
    return found


def _distance(values: Sequence[int], current: Sequence[int]) -> int:
    return sum(abs(value - base) for value, base in zip(values, current))


def _span(values: Sequence[int]) -> str:
    if len(values) > 2 and list(values) == list(range(values[0], values[-1] + 1)):
        return f"{values[0]}..{values[-1]}"
    return ",".join(str(value) for value in values)

