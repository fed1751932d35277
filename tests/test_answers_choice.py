"""Choice answers: a choice named and another negated is read as the one named."""

from __future__ import annotations

import pytest

from autograder.answers.base import Unreadable
from autograder.answers.choice import ChoiceAnswer

OPERATIONS = ChoiceAnswer({"choices": {
    "cross_correlation": {"label": "cross-correlation", "phrases": ["cross correlat*", "xcorr"]},
    "convolution": {"label": "convolution", "phrases": ["convol*"]},
}})


@pytest.mark.parametrize("answer, choice", [
    ("Cross-correlation", "cross_correlation"),
    ("Cross-correlation, not convolution", "cross_correlation"),
    ("a cross correlation rather than a convolution", "cross_correlation"),
    ("cross-correlation (it isn't a true convolution)", "cross_correlation"),
    ("Convolution, not cross-correlation", "convolution"),
    ("convolution instead of xcorr", "convolution"),
])
def test_the_named_choice_is_read(answer, choice):
    assert OPERATIONS.parse(answer) == choice


@pytest.mark.parametrize("answer", [
    "both convolution and cross-correlation",
    "convolution or cross-correlation",
])
def test_two_choices_both_named_are_unreadable(answer):
    with pytest.raises(Unreadable, match="give just one of them"):
        OPERATIONS.parse(answer)


def test_two_choices_both_negated_are_unreadable():
    with pytest.raises(Unreadable, match="only rules out"):
        OPERATIONS.parse("not convolution, not cross-correlation")
