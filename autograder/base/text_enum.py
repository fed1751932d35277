"""Closed vocabularies written as text (results.json, CSV, messages): str enums shown as their value."""

from __future__ import annotations

from enum import Enum


class TextEnum(str, Enum):
    """A str enum shown as its value on every Python (3.12 changed Enum.__format__ for mixins).

    A member is its value wherever text is wanted (JSON, CSV, f-strings), and
    every place that branches on one names the member, not a spelling of it."""

    def __str__(self) -> str:
        return self.value

    __format__ = str.__format__
