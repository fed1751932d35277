"""results.json's tests are what gradescope-utils' JSONTestRunner writes for the same decorated tests.

`gradescope.results_json` builds each entry directly (running unittest for
generated tests was a quarter of the grading time); here the runner itself
runs those tests, decorated as gradescope-utils documents, on every sample.
"""

from __future__ import annotations

import io
import json
import unittest

import pytest
from gradescope_utils.autograder_utils.decorators import number, partial_credit, tags, visibility, weight
from gradescope_utils.autograder_utils.json_test_runner import JSONTestRunner

from autograder.grading import results_json as gradescope
from autograder.grading.run import Paths, grade_submission
from autograder.authoring.samples import sample_folders
from support.paths import SAMPLES
from support.grading import hw5_key


def _case(name: str, body, decorators) -> unittest.TestCase:
    for decorate in decorators:
        body = decorate(body)
    body.__doc__ = name
    return type("GeneratedTest", (unittest.TestCase,), {"test_it": body})("test_it")


def _part_case(part_score, part_visibility: str) -> unittest.TestCase:
    part, feedback, points = part_score.part, gradescope._part_feedback(part_score), gradescope._points(part_score.points)

    def test_part(self, set_score=None):
        set_score(points)
        print(feedback)

    labels = (part.id.split(".")[0], "review") if part.review else (part.id.split(".")[0],)
    return _case(f"{part.number} {part.title}", test_part, (
        partial_credit(gradescope._points(part.points)), number(part.number),
        visibility(part_visibility), tags(*labels)))


def runner_results(result) -> dict:
    """The runner's JSON for a test per part and the Submission check, with the same post-processing."""
    cases = [_part_case(part_score, str(result.rubric.part_visibility)) for part_score in result.parts]
    check = gradescope._submission_check(result)

    def test_submission_check(self):
        print(check)

    cases.append(_case("Submission check", test_submission_check, (weight(0), number("0"), visibility("visible"))))
    stream = io.StringIO()
    JSONTestRunner(stream=stream, stdout_visibility="hidden", failure_prefix="",
                   post_processor=lambda data: gradescope._post_process(data, result)).run(unittest.TestSuite(cases))
    return json.loads(stream.getvalue())


@pytest.mark.parametrize("sample", sample_folders(SAMPLES / "hw5"), ids=lambda path: path.name)
def test_results_are_what_the_runner_writes(sample):
    result = grade_submission(hw5_key(), Paths(sample / "submission", sample / "submission_metadata.json", sample / "unused"),
                              lambda line: None)
    ours, theirs = gradescope.results_json(result), runner_results(result)
    for data in (ours, theirs):
        data.pop("execution_time")
    # Serialised, so that 0 and 0.0 (which JSON keeps apart) differ too.
    assert json.dumps(ours, sort_keys=True) == json.dumps(theirs, sort_keys=True)
