"""The answer types, one module each, registered in this one table.

A type's module is imported when a rubric first uses the type: grading a
rubric without text or choice parts never loads the free-text machinery
(claims, phrases, wording), a quarter of the grader's start-up.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping

_MODULES = {  # the rubric's type name -> (module, class)
    "integer": ("autograder.answers.integer", "IntegerAnswer"),
    "shape": ("autograder.answers.shape", "ShapeAnswer"),
    "matrix": ("autograder.answers.matrix", "MatrixAnswer"),
    "choice": ("autograder.answers.choice", "ChoiceAnswer"),
    "text": ("autograder.answers.text", "TextAnswer"),
}


class _AnswerTypes(Mapping):
    """Type name -> answer type class, its module imported on first use."""

    def __getitem__(self, name: str) -> type:
        module, name_in_module = _MODULES[name]
        return getattr(importlib.import_module(module), name_in_module)

    def __contains__(self, name: object) -> bool:
        return name in _MODULES  # Mapping's own would import the module

    def __iter__(self):
        return iter(_MODULES)

    def __len__(self) -> int:
        return len(_MODULES)


ANSWER_TYPES: Mapping[str, type] = _AnswerTypes()
