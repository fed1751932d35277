"""The late policy: a factor on the earned score, from Gradescope's submission metadata.

The submission time is `created_at` (not the clock: reruns happen later).
The due date is the student's own (an extension) when Gradescope gives one
later than the assignment's, else the rubric's.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Mapping

from autograder.base.text_enum import TextEnum
from autograder.grading.rubric import LatePolicy


class DueSource(TextEnum):
    """Whose due date a submission was held to."""

    RUBRIC = "rubric"          # the rubric's late_policy.due
    EXTENSION = "extension"    # the student's own, later one from Gradescope's metadata


@dataclass(frozen=True)
class Lateness:
    """What the late policy made of one submission: the factor on its score, and why."""

    factor: Fraction
    days_late: int
    message: str                 # one line the student reads
    submitted: str | None = None
    due: str | None = None
    due_source: DueSource | None = None


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


def assess_lateness(policy: LatePolicy | None, metadata: Mapping | None) -> Lateness:
    """The late factor and its one-line explanation, from the policy and Gradescope's metadata (either may be missing)."""
    if policy is None:
        return Lateness(Fraction(1), 0, "")
    submitted = _timestamp(_get(metadata, "created_at"))
    if submitted is None:
        return Lateness(Fraction(1), 0, "The submission time is not known, so no late penalty was applied.")
    due, source = policy.due, DueSource.RUBRIC
    users = _get(metadata, "users")
    own_dues = [_timestamp(_get(user, "assignment", "due_date")) for user in (users if isinstance(users, list) else [])
                if isinstance(user, dict)]
    own_dues = [d for d in own_dues if d is not None]
    assignment_due = _timestamp(_get(metadata, "assignment", "due_date"))
    if own_dues and (assignment_due is None or max(own_dues) > assignment_due):
        due, source = max(own_dues), DueSource.EXTENSION
    shown_due = _show(due, policy.due.tzinfo) + (" (your extended due date)" if source is DueSource.EXTENSION else "")
    overdue = submitted - due - dt.timedelta(minutes=policy.grace_minutes)
    common = {"submitted": submitted.isoformat(), "due": due.isoformat(), "due_source": source}
    if overdue <= dt.timedelta(0):
        return Lateness(Fraction(1), 0, f"Submitted on time (due {shown_due}).", **common)
    days = math.ceil(overdue / dt.timedelta(days=1))
    late_by = _duration(submitted - due)
    if days > policy.max_days_late:
        message = f"Submitted {late_by} after the due date {shown_due}: more than {policy.max_days_late} days late, so the score is 0."
        return Lateness(Fraction(0), days, " ".join(filter(None, (message, policy.refused_feedback))), **common)
    factor = 1 - min(policy.max_penalty, policy.penalty_per_day * days)
    plural = "s" if days > 1 else ""
    return Lateness(
        factor, days,
        f"Submitted {late_by} after the due date {shown_due}: {days} started day{plural} late, "
        f"so the score is multiplied by {float(factor):g}.",
        **common,
    )


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _timestamp(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        stamp = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return stamp if stamp.tzinfo is not None else None


def _show(moment: dt.datetime, zone) -> str:
    local = moment.astimezone(zone)
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} UTC{offset[:3]}:{offset[3:]}"


def _duration(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{minutes} min" if minutes or not (days or hours) else ""]
    return " ".join(filter(None, parts))
