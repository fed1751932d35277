"""Gradescope's "Export Submissions" download -> the submissions to regrade.

The records below are what `regrade` hands to the tables and the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping


@dataclass(frozen=True)
class Submitter:
    name: str
    sid: str
    email: str


@dataclass(frozen=True)
class GradedSubmission:
    """One regraded submission: who submitted it and the results.json written for it."""

    submission_id: str                  # the export's folder name, e.g. "submission_123456"
    submitters: tuple[Submitter, ...]   # several for a group submission
    results: Mapping[str, Any]          # exactly what results/<submission_id>/results.json holds
