"""The late policy: a factor on the earned score, from Gradescope's submission metadata.

The submission time is `created_at` (not the clock: reruns happen later).
The due date a submission is held to, first found of:

1. one the caller knows (`known_due`): in a class regrade, the staff's
   `--extensions` list, or the due date the container recorded in the
   results Gradescope kept (the export has no due dates of its own);
2. the student's own due date on Gradescope (`users[].assignment.due_date`),
   when it is later than the assignment's: an extension (for a group, the
   latest of its members');
3. the assignment's due date on Gradescope (`assignment.due_date`);
4. the rubric's `late_policy.due`.

Gradescope's due date wins over the rubric's because it is the one students
see, the one Gradescope marks submissions late by, and the one extensions
are granted against; a due date moved on Gradescope (a class-wide delay)
must apply without rebuilding the autograder. When the two differ the staff
log says so. Gradescope's `late_due_date` (the last moment it accepts a late
submission) is recorded, not used: the rubric's `max_days_late` decides what
is refused. Days late are counted in whole 24-hour periods between the two
moments, whatever their UTC offsets (a due date before a daylight-saving
change and a submission after it compare correctly).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Mapping

from autograder.base.text_enum import TextEnum
from autograder.grading.rubric import LatePolicy


class DueSource(TextEnum):
    """Whose due date a submission was held to (results.json's late.due_source)."""

    RUBRIC = "rubric"                  # the rubric's late_policy.due: nothing else gave one
    ASSIGNMENT = "assignment"          # Gradescope's assignment due date
    EXTENSION = "extension"            # the student's own, later due date on Gradescope
    EXTENSIONS_LIST = "extensions_list"  # the staff's list given to `regrade --extensions`

    @property
    def personal(self) -> bool:
        """Whether this due date is the student's own (an extension), not the whole class's."""
        return self in (DueSource.EXTENSION, DueSource.EXTENSIONS_LIST)


@dataclass(frozen=True)
class KnownDue:
    """A due date the caller found for this submission, and where (for results.json and the staff)."""

    moment: dt.datetime
    source: DueSource
    found_in: str


@dataclass(frozen=True)
class Lateness:
    """What the late policy made of one submission: the factor on its score, and why."""

    factor: Fraction
    days_late: int
    message: str                      # one line the student reads
    submitted: str | None = None
    due: str | None = None
    due_source: DueSource | None = None
    due_found_in: str | None = None   # where the grader read the due date
    rubric_due: str | None = None     # the rubric's, for comparison
    late_due: str | None = None       # Gradescope's late_due_date matching the due date used, when given
    staff_notes: tuple[str, ...] = ()  # for the staff log: e.g. Gradescope's due date differs from the rubric's


def read_metadata(path: str | Path) -> tuple[Mapping | None, str | None]:
    """Gradescope's submission_metadata.json, or None and a note for the staff log."""
    try:
        with open(path, "rb") as stream:
            data = json.loads(stream.read(1024 * 1024))
    except FileNotFoundError:
        return None, f"no submission metadata at {path}"
    except (OSError, ValueError, RecursionError) as exc:
        return None, f"unreadable submission metadata at {path}: {type(exc).__name__}: {str(exc)[:200]}"
    if not isinstance(data, dict):
        return None, f"submission metadata at {path} is not a JSON object"
    return data, None


def assess_lateness(policy: LatePolicy | None, metadata: Mapping | None, known_due: KnownDue | None = None) -> Lateness:
    """The late factor and the student's line; see the module's docstring for which due date applies."""
    if policy is None:
        return Lateness(Fraction(1), 0, "")
    submitted = parse_moment(_get(metadata, "created_at"))
    if submitted is None:
        return Lateness(Fraction(1), 0, "The submission time is not known, so no late penalty was applied.")
    due, source, found_in, late_due = _due_date(policy, metadata, known_due)
    notes = ()
    if source is DueSource.ASSIGNMENT and due != policy.due:
        notes = (f"Gradescope's due date {_show(due)} differs from the rubric's {_show(policy.due)}: Gradescope's "
                 "was used (set late_policy.due in the rubric to match it)",)
    common = {"submitted": submitted.isoformat(), "due": due.isoformat(), "due_source": source,
              "due_found_in": found_in, "rubric_due": policy.due.isoformat(),
              "late_due": late_due.isoformat() if late_due else None, "staff_notes": notes}
    # In UTC: a moment that has none (year 1 at +14:00) raises here, and the caller applies no penalty.
    overdue = _utc(submitted) - _utc(due) - dt.timedelta(minutes=policy.grace_minutes)
    if overdue <= dt.timedelta(0):
        own = ", your extended due date" if source.personal else ""
        return Lateness(Fraction(1), 0, f"Submitted on time (due {_show(due)}{own}).", **common)
    days = math.ceil(overdue / dt.timedelta(days=1))
    after = f"Submitted {_duration(submitted - due)} after {'your extended' if source.personal else 'the'} due date {_show(due)}"
    if days > policy.max_days_late:
        message = f"{after}: more than {policy.max_days_late} days late, so the score is 0."
        return Lateness(Fraction(0), days, " ".join(filter(None, (message, policy.refused_feedback))), **common)
    factor = 1 - min(policy.max_penalty, policy.penalty_per_day * days)
    plural = "s" if days > 1 else ""
    return Lateness(factor, days, f"{after}: {days} started day{plural} late, so the score is multiplied by "
                                  f"{float(factor):g}.", **common)


def _due_date(policy: LatePolicy, metadata: Mapping | None, known_due: KnownDue | None
              ) -> tuple[dt.datetime, DueSource, str, dt.datetime | None]:
    """(due date, whose, where it was read, Gradescope's matching late due date)."""
    if known_due is not None:
        return known_due.moment, known_due.source, known_due.found_in, None
    users = _get(metadata, "users")
    own = [(parse_moment(_get(user, "assignment", "due_date")), parse_moment(_get(user, "assignment", "late_due_date")))
           for user in (users if isinstance(users, list) else []) if isinstance(user, dict)]
    own = [dates for dates in own if dates[0] is not None]
    assignment_due = parse_moment(_get(metadata, "assignment", "due_date"))
    if own and (assignment_due is None or max(due for due, _ in own) > assignment_due):
        due, late_due = max(own, key=lambda dates: dates[0])
        return due, DueSource.EXTENSION, "submission metadata (the student's own due date)", late_due
    if assignment_due is not None:
        return (assignment_due, DueSource.ASSIGNMENT, "submission metadata (the assignment's due date)",
                parse_moment(_get(metadata, "assignment", "late_due_date")))
    return policy.due, DueSource.RUBRIC, "the rubric", None


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.timezone.utc)


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


