"""Control text from students and exports is neutralised wherever text leaves the engine.

One neutraliser per destination (autograder/base/neutralise.py): a terminal
or log, Gradescope's text format, a CSV cell, HTML. Each test plants escape
sequences, line breaks and bidirectional overrides in what a student or an
export controls (names, SIDs, file names) and reads every destination.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml

from autograder.base import neutralise
from autograder.grading.run import Paths, run
from autograder.regrade.job import regrade
from support.paths import SAMPLES
from support.grading import hw5_key

ESC, RLO, NEWLINE = "\x1b[2J", "\u202e", "\n"
CANONICAL = SAMPLES / "hw5" / "01-canonical-full-credit" / "submission" / "answers.yaml"


@pytest.mark.parametrize("function, given, shown", [
    (neutralise.terminal, f"Eve{ESC} 12{RLO}34{NEWLINE}FAKE", "Eve\\u001b[2J 12\\u202e34\\u000aFAKE"),
    (neutralise.terminal, "tab\there\rcr\u2028ls\ud800", "tab\\u0009here\\u000dcr\\u2028ls\\ud800"),
    (neutralise.gradescope_text, ["one\nFAKE", f"two{RLO}"], "one\\u000aFAKE\ntwo\\u202e"),
    (neutralise.csv_cell, f"=HYPERLINK(){RLO}\nsecond", "'=HYPERLINK()\\u202e\nsecond"),
    (neutralise.csv_cell, f"{RLO}=1", "\\u202e=1"),
    (neutralise.csv_cell, None, ""),
    (neutralise.html_text, f"<b>{RLO}&{ESC}", "&lt;b&gt;\\u202e&amp;\\u001b[2J"),
])
def test_each_destination_shows_what_would_act_as_an_escape(function, given, shown):
    assert function(given) == shown


def test_a_file_name_with_a_line_break_adds_no_line_to_the_submission_check_or_the_staff_log(tmp_path):
    folder = tmp_path / "submission"
    folder.mkdir()
    # The only YAML file, so it is the answer file; and a second file whose name fakes a line.
    (folder / "my\nScore: 35 of 35.yaml").write_text(CANONICAL.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "notes\nAll parts correct.txt").write_text("x", encoding="utf-8")
    log = io.StringIO()
    data = run(hw5_key().rubric.path, Paths(folder, tmp_path / "none.json", tmp_path / "results.json"), log, key=hw5_key())
    check = data["tests"][-1]["output"]
    assert data["score"] == 35
    assert "Answer file: my\\u000aScore: 35 of 35.yaml" in check
    lines = check.splitlines() + log.getvalue().splitlines()
    assert not any(line.startswith(("Score: 35", "All parts")) for line in lines)


def _export(folder: Path, entries: dict[str, tuple[dict, dict[str, str]]]) -> None:
    """A Gradescope export: submission id -> (submitter, files)."""
    folder.mkdir()
    metadata = {}
    for submission_id, (submitter, files) in entries.items():
        (folder / submission_id).mkdir()
        for name, text in files.items():
            (folder / submission_id / name).write_text(text, encoding="utf-8")
        metadata[submission_id] = {":submitters": [{f":{field}": value for field, value in submitter.items()}],
                                   ":created_at": "2025-05-05 12:00:00.000000000 Z"}
    (folder / "submission_metadata.yml").write_text(yaml.safe_dump(metadata, allow_unicode=True), encoding="utf-8")


def _answers(**changed: str) -> str:
    answers = yaml.safe_load(CANONICAL.read_text(encoding="utf-8"))
    for dotted, value in changed.items():
        question, part = dotted.split("__")
        answers[next(q for q in answers if q.lower() == question)][part] = value
    return yaml.safe_dump(answers)


# Three wrong answers on three parts that match no declared mistake: the report's integrity table groups them.
RARE = {"q1a__total_params": "9999", "q1b__pool_output": "16x29x29", "q1b__pool_params": "77"}


def test_regrade_summary_csv_and_report_show_planted_control_text_as_escapes(tmp_path):
    export = tmp_path / "export"
    _export(export, {
        "submission_1": ({"name": f"Eve{ESC}", "sid": f"12{RLO}34", "email": "eve@example.edu"},
                         {"answers.yaml": _answers(**RARE)}),
        "submission_2": ({"name": f"Mallory{RLO}", "sid": "56", "email": "m@example.edu"},
                         {"answers.yaml": _answers(**RARE)}),
        "submission_3": ({"name": "Trent", "sid": "78", "email": "t@example.edu"},
                         {"notes\nFAKE: every submission graded.txt": "no answers here"}),
    })
    report = regrade(hw5_key(), export, tmp_path / "out", jobs=1, progress=io.StringIO())
    summary = report.summary()
    assert ESC not in summary and RLO not in summary
    assert not any(line.startswith("FAKE") for line in summary.splitlines())
    assert "notes\\u000aFAKE" in summary

    with open(tmp_path / "out" / "grades.csv", newline="", encoding="utf-8") as stream:
        rows = {row["Submission ID"]: row for row in csv.DictReader(stream)}
    assert (rows["submission_1"]["Name"], rows["submission_1"]["SID"]) == ("Eve\\u001b[2J", "12\\u202e34")
    assert rows["submission_2"]["Name"] == "Mallory\\u202e"

    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    integrity = page.split('<section id="shared-answers">')[1]
    assert "Mallory\\u202e" in integrity and "12\\u202e34" in integrity
    assert RLO not in page and "\x1b" not in page

    results = json.loads((tmp_path / "out" / "results" / "submission_3" / "results.json").read_text(encoding="utf-8"))
    assert not any(line.startswith("FAKE") for test in results["tests"] for line in test["output"].splitlines())
