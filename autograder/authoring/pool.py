"""The pool of variants of a rubric with `draw:`: drawn from the course secret, each checked, kept only if sound.

Each of the pool's slots draws candidates from its own seeded stream
(HMAC-SHA256 of the secret, the rubric's name, the slot and the attempt, in
counter mode: the same on every machine and Python), so rejecting one
candidate never moves another slot's numbers. A candidate is kept when

- it keeps every `constraints:` entry and is no copy of a variant kept before;
- every solver call compiles on its numbers;
- every check of `autograder check` that depends on the numbers passes on
  its key: no mistake gives the correct answer or another mistake's answer,
  each mistake's own answer is graded as that mistake (a `variants:` entry
  equal to the answer, or one entry off the answer and so taken by an
  arithmetic slip, is not), every near miss can apply (an arithmetic slip
  needs more entries than the slips it counts), the correct answer reads back,
  no mutation of it is graded correct, every feedback renders, and the
  examples marked `per_variant` get their verdicts.

Otherwise it is rejected with every reason, and the slot draws again. Once
the rejections pass REJECTIONS_PER_VARIANT times the pool's size, drawing
stops with an error naming the commonest reasons: the ranges or constraints
leave too few sound variants.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Iterator, Mapping

from autograder.authoring.check import ERROR, variant_problems
from autograder.authoring.compile import CompileError, compile_key
from autograder.grading.draw import Distribution, DistributionKind, Draw, with_values
from autograder.grading.expressions import ExpressionError, lookup
from autograder.grading.key import AnswerKey, Rejection, VariantPool
from autograder.grading.rubric import Rubric
from autograder.grading.variants import Secret

REJECTIONS_PER_VARIANT = 3      # give up once more candidates than this times the pool's size are rejected
MIN_REJECTIONS = 30             # ... but never before this many
REASONS_SHOWN = 8


class PoolError(CompileError):
    """The pool cannot be filled: too many candidates were rejected (the message gives the commonest reasons)."""


@dataclass(frozen=True)
class Candidate:
    """One drawn set of parameters, and why it was rejected (nothing: kept)."""

    slot: int
    attempt: int
    parameters: dict
    reasons: tuple[str, ...]
    key: AnswerKey | None


class _Stream:
    """Whole numbers from HMAC-SHA256(secret, label) in counter mode, uniform in a range (rejection sampling)."""

    def __init__(self, secret: Secret, label: str):
        self.seed = secret.mac(label)
        self.counter = 0

    def integer(self, low: int, high: int) -> int:
        span = high - low + 1
        limit = (1 << 64) // span * span
        while True:
            block = hashlib.sha256(self.seed + self.counter.to_bytes(8, "big")).digest()
            self.counter += 1
            number = int.from_bytes(block[:8], "big")
            if number < limit:
                return low + number % span


def draw_parameters(rubric: Rubric, secret: Secret, slot: int, attempt: int) -> tuple[dict, list[str]]:
    """A candidate's parameters (the base ones with the drawn values set), and the constraints it breaks."""
    draw: Draw = rubric.draw
    stream = _Stream(secret, f"draw\0{rubric.name}\0{slot}\0{attempt}")
    parameters = copy.deepcopy(dict(rubric.parameters))
    broken = []
    for value in draw.values:
        try:
            parameters = with_values(parameters, [(value.path, _drawn(value, stream, parameters))])
        except ExpressionError as exc:
            broken.append(f"draw.values.{value.path}: {exc}")
    for constraint in draw.constraints:
        try:
            kept = constraint.expression.evaluate(parameters)
        except ExpressionError as exc:
            kept, constraint_error = False, f" ({exc})"
        else:
            constraint_error = ""
        if not kept:
            broken.append(f"constraint {constraint.expression.text}: {constraint.because}{constraint_error}")
    return parameters, broken


