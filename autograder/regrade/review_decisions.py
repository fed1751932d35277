"""`regrade --decisions review.csv`: a TA's filled-in review.csv, recorded in the decisions file beside the rubric.

Each row with a `TA credit` or a `TA feedback` becomes a decision for the
answers worded as its `Wordings` cell says (the group's normalised
wordings, one per line). A decision on a wording replaces any earlier one
on it; a row left empty changes nothing (decisions are removed by editing
the decisions file). The review.csv is validated first, like a rubric: a
bad credit, a group of no free-text part, a row without its wordings is an
error naming its line, and nothing is recorded until every row is right.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from autograder.base.atomic import write_text_atomic
from autograder.answers.wording import wording_key
from autograder.grading.decisions import (Decision, Decisions, DecisionsError, decisions_path, dump_decisions,
                                          load_decisions, parse_decisions)
from autograder.grading.rubric import Rubric, parse_credit
from autograder.regrade.tables import REVIEW_HEADER

_NEEDED = ("Part", "Group", "TA credit", "TA feedback", "Wordings")
_FORMULA_GUARD = re.compile(r"^'(?=[=+\-@\t\r])")   # the ' neutralise.csv_cell puts before a formula-like cell


@dataclass(frozen=True)
class Recorded:
    """What recording a review.csv did to the decisions file."""

    path: Path               # the decisions file
    added: int               # rows that became decisions (new or changed)
    unchanged: int           # rows whose decision was already recorded as it is
    decisions: Decisions     # the file as now written

    def summary(self) -> str:
        """One line: how many decisions were recorded and where."""
        return (f"TA decisions: {self.added} recorded from review.csv, {self.unchanged} already recorded; "
                f"{len(self.decisions.entries)} in {self.path}")


def record_review(rubric: Rubric, review_csv: str | Path) -> Recorded:
    """Validate the TA's review.csv and record its decisions in the rubric's decisions file (written atomically)."""
    review_csv = Path(review_csv)
    rows = read_review(rubric, review_csv)
    existing = load_decisions(rubric)
    path = decisions_path(rubric)
    entries = list(existing.entries)
    added = unchanged = 0
    for row in rows:
        if any(_same(entry, row) for entry in entries):
            unchanged += 1
            continue
        entries = [_without(entry, row) for entry in entries]
        entries = [entry for entry in entries if entry.wordings]
        entries.append(row)
        added += 1
    if added:
        text = dump_decisions(rubric, entries)
        decisions = parse_decisions(text.encode("utf-8"), path, rubric)  # what later runs will read: check it now
        write_text_atomic(path, text)
    else:
        decisions = existing
    return Recorded(path, added, unchanged, decisions)


def read_review(rubric: Rubric, path: Path) -> list[Decision]:
    """The decisions a TA filled into review.csv; DecisionsError lists every bad row with its line."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DecisionsError(file, 1, 1, f"cannot read the review table: {exc}") from None
    reader = csv.DictReader(text.splitlines(keepends=True))
    missing = [name for name in _NEEDED if name not in (reader.fieldnames or ())]
    if missing:
        raise DecisionsError(file, 1, 1, f"not a review.csv written by `autograder regrade`: no column "
                             f"{', '.join(missing)} (its columns are {', '.join(REVIEW_HEADER)})")
    review_parts = {part.id: part for part in rubric.parts if part.review}
    errors: list[DecisionsError] = []
    decisions: list[Decision] = []
    claimed: dict[tuple[str, str], int] = {}
    line = reader.line_num + 1
    for row in reader:
        start, line = line, reader.line_num + 1
        credit_text, feedback = (row.get("TA credit") or "").strip(), _unguarded(row.get("TA feedback") or "").strip()
        if not credit_text and not feedback:
            continue
        problem, decision = _decision(row, credit_text, feedback, review_parts, f"review.csv line {start}")
        if problem:
            errors.append(DecisionsError(file, start, 1, problem))
            continue
        for wording in decision.wordings:
            earlier = claimed.setdefault((decision.part_id, wording), start)
            if earlier != start:
                errors.append(DecisionsError(file, start, 1, f"the wording {wording!r} of {decision.part_id} is "
                                                             f"also decided at line {earlier}: keep one"))
        decisions.append(decision)
    if errors:
        errors[0].errors = tuple(errors)
        raise errors[0]
    return decisions


def _decision(row: dict, credit_text: str, feedback: str, review_parts: dict,
              decided: str) -> tuple[str, Decision | None]:
    part_id, group = (row.get("Part") or "").strip(), (row.get("Group") or "").strip()
    if part_id not in review_parts or not re.fullmatch(rf"{re.escape(part_id)}#\d+", group):
        return (f"unknown group {group or '(empty)'!r} of part {part_id or '(empty)'!r}: the free-text parts of this "
                f"rubric are {', '.join(sorted(review_parts)) or 'none'}, and a group is written like "
                f"{next(iter(sorted(review_parts)), 'q1.reason')}#3"), None
    wordings = tuple(dict.fromkeys(wording_key(line) for line in _unguarded(row.get("Wordings") or "").splitlines()
                                   if line.strip()))
    if not wordings:
        return f"group {group}: its Wordings cell is empty, so no answer can be matched to the decision", None
    credit: Fraction | None = None
    if credit_text:
        try:
            credit = parse_credit(credit_text)
        except ValueError as exc:
            return f"group {group}: TA credit: {exc} (a fraction of the part's points: 1, 1/3, 0.5)", None
    return "", Decision(part_id, wordings, credit, feedback, f"{decided} ({group})")


def _unguarded(cell: str) -> str:
    return _FORMULA_GUARD.sub("", cell)


def _same(entry: Decision, row: Decision) -> bool:
    return (entry.part_id, set(entry.wordings), entry.credit, entry.feedback) == \
        (row.part_id, set(row.wordings), row.credit, row.feedback)


def _without(entry: Decision, row: Decision) -> Decision:
    """An earlier decision, minus the wordings a new one now decides."""
    if entry.part_id != row.part_id:
        return entry
    kept = tuple(wording for wording in entry.wordings if wording not in row.wordings)
    return Decision(entry.part_id, kept, entry.credit, entry.feedback, entry.decided, entry.number, entry.line)
