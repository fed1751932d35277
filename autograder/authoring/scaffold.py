"""`autograder new NAME`: a new homework that passes `check`, `samples` and `build` as it is written.

It writes, in the checkout the command runs in (the folder holding
`reference/`, whose solvers the autograder imports):

- rubric/NAME.yaml: two parts computed by the new solvers, with a mistake
  reproduced by a solver argument, error carried forward, and examples;
- rubric/NAME.md: the homework text students read;
- reference/NAME.py: the solvers, registered in reference/__init__.py's SOLVERS;
- submissions_samples/NAME/: two samples with their expected.json.

Every file is an example to edit; docs/authoring.md explains each piece.
Nothing is written unless every file is new and the registration can be added.
"""

from __future__ import annotations

import keyword
import os
import re
from dataclasses import dataclass
from pathlib import Path

from autograder.base.atomic import write_text_atomic
from autograder.grading.rubric import SCHEMA_PATH


class ScaffoldError(Exception):
    """The homework cannot be made here: the message says why and what to do."""


@dataclass(frozen=True)
class NewReport:
    """The files `autograder new` wrote; `summary()` is what it prints."""

    name: str
    written: tuple[Path, ...]
    registered: Path
    exit_code = 0

    def summary(self) -> str:
        """The files written and what to do next."""
        lines = [f"wrote {path}" for path in self.written]
        lines.append(f"registered {self.name}_layer_params and {self.name}_total_params in {self.registered}")
        lines += ["", "Next, edit them (docs/authoring.md explains each piece), and after each change run:",
                  f"  autograder check rubric/{self.name}.yaml",
                  f"  autograder samples rubric/{self.name}.yaml        (--accept NAME after reviewing a sample's grade)",
                  f"  autograder preview rubric/{self.name}.yaml submissions_samples/{self.name}/01-full-credit --after-due",
                  f"  autograder build rubric/{self.name}.yaml          # -> dist/{self.name}-autograder.zip"]
        return "\n".join(lines)


def new_homework(name: str, root: str | Path = ".") -> NewReport:
    """Write homework NAME's rubric, text, solver module (registered) and samples under ROOT, the checkout."""
    root = Path(root)
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or keyword.iskeyword(name):
        raise ScaffoldError(f"{name!r} cannot name a homework: use lowercase letters, digits and _ , starting "
                            "with a letter (it names the rubric, its samples folder and a Python module)")
    registry = root / "reference" / "__init__.py"
    import reference  # the package the autograder runs its solvers from

    if not registry.is_file() or Path(reference.__file__).resolve() != registry.resolve():
        raise ScaffoldError(f"run `autograder new` in the checkout the autograder runs from ({Path(reference.__file__).parents[1]}), "
                            "the folder holding reference/: the new solvers must be where it imports them")
    samples = root / "submissions_samples" / name
    files = {
        root / "rubric" / f"{name}.yaml": _RUBRIC.replace("{schema}", os.path.relpath(SCHEMA_PATH, root / "rubric")),
        root / "rubric" / f"{name}.md": _HOMEWORK,
        root / "reference" / f"{name}.py": _SOLVERS,
        samples / "01-full-credit" / "submission" / "answers.yaml": "q1:\n  layer1: 15\n  total: 23\n",
        samples / "01-full-credit" / "expected.json": _EXPECTED_FULL,
        samples / "02-no-bias-then-ecf" / "submission" / "answers.yaml": "q1:\n  layer1: 12\n  total: 20\n",
        samples / "02-no-bias-then-ecf" / "expected.json": _EXPECTED_NO_BIAS,
    }
    taken = [path for path in [*files, samples] if path.exists()]
    if taken:
        raise ScaffoldError(f"{taken[0]} exists already: choose another name (nothing was written)")
    registered = _registered(registry.read_text(encoding="utf-8"), name)
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, text.replace("{name}", name))
    write_text_atomic(registry, registered)
    return NewReport(name, tuple(files), registry)


def _registered(source: str, name: str) -> str:
    """reference/__init__.py with the module imported and its solvers in SOLVERS; ScaffoldError if it
    is not laid out as `from reference import ...` and `SOLVERS: ... = {` ... `}`."""
    from reference import SOLVERS

    clashes = sorted({f"{name}_layer_params", f"{name}_total_params"} & set(SOLVERS))
    if clashes:
        raise ScaffoldError(f"SOLVERS has {', '.join(clashes)} already: choose another name (nothing was written)")
    imports = re.search(r"^from reference import (.+)$", source, re.M)
    table = re.search(r"^SOLVERS\b[^\n]*= \{\n(.*?)^\}", source, re.M | re.S)
    if imports is None or table is None:
        raise ScaffoldError("reference/__init__.py does not have the layout `autograder new` edits "
                            "(`from reference import ...` and `SOLVERS: ... = {` ... `}`): register the solvers "
                            "by hand as docs/authoring.md shows (nothing was written)")
    modules = sorted({*(module.strip() for module in imports.group(1).split(",")), name})
    entries = (f'    "{name}_layer_params": Solver({name}.layer_params, symbolic=True),\n'
               f'    "{name}_total_params": Solver({name}.total_params, symbolic=True),\n')
    return (source[:imports.start(1)] + ", ".join(modules) + source[imports.end(1):table.end(1)]
            + entries + source[table.end(1):])


