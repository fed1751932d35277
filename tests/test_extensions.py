"""A regrade recovers each student's due date: `--extensions CSV`, then the results the container wrote, else a flag."""

from __future__ import annotations

import csv
import io
import json

import pytest

from autograder.cli import main
from autograder.regrade.extensions import ExtensionsError, read_extensions
from autograder.regrade.gradescope_export import Submitter
from autograder.regrade.job import OutdirError, regrade
from support.paths import SAMPLES
from support.grading import hw5_key

ANSWERS = (SAMPLES / "hw5" / "01-canonical-full-credit" / "submission" / "answers.yaml").read_text(encoding="utf-8")
LATE_1_DAY = "2025-05-06 10:15:00.000000000 Z"        # 18:15 at +08:00, the day after the rubric's due date


@pytest.mark.parametrize("text, problems", [
    ("email,due\nann@example.edu,2025-05-08T23:59:00+08:00\n", []),
    ("Name,E-mail,Student ID,Due Date\nAnn,,00042,2025-05-08 23:59 +08:00\nBo,bo@example.edu,,2025-05-09T00:00Z\n", []),
    ("\ufeffsid;due\n", ["{path}:1: the first row names the columns, and needs a due column and an email or sid "
                        "column; found 'sid;due'"]),
    ("", ["{path}: empty; the first row names the columns: email or sid, and due"]),
    ("email,due\nann@example.edu,2025-05-08 23:59\n,2025-05-08T23:59:00+08:00\nbo@example.edu,next friday\n"
     "cy@example.edu,\n",
     ["{path}:2: the due date '2025-05-08 23:59' has no UTC offset, so its moment is unknown; write it like "
      "2025-05-08T23:59:00+08:00",
      "{path}:3: no e-mail and no SID: say whose due date this is",
      "{path}:4: 'next friday' is not a date and time; write it like 2025-05-08T23:59:00+08:00",
      "{path}:5: no due date; write it like 2025-05-08T23:59:00+08:00"]),
    ("email,due\nAnn@Example.edu,2025-05-08T23:59:00+08:00\n\nann@example.edu,2025-05-09T23:59:00+08:00\n"
     "ann@example.edu,2025-05-08T23:59:00+08:00\n",
     ["{path}:4: email ann@example.edu already has another due date on line 2"]),
], ids=["minimal", "any header spelling", "wrong separator", "empty", "bad rows", "twice"])
def test_the_extensions_list_is_checked_like_a_rubric(tmp_path, text, problems):
    path = tmp_path / "extensions.csv"
    path.write_text(text, encoding="utf-8")
    if not problems:
        assert len(read_extensions(path).rows) == text.count("\n") - 1
        return
    with pytest.raises(ExtensionsError) as refused:
        read_extensions(path)
    assert str(refused.value).splitlines() == [problem.format(path=path) for problem in problems]


def test_a_list_matches_by_email_in_any_case_or_by_sid_without_leading_zeros(tmp_path):
    path = tmp_path / "extensions.csv"
    path.write_text("email,sid,due\nANN@example.edu,,2025-05-08T23:59:00+08:00\n,42,2025-05-09T23:59:00+08:00\n"
                    ",77,2025-05-09T23:59:00+08:00\n", encoding="utf-8")
    listed = read_extensions(path)
    assert listed.due_of([Submitter("Ann", "", "ann@example.edu")]).found_in == "extensions.csv:2"
    group = [Submitter("Ann", "1", "ann@example.edu"), Submitter("Bo", "00042", "bo@example.edu")]
    assert listed.due_of(group).found_in == "extensions.csv:3"  # the latest of the group's
    assert listed.due_of([Submitter("Cy", "7", "cy@example.edu")]) is None
    assert listed.unmatched(group) == ["extensions.csv:4: no submitter in the export has SID 77"]


def _results(due: str, source: str, indent: str = "  ") -> str:
    """A :results: block as a real export holds it: the container's results with their late details."""
    lines = [":results:", "  score: 35.0", "  output:", "  extra_data:", "    late:", "      factor: '1'",
             f"      due: '{due}'", f"      due_source: {source}", "  tests:", "  - name: Submission check",
             "    extra_data:"]
    return "".join(f"{indent}{line}\n" for line in lines)


def _export(tmp_path, entries: dict[str, str]):
    """Entries: submission id -> the YAML lines after its submitter and submission time."""
    folder = tmp_path / "export"
    folder.mkdir()
    text = ""
    for number, (submission_id, rest) in enumerate(entries.items(), start=1):
        (folder / submission_id).mkdir()
        (folder / submission_id / "answers.yaml").write_text(ANSWERS, encoding="utf-8")
        text += (f"{submission_id}:\n  :submitters:\n  - :name: Student {number}\n    :sid: '{number:05d}'\n"
                 f"    :email: s{number}@example.edu\n  :created_at: {LATE_1_DAY}\n  :score: 35.0\n"
                 f"  :status: processed\n{rest}")
    (folder / "submission_metadata.yml").write_text(text, encoding="utf-8")
    return folder


