"""The regrade's tables: grades.csv, review.csv and changes.csv.

Written for spreadsheets and for Gradescope's score import: UTF-8, one
header row, numbers as plain decimals (points before the late policy per
part, the late factor, the total after it), text as it is, except that a
cell starting like a formula (= + - @) gets a leading ' so that no
spreadsheet runs what a student typed. Every row names the rubric hash and
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
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from autograder.base.atomic import write_text_atomic
from autograder.grading.results_json import WrittenPart, WrittenResult
from autograder.grading.rubric import Part, Rubric
from autograder.regrade.graded import Flag, FlagKind, GradedSubmission

RESULTS = "results"  # OUTDIR/results/<submission>/results.json

# Excel shows at most this many characters in a cell; a longer list of submission ids is cut with a count.
_CELL_CHARACTERS = 32_000
# Two spellings of a word are one typo apart when at most this many edits separate them
# (1 for short words, 2 from 8 letters on) and both have at least 4 letters: "symetric" is
# "symmetric", but "now" is not "not".
_TYPO_MIN_LETTERS = 4
_TYPO_LONG_WORD = 8
_TYPO_CANDIDATES = 25  # spellings compared per word position, most frequent first
_TYPO_MAX_WORDS = 80   # longer answers are grouped only when identical (the search grows with the square)
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


def _cell(text: Any) -> str:
    text = "" if text is None else str(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


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
                _cell(submission.submission_id),
                *([result.variant or ""] if variants else []),
                *(_decimal(parts[part.id].points) if part.id in parts else "" for part in rubric.parts),
                _decimal(result.score_before_late_policy), _decimal(late_factor(result)), _decimal(result.score),
                _decimal(float(rubric.total_points)), _cell(flags), *_graded_with(result),
            ]
            for submitter in submission.submitters or (None,):
                who = (submitter.name, submitter.sid, submitter.email) if submitter else ("", "", "")
                yield [*(_cell(value) for value in who), *common]

    return _write_csv(path, header, rows())


# ---------------------------------------------------------------- review.csv

@dataclass(frozen=True)
class ReviewGroup:
    """Answers to one free-text part that one TA decision can cover."""

    part: Part
    texts: tuple[str, ...]                         # the distinct wordings, most common first
    members: tuple[tuple[GradedSubmission, str], ...]


def review_groups(rubric: Rubric, graded: Sequence[GradedSubmission]) -> list[ReviewGroup]:
    """Free-text answers grouped by identical or near-identical text, largest group first, per part.

    Identical: the same words once case, width, punctuation and spacing are
    ignored. Near-identical: in addition, one word spelled differently by a
    typo or two. Word order and every other word count, so "A is cheaper than
    B" and "B is cheaper than A" stay apart."""
    groups = []
    for part in rubric.parts:
        if not part.review:
            continue
        answers = [(submission, submission.review_texts[part.id])
                   for submission in graded if part.id in submission.review_texts]
        by_words: dict[tuple[str, ...], list[tuple[GradedSubmission, str]]] = {}
        for submission, text in answers:
            by_words.setdefault(_words(text), []).append((submission, text))
        merged: dict[tuple[str, ...], list[tuple[GradedSubmission, str]]] = {}
        find = _typo_union(by_words)
        for words, members in by_words.items():
            merged.setdefault(find(words), []).extend(members)
        part_groups = []
        for members in merged.values():
            wordings = Counter(text for _, text in members)
            texts = tuple(sorted(wordings, key=lambda text: (-wordings[text], text)))
            members.sort(key=lambda member: member[0].submission_id)
            part_groups.append(ReviewGroup(part, texts, tuple(members)))
        part_groups.sort(key=lambda group: (-len(group.members), group.texts[0]))
        groups.extend(part_groups)
    return groups


def _words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold()))


def _typo_union(by_words: Mapping[tuple[str, ...], list]):
    """A find() joining word sequences that differ in one word, spelled a typo apart."""
    parent: dict[tuple[str, ...], tuple[str, ...]] = {words: words for words in by_words}

    def find(words):
        while parent[words] != words:
            parent[words] = parent[parent[words]]
            words = parent[words]
        return words

    # Sequences that agree everywhere but at position i share the key (len, i, the other words).
    buckets: dict[tuple, Counter] = {}
    for words, members in by_words.items():
        if len(words) > _TYPO_MAX_WORDS:
            continue
        for i, word in enumerate(words):
            if len(word) >= _TYPO_MIN_LETTERS:
                buckets.setdefault((len(words), i, words[:i] + words[i + 1:]), Counter())[words] += len(members)
    for (_, i, _), spellings in buckets.items():
        if len(spellings) < 2:
            continue
        ranked = [words for words, _ in spellings.most_common()]
        for index, words in enumerate(ranked):
            for other in ranked[max(0, index - _TYPO_CANDIDATES):index]:
                if _typo_apart(words[i], other[i]):
                    parent[find(words)] = find(other)
    return find


def _typo_apart(a: str, b: str) -> bool:
    if min(len(a), len(b)) < _TYPO_MIN_LETTERS:
        return False
    allowed = 1 if max(len(a), len(b)) < _TYPO_LONG_WORD else 2
    if abs(len(a) - len(b)) > allowed:
        return False
    previous = list(range(len(b) + 1))  # Levenshtein distance, row by row, stopping once it cannot be small
    for row, letter in enumerate(a, 1):
        current = [row]
        for column, other in enumerate(b, 1):
            current.append(min(previous[column] + 1, current[column - 1] + 1, previous[column - 1] + (letter != other)))
        if min(current) > allowed:
            return False
        previous = current
    return previous[-1] <= allowed


def write_review(path: Path, rubric: Rubric, graded: Sequence[GradedSubmission]) -> int:
    """One row per group of near-identical answers, so one decision covers all of it; returns the group count."""
    header = ["Part", "Group", "Students", "Text", "Other wordings", "Graded as", "Points", "Max points",
              "Submission IDs", "Rubric SHA-256", "Engine"]
    groups = review_groups(rubric, graded)
    numbers: Counter = Counter()

    def rows():
        for group in groups:
            part = group.part
            numbers[part.id] += 1
            outcomes: Counter = Counter()
            points: Counter = Counter()
            graded_with = set()
            for submission, _ in group.members:
                written = submission.result.parts.get(part.id)
                outcomes[" ".join(filter(None, (_verdict(written), _rule(written))))] += 1
                points[_decimal(written.points if written else None)] += 1
                graded_with.add(_graded_with(submission.result))
            yield [
                part.id, f"{part.id}#{numbers[part.id]}", len(group.members), _cell(group.texts[0]),
                len(group.texts) - 1, "; ".join(f"{outcome} x{count}" for outcome, count in outcomes.most_common()),
                " / ".join(value for value, _ in points.most_common()), _decimal(float(part.points)),
                _cell(_ids([submission.submission_id for submission, _ in group.members])),
                " ".join(sorted({sha for sha, _ in graded_with})), " ".join(sorted({engine for _, engine in graded_with})),
            ]

    return _write_csv(path, header, rows())


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
            common = [_cell(submission_id), _cell(who)]
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
    return str(written.mistake or "") if written else ""


def _total(result: WrittenResult | None) -> str:
    return _decimal(result.score) if result is not None else ""


def _pair(old: WrittenResult | None, new: WrittenResult | None) -> list[str]:
    (old_sha, old_engine) = _graded_with(old) if old else ("", "")
    (new_sha, new_engine) = _graded_with(new) if new else ("", "")
    return [old_sha, new_sha, old_engine, new_engine]
