"""Load an author's YAML file keeping the line and column of every key.

Rubric errors must name the line the instructor has to fix, so the loader
composes the node graph itself and records each mapping key's and list
item's position under its path, e.g. ("questions", 0, "parts", 2, "points").
"""

from __future__ import annotations

from typing import Any

import yaml

FieldPath = tuple  # keys and list indexes from the root, e.g. ("questions", 0, "parts", 2, "points")
Marks = dict      # FieldPath -> (line, column), both 1-based


class YamlSyntaxError(ValueError):
    """A rubric that is not valid YAML, with the line and column of the problem."""

    def __init__(self, message: str, line: int, column: int):
        super().__init__(message)
        self.line, self.column = line, column


def load_with_marks(text: str) -> tuple[Any, Marks]:
    """An author's YAML as Python data, and the line and column of every key and list item by its path."""
    # libyaml's C parser composes a rubric many times faster than PyYAML's own, with the same
    # marks (grading loads the rubric on every run); PyYAML's explains a syntax error better.
    if yaml.__with_libyaml__:
        try:
            return _load(yaml.CSafeLoader, text)
        except YamlSyntaxError:
            pass
    return _load(yaml.SafeLoader, text)


def _load(loader_class, text: str) -> tuple[Any, Marks]:
    loader = loader_class(text)
    try:
        root = loader.get_single_node()
        marks: Marks = {}
        data = _build(loader, root, (), marks) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlSyntaxError(f"{exc.problem or exc}", line, column) from None
    finally:
        loader.dispose()
    return data, marks


def _position(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _build(loader, node: yaml.Node, path: FieldPath, marks: Marks) -> Any:
    marks.setdefault(path, _position(node))
    if isinstance(node, yaml.MappingNode):
        result = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if key in result:
                raise yaml.MarkedYAMLError(problem=f"duplicate key {key!r}", problem_mark=key_node.start_mark)
            marks[path + (key,)] = _position(key_node)
            result[key] = _build(loader, value_node, path + (key,), marks)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, item, path + (index,), marks) for index, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)
