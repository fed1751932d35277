"""results.json: Gradescope's documented fields, and always written, whatever fails."""

from __future__ import annotations

import json
import shutil

import jsonschema
import pytest

from autograder.grading import run as grade_module
from autograder.authoring.samples import sample_folders
from support.paths import SAMPLES
from support.grading import RESULTS_SCHEMA as SCHEMA
from support.grading import grade, hw5_key, write_variant

@pytest.mark.parametrize("sample", sample_folders(SAMPLES / "hw5"), ids=lambda path: path.name)
def test_every_sample_result_is_valid_and_within_bounds(tmp_path, sample):
    data, _ = grade(tmp_path, sample)
    jsonschema.validate(data, SCHEMA)
    part_tests = [test for test in data["tests"] if "part" in test.get("extra_data", {})]
    assert [test["extra_data"]["part"] for test in part_tests] == [part.id for part in hw5_key().rubric.parts]
    for test in part_tests:
        assert 0 <= test["score"] <= test["max_score"]
        assert test["visibility"] == "after_due_date"
        assert {"part", "verdict", "mistake", "read_as"} <= set(test["extra_data"])
    check = data["tests"][-1]
    assert check["name"] == "Submission check" and check["visibility"] == "visible" and check["max_score"] == 0
    assert all(test.get("visibility") != "hidden" for test in data["tests"])
    assert 0 <= data["score"] <= 35
    assert data["extra_data"]["rubric_sha256"] == hw5_key().rubric.sha256 and data["extra_data"]["engine"] == hw5_key().engine


def test_full_credit_is_35_and_max_scores_add_up(tmp_path):
    data, _ = grade(tmp_path, SAMPLES / "hw5" / "01-canonical-full-credit")
    assert data["score"] == 35
    assert sum(test.get("max_score", 0) for test in data["tests"]) == 35


def test_nothing_of_the_key_reaches_students(tmp_path):
    data, _ = grade(tmp_path, SAMPLES / "hw5" / "31-wrong-unrecognised")
    visible = json.dumps([data["output"]] + [test.get("output", "") for test in data["tests"]])
    assert "1234" in visible  # the student's own wrong total_params is shown back
    for secret in ("3512", "[[35, -17, -10], [-20, 2, 30]", "hw5.yaml", "centrosymmetric", "patterns"):
        assert secret not in visible


def test_a_rubric_bug_still_writes_results(tmp_path):
    broken = write_variant(tmp_path, "total_points: 35", "total_points: 34")
    data, log = grade(tmp_path, SAMPLES / "hw5" / "01-canonical-full-credit", rubric=broken, key=None)
    jsonschema.validate(data, SCHEMA)
    assert data["score"] == 0 and "problem on the course's side" in data["output"]
    assert "total_points is 34" in log and "total_points" not in data["output"]


def test_an_engine_crash_still_writes_results(tmp_path, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(grade_module, "judge_all", explode)
    data, log = grade(tmp_path, SAMPLES / "hw5" / "01-canonical-full-credit")
    jsonschema.validate(data, SCHEMA)
    assert data["score"] == 0 and data["tests"][0]["max_score"] == 35
    assert "RuntimeError: solver exploded" in log and "exploded" not in json.dumps(data)


def test_a_vanished_submission_folder_is_a_missing_answer(tmp_path):
    sample = tmp_path / "sample"
    shutil.copytree(SAMPLES / "hw5" / "01-canonical-full-credit", sample)
    shutil.rmtree(sample / "submission")
    data, _ = grade(tmp_path, sample)
    assert data["score"] == 0 and "No answer file" in data["output"]
