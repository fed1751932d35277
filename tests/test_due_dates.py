"""Which due date a submission is held to, on metadata shaped like Gradescope's real captures (gradescope.md §3, §7).

Gradescope's due date wins over the rubric's (late.py says why); a student's
own later one is an extension; late_due_date is recorded, not used; offsets
differ across a daylight-saving change.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
from fractions import Fraction

import pytest

from autograder.grading.late import DueSource, KnownDue, assess_lateness, parse_moment
from autograder.grading.rubric import LatePolicy
from autograder.grading.run import Paths, run
from support.paths import SAMPLES
from support.grading import hw5_key

RUBRIC_DUE = dt.datetime(2023, 11, 3, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=-7)))
POLICY = LatePolicy(due=RUBRIC_DUE, penalty_per_day=Fraction(1, 4), max_days_late=3, grace_minutes=0,
                    max_penalty=Fraction(1), refused_feedback="")

# A 2023-2025 capture: every user has an `assignment` block echoing (or extending) the assignment's dates,
# previous submissions carry string scores and full results, and total_points is a string.
CAPTURE = {
    "id": 213456789,
    "created_at": "2023-11-05T23:30:00.522843-08:00",
    "assignment_id": None,
    "assignment": {
        "id": 3456789, "course_id": 654321, "title": "HW5", "total_points": "4", "group_size": None,
        "group_submission": False, "release_date": "2023-10-20T00:00:00.000000-07:00",
        "due_date": "2023-11-04T23:59:00.000000-07:00", "late_due_date": "2023-11-07T23:59:00.000000-08:00",
        "outline": [{"id": 1, "type": "ProgrammingQuestion", "title": "Autograder", "parent_id": None,
                     "weight": "4.0", "content": [], "index": 1}],
    },
    "submission_method": "upload",
    "users": [{"email": "ann@example.edu", "id": 1, "name": "Ann", "sid": "",
               "assignment": {"release_date": "2023-10-20T00:00:00.000000-07:00",
                              "due_date": "2023-11-04T23:59:00.000000-07:00",
                              "late_due_date": "2023-11-07T23:59:00.000000-08:00"}}],
    "previous_submissions": [{"id": 213456700, "submission_time": "2023-11-04T22:00:00.000000-07:00",
                              "score": "4.0", "autograder_error": False, "results": {"score": 4.0}}],
}


def capture(**changes) -> dict:
    data = copy.deepcopy(CAPTURE)
    for path, value in changes.items():
        *parents, last = path.split("__")
        target = data
        for name in parents:
            target = target[int(name)] if isinstance(target, list) else target[name]
        target[last] = value
    return data


def test_gradescopes_due_date_wins_across_a_daylight_saving_change():
    # Due 23:59 PDT (-07:00) on Nov 4; submitted 23:30 PST (-08:00) on Nov 5, after clocks went back:
    # 24 h 31 min later, so 2 started days, although the wall clocks are a day apart.
    lateness = assess_lateness(POLICY, capture())
    assert (lateness.factor, lateness.days_late, lateness.due_source) == (Fraction(1, 2), 2, DueSource.ASSIGNMENT)
    assert lateness.message == ("Submitted 1 d 31 min after the due date 2023-11-04 23:59 UTC-07:00: "
                                "2 started days late, so the score is multiplied by 0.5.")
    assert lateness.late_due == "2023-11-07T23:59:00-08:00"
    assert lateness.rubric_due == RUBRIC_DUE.isoformat()
    assert lateness.staff_notes == ("Gradescope's due date 2023-11-04 23:59 UTC-07:00 differs from the rubric's "
                                    "2023-11-03 23:59 UTC-07:00: Gradescope's was used (set late_policy.due in the "
                                    "rubric to match it)",)


def test_a_students_own_later_due_date_is_an_extension_with_its_own_late_due_date():
    lateness = assess_lateness(POLICY, capture(users__0__assignment__due_date="2023-11-06T23:59:00.000000-08:00",
                                               users__0__assignment__late_due_date="2023-11-09T23:59:00.000000-08:00"))
    assert (lateness.factor, lateness.due_source, lateness.late_due) == (1, DueSource.EXTENSION, "2023-11-09T23:59:00-08:00")
    assert lateness.message == "Submitted on time (due 2023-11-06 23:59 UTC-08:00, your extended due date)."
    assert lateness.staff_notes == ()


def test_a_group_is_held_to_its_latest_members_due_date():
    partner = {"email": "bo@example.edu", "id": 2, "name": "Bo", "sid": "007",
               "assignment": {"due_date": "2023-11-06T23:59:00.000000-08:00", "late_due_date": None}}
    data = capture()
    data["users"].append(partner)
    assert assess_lateness(POLICY, data).due_source == DueSource.EXTENSION


@pytest.mark.parametrize("users", [
    [{"email": "a@example.edu", "id": 1, "name": "A"}],                       # 2019: no per-user block
    [{"email": "a@example.edu", "name": "A", "assignment": {"due_date": None, "late_due_date": None}}],
    [{"email": "a@example.edu", "name": "A", "assignment": {"due_date": "2023-11-03T23:59:00.000000-07:00"}}],
], ids=["no user block", "null dates", "earlier own date"])
def test_without_a_later_own_date_the_assignments_applies(users):
    lateness = assess_lateness(POLICY, capture(users=users))
    assert (lateness.due_source, lateness.due) == (DueSource.ASSIGNMENT, "2023-11-04T23:59:00-07:00")


def test_the_rubrics_due_date_applies_only_when_gradescope_gives_none():
    data = capture(users=[])
    del data["assignment"]["due_date"]
    lateness = assess_lateness(POLICY, data)
    assert (lateness.due_source, lateness.days_late, lateness.staff_notes) == (DueSource.RUBRIC, 3, ())


def test_a_known_due_date_wins_and_says_where_it_was_found():
    known = KnownDue(dt.datetime(2023, 11, 8, tzinfo=dt.timezone.utc), DueSource.EXTENSIONS_LIST, "extensions.csv:3")
    lateness = assess_lateness(POLICY, capture(), known)
    assert (lateness.factor, lateness.due_source, lateness.due_found_in) == (1, DueSource.EXTENSIONS_LIST, "extensions.csv:3")
    assert lateness.message == "Submitted on time (due 2023-11-08 00:00 UTC+00:00, your extended due date)."


@pytest.mark.parametrize("created, late_by", [
    ("2023-11-04T23:59:00.000001-07:00", "less than a second"),
    ("2023-11-04T23:59:05.5-07:00", "5 s"),
    ("2023-11-05T06:59:59Z", "59 s"),
    ("2023-11-05T00:01:00-07:00", "2 min"),
])
def test_lateness_under_a_minute_is_said_in_seconds(created, late_by):
    message = assess_lateness(POLICY, capture(created_at=created)).message
    assert message.startswith(f"Submitted {late_by} after the due date 2023-11-04 23:59 UTC-07:00: 1 started day late")


def test_an_extended_late_line_has_no_doubled_parenthesis():
    message = assess_lateness(POLICY, capture(created_at="2023-11-07T10:00:00-08:00",
                                              users__0__assignment__due_date="2023-11-06T23:59:00-08:00")).message
    assert message.startswith("Submitted 10 h 1 min after your extended due date 2023-11-06 23:59 UTC-08:00: 1 started")
    assert "((" not in message and "))" not in message


@pytest.mark.parametrize("text, moment", [
    ("2023-12-04 05:26:26.899837000 Z", "2023-12-04T05:26:26.899837+00:00"),
    ("2023-11-04T13:57:24.522843-07:00", "2023-11-04T13:57:24.522843-07:00"),
    ("2025-05-08 23:59 +08:00", "2025-05-08T23:59:00+08:00"),
    ("2025-05-08T23:59:00+0800", "2025-05-08T23:59:00+08:00"),
    ("2025-05-08T23:59:00 UTC", "2025-05-08T23:59:00+00:00"),
    ("2025-05-08 23:59", None),
    ("2025-02-30T10:00:00Z", None),
    ("2025-05-08T23:59:00+25:00", None),
    ("tomorrow", None),
])
def test_timestamps_are_read_with_their_offset_or_not_at_all(text, moment):
    parsed = parse_moment(text)
    assert (parsed.isoformat() if parsed else None) == moment


def test_results_json_records_the_due_date_used_and_the_staff_log_says_when_gradescope_moved_it(tmp_path):
    sample = SAMPLES / "hw5" / "18-late-1-day-channels-last"
    metadata = json.loads((sample / "submission_metadata.json").read_text(encoding="utf-8"))
    metadata["assignment"]["due_date"] = metadata["users"][0]["assignment"]["due_date"] = "2025-05-06T23:59:00.000000+08:00"
    (tmp_path / "submission_metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    log = io.StringIO()
    data = run(hw5_key().rubric.path, Paths(sample / "submission", tmp_path / "submission_metadata.json",
                                      tmp_path / "results.json"), log, key=hw5_key())
    late = data["extra_data"]["late"]
    assert data["score"] == data["extra_data"]["score_before_late_policy"]  # on time by Gradescope's date
    assert (late["due"], late["due_source"], late["rubric_due"]) == (
        "2025-05-06T23:59:00+08:00", "assignment", "2025-05-05T23:59:00+08:00")
    assert late["due_found_in"] == "submission metadata (the assignment's due date)"
    assert "late policy: Gradescope's due date 2025-05-06 23:59 UTC+08:00 differs from the rubric's" in log.getvalue()
