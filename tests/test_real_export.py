"""Done when: a regrade of an export laid out exactly like a real one gives every student the container's score.

The export (tests/support/real_export.py) holds no due dates, only the results the
container wrote; students with extensions, and a due date moved on
Gradescope for everyone, are graded right only if the regrade recovers each
student's due date from those results.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from autograder.regrade.job import regrade
from support.real_export import RUBRIC_DUE, build_real_export, zip_export
from support.grading import hw5_key


@pytest.mark.parametrize("moved_by", [dt.timedelta(0), dt.timedelta(days=1, hours=2)], ids=["rubric's date", "moved on Gradescope"])
def test_every_student_gets_the_containers_score(tmp_path, moved_by):
    container = build_real_export(tmp_path, hw5_key(), moved_by)
    # The fixture is a real test: students were held to due dates the export does not hold.
    assert sum(graded.due != RUBRIC_DUE.isoformat() for graded in container) >= (3 if not moved_by else len(container))
    report = regrade(hw5_key(), zip_export(tmp_path, tmp_path / "export.zip"), tmp_path / "out", jobs=2,
                     progress=io.StringIO())
    with open(tmp_path / "out" / "grades.csv", newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == len(container) + 1  # the group's two members
    by_email = {row["Email"]: row for row in rows}
    for graded in container:
        for person in graded.submitters:
            row = by_email[person["email"]]
            assert (row["Submission ID"], float(row["Total Score"])) == (graded.submission_id, graded.score), graded.sample
            assert row["SID"] == (person["sid"] or "")
        late = json.loads((tmp_path / "out" / "results" / graded.submission_id / "results.json")
                          .read_text(encoding="utf-8"))["extra_data"]["late"]
        assert late["due"] == graded.due and late["due_found_in"].startswith("the export: the results"), graded.sample
    assert report.export.problems == ()
    assert "due date unknown" not in report.summary()
