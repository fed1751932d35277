"""Was every variant as hard as the others? And whose wrong answers are another variant's right ones?

For a rubric whose students each get their own numbers (`draw:`), the
regrade report shows, from each submission's results.json:

- per variant, and per value of each drawn parameter (conv1.kernel = 3 or
  5...), how many submissions, their mean score before the late policy (the
  late policy has nothing to do with the numbers) and each part's share of
  full credit (correct or carried forward), of declared mistakes and of
  wrong answers;
- which groups' mean differs beyond chance: a two-sided permutation test of
  the group's mean against the class (PERMUTATIONS random groups of the same
  size drawn from the class's scores, seeded, so two reports agree), the
  p-values of one family (the variants; each drawn parameter's values)
  corrected by Holm's method at ALPHA; groups of one submission are shown
  but not tested;
- submissions with wrong answers equal to the right answer of another
  variant (or of the base, the printed homework): a lead for the staff who
  handle academic integrity, never part of a grade.
"""

from __future__ import annotations

import random
import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from autograder.grading.expressions import lookup, show_value
from autograder.grading.key import AnswerKey
from autograder.grading.outcomes import Outcome
from autograder.grading.results_json import WrittenResult
from autograder.grading.variants import BASE
from autograder.regrade.graded import GradedSubmission

PERMUTATIONS = 10_000
ALPHA = 0.05
SEED = 20250505
_FULL = (Outcome.CORRECT, Outcome.ECF)


@dataclass(frozen=True)
class GroupFigures:
    """One group of submissions (a variant, or a drawn parameter's value): its size, mean and part outcomes."""

    label: str
    submissions: int
    mean: float
    p_value: float | None            # Holm-adjusted; None when the group is too small to test
    flagged: bool                    # its mean differs beyond chance
    shares: Mapping[str, tuple[float, float, float]]   # part id -> shares of (full credit, mistake, wrong/unread/missing)


@dataclass(frozen=True)
class Fairness:
    """The fairness figures of a regraded class graded on a pool of variants."""

    class_mean: float
    scored: int
    variants: tuple[GroupFigures, ...]
    parameters: tuple[tuple[str, tuple[GroupFigures, ...]], ...]   # drawn path -> its values' groups
    other_pool: int                   # results graded with another pool (another secret or draw)


def fairness(key: AnswerKey, graded: Sequence[GradedSubmission]) -> Fairness:
    """Per variant and per drawn parameter value: size, mean score before the late policy, tests, part outcomes."""
    results = [s.result for s in graded if s.result.failure is None and s.result.variant is not None]
    scores = [r.score_before_late_policy or 0.0 for r in results]
    part_ids = [part.id for part in key.rubric.parts]
    by_variant: dict[str, list[int]] = defaultdict(list)
    for index, result in enumerate(results):
        by_variant[result.variant].append(index)
    variants = _family(scores, results, part_ids, sorted(by_variant.items(), key=lambda item: _order(item[0])))
    parameters = []
    for value in key.rubric.draw.values:
        groups: dict[str, list[int]] = defaultdict(list)
        for label, members in by_variant.items():
            parameters_of = key.rubric.parameters if label == BASE else key.pool.parameters[int(label)]
            groups[show_value(lookup(parameters_of, value.path))].extend(members)
        if len(groups) > 1:
            parameters.append((value.path, _family(scores, results, part_ids, sorted(groups.items(), key=_by_number))))
    other = sum(1 for r in results if r.pool is not None and r.pool != key.pool.id)
    return Fairness(statistics.fmean(scores) if scores else 0.0, len(results), variants, tuple(parameters), other)


def _order(label: str) -> tuple[int, int]:
    return (0, -1) if label == BASE else (1, int(label))


def _by_number(item: tuple[str, Any]) -> tuple:
    label = item[0]
    return (0, int(label), "") if label.lstrip("-").isdigit() else (1, 0, label)


