"""TA decisions: a TA's credit and feedback for free-text answers worded alike, applied wherever they are graded.

A TA reads review.csv, where answers to a free-text part are grouped by
wording, and fills in a group's `TA credit` (and `TA feedback`).
`autograder regrade --decisions review.csv` records each decision in the
decisions file beside the rubric, `<rubric>.decisions.yml` (rubric/hw5.yaml
-> rubric/hw5.decisions.yml: .yml, so nothing takes it for a rubric), which
every later regrade reads, `autograder build` ships, and the container
applies: an answer whose normalised wording (answers.wording.wording_key)
is one of a decision's `wordings` gets its credit and feedback, so a later
submission worded the same gets it too. Each results.json names the
decisions file by its SHA-256, and each decided part the decision (its
number and line in the file) and the engine's own credit.

The file is validated like a rubric; every error names its line:

    decisions:
      - part: q2b.condition
        wordings: [b is symmetric about its middle row]
        credit: 1/3                       # a fraction of the part's points; leave it out to keep the engine's
        feedback: "..."                   # optional; what the student reads
        decided: review.csv line 7        # where it came from (information only)
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Mapping, Sequence

import yaml

from autograder.answers.reading import key_number
from autograder.grading.judge import Verdict
from autograder.grading.marked_yaml import YamlSyntaxError, load_with_marks
from autograder.grading.readings import ParsedSubmission
from autograder.grading.rubric import Rubric, RubricError, parse_credit

SUFFIX = ".decisions.yml"
_FIELDS = {"part", "wordings", "credit", "feedback", "decided"}
_HEADER = """\
# TA decisions for {rubric}: each gives every answer to `part` worded as one of
# `wordings` (normalised: case, punctuation and spacing do not count) this credit
# (a fraction of the part's points) and feedback. `autograder regrade --decisions
# review.csv` adds to it; later regrades read it and `autograder build` ships it.
# Edit it by hand if you like: `autograder check {rubric}` validates it.
"""


class DecisionsError(RubricError):
    """A decisions file (or a review.csv being recorded) that cannot be used: every error, each at its line."""


@dataclass(frozen=True)
class Decision:
    """One TA decision: a credit and/or feedback for the answers to a part worded one of these ways."""

    part_id: str
    wordings: tuple[str, ...]        # normalised (wording_key)
    credit: Fraction | None          # None: the engine's credit stands
    feedback: str = ""
    decided: str = ""                # where it came from, for the record
    number: int = 0                  # 1-based position in the file
    line: int = 0

    def to_yaml(self) -> dict:
        """The decision as it is written in the decisions file."""
        entry: dict[str, Any] = {"part": self.part_id, "wordings": list(self.wordings)}
        if self.credit is not None:
            entry["credit"] = key_number(self.credit)
        if self.feedback:
            entry["feedback"] = self.feedback
        if self.decided:
            entry["decided"] = self.decided
        return entry


@dataclass(frozen=True)
class Decisions:
    """The decisions file of a rubric, as loaded; empty when there is none."""

    path: Path | None = None
    sha256: str | None = None
    entries: tuple[Decision, ...] = ()
    index: Mapping[tuple[str, str], Decision] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "index", {(entry.part_id, wording): entry
                                           for entry in self.entries for wording in entry.wordings})

    def find(self, part_id: str, wording: str) -> Decision | None:
        """The decision on this wording of this part, if a TA made one."""
        return self.index.get((part_id, wording))


@dataclass(frozen=True)
class AppliedDecision:
    """A decision that set a part's grade, with the engine's own credit beside it."""

    decision: Decision
    engine_credit: Fraction


def decisions_path(rubric: Rubric) -> Path:
    """Where a rubric's TA decisions live: beside it, RUBRIC.decisions.yml."""
    path = Path(rubric.path)
    return path.with_name(path.stem + SUFFIX)


def load_decisions(rubric: Rubric) -> Decisions:
    """The decisions file beside the rubric (none: no decisions); DecisionsError lists every problem in it."""
    path = decisions_path(rubric)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Decisions()
    except OSError as exc:
        raise DecisionsError(str(path), 1, 1, f"cannot read the decisions file: {exc.strerror}") from None
    return parse_decisions(raw, path, rubric)


