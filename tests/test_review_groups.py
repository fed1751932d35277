"""review.csv's groups: near-identical answers together, and never two meanings or two grades in one group."""

from __future__ import annotations

import csv

import pytest

from autograder.grading.results_json import WrittenResult
from autograder.regrade.graded import GradedSubmission
from autograder.regrade.tables import review_groups, write_review
from support.grading import hw5_key


def graded(submission_id: str, text: str, part: str = "q2b.condition", points: float | None = None,
           read_as: str | None = None) -> GradedSubmission:
    tests = [] if points is None else [{"score": points, "max_score": 3, "extra_data": {
        "part": part, "verdict": "mistake", "mistake": None, "read_as": read_as}}]
    return GradedSubmission(submission_id, (), WrittenResult.from_json({"tests": tests}), review_texts={part: text})


def grouped(*texts: str, part: str = "q2b.condition") -> list[set[str]]:
    groups = review_groups(hw5_key().rubric, [graded(f"s{index}", text, part) for index, text in enumerate(texts)])
    return sorted(({text for _, text in group.members} for group in groups), key=sorted)


@pytest.mark.parametrize("texts", [
    ("B is symmetric", "B is symetric", "b is Symmetric.", "B must be symmetric"),          # typo, case, fillers
    ("B is centrosymmetric", "B is centro-symmetric", "B is  centrosymetric ."),             # hyphen, typo, spaces
    ("B is symmetric about its centre", "B should be symmetic about its center"),             # British spelling, typo
    ("Cross-correlation is cheaper", "cross correlation is cheapper"),                        # compound written apart
    ("the flip doesn't matter", "the flip doesnt matter", "The flip does not matter."),       # contractions
])
def test_near_identical_answers_share_a_group(texts):
    assert grouped(*texts) == [set(texts)]


@pytest.mark.parametrize("texts", [
    ("B is symmetric", "B is asymmetric"),                 # an antonym prefix, one letter apart
    ("B is symmetric", "B is not symmetric"),              # a negation
    ("B is symmetric", "B is a symmetric"),
    ("B is a symmetric matrix", "B is asymmetric matrix"),   # the article is no prefix
    ("The kernel is learned", "The kernel is unlearned"),
    ("Cross-correlation is correct", "Cross-correlation is incorrect"),
    ("A is symmetric", "B is symmetric"),                  # another matrix named
    ("B is cheaper than A", "A is cheaper than B"),        # word order
    ("B = B^T", "B = -B^T"),                               # a sign
])
def test_answers_of_different_meaning_never_share_a_group(texts):
    assert len(grouped(*texts)) == len(texts)


def test_answers_graded_differently_never_share_a_group():
    groups = review_groups(hw5_key().rubric, [graded("s1", "B is symmetric", points=1, read_as="mentions B is symmetric"),
                                        graded("s2", "B is symetric", points=0, read_as="mentions none")])
    assert len(groups) == 2


def test_each_group_shows_the_concepts_found_and_the_engines_points(tmp_path):
    path = tmp_path / "review.csv"
    write_review(path, hw5_key().rubric, [graded("s1", "B is symmetric", points=1, read_as="mentions B is symmetric"),
                                    graded("s2", "b is symmetric.", points=1, read_as="mentions B is symmetric")])
    with open(path, newline="", encoding="utf-8") as stream:
        [row] = list(csv.DictReader(stream))
    assert (row["Students"], row["Concepts found"], row["Engine points"], row["TA credit"]) == (
        "2", "mentions B is symmetric", "1", "")
    assert row["Wordings"].splitlines() == ["b is symmetric"]