def _family(scores: Sequence[float], results: Sequence[WrittenResult], part_ids: Sequence[str],
            groups: Sequence[tuple[str, list[int]]]) -> tuple[GroupFigures, ...]:
    """The groups of one family, tested together (Holm's correction over those with 2 or more submissions)."""
    raw = {label: permutation_p(scores, [scores[i] for i in members]) for label, members in groups if len(members) >= 2}
    adjusted = holm(raw)
    figures = []
    for label, members in groups:
        p_value = adjusted.get(label)
        figures.append(GroupFigures(label, len(members), statistics.fmean(scores[i] for i in members), p_value,
                                    p_value is not None and p_value < ALPHA, _shares([results[i] for i in members], part_ids)))
    return tuple(figures)


def _shares(results: Sequence[WrittenResult], part_ids: Sequence[str]) -> dict[str, tuple[float, float, float]]:
    shares = {}
    for part_id in part_ids:
        outcomes = [r.parts[part_id].outcome for r in results if part_id in r.parts]
        if outcomes:
            full = sum(o in _FULL for o in outcomes) / len(outcomes)
            mistake = sum(o is Outcome.MISTAKE for o in outcomes) / len(outcomes)
            shares[part_id] = (full, mistake, 1 - full - mistake)
    return shares


_NULL_CACHE: dict[tuple[tuple[float, ...], int], list[float]] = {}


def permutation_p(population: Sequence[float], group: Sequence[float]) -> float:
    """Two-sided p-value of a group's mean against random groups of its size from the population
    (without replacement): the share, counting the observed group, of means at least as far from the
    population's mean."""
    centre = statistics.fmean(population)
    observed = abs(statistics.fmean(group) - centre)
    cache_key = (tuple(population), len(group))
    if cache_key not in _NULL_CACHE:
        rng = random.Random(SEED + len(group))
        _NULL_CACHE[cache_key] = [abs(statistics.fmean(rng.sample(population, len(group))) - centre)
                                  for _ in range(PERMUTATIONS)]
    extreme = sum(distance >= observed - 1e-12 for distance in _NULL_CACHE[cache_key])
    return (1 + extreme) / (1 + PERMUTATIONS)


def holm(p_values: Mapping[str, float]) -> dict[str, float]:
    """Holm-Bonferroni adjusted p-values (monotone, at most 1)."""
    ordered = sorted(p_values.items(), key=lambda item: item[1])
    adjusted, running = {}, 0.0
    for rank, (label, p_value) in enumerate(ordered):
        running = max(running, min(1.0, (len(ordered) - rank) * p_value))
        adjusted[label] = running
    return adjusted


@dataclass(frozen=True)
class OtherVariantLead:
    """A submission whose wrong answers are right for other variants: which parts, for which variants,
    and which submissions were graded on those variants."""

    submission: GradedSubmission
    parts: tuple[tuple[str, tuple[str, ...]], ...]            # part id -> the variants it is right for
    graded_on: tuple[tuple[str, tuple[str, ...]], ...]        # such a variant -> submission ids graded on it

    @property
    def strongest(self) -> int:
        """How many parts fit the same other variant at most: one can be chance, several hardly."""
        counts: dict[str, int] = defaultdict(int)
        for _, labels in self.parts:
            for label in labels:
                counts[label] += 1
        return max(counts.values(), default=0)


def other_variant_leads(graded: Sequence[GradedSubmission]) -> list[OtherVariantLead]:
    """Submissions with a wrong answer that is another variant's right one, most parts fitting one variant first."""
    on_variant: dict[str, list[str]] = defaultdict(list)
    for submission in graded:
        if submission.result.variant is not None:
            on_variant[submission.result.variant].append(submission.submission_id)
    leads = []
    for submission in graded:
        parts = tuple((part_id, written.fits_other_variants) for part_id, written in submission.result.parts.items()
                      if written.fits_other_variants)
        if parts:
            labels = sorted({label for _, fitted in parts for label in fitted}, key=_order)
            leads.append(OtherVariantLead(submission, parts,
                                          tuple((label, tuple(sorted(on_variant.get(label, ())))) for label in labels)))
    return sorted(leads, key=lambda lead: (-lead.strongest, -len(lead.parts), lead.submission.submission_id))
