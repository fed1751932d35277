"""hw-autograder: grades written homework answers against a YAML rubric."""

__version__ = "0.1.0"