ENTRIES = {
    # The container recorded an extension: on time.
    "submission_1": _results("2025-05-08T23:59:00+08:00", "extension"),
    # Its grading crashed (no late details); an earlier submission's results recorded the extension.
    "submission_2": ("  :results:\n    score: 0.0\n    extra_data:\n      error: engine\n  :history:\n"
                     "  - :submitters: []\n    :created_at: 2025-05-01 10:00:00.000000000 Z\n    :score: 30.0\n"
                     + _results("2025-05-07T23:59:00+08:00", "extension", "    ")
                     + "  - :submitters: []\n    :created_at: 2025-04-30 10:00:00.000000000 Z\n"
                     + _results("2025-05-05T23:59:00+08:00", "assignment", "    ")),
    # No results at all (another autograder's export): late by the rubric's date, and flagged.
    "submission_3": "",
    # The container used the rubric's date (no Gradescope date): the rubric's applies now, no flag needed.
    "submission_4": _results("2025-05-05T23:59:00+08:00", "rubric"),
}


def test_due_dates_come_from_the_list_then_the_recorded_results_else_a_flag(tmp_path):
    extensions = tmp_path / "extensions.csv"
    extensions.write_text("sid,due\n4,2025-05-10T12:00:00+08:00\n99,2025-05-10T12:00:00+08:00\n", encoding="utf-8")
    report = regrade(hw5_key(), _export(tmp_path, ENTRIES), tmp_path / "out", jobs=1, progress=io.StringIO(),
                     extensions=extensions)
    with open(tmp_path / "out" / "grades.csv", newline="", encoding="utf-8") as stream:
        rows = {row["Submission ID"]: row for row in csv.DictReader(stream)}
    late = {submission_id: json.loads((tmp_path / "out" / "results" / submission_id / "results.json")
                                      .read_text(encoding="utf-8"))["extra_data"]["late"] for submission_id in rows}
    assert {submission_id: row["Total Score"] for submission_id, row in rows.items()} == {
        "submission_1": "35", "submission_2": "35", "submission_3": "26.25", "submission_4": "35"}
    assert (late["submission_1"]["due_source"], late["submission_1"]["due"]) == ("extension", "2025-05-08T23:59:00+08:00")
    assert late["submission_2"]["due"] == "2025-05-07T23:59:00+08:00"
    assert "earlier submission of 2025-05-01 10:00:00.000000000 Z (:history:)" in late["submission_2"]["due_found_in"]
    assert (late["submission_3"]["due_source"], late["submission_4"]["due_source"]) == ("rubric", "extensions_list")
    assert late["submission_4"]["due_found_in"] == "extensions.csv:2"
    assert rows["submission_3"]["Flags"] == ("late 1 d, x0.75; due date unknown: late by the rubric's due date; "
                                             "neither the export's results nor --extensions give this student's own")
    assert "due date unknown" not in rows["submission_1"]["Flags"] + rows["submission_4"]["Flags"]
    summary = report.summary()
    assert "1 submission late by the rubric's due date, with no due date of the student's own" in summary
    assert "  submission_3 (Student 3)" in summary
    assert "extensions.csv:3: no submitter in the export has SID 99" in summary


def test_the_rubrics_date_recorded_earlier_gives_way_to_the_rubrics_now(tmp_path):
    report = regrade(hw5_key(), _export(tmp_path, {"submission_4": ENTRIES["submission_4"]}), tmp_path / "out", jobs=1,
                     progress=io.StringIO())
    (graded,) = report.graded
    assert graded.result.score == 26.25 and graded.result.due_source == "rubric"
    assert [flag.kind for flag in graded.flags] == ["late"]


def test_a_resume_needs_the_same_list(tmp_path):
    folder = _export(tmp_path, {"submission_1": ENTRIES["submission_1"]})
    extensions = tmp_path / "extensions.csv"
    extensions.write_text("sid,due\n1,2025-05-10T12:00:00+08:00\n", encoding="utf-8")
    regrade(hw5_key(), folder, tmp_path / "out", jobs=1, progress=io.StringIO(), extensions=extensions)
    state = json.loads((tmp_path / "out" / "regrade.json").read_text())
    (tmp_path / "out" / "regrade.json").write_text(json.dumps({**state, "status": "running"}))
    with pytest.raises(OutdirError, match="another extensions list"):
        regrade(hw5_key(), folder, tmp_path / "out", jobs=1, progress=io.StringIO())
    regrade(hw5_key(), folder, tmp_path / "out", jobs=1, progress=io.StringIO(), extensions=extensions)  # resumes


def test_the_command_line_refuses_a_bad_list_before_writing_anything(tmp_path, capsys):
    extensions = tmp_path / "extensions.csv"
    extensions.write_text("email,due\nann@example.edu,friday\n", encoding="utf-8")
    folder = _export(tmp_path, {"submission_1": ""})
    assert main(["regrade", hw5_key().rubric.path, str(folder), "-o", str(tmp_path / "out"), "--extensions",
                 str(extensions)]) == 1
    assert f"error: {extensions}:2: 'friday' is not a date and time" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