_RUBRIC = '''\
# yaml-language-server: $schema={schema}
# {name}: made by `autograder new {name}`. Edit everything; docs/authoring.md
# explains each field. After each change: autograder check rubric/{name}.yaml
#
# The students' text is rubric/{name}.md; the solvers are reference/{name}.py.

rubric: {name}
title: "{name}: parameters of two linear layers (edit me)"
total_points: 10
answer_file: answers          # students upload answers.yaml (or .yml, .json)

# late_policy:                   # uncomment to apply a late penalty
#   due: 2025-06-01T23:59:00+08:00
#   penalty_per_day: 0.25
#   max_days_late: 3

parameters:                      # the problem's numbers, as rubric/{name}.md states them
  fc1: {in_features: 4, out_features: 3}
  fc2: {in_features: 3, out_features: 2}

questions:
  - id: q1
    number: 1
    title: "1 Parameters of two linear layers"
    parts:
      - id: layer1
        title: Learnable parameters of fc1
        type: integer
        points: 4
        answer:
          solver: {name}_layer_params
          args: {layer: $fc1}
        mistakes:
          - id: no_bias
            label: forgot the bias
            credit: 1/2
            args: {bias: none}         # the same solver call with one argument changed
            feedback: >-
              The weights are counted right, but the layer also has a bias:
              one number per output feature.
          - id: bias_per_input
            label: one bias per input
            credit: 1/2
            args: {bias: per_input}
            feedback: >-
              The bias is added to the outputs, so there is one per output
              feature, not one per input feature.
        examples:                      # `autograder check` grades each one
          - {answer: 15, verdict: correct}
          - {answer: "15 parameters", verdict: correct}
          - {answer: 12, mistake: no_bias}
          - {answer: 16, mistake: bias_per_input}
          - {answer: 7, verdict: wrong}

      - id: total
        title: Learnable parameters of fc1 and fc2 together
        type: integer
        points: 6
        answer:
          solver: {name}_total_params
          args: {first_layer: "@q1.layer1", layer: $fc2}   # uses the answer to q1.layer1: errors carry forward
        mistakes:
          - id: no_bias
            label: forgot fc2's bias
            credit: 1/2
            args: {bias: none}
            feedback: >-
              fc2 has a bias too: one number per output feature.
        examples:
          - {answer: 23, verdict: correct}
          - {answer: 20, verdict: ecf, given: {q1.layer1: 12}}
          - {answer: 21, mistake: no_bias}
          - {answer: 99, verdict: wrong}
'''

_HOMEWORK = '''\
# {name} (edit me)

A network has two fully connected layers, each with a bias:

    fc1 = nn.Linear(4, 3)
    fc2 = nn.Linear(3, 2)

1. How many learnable parameters does fc1 have? (4 points)
2. How many learnable parameters do fc1 and fc2 have together? (6 points)

Answer in `answers.yaml`, made from `autograder template rubric/{name}.yaml`:

```yaml
q1:
  layer1: 15
  total: 23
```
'''

_SOLVERS = '''\
"""Solvers of the {name} homework (made by `autograder new {name}`): replace them with its own.

What a solver must do (docs/authoring.md, "Writing a solver"):
- take the problem's numbers as arguments and return a number, a tuple of
  numbers (a shape) or a list of lists of integers (a matrix), exactly;
- refuse impossible input with ValueError, whose message `check` shows;
- when registered with symbolic=True, also accept integer sympy symbols for
  the arguments that take another part's answer ("@q1.layer1") and return a
  sympy expression of them: that is how errors are carried forward;
- model each common mistake as an argument (bias="none"), its values listed
  in a constant named after it (BIAS_MODES), which the regrade report's
  suggestions and `check --suggest` read.
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy

BIAS_MODES = ("per_output", "per_input", "none")


def _count(name: str, value, least: int):
    """A whole number >= least, or an integer sympy symbol standing for a student's earlier answer."""
    if isinstance(value, sympy.Basic) and not value.is_number and value.is_integer:
        return value
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ValueError(f"{name} must be a whole number >= {least}, got {value!r}")
    return sympy.Integer(value)


def layer_params(layer: Mapping, bias: str = "per_output"):
    """Learnable parameters of nn.Linear(in_features, out_features): in x out weights and out biases.

    bias="per_input" and "none" are students' miscounts (one bias per input feature, no bias)."""
    if bias not in BIAS_MODES:
        raise ValueError(f"bias must be one of {BIAS_MODES}, got {bias!r}")
    if not isinstance(layer, Mapping) or set(layer) != {"in_features", "out_features"}:
        raise ValueError(f"a layer is {{in_features: ..., out_features: ...}}, got {layer!r}")
    inputs = _count("in_features", layer["in_features"], 1)
    outputs = _count("out_features", layer["out_features"], 1)
    return inputs * outputs + {"per_output": outputs, "per_input": inputs, "none": 0}[bias]


def total_params(first_layer, layer: Mapping, bias: str = "per_output"):
    """first_layer parameters (the answer to an earlier part) plus those of one more layer."""
    return _count("first_layer", first_layer, 0) + layer_params(layer, bias)
'''

_EXPECTED_FULL = '''\
{
  "description": "Every answer right.",
  "score": 10,
  "parts": {
    "q1.layer1": {"points": 4, "verdict": "correct"},
    "q1.total": {"points": 6, "verdict": "correct"}
  }
}
'''

_EXPECTED_NO_BIAS = '''\
{
  "description": "Left fc1's bias out (12, no_bias), then added fc2's parameters to that correctly (ECF).",
  "score": 8,
  "parts": {
    "q1.layer1": {"points": 2, "mistake": "no_bias"},
    "q1.total": {"points": 6, "verdict": "ecf"}
  }
}
'''