# ISO 8601 as Gradescope writes it ("2023-11-04T13:57:24.522843-07:00"), Ruby's form in an export
# ("2023-12-04 05:26:26.899837000 Z"), and what staff type ("2025-05-08 23:59 +08:00").
_MOMENT = re.compile(r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
                     r"\s*(?:([Zz]|UTC)|([+-])(\d{2}):?(\d{2})?)?")


def parse_moment(value: Any, default_zone: dt.tzinfo | None = None) -> dt.datetime | None:
    """A timestamp with its UTC offset; None for anything else (without `default_zone`, a time without an offset)."""
    if not isinstance(value, str):
        return None
    match = _MOMENT.fullmatch(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, utc, sign, zone_hours, zone_minutes = match.groups()
    if utc:
        zone = dt.timezone.utc
    elif sign:
        offset = dt.timedelta(hours=int(zone_hours), minutes=int(zone_minutes or 0))
        if offset >= dt.timedelta(hours=24):
            return None
        zone = dt.timezone(-offset if sign == "-" else offset)
    elif default_zone is not None:
        zone = default_zone
    else:
        return None
    try:
        return dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0),
                           int((fraction or "0")[:6].ljust(6, "0")), tzinfo=zone)
    except ValueError:
        return None


def _show(moment: dt.datetime) -> str:
    """A moment in its own UTC offset: Gradescope's dates carry the course's, daylight saving included."""
    offset = moment.strftime("%z") or "+0000"
    return f"{moment:%Y-%m-%d %H:%M} UTC{offset[:3]}:{offset[3:5]}"


def _duration(delta: dt.timedelta) -> str:
    seconds = delta.total_seconds()
    if seconds < 1:
        return "less than a second"
    if seconds < 60:
        return f"{int(seconds)} s"
    minutes = int(seconds // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{minutes} min" if minutes or not (days or hours) else ""]
    return " ".join(filter(None, parts))
