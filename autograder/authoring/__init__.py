"""Rubric authors' tools: the key compiler, `check`, `build`, `samples`, `template`."""

