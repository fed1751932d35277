"""The regrade's tables: grades.csv, review.csv and changes.csv.

Written for spreadsheets and for Gradescope's score import: UTF-8, one
header row, numbers as plain decimals (points before the late policy per
part, the late factor, the total after it), text through
`neutralise.csv_cell`: a cell starting like a formula (= + - @) gets a
leading ' so that no spreadsheet runs what a student typed, and control
characters and bidirectional overrides (which would reorder a name and an
SID on the screen) show as \\uXXXX. Every row names the rubric hash and
the engine its results.json was graded with. Each file is written whole and
then moved into place, so a reader never sees half of one.

Everything is read from the results.json of each submission (and, for
review.csv, the free text a TA reads), so the tables say exactly what
students were given. The flags' words are written here, and only here.
"""

from __future__ import annotations

import csv
import functools
import io
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from autograder.answers.wording import near_identical, wording_key
from autograder.base.atomic import write_text_atomic
from autograder.base.neutralise import csv_cell
from autograder.grading.decisions import Decision, Decisions
from autograder.grading.results_json import WrittenPart, WrittenResult
from autograder.grading.rubric import Part, Rubric
from autograder.regrade.graded import Flag, FlagKind, GradedSubmission

RESULTS = "results"  # OUTDIR/results/<submission>/results.json

# Excel shows at most this many characters in a cell; a longer list of submission ids is cut with a count.
_CELL_CHARACTERS = 32_000
# changes.csv's Part column for what is not one part.
WHOLE_SUBMISSION = "(whole submission)"
LATE_FACTOR = "(late factor)"


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    write_text_atomic(path, buffer.getvalue())
    return count


def _decimal(value: float | None) -> str:
    if value is None:
        return ""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def late_factor(result: WrittenResult) -> float | None:
    """The late factor a results.json records, as a number (None if it records none)."""
    return _fraction(result.late_factor) if result.late_factor is not None else None


@functools.lru_cache(maxsize=256)
def _fraction(text: str) -> float:
    return float(Fraction(text))  # "3/4": a class has a handful of distinct factors


def _graded_with(result: WrittenResult) -> tuple[str, str]:
    return result.rubric_sha256 or "", result.engine or ""


def flag_text(flag: Flag, submission_id: str) -> str:
    """A flag in the words grades.csv and the regrade's summary use."""
    match flag.kind:
        case FlagKind.EXPORT:
            return f"export: {flag.detail}"
        case FlagKind.GRADER_ERROR:
            return f"grader error ({flag.failure}): see {RESULTS}/{submission_id}/stdout"
        case FlagKind.WORKER_DIED:
            return "grading process died"
        case FlagKind.NO_ANSWERS:
            return "no answers read"
        case FlagKind.UNREADABLE | FlagKind.MISSING:
            return f"{flag.kind}: {flag.count} part{'s' if flag.count > 1 else ''}"
        case FlagKind.LATE:
            return f"late {flag.count} d, x{_fraction(flag.detail):g}"
        case FlagKind.DUE_UNKNOWN:
            return (f"{flag.kind}: late by the rubric's due date; neither the export's results nor --extensions "
                    "give this student's own")
        case FlagKind.GROUP:
            return f"group of {flag.count}"
    raise AssertionError(flag.kind)


def _points_header(part: Part) -> str:
    return f"{part.number}: {part.id} ({_decimal(float(part.points))} pts)"


# ---------------------------------------------------------------- grades.csv

def write_grades(path: Path, rubric: Rubric, graded: Sequence[GradedSubmission]) -> int:
    """One row per submitter (a group submission gives each member its row); returns the row count.

    A rubric with per-student numbers adds the Variant each row was graded on (a number, or base)."""
    variants = rubric.draw is not None
    header = ["Name", "SID", "Email", "Submission ID", *(["Variant"] if variants else []),
              *(_points_header(part) for part in rubric.parts),
              "Score before late policy", "Late factor", "Total Score", "Max Points", "Flags",
              "Rubric SHA-256", "Engine"]

    def rows():
        for submission in graded:
            result = submission.result
            parts = result.parts
            flags = "; ".join(flag_text(flag, submission.submission_id) for flag in submission.flags)
            common = [
                csv_cell(submission.submission_id),
                *([result.variant or ""] if variants else []),
                *(_decimal(parts[part.id].points) if part.id in parts else "" for part in rubric.parts),
                _decimal(result.score_before_late_policy), _decimal(late_factor(result)), _decimal(result.score),
                _decimal(float(rubric.total_points)), csv_cell(flags), *_graded_with(result),
            ]
            for submitter in submission.submitters or (None,):
                who = (submitter.name, submitter.sid, submitter.email) if submitter else ("", "", "")
                yield [*(csv_cell(value) for value in who), *common]

    return _write_csv(path, header, rows())


