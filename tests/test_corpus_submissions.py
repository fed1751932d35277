"""The HW5 golden corpus: 174 realistic submissions, each graded as its TA expects.

One case per folder of tests/corpus/hw5 (the student's upload and the TA's
points per part, written before any engine run). The cases the engine
decides against on purpose are listed, with their reasons, in
tests/corpus/hw5/DECIDED.yaml and xfail strictly.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent / "corpus"))
import measure  # noqa: E402  (tests/corpus/measure.py, the corpus's own measuring script)

DECIDED = yaml.safe_load((measure.CORPUS / "DECIDED.yaml").read_text(encoding="utf-8"))
CASES = measure.case_dirs()


@pytest.fixture(scope="module")
def key():
    from autograder.authoring.compile import compile_key
    from autograder.grading.rubric import load_rubric

    return compile_key(load_rubric(measure.RUBRIC))


@pytest.mark.parametrize("case", [
    pytest.param(case, marks=pytest.mark.xfail(strict=True, reason=DECIDED[case.name])) if case.name in DECIDED
    else case for case in CASES], ids=[case.name for case in CASES])
def test_case_grades_as_the_ta_expects(case, key):
    mismatches = measure.compare(case, measure.grade_case(case, measure.RUBRIC, key))
    assert not mismatches, "\n".join(str(m) for m in mismatches)


def test_every_decided_case_exists():
    assert set(DECIDED) <= {case.name for case in CASES}
