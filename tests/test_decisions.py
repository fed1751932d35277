"""TA decisions: review.csv filled in by a TA, recorded beside the rubric, applied by every regrade and by the container."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from autograder.authoring.build import unpack, write_zip, zip_entries
from autograder.authoring.check import check_rubric
from autograder.cli import main
from autograder.grading.decisions import DecisionsError, decisions_path, load_decisions
from autograder.grading.key import AnswerKey, write_cache
from autograder.grading.results_json import WrittenResult
from autograder.grading.rubric import load_rubric
from autograder.regrade.job import regrade
from autograder.regrade.review_decisions import record_review
from support.paths import SAMPLES, checkout_env
from support.export_fixture import build_export
from support.grading import hw5_key
from support.paths import HW5

CANONICAL = yaml.safe_load((SAMPLES / "hw5" / "01-canonical-full-credit" / "submission" / "answers.yaml").read_text())
# Free text no sample holds, two wordings each: the groups a TA decides.
EDITS = {"submission_300001": ("q2b", "condition", "B is symmetric about its middle row."),
         "submission_300002": ("q2b", "condition", "b is symmetric about its  middle row"),
         "submission_300003": ("q3", "reason", "Because the flip does not matter."),
         "submission_300004": ("q3", "reason", "because the flip doesnt matter")}
DECIDED = set(EDITS)


@pytest.fixture
def course(tmp_path):
    """A copy of HW5's rubric with its key, and an export of 8 submissions, four of them with new free text."""
    rubric = tmp_path / "course" / "hw5.yaml"
    rubric.parent.mkdir()
    shutil.copy(HW5, rubric)
    key = AnswerKey(load_rubric(rubric), hw5_key().parts, hw5_key().engine)
    write_cache(key)
    export = tmp_path / "export"
    build_export(export, 8)
    for submission_id, (question, part, text) in EDITS.items():
        shutil.rmtree(export / submission_id)
        (export / submission_id).mkdir()
        answers = yaml.safe_load(yaml.safe_dump(CANONICAL))
        answers[question][part] = text
        (export / submission_id / "answers.yaml").write_text(yaml.safe_dump(answers, allow_unicode=True))
    return key, export


def run(key, export, outdir, **options):
    return regrade(key, export, outdir, jobs=1, progress=io.StringIO(), **options)


def rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def fill(review: Path, target: Path, decisions: dict[str, tuple[str, str]]) -> Path:
    """review.csv with a TA's credit and feedback in the rows of the groups whose Text is given."""
    table = rows(review)
    for row in table:
        if row["Text"] in decisions:
            row["TA credit"], row["TA feedback"] = decisions[row["Text"]]
    with open(target, "w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, list(table[0]))
        writer.writeheader()
        writer.writerows(table)
    return target


TA = {"B is symmetric about its middle row.": ("0", "A mirror about one axis is not the 180° rotation."),
      "Because the flip does not matter.": ("1/3", "Say why: the kernel is learned.")}


def test_a_ta_loop_changes_exactly_the_decided_groups_twice_the_same(course, tmp_path):
    key, export = course
    first = run(key, export, tmp_path / "out1")
    review = rows(tmp_path / "out1" / "review.csv")
    texts = {row["Text"]: row for row in review}
    assert {"TA credit", "TA feedback", "Concepts found", "Engine points", "Wordings"} <= set(review[0])
    assert texts["B is symmetric about its middle row."]["Students"] == "2"          # two wordings, one group
    assert texts["B is symmetric about its middle row."]["Concepts found"] == "mentions B is symmetric"
    assert texts["Because the flip does not matter."]["Engine points"] == "0"

    filled = fill(tmp_path / "out1" / "review.csv", tmp_path / "review.csv", TA)
    second = run(key, export, tmp_path / "out2", previous=tmp_path / "out1", decisions=filled)
    changes = rows(tmp_path / "out2" / "changes.csv")
    assert {row["Submission ID"] for row in changes} == DECIDED
    assert {row["New rule"] for row in changes} == {"ta_decision"}
    assert {(row["Part"], row["New points"]) for row in changes} == {("q2b.condition", "0"), ("q3.reason", "1")}
    assert second.recorded.added == 2 and sum(second.decided().values()) == 4

    decided = json.loads((tmp_path / "out2" / "results" / "submission_300003" / "results.json").read_text())
    test = next(test for test in decided["tests"] if test.get("extra_data", {}).get("part") == "q3.reason")
    assert decided["extra_data"]["ta_decisions"] == {"file": "hw5.decisions.yml",
                                                     "sha256": second.decisions.sha256}
    assert test["extra_data"]["ta_decision"]["credit"] == "1/3" and test["extra_data"]["ta_decision"]["engine_credit"] == "0"
    assert "Say why: the kernel is learned." in test["output"]
    prefilled = {row["Text"]: (row["TA credit"], row["TA feedback"]) for row in rows(tmp_path / "out2" / "review.csv")}
    assert prefilled["Because the flip does not matter."] == TA["Because the flip does not matter."]

    third = run(key, export, tmp_path / "out3", previous=tmp_path / "out2", decisions=filled)
    assert rows(tmp_path / "out3" / "changes.csv") == [] and third.recorded.added == 0
    assert (tmp_path / "out3" / "grades.csv").read_bytes() == (tmp_path / "out2" / "grades.csv").read_bytes()
    later = run(key, export, tmp_path / "out4")            # no --decisions: the file beside the rubric is read
    assert (tmp_path / "out4" / "grades.csv").read_bytes() == (tmp_path / "out2" / "grades.csv").read_bytes()
    assert first.decisions.entries == () and later.unmatched() == []


def test_a_decision_no_answer_matches_is_reported_and_kept(course, tmp_path):
    key, export = course
    path = decisions_path(key.rubric)
    path.write_text("decisions:\n  - part: q3.reason\n    wordings: [Because of the bias.]\n    credit: 1\n")
    report = run(key, export, tmp_path / "out")
    assert [decision.line for decision in report.unmatched()] == [2]
    assert "1 decision matched no answer in this export (kept in the file):" in report.summary()
    assert "hw5.decisions.yml:2: q3.reason 'because of the bias'" in report.summary()
    assert path.read_text().count("part:") == 1


@pytest.mark.parametrize("text, line, message", [
    ("decisions:\n  - part: q9.nothing\n    wordings: [x]\n    credit: 1\n", 2, "not a free-text part"),
    ("decisions:\n  - part: q3.reason\n    wordings: [x]\n    credit: 3/2\n", 4, "between 0 and 1"),
    ("decisions:\n  - part: q3.reason\n    wordings: [x]\n", 2, "give a credit, a feedback, or both"),
    ("decisions:\n  - part: q3.reason\n    wordings: [x]\n    credit: 1\n    grade: 2\n", 5, "unknown field"),
    ("decisions:\n  - part: q3.reason\n    wordings: [x]\n    credit: 1\n"
     "  - part: q3.reason\n    wordings: [X.]\n    credit: 0\n", 6, "decided twice (also at line 2)"),
    ("decisions: [\n", 2, "YAML syntax error"),
])
def test_a_bad_decisions_file_is_an_error_with_its_line(course, text, line, message):
    key, _ = course
    path = decisions_path(key.rubric)
    path.write_text(text)
    with pytest.raises(DecisionsError) as error:
        load_decisions(key.rubric)
    assert (error.value.line, message in error.value.message) == (line, True), str(error.value)
    assert any(f"{path.name}:{line}:" in str(problem) for problem in check_rubric(key.rubric.path).problems)


def test_a_bad_review_csv_is_refused_whole_with_each_line(course, tmp_path):
    key, export = course
    run(key, export, tmp_path / "out1")
    table = rows(tmp_path / "out1" / "review.csv")
    table[0]["TA credit"] = "a lot"
    table[2]["TA credit"], table[2]["Group"] = "1", "q2a.convolution#1"
    table[3]["TA credit"], table[3]["Wordings"] = "1", ""
    filled = tmp_path / "review.csv"
    with open(filled, "w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, list(table[0]))
        writer.writeheader()
        writer.writerows(table)
    with pytest.raises(DecisionsError) as error:
        record_review(key.rubric, filled)
    found = [(problem.line, problem.message.split(":")[0]) for problem in error.value.errors]
    assert [line for line, _ in found] == [2, 4, 5]
    assert "a credit is a number" in error.value.errors[0].message
    assert "unknown group 'q2a.convolution#1'" in error.value.errors[1].message
    assert "Wordings cell is empty" in error.value.errors[2].message
    assert not decisions_path(key.rubric).exists()


def test_the_command_line_reports_every_bad_row(course, tmp_path, capsys):
    key, export = course
    bad = tmp_path / "review.csv"
    bad.write_text("Part,Group,TA credit,TA feedback,Wordings\nq3.reason,q3.reason#1,two,,the kernel is learned\n")
    assert main(["regrade", key.rubric.path, str(export), "-o", str(tmp_path / "out"), "--decisions", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "review.csv:2:1: TA credit" not in err and "review.csv:2:1: group q3.reason#1: TA credit" in err
    assert "nothing regraded" in err and not (tmp_path / "out" / "grades.csv").exists()


def test_the_zip_ships_the_decisions_and_the_container_grades_a_decided_answer_as_the_regrade(course, tmp_path):
    key, export = course
    run(key, export, tmp_path / "out1")
    filled = fill(tmp_path / "out1" / "review.csv", tmp_path / "review.csv", TA)
    run(key, export, tmp_path / "out2", decisions=filled)
    entries = zip_entries(key.rubric, Path(key.rubric.path).with_suffix(".key.json"))
    assert "rubric/hw5.decisions.yml" in dict(entries)
    write_zip(entries, tmp_path / "hw5.zip")
    root = tmp_path / "autograder"
    unpack(tmp_path / "hw5.zip", root / "source")
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    shutil.copytree(export / "submission_300001", root / "submission")
    env = {name: value for name, value in checkout_env().items() if name != "PYTHONPATH"}
    completed = subprocess.run(["bash", str(root / "run_autograder")], env={**env, "AUTOGRADER_ROOT": str(root)},
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    container = WrittenResult.read(root / "results" / "results.json")
    regraded = WrittenResult.read(tmp_path / "out2" / "results" / "submission_300001" / "results.json")
    assert container.parts["q2b.condition"].decision == 1 and container.parts["q2b.condition"].points == 0
    assert (container.score, container.decisions_sha256) == (regraded.score, regraded.decisions_sha256)


def test_a_regrade_resumed_after_new_decisions_grades_again(course, tmp_path):
    key, export = course
    run(key, export, tmp_path / "out1")
    state = tmp_path / "out1" / "regrade.json"
    state.write_text(state.read_text().replace('"finished"', '"running"'))   # as if interrupted
    decisions_path(key.rubric).write_text(
        "decisions:\n  - part: q3.reason\n    wordings: [because the flip does not matter]\n    credit: 1\n")
    report = run(key, export, tmp_path / "out1")
    assert report.reused == 0
    assert Fraction(str(WrittenResult.read(tmp_path / "out1" / "results" / "submission_300003" / "results.json")
                        .parts["q3.reason"].points)) == 3
    assert os.path.exists(tmp_path / "out1" / "review.csv")
