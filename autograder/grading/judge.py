"""Stage 5: one part's reading + its compiled key -> a Verdict.

After STACK's potential response trees: the part's readings are tried in a
fixed order (correct, error carried forward, the declared mistakes in rubric
order, each also relative to the student's own earlier answers), every
reading that fits is kept in the trace, and the one with the most credit
wins; on a tie the earlier one does.

What a later part carries forward from an earlier one is the value the
earlier answer was credited as, not the answer as written: an answer
credited as another way of writing a value (a transform such as
channels_last) stands for that value, so its literal numbers never credit
a later part.

Feedback is rendered on the variant's numbers (`{conv1.pad}`), with
`{answer}` the part's correct answer and `{@part.id}` the student's own
answer to that part (grading/expressions.py).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Mapping

from autograder.answers.base import AnswerType
from autograder.grading.expressions import render
from autograder.grading.key import AnswerKey, Formula, PartKey, carried_forward
from autograder.grading.outcomes import Outcome
from autograder.grading.readings import ParsedSubmission, Reading
from autograder.grading.rubric import ReadingNote

if TYPE_CHECKING:
    from autograder.grading.decisions import AppliedDecision


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
    credited_as: Any = None      # the value the answer counts as for the parts that use it; None if unread
    decision: AppliedDecision | None = None  # a TA's decision that set this part's grade (decisions.py)


@dataclass(frozen=True)
class _Candidate:
    outcome: Outcome
    credit: Fraction
    mistake: str | None
    feedback: str
    credited_as: Any


def judge_all(key: AnswerKey, parsed: ParsedSubmission) -> tuple[Verdict, ...]:
    """Every part's verdict, in the key's order.

    A part is judged after the parts it uses, on the values their answers were credited as."""
    answers = {reading.part_id: reading.value for reading in parsed.readings if reading.read}
    inputs = formula_inputs(key, answers)
    verdicts: dict[str, Verdict] = {}
    for part_key in _dependencies_first(key.parts):
        verdict = judge(part_key, parsed.reading(part_key.part.id), answers, key, inputs)
        verdicts[verdict.part_id] = verdict
        if verdict.outcome.answered:
            answers[verdict.part_id] = verdict.credited_as
            inputs[verdict.part_id] = part_key.part.answer_type.formula_input(verdict.credited_as)
    return tuple(verdicts[part_key.part.id] for part_key in key.parts)


def _dependencies_first(parts: tuple[PartKey, ...]) -> list[PartKey]:
    """The parts in key order, except that each comes after the parts its formulas use (the compiler refuses cycles)."""
    by_id = {part_key.part.id: part_key for part_key in parts}
    ordered: list[PartKey] = []
    placed: set[str] = set()

    def place(part_key: PartKey, path: frozenset[str]) -> None:
        part_id = part_key.part.id
        if part_id in placed or part_id in path:
            return
        for used in sorted(part_key.references()):
            if used in by_id:
                place(by_id[used], path | {part_id})
        placed.add(part_id)
        ordered.append(part_key)

    for part_key in parts:
        place(part_key, frozenset())
    return ordered


def formula_inputs(key: AnswerKey, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Each answer as a later part's formula takes it (its answer type says how), by part id."""
    return {part_key.part.id: part_key.part.answer_type.formula_input(answers[part_key.part.id])
            for part_key in key.parts if part_key.part.id in answers}


