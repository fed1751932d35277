"""What a regrade hands its writers (the tables, the report, the summary): each submission as graded.

Flags are data here; only the writers turn them into words
(`tables.flag_text`), so no code decides anything by reading display text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from autograder.base.text_enum import TextEnum
from autograder.grading.outcomes import Failure
from autograder.grading.results_json import WrittenResult
from autograder.regrade.gradescope_export import Submitter


class FlagKind(TextEnum):
    """Something about one submission a TA should look at."""

    EXPORT = "export"                # the export lost or refused a file of this submission
    GRADER_ERROR = "grader error"    # grading could not run (rubric, engine, time limit...)
    WORKER_DIED = "worker died"      # the process grading it died, twice
    NO_ANSWERS = "no answers"        # not one part could be read
    UNREADABLE = "unreadable"        # some parts could not be read
    MISSING = "missing"              # some parts are missing
    LATE = "late"
    DUE_UNKNOWN = "due date unknown"  # late by the rubric's due date; the regrade found no date of the student's own
    GROUP = "group"                  # a group submission: every member gets its row

    @property
    def failure(self) -> bool:
        """Whether a submission with this flag could not be read or graded (the summary lists those)."""
        return self in (FlagKind.EXPORT, FlagKind.GRADER_ERROR, FlagKind.WORKER_DIED, FlagKind.NO_ANSWERS)


@dataclass(frozen=True)
class Flag:
    """One thing about a submission a TA should look at, as data."""

    kind: FlagKind
    count: int = 0                   # parts unreadable or missing, days late, members of the group
    detail: str = ""                 # the export's problem, or the late factor as written ("3/4")
    failure: Failure | None = None   # for GRADER_ERROR


@dataclass(frozen=True)
class GradedSubmission:
    """One regraded submission: who submitted it and the results.json written for it."""

    submission_id: str                  # the export's folder name, e.g. "submission_123456"
    submitters: tuple[Submitter, ...]   # several for a group submission
    result: WrittenResult               # exactly what results/<submission_id>/results.json holds
    flags: tuple[Flag, ...] = ()        # what a TA should look at, failures first
    review_texts: Mapping[str, str] = field(default_factory=dict)  # part id -> free text a TA reads

    @property
    def failed(self) -> bool:
        """Whether it could not be read or graded (the summary lists those)."""
        return any(flag.kind.failure for flag in self.flags)
