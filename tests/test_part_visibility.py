"""The rubric chooses when students see the parts' scores: after_due_date (the default), after_published, visible."""

from __future__ import annotations

import dataclasses
import io

import pytest

from autograder.authoring.check import check_rubric
from autograder.grading.key import AnswerKey
from autograder.grading.rubric import PartVisibility, RubricError, load_rubric
from autograder.grading.run import Paths, run
from support.paths import SAMPLES
from support.grading import hw5_key
from support.paths import HW5

SAMPLE = SAMPLES / "hw5" / "01-canonical-full-credit"


@pytest.mark.parametrize("visibility, last_line", [
    (PartVisibility.AFTER_DUE_DATE, "Scores and feedback per part are shown after the due date."),
    (PartVisibility.AFTER_PUBLISHED, "Scores and feedback per part are shown once the course staff publish the grades."),
    (PartVisibility.VISIBLE, "Scores and feedback per part are shown with each part."),
])
def test_each_part_test_has_the_rubrics_visibility_and_the_check_says_when(tmp_path, visibility, last_line):
    key = AnswerKey(dataclasses.replace(hw5_key().rubric, part_visibility=visibility), hw5_key().parts, hw5_key().engine)
    data = run(key.rubric.path, Paths(SAMPLE / "submission", tmp_path / "none.json", tmp_path / "results.json"),
               io.StringIO(), key=key)
    *parts, check = data["tests"]
    assert {test["visibility"] for test in parts} == {visibility.value}
    assert check["visibility"] == "visible" and check["output"].splitlines()[-1] == last_line
    assert data["score"] == 35


@pytest.mark.parametrize("line, expected", [
    ("", PartVisibility.AFTER_DUE_DATE),
    ("part_visibility: after_published\n", PartVisibility.AFTER_PUBLISHED),
    ("part_visibility: visible\n", PartVisibility.VISIBLE),
])
def test_the_loader_reads_the_field(tmp_path, line, expected):
    path = tmp_path / "hw5.yaml"
    path.write_text(HW5.read_text(encoding="utf-8").replace("answer_file: answers", line + "answer_file: answers"),
                    encoding="utf-8")
    assert load_rubric(path).part_visibility is expected


def test_hidden_is_refused_with_the_reason(tmp_path):
    path = tmp_path / "hw5.yaml"
    path.write_text(HW5.read_text(encoding="utf-8").replace("answer_file: answers", "part_visibility: hidden\nanswer_file: answers"),
                    encoding="utf-8")
    with pytest.raises(RubricError, match="part_visibility must be one of after_due_date, after_published, visible, "
                                          "got 'hidden' \\(never hidden: that would hide every student's total\\)"):
        load_rubric(path)
    assert "part_visibility" in check_rubric(path).summary(False)