def judge(part_key: PartKey, reading: Reading, answers: Mapping[str, Any], key: AnswerKey,
          inputs: Mapping[str, Any] | None = None) -> Verdict:
    """One part's verdict; `answers` holds the student's readable answers to every part, by id,
    and `inputs` their formula inputs (derived from `answers` when not given)."""
    inputs = formula_inputs(key, answers) if inputs is None else inputs
    part = part_key.part
    if not reading.read:
        return Verdict(part.id, reading.refusal, Fraction(0), None, reading.message, None)
    answer_type, value = part.answer_type, reading.value
    read_as = answer_type.show(value)
    candidates: list[_Candidate] = []
    if answer_type.same(value, part_key.correct):
        candidates.append(_Candidate(Outcome.CORRECT, Fraction(1), None, "Correct.", value))
    ecf_value = carried_forward(part_key.ecf, inputs, answer_type)
    if ecf_value is not None and answer_type.same(value, ecf_value):
        candidates.append(_Candidate(Outcome.ECF, Fraction(1), None, _ecf_feedback(part_key.ecf, answers, key), value))
    for mistake_key in part_key.mistakes:
        fit = mistake_key.fit(answer_type, value, part_key.correct, ecf_value, inputs)
        if fit is not None:
            mistake = mistake_key.mistake
            candidates.append(_Candidate(Outcome.MISTAKE, fit.credit, mistake.id,
                                         _rendered(mistake.feedback, part_key, answers, key), fit.credited_as))
    explained = answer_type.explain(value, part_key.correct)
    if not candidates:
        feedback = " ".join(filter(None, ("Not correct.", _rendered(part.wrong_feedback, part_key, answers, key),
                                          explained)))
        return _as_read(part_key, value, Verdict(part.id, Outcome.WRONG, Fraction(0), None, feedback, read_as,
                                                 credited_as=value))
    best = max(candidates, key=lambda candidate: candidate.credit)  # max keeps the first of equals
    tried = tuple(candidate.mistake or candidate.outcome.value for candidate in candidates)
    feedback = " ".join(filter(None, (best.feedback, explained if best.credit < 1 else "")))
    return _as_read(part_key, value, Verdict(part.id, best.outcome, best.credit, best.mistake, feedback, read_as, tried,
                                             best.credited_as))


def _rendered(template: str, part_key: PartKey, answers: Mapping[str, Any], key: AnswerKey) -> str:
    """Feedback on the variant's numbers: {answer} is the correct answer, {@part.id} the student's own."""
    def own(part_id: str) -> str:
        part = key.rubric.part(part_id)
        return part.answer_type.show(answers[part_id]) if part_id in answers else f"(no answer to {part.number})"

    return render(template, key.rubric.parameters, lambda: shown_answer(part_key.part.answer_type, part_key.correct), own)


def shown_answer(answer_type: AnswerType, correct: Any) -> str:
    """A correct answer from the key as students are shown answers."""
    return answer_type.show(answer_type.answer_like(correct))


def _as_read(part_key: PartKey, value: Any, verdict: Verdict) -> Verdict:
    """A reading the rubric declares as a mistake (a batch axis read off a shape) applies to the verdict of
    the answer as read: its credit multiplies the verdict's, and its feedback comes first."""
    notes = part_key.part.answer_type.notes(value)
    for mistake_key in part_key.mistakes:
        mistake = mistake_key.mistake
        if not (isinstance(mistake.reproduction, ReadingNote) and mistake.reproduction.name in notes):
            continue
        if verdict.outcome is Outcome.WRONG:
            verdict = dataclasses.replace(verdict, feedback=f"{mistake.feedback} {verdict.feedback}",
                                          tried=verdict.tried + (mistake.id,))
            continue
        correct = verdict.outcome is Outcome.CORRECT
        verdict = dataclasses.replace(
            verdict, outcome=Outcome.MISTAKE if correct else verdict.outcome, credit=verdict.credit * mistake.credit,
            mistake=mistake.id if correct else verdict.mistake,
            feedback=mistake.feedback if correct else f"{mistake.feedback} {verdict.feedback}",
            tried=verdict.tried + (mistake.id,))
    return verdict


def _ecf_feedback(formula: Formula, answers: Mapping[str, Any], key: AnswerKey) -> str:
    earlier = []
    for part_id, _ in formula.refs:
        part = key.rubric.part(part_id)
        earlier.append(f"{part.number} ({part.answer_type.show(answers[part_id])})")
    return (f"Follows correctly from your answer to {' and '.join(earlier)}: "
            "full credit, as the earlier error is carried forward.")
