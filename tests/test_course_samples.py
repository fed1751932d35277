"""Every homework's samples, found and graded: a new rubric's samples need no test code of their own.

Each rubric/*.yaml whose samples folder submissions_samples/<rubric name>/
exists has every sample graded through grading.run.run (run_autograder's code
path) and compared with its expected.json; a samples folder no rubric owns
fails, so no sample goes ungraded.
"""

from __future__ import annotations

import pytest

from autograder.authoring.compile import cached_or_compiled
from autograder.authoring.samples import course_samples, grade_sample, outcome_lines
from autograder.grading.rubric import load_rubric
from support.paths import REPO, SAMPLES

COURSE_SAMPLES = course_samples(REPO)


@pytest.fixture(scope="module")
def keys() -> dict:
    return {}


def test_every_samples_folder_belongs_to_a_rubric():
    rubric_names = {load_rubric(path).name for path in (REPO / "rubric").glob("*.yaml")}
    folders = {path.name for path in SAMPLES.iterdir() if path.is_dir()}
    assert folders <= rubric_names, f"samples no rubric grades: {sorted(folders - rubric_names)}"
    assert {rubric.parent.parent for rubric, _ in COURSE_SAMPLES} == {REPO}
    assert {sample.parent.name for _, sample in COURSE_SAMPLES} == folders


@pytest.mark.parametrize("rubric, sample", COURSE_SAMPLES,
                         ids=[f"{sample.parent.name}/{sample.name}" for _, sample in COURSE_SAMPLES])
def test_sample_grades_as_its_expected_json(rubric, sample, keys, tmp_path):
    if rubric not in keys:
        keys[rubric] = cached_or_compiled(load_rubric(rubric))
    outcome = grade_sample(keys[rubric], sample, tmp_path)
    assert outcome.mismatches == (), "\n".join(outcome_lines(outcome, verbose=True))
