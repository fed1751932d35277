"""Stage 6: verdicts + lateness -> the result. Scores are computed, never set:
credit x points per part, the late factor applied once, on the total."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

from autograder.grading.decisions import Decisions
from autograder.grading.judge import Verdict
from autograder.grading.late import Lateness
from autograder.grading.readings import ParsedSubmission
from autograder.grading.rubric import Part, Rubric
from autograder.grading.submission import Submission
from autograder.grading.variants import GradedVariant


@dataclass(frozen=True)
class PartScore:
    """One part's verdict with its points."""

    part: Part
    verdict: Verdict

    @cached_property  # asked for by the results, the log and the total: computed once
    def points(self) -> Fraction:
        """Points earned on this part, before the late policy."""
        return self.verdict.credit * self.part.points


@dataclass(frozen=True)
class GradeResult:
    """Everything grading found for one submission; scores are computed from it, never stored."""

    rubric: Rubric
    engine: str
    submission: Submission
    parsed: ParsedSubmission
    parts: tuple[PartScore, ...]
    lateness: Lateness
    decisions: Decisions = Decisions()    # the TA decisions file graded with (none: no file)
    variant: GradedVariant | None = None     # for a rubric with draw:, the variant it was graded on

    @cached_property
    def earned(self) -> Fraction:
        """Points earned before the late policy."""
        return sum((part.points for part in self.parts), Fraction(0))

    @property
    def final(self) -> Fraction:
        """Points after the late policy: the score Gradescope records."""
        return self.earned * self.lateness.factor


def score(rubric: Rubric, engine: str, submission: Submission, parsed: ParsedSubmission,
          verdicts: tuple[Verdict, ...], lateness: Lateness, decisions: Decisions = Decisions(),
          variant: GradedVariant | None = None) -> GradeResult:
    """The verdicts and lateness of one submission put together as its GradeResult."""
    by_part = {verdict.part_id: verdict for verdict in verdicts}
    parts = tuple(PartScore(part, by_part[part.id]) for part in rubric.parts)
    return GradeResult(rubric, engine, submission, parsed, parts, lateness, decisions, variant)