def _drawn(value: Distribution, stream: _Stream, parameters: Mapping) -> Any:
    match value.kind:
        case DistributionKind.INTEGER:
            return stream.integer(value.low, value.high)
        case DistributionKind.CHOICE:
            return copy.deepcopy(value.choices[stream.integer(0, len(value.choices) - 1)])
        case DistributionKind.MATRIX:
            rows, columns = value.shape
            return [[stream.integer(value.low, value.high) for _ in range(columns)] for _ in range(rows)]
    result = value.expression.evaluate(parameters)
    if isinstance(result, Fraction):
        raise ExpressionError(f"{value.expression.text} is {result}, not a whole number")
    return result


def judge_candidate(rubric: Rubric, parameters: dict) -> tuple[AnswerKey | None, list[str]]:
    """Compile a candidate's key and run every check that depends on the numbers: (its key, every reason to reject it)."""
    errors: list[CompileError] = []
    key = compile_key(dataclasses.replace(rubric, parameters=parameters), errors)
    reasons = [str(error) for error in errors]
    if reasons:
        return None, reasons
    return key, [problem.message for problem in variant_problems(key) if problem.severity == ERROR]


def candidates(rubric: Rubric, secret: Secret) -> Iterator[Candidate]:
    """The candidates in the order they are drawn: slot 0 until one is kept, then slot 1, ...; endless
    only if every candidate of a slot is rejected (draw_pool bounds it)."""
    kept: list[dict] = []
    for slot in range(rubric.draw.pool_size):
        attempt = 0
        while True:
            parameters, reasons = draw_parameters(rubric, secret, slot, attempt)
            twin = next((index for index, other in enumerate(kept) if other == parameters), None)
            if twin is not None:
                reasons.append(f"the same numbers as variant {twin}")
            key = None
            if not reasons:
                key, reasons = judge_candidate(rubric, parameters)
            yield Candidate(slot, attempt, parameters, tuple(reasons), key)
            if not reasons:
                kept.append(parameters)
                break
            attempt += 1


def draw_pool(base: AnswerKey, secret: Secret) -> AnswerKey:
    """The base key with its pool: every slot filled with a candidate that passes every check.

    Raises PoolError once too many candidates are rejected."""
    rubric = base.rubric
    limit = max(MIN_REJECTIONS, REJECTIONS_PER_VARIANT * rubric.draw.pool_size)
    kept: list[Candidate] = []
    rejected: list[Rejection] = []
    drawn = 0
    for candidate in candidates(rubric, secret):
        drawn += 1
        if candidate.reasons:
            rejected.append(Rejection(candidate.slot, candidate.attempt, candidate.reasons))
            if len(rejected) > limit:
                raise PoolError(f"draw: {len(rejected)} candidates rejected for {len(kept)} kept (a pool of "
                                f"{rubric.draw.pool_size} may reject at most {limit}): the ranges or constraints "
                                "leave too few sound variants; the commonest reasons: "
                                + "; ".join(grouped_reasons(rejected)[:REASONS_SHOWN]))
        else:
            kept.append(candidate)
    values = tuple(tuple((value.path, lookup(c.parameters, value.path)) for value in rubric.draw.values) for c in kept)
    pool = VariantPool(secret.pool_id(rubric.sha256), values, tuple(c.parameters for c in kept),
                       tuple(c.key.part_json() for c in kept), drawn, tuple(rejected))
    return dataclasses.replace(base, pool=pool)


_SHOWN_VALUE = re.compile(r" \([^()]*\)")


def grouped_reasons(rejected: tuple[Rejection, ...] | list[Rejection]) -> list[str]:
    """Each reason with how many candidates it rejected, commonest first; the values a reason shows
    (which differ from candidate to candidate) are left out so that alike reasons count together."""
    counts = Counter(_SHOWN_VALUE.sub("", reason) for rejection in rejected for reason in set(rejection.reasons))
    return [f"{count} x {reason}" for reason, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def pool_summary(pool: VariantPool) -> list[str]:
    """What `compile`, `check` and `build` say about a pool: drawn, rejected (reasons grouped), shipped."""
    lines = [f"pool {pool.id}: drew {pool.drawn} candidate variants, rejected {len(pool.rejected)}, "
             f"shipped {len(pool)}"]
    if pool.rejected:
        lines.append("  rejected because (a candidate may have several reasons):")
        lines.extend(f"    {line}" for line in grouped_reasons(pool.rejected))
    return lines
