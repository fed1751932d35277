"""results.json stays under limits.MAX_RESULTS_BYTES: the longest texts are cut, saying so; the scores stay."""

from __future__ import annotations

import io
import json

from autograder.base import limits
from autograder.grading.results_json import WrittenResult
from autograder.grading.run import Paths, run
from support.paths import SAMPLES
from support.grading import hw5_key

SAMPLE = SAMPLES / "hw5" / "31-wrong-unrecognised"


def grade(tmp_path) -> tuple[dict, bytes]:
    data = run(hw5_key().rubric.path, Paths(SAMPLE / "submission", SAMPLE / "submission_metadata.json",
                                      tmp_path / "results.json"), io.StringIO(), key=hw5_key())
    return data, (tmp_path / "results.json").read_bytes()


def test_over_the_limit_the_longest_texts_are_cut_and_the_scores_kept(tmp_path, monkeypatch):
    whole, whole_bytes = grade(tmp_path / "whole")
    assert "cut" not in whole["extra_data"]
    monkeypatch.setattr(limits, "MAX_RESULTS_BYTES", len(whole_bytes) * 9 // 10)
    data, written = grade(tmp_path / "cut")
    assert len(written) <= limits.MAX_RESULTS_BYTES < len(whole_bytes)
    assert json.loads(written) == json.loads(json.dumps(data))  # valid, and what was returned
    assert [(test["score"], test["max_score"], test["status"], test["number"]) for test in data["tests"]] == \
        [(test["score"], test["max_score"], test["status"], test["number"]) for test in whole["tests"]]
    verdicts = [{part: (p.points, p.outcome, p.mistake) for part, p in WrittenResult.from_json(graded).parts.items()}
                for graded in (data, whole)]
    assert verdicts[0] == verdicts[1]
    assert (data["score"], data["extra_data"]["late"]) == (whole["score"], whole["extra_data"]["late"])
    cut = data["extra_data"]["cut"]
    assert cut and all(label.startswith(("test ", "output")) for label in cut)
    longest = max(whole["tests"], key=lambda test: len(test["output"]))
    shortened = next(test for test in data["tests"] if test["number"] == longest["number"])
    assert f"test {longest['number']} output" in cut
    assert longest["output"].startswith(shortened["output"].split("\n[")[0])
    assert shortened["output"].endswith("more characters cut: too long]")


def test_the_limit_is_far_above_a_real_submission(tmp_path):
    _, written = grade(tmp_path)
    assert 20 * len(written) < limits.MAX_RESULTS_BYTES <= 1024 * 1024
