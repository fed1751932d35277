"""The grading vocabulary: how a part was judged, and why a whole submission could not be.

Both are written into results.json as their values ("correct", "rubric")
and read back from it by the regrade.
"""

from __future__ import annotations

from autograder.base.text_enum import TextEnum


class Outcome(TextEnum):
    """One part's verdict. The first four judge an answer that was read; the last two mean none was."""

    CORRECT = "correct"
    ECF = "ecf"                 # right given the student's own earlier answers: error carried forward
    MISTAKE = "mistake"         # a mistake the rubric declares, with its own credit
    WRONG = "wrong"
    UNREADABLE = "unreadable"   # an answer is there, but could not be read as one
    MISSING = "missing"         # no answer

    @property
    def answered(self) -> bool:
        """Whether an answer was read and judged (not unreadable or missing)."""
        return self not in (Outcome.UNREADABLE, Outcome.MISSING)


class Failure(TextEnum):
    """Why a submission got no grades at all (results.json's extra_data.error): a problem on the course's side."""

    RUBRIC = "rubric"            # the rubric does not load, or its key cannot be had
    ENGINE = "engine"            # a bug in the grader
    TIME_LIMIT = "time_limit"    # limits.MAX_SECONDS_PER_SUBMISSION ran out
    TERMINATED = "terminated"    # a SIGTERM (Gradescope or a pool shutting down)
    WORKER_DIED = "worker_died"  # a regrade's worker process died on it twice
