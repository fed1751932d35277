"""Held-out free-text and choice answers (tests/data/free_text_heldout.yaml): phrasings the corpus does not hold.

Written after the rubrics' phrases were, and before the engine was run on
them; 43 of 51 were graded as the TA grades them then, and the other eight
were fixed by general rules (a CJK negation, an equation's verb and keyword
arguments in formulas) or by phrases any rubric author would add.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from autograder.authoring.check import grade_example
from autograder.authoring.compile import cached_or_compiled
from autograder.grading.outcomes import Outcome
from autograder.grading.rubric import load_rubric

REPO = Path(__file__).resolve().parent.parent
CASES = yaml.safe_load((Path(__file__).parent / "data" / "free_text_heldout.yaml").read_text(encoding="utf-8"))
KEYS = {name: cached_or_compiled(load_rubric(REPO / "rubric" / f"{name}.yaml")) for name in ("hw5", "mlp")}


@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case['part']}: {case['answer'][:50]}")
def test_a_held_out_answer_is_graded_as_a_ta_grades_it(case):
    key = KEYS[case["rubric"]]
    verdict = grade_example(key, case["part"], case["answer"], {})
    assert verdict.credit == Fraction(str(case["credit"])), verdict
    if "expect" in case:
        labels = key.rubric.part(case["part"]).answer_type.labels
        read = "refused" if verdict.outcome is Outcome.UNREADABLE else next(
            choice for choice, label in labels.items() if label == verdict.read_as)
        assert read == case["expect"], verdict
