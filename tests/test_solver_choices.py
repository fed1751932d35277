"""Every solver argument that takes a word has the constant the regrade's suggestions read its values
from (`NAME_MODES` or `NAMES` in the solver's module, docs/authoring.md): without it the report never
tries the argument's other values, silently."""

from __future__ import annotations

import inspect

import pytest

from autograder.regrade.suggest import _choices
from reference import SOLVERS

TEXT_ARGUMENTS = [(name, argument) for name, solver in SOLVERS.items()
                  for argument, parameter in inspect.signature(solver.function).parameters.items()
                  if isinstance(parameter.default, str)]


@pytest.mark.parametrize("name, argument", TEXT_ARGUMENTS, ids=[f"{n}.{a}" for n, a in TEXT_ARGUMENTS])
def test_a_text_argument_lists_its_values(name, argument):
    function = SOLVERS[name].function
    values = _choices(function, argument)
    assert values, f"{name}({argument}=...): no {argument.upper()}_MODES or {argument.upper()}S in {function.__module__}"
    assert inspect.signature(function).parameters[argument].default in values
