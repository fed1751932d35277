"""`regrade --extensions CSV`: the staff's list of students' own due dates.

Gradescope's export holds no due dates, so a regrade learns a student's
extension from the results the container wrote (gradescope_export.recorded_due)
or from this list, which wins over them: it is the staff's word, and may
grant an extension after the container graded. The first row names the
columns, in any case and order: `due` (or `due date`, `due_date`) and at least
one of `email` (`e-mail`) and `sid` (`student id`); other columns (a name)
are ignored. Each row names a student by e-mail or SID and gives the due
date with its UTC offset, e.g. `2025-05-08T23:59:00+08:00` or
`2025-05-08 23:59 +08:00`.

It is checked like a rubric: every bad row is reported as `FILE:LINE:
message`, and nothing is graded until the file is right. E-mails match in
any case; SIDs match as written or, when all digits, without leading zeros
(a spreadsheet drops them). A group is held to the latest due date of its
members. A row that matches no submitter of the export is no error: the
regrade's summary lists it.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from autograder.grading.variants import normalise_email
from autograder.grading.late import DueSource, KnownDue, parse_moment
from autograder.regrade.gradescope_export import Submitter

_COLUMNS = {"email": ("email", "e-mail", "e mail"), "sid": ("sid", "student id", "student_id"),
            "due": ("due", "due date", "due_date")}


class ExtensionsError(Exception):
    """The extensions list cannot be used: every problem, one per line as FILE:LINE: message."""


@dataclass(frozen=True)
class Extension:
    """One row: a student (by e-mail, SID or both) and their own due date."""

    line: int
    email: str
    sid: str
    due: dt.datetime


@dataclass(frozen=True)
class Extensions:
    """The staff's list, ready to match against an export's submitters."""

    path: Path
    rows: tuple[Extension, ...]

    def due_of(self, submitters: Sequence[Submitter]) -> KnownDue | None:
        """The latest due date the list gives any of these submitters, as the late policy takes it."""
        matched = [row for row in self.rows if any(_matches(row, submitter) for submitter in submitters)]
        if not matched:
            return None
        latest = max(matched, key=lambda row: row.due)
        return KnownDue(latest.due, DueSource.EXTENSIONS_LIST, f"{self.path.name}:{latest.line}")

    def unmatched(self, submitters: Iterable[Submitter]) -> list[str]:
        """A line for each row that names no submitter of the export."""
        everyone = list(submitters)
        return [f"{self.path.name}:{row.line}: no submitter in the export has "
                f"{' or '.join(filter(None, (row.email and f'e-mail {row.email}', row.sid and f'SID {row.sid}')))}"
                for row in self.rows if not any(_matches(row, submitter) for submitter in everyone)]


def read_extensions(path: str | Path) -> Extensions:
    """Read and check the list; raises ExtensionsError listing every bad row."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ExtensionsError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ExtensionsError(f"{path}: cannot be read as UTF-8 text: {exc}") from None
    rows = [(number, row) for number, row in enumerate(csv.reader(text.splitlines()), start=1)
            if any(cell.strip() for cell in row)]
    if not rows:
        raise ExtensionsError(f"{path}: empty; the first row names the columns: email or sid, and due")
    header_line, header = rows[0]
    columns = _columns(header)
    if "due" not in columns or not ({"email", "sid"} & set(columns)):
        raise ExtensionsError(f"{path}:{header_line}: the first row names the columns, and needs a due column and an "
                              f"email or sid column; found {', '.join(repr(cell) for cell in header)}")
    problems: list[str] = []
    extensions: list[Extension] = []
    seen: dict[tuple[str, str], Extension] = {}
    for number, row in rows[1:]:
        cells = {name: (row[index].strip() if index < len(row) else "") for name, index in columns.items()}
        email, sid = cells.get("email", ""), cells.get("sid", "")
        due = parse_moment(cells["due"])
        if not (email or sid):
            problems.append(f"{path}:{number}: no e-mail and no SID: say whose due date this is")
        if due is None:
            problems.append(f"{path}:{number}: {_due_problem(cells['due'])}")
        if due is None or not (email or sid):
            continue
        row_extension = Extension(number, email, sid, due)
        for identity in ((("email", normalise_email(email)),) if email else ()) + ((("sid", _sid(sid)),) if sid else ()):
            earlier = seen.setdefault(identity, row_extension)
            if earlier is not row_extension and earlier.due != due:
                problems.append(f"{path}:{number}: {identity[0]} {email if identity[0] == 'email' else sid} "
                                f"already has another due date on line {earlier.line}")
        extensions.append(row_extension)
    if problems:
        raise ExtensionsError("\n".join(problems))
    return Extensions(path, tuple(extensions))


def _columns(header: Sequence[str]) -> dict[str, int]:
    found = {}
    for index, cell in enumerate(header):
        label = " ".join(cell.strip().lower().replace("_", " ").split())
        for name, spellings in _COLUMNS.items():
            if label in {spelling.replace("_", " ") for spelling in spellings}:
                found.setdefault(name, index)
    return found


def _due_problem(text: str) -> str:
    example = "write it like 2025-05-08T23:59:00+08:00"
    if not text:
        return f"no due date; {example}"
    if parse_moment(text, dt.timezone.utc) is not None:
        return f"the due date {text!r} has no UTC offset, so its moment is unknown; {example}"
    return f"{text!r} is not a date and time; {example}"


def _sid(sid: str) -> str:
    sid = sid.strip()
    return sid.lstrip("0") or "0" if sid.isdigit() else sid


def _matches(row: Extension, submitter: Submitter) -> bool:
    return bool((row.email and submitter.email and normalise_email(row.email) == normalise_email(submitter.email))
                or (row.sid and submitter.sid and _sid(row.sid) == _sid(submitter.sid)))