# ---------------------------------------------------------------- review.csv

# review.csv's columns; a TA fills in the last two, and `regrade --decisions` reads them back.
REVIEW_HEADER = ("Part", "Group", "Students", "Text", "Other wordings", "Concepts found", "Graded as",
                 "Engine points", "Max points", "TA credit", "TA feedback", "Wordings", "Submission IDs",
                 "Rubric SHA-256", "Engine")


@dataclass(frozen=True)
class ReviewGroup:
    """Answers to one free-text part that one TA decision can cover."""

    part: Part
    texts: tuple[str, ...]                         # the distinct wordings as written, most common first
    members: tuple[tuple[GradedSubmission, str], ...]

    @property
    def wordings(self) -> tuple[str, ...]:
        """The group's normalised wordings: what a TA decision on it is keyed by."""
        return tuple(sorted({wording_key(text) for text in self.texts}))


def review_groups(rubric: Rubric, graded: Sequence[GradedSubmission]) -> list[ReviewGroup]:
    """Free-text answers grouped by identical or near-identical text, largest group first, per part.

    Near-identical (answers.wording.near_identical): the same words once
    case, width, punctuation, spacing, fillers ("is", "must be"), hyphens and
    one typo per word are set aside; a negation, a negating prefix
    ("asymmetric") or another name (A, B) is never set aside, and word order
    counts ("A is cheaper than B" is not "B is cheaper than A"). Answers the
    engine (or a TA decision) graded differently, by points, verdict, rule or
    concepts found, are never in one group."""
    groups = []
    for part in rubric.parts:
        if not part.review:
            continue
        answers = [(submission, submission.review_texts[part.id])
                   for submission in graded if part.id in submission.review_texts]
        canonical = near_identical(text for _, text in answers)
        merged: dict[tuple, list[tuple[GradedSubmission, str]]] = {}
        for submission, text in answers:
            merged.setdefault((canonical[text], _graded_as(submission, part)), []).append((submission, text))
        part_groups = []
        for members in merged.values():
            wordings = Counter(text for _, text in members)
            texts = tuple(sorted(wordings, key=lambda text: (-wordings[text], text)))
            members.sort(key=lambda member: member[0].submission_id)
            part_groups.append(ReviewGroup(part, texts, tuple(members)))
        part_groups.sort(key=lambda group: (-len(group.members), group.texts[0]))
        groups.extend(part_groups)
    return groups


def _graded_as(submission: GradedSubmission, part: Part) -> tuple:
    written = submission.result.parts.get(part.id)
    if written is None:
        return ()
    return written.points, written.outcome, written.mistake, written.read_as, written.decision


def write_review(path: Path, rubric: Rubric, graded: Sequence[GradedSubmission],
                 decisions: Decisions = Decisions()) -> int:
    """One row per group of near-identical answers, so one decision covers all of it; returns the group count.

    A group a TA decided shows the decision in its TA credit and TA feedback."""
    groups = review_groups(rubric, graded)
    numbers: Counter = Counter()

    def rows():
        for group in groups:
            part = group.part
            numbers[part.id] += 1
            outcomes: Counter = Counter()
            points: Counter = Counter()
            concepts: Counter = Counter()
            graded_with = set()
            decided = set()
            for submission, _ in group.members:
                written = submission.result.parts.get(part.id)
                outcomes[" ".join(filter(None, (_verdict(written), _rule(written))))] += 1
                engine = written.engine_points if written and written.decision is not None else (
                    written.points if written else None)
                points[_decimal(engine)] += 1
                concepts[written.read_as if written and written.read_as else ""] += 1
                graded_with.add(_graded_with(submission.result))
                decided.add(written.decision if written else None)
            decision = _decision_of(decisions, decided)
            yield [
                part.id, f"{part.id}#{numbers[part.id]}", len(group.members), csv_cell(group.texts[0]),
                len(group.texts) - 1, csv_cell(" / ".join(value for value, _ in concepts.most_common() if value)),
                "; ".join(f"{outcome} x{count}" for outcome, count in outcomes.most_common()),
                " / ".join(value for value, _ in points.most_common()), _decimal(float(part.points)),
                str(decision.credit) if decision and decision.credit is not None else "",
                csv_cell(decision.feedback) if decision else "",
                csv_cell("\n".join(group.wordings)),
                csv_cell(_ids([submission.submission_id for submission, _ in group.members])),
                " ".join(sorted({sha for sha, _ in graded_with})), " ".join(sorted({engine for _, engine in graded_with})),
            ]

    return _write_csv(path, REVIEW_HEADER, rows())


