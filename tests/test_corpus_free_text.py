"""The free-text corpus (tests/corpus/free_text): every answer graded as its TA grades it.

Each entry must get the TA's credit, the option the TA reads (choices), the
concepts the TA sees (text), and, when refused, a message naming what the
TA lists. The entries decided against (README, "Decided against") are
strict xfails: the day the engine agrees with the TA there, the test says so.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from autograder.authoring.compile import cached_or_compiled
from autograder.grading.rubric import load_rubric

_SPEC = importlib.util.spec_from_file_location(
    "free_text_measure", Path(__file__).parent / "corpus" / "free_text" / "measure.py")
measure = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = measure   # its dataclasses look their module up while being made
_SPEC.loader.exec_module(measure)

KEYS = {name: cached_or_compiled(load_rubric(path)) for name, path in measure.CORPORA.items()}
ENTRIES = [entry for name in measure.CORPORA for entry in measure.load_corpus(name)]

# Where the engine gives another grade than the corpus's TA, on purpose (and why).
DECIDED_AGAINST = {
    "hw5:q2b.condition#57": (
        "'B is symmetrical about the center (B = B^T)': the words say the right symmetry, the formula a plain one. "
        "The TA reads the formula as what the student means (1/3); the engine credits the words (1), as the "
        "entry's open_question allows. Telling which of two restatements a student means would take a rule "
        "that a parenthesis overrides the sentence, which other answers contradict."),
}


def _param(entry):
    marks = [pytest.mark.xfail(strict=True, reason=DECIDED_AGAINST[entry.label])] if entry.label in DECIDED_AGAINST else []
    return pytest.param(entry, id=entry.label, marks=marks)


@pytest.mark.parametrize("entry", [_param(entry) for entry in ENTRIES])
def test_the_engine_grades_each_corpus_answer_as_its_ta(entry):
    measure.grade([entry], KEYS[entry.corpus])
    assert entry.problems == [], (
        f"{entry.answer!r}: TA {entry.credit} {entry.expect or sorted(entry.concepts or ())}, engine {entry.got_credit} "
        f"{entry.got_option or sorted(entry.got_concepts or ())}: {entry.feedback}")


def test_the_corpus_names_only_real_entries_as_decided_against():
    assert set(DECIDED_AGAINST) <= {entry.label for entry in ENTRIES}


def test_review_groups_never_mix_meanings_and_keep_near_identical_answers_together():
    mixed, split = [], []
    for name, path in measure.CORPORA.items():
        groups_mixing, sets_split = measure.grouping(measure.load_corpus(name), load_rubric(path))
        mixed += groups_mixing
        split += sets_split
    assert mixed == [] and split == []
