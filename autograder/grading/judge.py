"""Stage 5: one part's reading + its compiled key -> a Verdict.

After STACK's potential response trees: the part's readings are tried in a
fixed order (correct, error carried forward, the declared mistakes in rubric
order, each also relative to the student's own earlier answers), every
reading that fits is kept in the trace, and the one with the most credit
wins; on a tie the earlier one does.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Mapping

from autograder.answers.base import Unreadable
from autograder.grading.key import AnswerKey, Formula, PartKey
from autograder.grading.readings import READ, ParsedSubmission, Reading

CORRECT, ECF, MISTAKE, WRONG = "correct", "ecf", "mistake", "wrong"


@dataclass(frozen=True)
class Verdict:
    part_id: str
    kind: str                    # correct, ecf, mistake, wrong, unreadable or missing
    credit: Fraction
    mistake: str | None          # the mistake's stable id (STACK's "answer note")
    feedback: str                # what the student reads
    read_as: str | None          # how the answer was read, as shown to the student
    tried: tuple[str, ...] = ()  # every reading that fitted, e.g. ("ecf", "pad0")


@dataclass(frozen=True)
class _Candidate:
    kind: str
    credit: Fraction
    mistake: str | None
    feedback: str


def judge_all(key: AnswerKey, parsed: ParsedSubmission) -> tuple[Verdict, ...]:
    answers = {reading.part_id: reading.value for reading in parsed.readings if reading.status == READ}
    return tuple(judge(part_key, parsed.reading(part_key.part.id), answers, key) for part_key in key.parts)


def judge(part_key: PartKey, reading: Reading, answers: Mapping[str, Any], key: AnswerKey) -> Verdict:
    part = part_key.part
    if reading.status != READ:
        return Verdict(part.id, reading.status, Fraction(0), None, reading.message, None)
    answer_type, value = part.answer_type, reading.value
    read_as = answer_type.show(value)
    candidates: list[_Candidate] = []
    if answer_type.same(value, part_key.correct):
        candidates.append(_Candidate(CORRECT, Fraction(1), None, "Correct."))
    ecf_value = _carried_forward(part_key.ecf, answers, answer_type)
    if ecf_value is not None and answer_type.same(value, ecf_value):
        candidates.append(_Candidate(ECF, Fraction(1), None, _ecf_feedback(part_key.ecf, answers, key)))
    for mistake_key in part_key.mistakes:
        mistake = mistake_key.mistake
        if mistake.near_miss:
            count = answer_type.near_misses[mistake.near_miss](value, part_key.correct)
            credit = mistake.credit_by_count.get(count) if count else None
            fits = credit is not None
        else:
            if mistake.transform:
                transform = answer_type.transforms[mistake.transform]
                readings = (transform(base) for base in (part_key.correct, ecf_value) if base is not None)
            else:
                relative = (_carried_forward(f, answers, answer_type) for f in mistake_key.formulas)
                readings = (*mistake_key.values, *relative)
            fits = any(r is not None and answer_type.same(value, r) for r in readings)
            credit = mistake.credit
        if fits:
            candidates.append(_Candidate(MISTAKE, credit, mistake.id, mistake.feedback))
    if not candidates:
        feedback = " ".join(filter(None, ("Not correct.", part.wrong_feedback)))
        return Verdict(part.id, WRONG, Fraction(0), None, feedback, read_as)
    best = max(candidates, key=lambda candidate: candidate.credit)  # max keeps the first of equals
    tried = tuple(candidate.mistake or candidate.kind for candidate in candidates)
    return Verdict(part.id, best.kind, best.credit, best.mistake, best.feedback, read_as, tried)


def _carried_forward(formula: Formula | None, answers: Mapping[str, Any], answer_type) -> Any | None:
    """The formula on the student's own earlier answers, as a value of this type; None if it does not apply."""
    if formula is None:
        return None
    data = formula.evaluate(answers)
    if data is None:
        return None
    try:
        return answer_type.from_key(data)
    except (Unreadable, ValueError, TypeError):
        return None  # e.g. a negative size from an absurd earlier answer: nothing to carry forward


def _ecf_feedback(formula: Formula, answers: Mapping[str, Any], key: AnswerKey) -> str:
    earlier = []
    for part_id, _ in formula.refs:
        part = key.rubric.part(part_id)
        earlier.append(f"{part.number} ({part.answer_type.show(answers[part_id])})")
    return (f"Follows correctly from your answer to {' and '.join(earlier)}: "
            "full credit, as the earlier error is carried forward.")