def _decision_of(decisions: Decisions, numbers: set) -> Decision | None:
    """The one decision every member was graded with, if there is one."""
    if len(numbers) != 1:
        return None
    number = next(iter(numbers))
    return decisions.entries[number - 1] if number and 0 < number <= len(decisions.entries) else None


def _ids(ids: Sequence[str]) -> str:
    text = " ".join(ids)
    if len(text) <= _CELL_CHARACTERS:
        return text
    shown = text[:_CELL_CHARACTERS].rsplit(" ", 1)[0]
    return f"{shown} ... and {len(ids) - len(shown.split())} more"


# ---------------------------------------------------------------- changes.csv

def read_results(outdir: Path) -> dict[str, WrittenResult]:
    """Submission id -> results.json of an earlier regrade's OUTDIR (unreadable files are left out)."""
    found = {}
    for path in sorted((outdir / RESULTS).glob("*/results.json")):
        result = WrittenResult.read(path)
        if result is not None:
            found[path.parent.name] = result
    return found


def write_changes(path: Path, rubric: Rubric, previous: Mapping[str, WrittenResult],
                  graded: Sequence[GradedSubmission]) -> int:
    """Every submission whose score changed since `previous`: a row per part that changed; returns the row count."""
    header = ["Submission ID", "Submitters", "Part", "Old points", "New points", "Old verdict", "New verdict",
              "Old rule", "New rule", "Old total", "New total", "Old rubric SHA-256", "New rubric SHA-256",
              "Old engine", "New engine"]
    current = {submission.submission_id: submission for submission in graded}

    def rows():
        for submission_id in sorted(set(current) | set(previous)):
            old = previous.get(submission_id)
            submission = current.get(submission_id)
            new = submission.result if submission else None
            who = "; ".join(f"{s.name} ({s.sid})" if s.sid else s.name for s in submission.submitters) if submission else ""
            common = [csv_cell(submission_id), csv_cell(who)]
            if old is None or new is None:  # in one regrade only: the verdict on the other side is "absent"
                yield [*common, WHOLE_SUBMISSION, "", "", "" if old else "absent", "" if new else "absent", "", "",
                       _total(old), _total(new), *_pair(old, new)]
                continue
            changed = list(_changed_parts(rubric, old, new))
            factor_changed = late_factor(old) != late_factor(new)
            if abs(old.score - new.score) < 1e-9 and not any(points for points, _ in changed):
                continue
            for part, _ in changed:
                before, after = old.parts.get(part.id), new.parts.get(part.id)
                yield [*common, part.id, _points(before), _points(after),
                       _verdict(before), _verdict(after), _rule(before), _rule(after),
                       _total(old), _total(new), *_pair(old, new)]
            if factor_changed:
                yield [*common, LATE_FACTOR, _decimal(late_factor(old)), _decimal(late_factor(new)), "", "", "", "",
                       _total(old), _total(new), *_pair(old, new)]

    return _write_csv(path, header, rows())


def _changed_parts(rubric: Rubric, old: WrittenResult, new: WrittenResult):
    """(part, whether its points changed) for each part whose points, verdict or rule changed."""
    for part in rubric.parts:
        a, b = old.parts.get(part.id), new.parts.get(part.id)
        points_changed = _points(a) != _points(b)
        if points_changed or _verdict(a) != _verdict(b) or _rule(a) != _rule(b):
            yield part, points_changed


def _points(written: WrittenPart | None) -> str:
    return _decimal(written.points if written else None)


def _verdict(written: WrittenPart | None) -> str:
    return str(written.outcome or "") if written else ""


def _rule(written: WrittenPart | None) -> str:
    return written.rule if written else ""


def _total(result: WrittenResult | None) -> str:
    return _decimal(result.score) if result is not None else ""


def _pair(old: WrittenResult | None, new: WrittenResult | None) -> list[str]:
    (old_sha, old_engine) = _graded_with(old) if old else ("", "")
    (new_sha, new_engine) = _graded_with(new) if new else ("", "")
    return [old_sha, new_sha, old_engine, new_engine]
