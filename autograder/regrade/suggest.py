"""Mistake entries to suggest for wrong answers the rubric does not recognise.

A part's solver call is varied one change at a time: a problem parameter it
uses moved to a nearby value, one of the solver's options flipped, an
"@part" input swapped for another part's, or another solver. Where a
variation reproduces a student's answer, the change is printed as a mistake
entry ready to paste into the rubric. Runs the solvers, so it is imported
by the report only, never on the grading path.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import yaml

from autograder.answers.base import Unreadable
from autograder.authoring.compile import CompileError, solve_variation
from autograder.grading.rubric import Part, Rubric

VARIATIONS_TRIED = 200   # bounds the solver calls per part
SUGGESTIONS_SHOWN = 3    # mistake entries shown per answer


@dataclass(frozen=True)
class Variation:
    """One systematic change to a part's solver call: a parameter, an argument or the solver."""

    source: str                                    # the mistake field: params, args or solver
    change: Mapping[str, Any] = field(default_factory=dict)
    solver: str | None = None
    described: str = ""                            # "conv1.pad = 2 instead of 1"

    def mistake_entry(self, taken: set[str]) -> str:
        """The rubric entry, as YAML to paste under the part's mistakes:."""
        detail = self.solver if self.source == "solver" else _flow_yaml(dict(self.change))
        slug = re.sub(r"[^a-z0-9]+", "_", f"{self.source} {detail}".lower()).strip("_")
        slug = re.sub(r"^(params|args)_", "", slug)
        mistake_id = slug if slug[:1].isalpha() else f"variation_{slug}"
        while mistake_id in taken:
            mistake_id += "_2"
        return "\n".join((
            f"- id: {mistake_id}",
            "  credit: 0",
            f"  {self.source}: {detail}",
            "  feedback: >-",
            f"    This answer follows from {self.described}.",
        ))


