"""The late policy, from Gradescope's submission metadata."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from autograder.grading.late import assess_lateness, read_metadata
from autograder.grading.rubric import LatePolicy

POLICY = LatePolicy(due=dt.datetime(2025, 5, 5, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=8))),
                    penalty_per_day=Fraction(1, 4), max_days_late=3, grace_minutes=0, max_penalty=Fraction(1),
                    refused_feedback="Not accepted without a valid reason.")
DUE = "2025-05-05T23:59:00.000000+08:00"


def metadata(created: str, own_due: str | None = None) -> dict:
    user = {"name": "A", "assignment": {"due_date": own_due or DUE}}
    return {"created_at": created, "assignment": {"due_date": DUE}, "users": [user]}


@pytest.mark.parametrize("created, factor, days", [
    ("2025-05-05T23:59:00.000000+08:00", 1, 0),
    ("2025-05-05T23:59:00.000001+08:00", Fraction(3, 4), 1),
    ("2025-05-06T23:59:00+08:00", Fraction(3, 4), 1),
    ("2025-05-06T23:59:01+08:00", Fraction(1, 2), 2),
    ("2025-05-05T16:30:00Z", Fraction(3, 4), 1),
    ("2025-05-08T23:59:00+08:00", Fraction(1, 4), 3),
    ("2025-05-08T23:59:01+08:00", 0, 4),
])
def test_started_days_late(created, factor, days):
    lateness = assess_lateness(POLICY, metadata(created))
    assert (lateness.factor, lateness.days_late) == (factor, days)


def test_refused_message_and_factor_line():
    assert "Not accepted without a valid reason." in assess_lateness(POLICY, metadata("2025-05-12T00:00:00+08:00")).message
    message = assess_lateness(POLICY, metadata("2025-05-06T10:15:00+08:00")).message
    assert message == ("Submitted 10 h 16 min after the due date 2025-05-05 23:59 UTC+08:00: "
                       "1 started day late, so the score is multiplied by 0.75.")


def test_extension_wins():
    lateness = assess_lateness(POLICY, metadata("2025-05-07T20:00:00+08:00", own_due="2025-05-08T23:59:00+08:00"))
    assert lateness.factor == 1 and lateness.due_source == "extension"
    assert "extended" in lateness.message


def test_grace_minutes_and_cap():
    policy = LatePolicy(POLICY.due, Fraction(1, 4), 10, 30, Fraction(1, 2), "")
    assert assess_lateness(policy, metadata("2025-05-06T00:20:00+08:00")).factor == 1
    assert assess_lateness(policy, metadata("2025-05-12T00:20:00+08:00")).factor == Fraction(1, 2)


@pytest.mark.parametrize("data", [None, {}, {"created_at": "yesterday"}, {"created_at": 5}, {"created_at": "2025-05-06T10:00:00"}])
def test_unknown_submission_time_means_no_penalty(data):
    lateness = assess_lateness(POLICY, data)
    assert lateness.factor == 1 and "not known" in lateness.message


def test_malformed_metadata_file(tmp_path):
    path = tmp_path / "submission_metadata.json"
    path.write_text("{not json")
    assert read_metadata(path)[0] is None and "unreadable" in read_metadata(path)[1]
    assert read_metadata(tmp_path / "absent.json") == (None, f"no submission metadata at {tmp_path / 'absent.json'}")