def parse_decisions(raw: bytes, path: Path, rubric: Rubric) -> Decisions:
    """Validate a decisions file's bytes against the rubric's free-text parts."""
    file = str(path)
    try:
        data, marks = load_with_marks(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise DecisionsError(file, 1, 1, f"the decisions file is not UTF-8 text ({exc.reason})") from None
    except YamlSyntaxError as exc:
        raise DecisionsError(file, exc.line, exc.column, f"YAML syntax error: {exc}") from None
    errors: list[DecisionsError] = []

    def error(where: tuple, message: str) -> None:
        while where not in marks and where:
            where = where[:-1]
        errors.append(DecisionsError(file, *marks.get(where, (1, 1)), message))

    if data is None:
        data = {"decisions": []}
    if not isinstance(data, dict) or set(data) != {"decisions"} or not isinstance(data["decisions"], list):
        raise DecisionsError(file, 1, 1, "a decisions file holds one key, decisions:, a list of decisions")
    review_parts = {part.id for part in rubric.parts if part.review}
    entries: list[Decision] = []
    claimed: dict[tuple[str, str], int] = {}
    for index, item in enumerate(data["decisions"]):
        where = ("decisions", index)
        line = marks.get(where, (1, 1))[0]
        decision = _decision(item, where, index + 1, line, review_parts, error)
        if decision is None:
            continue
        for wording in decision.wordings:
            earlier = claimed.setdefault((decision.part_id, wording), line)
            if earlier != line:
                error(where + ("wordings",), f"{decision.part_id}: the wording {wording!r} is decided twice "
                      f"(also at line {earlier}); keep one decision")
        entries.append(decision)
    if errors:
        first = errors[0]
        first.errors = tuple(errors)
        raise first
    return Decisions(path, hashlib.sha256(raw).hexdigest(), tuple(entries))


def _decision(item: Any, where: tuple, number: int, line: int, review_parts: set[str], error) -> Decision | None:
    what = f"decision {number}"
    if not isinstance(item, dict):
        error(where, f"{what} must be a mapping with part:, wordings: and credit: or feedback:")
        return None
    unknown = sorted(str(key) for key in set(item) - _FIELDS)
    if unknown:
        error(where + (unknown[0],), f"{what}: unknown field(s) {unknown}; expected {sorted(_FIELDS)}")
        return None
    part_id = item.get("part")
    if part_id not in review_parts:
        error(where + ("part",), f"{what}: part {part_id!r} is not a free-text part of this rubric "
              f"(they are {', '.join(sorted(review_parts)) or 'none'})")
        return None
    wordings = item.get("wordings")
    if not isinstance(wordings, list) or not wordings or not all(isinstance(w, str) and w.strip() for w in wordings):
        error(where + ("wordings",), f"{what}: wordings must be a non-empty list of answers' wordings")
        return None
    credit = None
    if item.get("credit") is not None:
        try:
            credit = parse_credit(item["credit"])
        except ValueError as exc:
            error(where + ("credit",), f"{what}: {exc}")
            return None
    feedback = item.get("feedback") or ""
    if not isinstance(feedback, str):
        error(where + ("feedback",), f"{what}: feedback must be text")
        return None
    if credit is None and not feedback.strip():
        error(where, f"{what}: give a credit, a feedback, or both")
        return None
    from autograder.answers.wording import wording_key  # the free-text machinery: only with decisions to read

    normalised = tuple(dict.fromkeys(wording_key(wording) for wording in wordings))
    return Decision(part_id, normalised, credit, feedback.strip(), str(item.get("decided") or ""), number, line)


def dump_decisions(rubric: Rubric, entries: Sequence[Decision]) -> str:
    """The decisions file's text: a header, then the decisions in order (read back by parse_decisions)."""
    body = yaml.safe_dump({"decisions": [entry.to_yaml() for entry in entries]}, sort_keys=False,
                          allow_unicode=True, width=100)
    return _HEADER.format(rubric=Path(rubric.path).name) + body


def apply_decisions(verdicts: Sequence[Verdict], parsed: ParsedSubmission, rubric: Rubric,
                    decisions: Decisions) -> tuple[Verdict, ...]:
    """Each free-text part whose answer's wording a TA decided gets the decision's credit and feedback."""
    if not decisions.entries:
        return tuple(verdicts)
    from autograder.answers.wording import wording_key  # the free-text machinery: only with decisions to apply

    decided = []
    for verdict in verdicts:
        part = rubric.part(verdict.part_id)
        reading = parsed.reading(part.id)
        decision = None
        if part.review and reading.read:
            decision = decisions.find(part.id, wording_key(part.answer_type.review_text(reading.value)))
        decided.append(verdict if decision is None else _decided(verdict, decision))
    return tuple(decided)


def _decided(verdict: Verdict, decision: Decision) -> Verdict:
    credit = verdict.credit if decision.credit is None else decision.credit
    if decision.feedback and decision.credit is not None:
        feedback = decision.feedback
    elif decision.feedback:                       # a TA's note beside the engine's grade
        feedback = f"{verdict.feedback} {decision.feedback}"
    elif credit != verdict.credit:
        feedback = "A TA reviewed answers worded like this one and set this credit."
    else:
        feedback = verdict.feedback
    return dataclasses.replace(verdict, credit=credit, feedback=feedback,
                               decision=AppliedDecision(decision, verdict.credit))