def suggest_mistakes(rubric: Rubric, part: Part, answers: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """answer (as read) -> mistake entries whose variation of the part's solver call reproduces it.

    Only single changes are tried, on the key (not relative to a student's
    earlier answers), at most VARIATIONS_TRIED per part."""
    if part.answer is None or not answers:
        return {}
    wanted = []
    for answer in answers:
        try:
            wanted.append((answer, part.answer_type.parse(answer)))
        except Unreadable:
            continue  # a display that does not read back (no such type today): nothing to compare
    if not wanted:
        return {}
    taken = {mistake.id for mistake in part.mistakes}
    found: dict[str, list[str]] = defaultdict(list)
    for variation in variations(rubric, part)[:VARIATIONS_TRIED]:
        try:
            value = solve_variation(rubric, part, variation.change if variation.source == "params" else {},
                                    variation.change if variation.source == "args" else {}, variation.solver)
        except CompileError:
            continue  # the solver refuses this change (a negative size, a missing argument)
        for answer, parsed in wanted:
            if len(found[answer]) < SUGGESTIONS_SHOWN and part.answer_type.same(parsed, value):
                found[answer].append(variation.mistake_entry(taken))
    return {answer: tuple(entries) for answer, entries in found.items() if entries}


def variations(rubric: Rubric, part: Part) -> list[Variation]:
    """The changes tried, likeliest first: the solver's own arguments (they exist to model slips:
    plus_one, bias, kernel_flip), then the problem's parameters (every one off by one before any
    off by two, ...), then the other solvers."""
    from reference import SOLVERS  # the solvers (numpy, sympy) load only when suggestions are made

    call = part.answer
    function = SOLVERS[call.solver].function
    found = []
    for name, argument in inspect.signature(function).parameters.items():
        given = call.args.get(name, argument.default)
        if given is inspect.Parameter.empty:
            continue
        if isinstance(given, str) and given.startswith("@"):
            alternatives = [f"@{other.id}" for other in rubric.parts
                            if other.type_name == rubric.part(given[1:]).type_name
                            and f"@{other.id}" != given and other.id != part.id
                            and part.id not in _referenced_parts(rubric, other)]
        elif isinstance(given, str) and given.startswith("$"):
            alternatives = []  # a parameter: varied below, where the problem's numbers are
        else:
            alternatives = _nearby(given)
        alternatives += [choice for choice in _choices(function, name) if choice != given and choice not in alternatives]
        found += [Variation("args", {name: new},
                            described=f"{name} = {_described(rubric, new)} instead of {_described(rubric, given)}")
                  for new in alternatives]
    nearby = sorted(
        ((rank, order, path, value, new)
         for order, (path, value) in enumerate(_used_parameters(rubric, part))
         for rank, new in enumerate(_nearby(value))),
        key=lambda item: item[:2],
    )
    found += [Variation("params", {path: new}, described=f"{path} = {_flow_yaml(new)} instead of {_flow_yaml(value)}")
              for _, _, path, value, new in nearby]
    found += [Variation("solver", solver=other, described=f"the solver {other} instead of {call.solver}")
              for other in sorted(SOLVERS) if other != call.solver]
    return found


def _referenced_parts(rubric: Rubric, part: Part) -> set[str]:
    """Every part whose answer this part's answer uses, directly or through others."""
    seen: set[str] = set()
    pending = [part]
    while pending:
        current = pending.pop()
        for reference in _strings(current.answer.args if current.answer else {}, "@"):
            if reference[1:] not in seen and any(p.id == reference[1:] for p in rubric.parts):
                seen.add(reference[1:])
                pending.append(rubric.part(reference[1:]))
    return seen


def _used_parameters(rubric: Rubric, part: Part) -> list[tuple[str, Any]]:
    """(dotted path, value) of each number or flag the call uses, through the parts it references too."""
    calls = [part] + [rubric.part(part_id) for part_id in sorted(_referenced_parts(rubric, part))]
    found: dict[str, Any] = {}
    for current in calls:
        for reference in _strings(current.answer.args if current.answer else {}, "$"):
            found.update(_leaves(_parameter(rubric, reference[1:]), reference[1:]))
    return list(found.items())


def _parameter(rubric: Rubric, path: str) -> Any:
    node: Any = rubric.parameters
    for name in path.split("."):
        node = node.get(name) if isinstance(node, dict) else None
    return node


def _described(rubric: Rubric, value: Any) -> str:
    """An argument's value in words a student can read: no "$P" or "@q1a.layer1_output"."""
    if isinstance(value, str) and value.startswith("$"):
        return _flow_yaml(_parameter(rubric, value[1:]))
    if isinstance(value, str) and value.startswith("@"):
        return f"the answer to {rubric.part(value[1:]).number}"
    return _flow_yaml(value)


def _leaves(value: Any, path: str) -> dict[str, Any]:
    # Lists (a shape, a matrix) are left alone: a rubric's params: cannot change one entry of them.
    if isinstance(value, dict):
        return {k: v for name, item in value.items() for k, v in _leaves(item, f"{path}.{name}").items()}
    return {path: value} if isinstance(value, (bool, int)) else {}


def _strings(value: Any, prefix: str) -> list[str]:
    if isinstance(value, str):
        return [value] if value.startswith(prefix) else []
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return [found for item in items for found in _strings(item, prefix)]


def _nearby(value: Any) -> list:
    """The slips a student makes with a number, likeliest first: off by one, 0, off by two, doubled,
    halved; a flag flipped."""
    if isinstance(value, bool):
        return [not value]
    if not isinstance(value, int):
        return []
    candidates = [value - 1, value + 1, 0, value - 2, value + 2, 2 * value] + ([value // 2] if value % 2 == 0 else [])
    return list(dict.fromkeys(c for c in candidates if c >= 0 and c != value))


def _choices(function, argument: str) -> tuple:
    """A text argument's values, from the solver module's constant named after it (BIAS_MODES, KERNEL_FLIPS)."""
    module = sys.modules[function.__module__]
    for name in (f"{argument.upper()}_MODES", f"{argument.upper()}S"):
        values = getattr(module, name, None)
        if isinstance(values, tuple) and all(isinstance(v, str) for v in values):
            return values
    return ()


def _flow_yaml(value: Any) -> str:
    return yaml.safe_dump(value, default_flow_style=True, sort_keys=False).removesuffix("\n...\n").strip()
