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

from autograder.grading.key import AnswerKey, Formula, PartKey, carried_forward
from autograder.grading.outcomes import Outcome
from autograder.grading.readings import ParsedSubmission, Reading
from autograder.grading.rubric import ReadingNote


@dataclass(frozen=True)
class Verdict:
    """How one part was judged: the outcome, the credit (a fraction of its points) and what the student reads."""

    part_id: str
    outcome: Outcome
    credit: Fraction
    mistake: str | None          # the mistake's stable id (STACK's "answer note")
    feedback: str                # what the student reads
    read_as: str | None          # how the answer was read, as shown to the student
    tried: tuple[str, ...] = ()  # every reading that fitted, e.g. ("ecf", "pad0")


@dataclass(frozen=True)
class _Candidate:
    outcome: Outcome
    credit: Fraction
    mistake: str | None
    feedback: str


def judge_all(key: AnswerKey, parsed: ParsedSubmission) -> tuple[Verdict, ...]:
    """Every part's verdict, in the key's order; later parts see the earlier answers for ECF."""
    answers = {reading.part_id: reading.value for reading in parsed.readings if reading.read}
    return tuple(judge(part_key, parsed.reading(part_key.part.id), answers, key) for part_key in key.parts)


def judge(part_key: PartKey, reading: Reading, answers: Mapping[str, Any], key: AnswerKey) -> Verdict:
    """One part's verdict; `answers` holds the student's readable answers to every part, by id."""
    part = part_key.part
    if not reading.read:
        return Verdict(part.id, reading.refusal, Fraction(0), None, reading.message, None)
    answer_type, value = part.answer_type, reading.value
    read_as = answer_type.show(value)
    candidates: list[_Candidate] = []
    if answer_type.same(value, part_key.correct):
        candidates.append(_Candidate(Outcome.CORRECT, Fraction(1), None, "Correct."))
    ecf_value = carried_forward(part_key.ecf, answers, answer_type)
    if ecf_value is not None and answer_type.same(value, ecf_value):
        candidates.append(_Candidate(Outcome.ECF, Fraction(1), None, _ecf_feedback(part_key.ecf, answers, key)))
    for mistake_key in part_key.mistakes:
        credit = mistake_key.credit_for(answer_type, value, part_key.correct, ecf_value, answers)
        if credit is not None:
            mistake = mistake_key.mistake
            candidates.append(_Candidate(Outcome.MISTAKE, credit, mistake.id, mistake.feedback))
    if not candidates:
        wrong_note = getattr(answer_type, "wrong_note", None)
        feedback = " ".join(filter(None, ("Not correct.", wrong_note and wrong_note(value, part_key.correct),
                                          part.wrong_feedback)))
        return _as_read(part_key, value, Verdict(part.id, Outcome.WRONG, Fraction(0), None, feedback, read_as))
    best = max(candidates, key=lambda candidate: candidate.credit)  # max keeps the first of equals
    tried = tuple(candidate.mistake or candidate.outcome.value for candidate in candidates)
    return _as_read(part_key, value, Verdict(part.id, best.outcome, best.credit, best.mistake, best.feedback, read_as, tried))


def _as_read(part_key: PartKey, value: Any, verdict: Verdict) -> Verdict:
    """A reading the rubric declares as a mistake (a batch axis read off a shape) applies to the verdict of
    the answer as read: its credit multiplies the verdict's, and its feedback comes first."""
    notes_of = getattr(part_key.part.answer_type, "notes", None)
    notes = notes_of(value) if notes_of else frozenset()
    for mistake_key in part_key.mistakes:
        mistake = mistake_key.mistake
        if not (isinstance(mistake.reproduction, ReadingNote) and mistake.reproduction.name in notes):
            continue
        if verdict.outcome is Outcome.WRONG:
            verdict = Verdict(verdict.part_id, verdict.outcome, verdict.credit, verdict.mistake,
                              f"{mistake.feedback} {verdict.feedback}", verdict.read_as, verdict.tried + (mistake.id,))
            continue
        correct = verdict.outcome is Outcome.CORRECT
        verdict = Verdict(verdict.part_id, Outcome.MISTAKE if correct else verdict.outcome, verdict.credit * mistake.credit,
                          mistake.id if correct else verdict.mistake,
                          mistake.feedback if correct else f"{mistake.feedback} {verdict.feedback}",
                          verdict.read_as, verdict.tried + (mistake.id,))
    return verdict


def _ecf_feedback(formula: Formula, answers: Mapping[str, Any], key: AnswerKey) -> str:
    earlier = []
    for part_id, _ in formula.refs:
        part = key.rubric.part(part_id)
        earlier.append(f"{part.number} ({part.answer_type.show(answers[part_id])})")
    return (f"Follows correctly from your answer to {' and '.join(earlier)}: "
            "full credit, as the earlier error is carried forward.")
