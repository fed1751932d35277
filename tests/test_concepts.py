"""Concepts and choices read for meaning: the phrase language, claims, subjects, formulas, options, feedback."""

from __future__ import annotations

import time

import pytest

from autograder.answers.base import BadOptions, Unreadable
from autograder.answers.choice import ChoiceAnswer
from autograder.answers.claims import Stance, read_claims
from autograder.answers.patterns import build_table
from autograder.answers.text import TextAnswer
from autograder.authoring.check import grade_example
from support.grading import hw5_key

MLP_CHOICES = ChoiceAnswer({"choices": {
    "one": {"label": "(A) one linear layer", "letter": "A", "phrases": ["one linear layer"]},
    "more": {"label": "(B) more functions", "letter": "B", "phrases": ["more parameters"]},
    "any": {"label": "(C) any function", "letter": "C", "phrases": ["universal*"]},
}})
OPERATIONS = hw5_key().rubric.part("q3.answer").answer_type


def stances(phrase: str, text: str, **options) -> list[Stance]:
    table = build_table({"concepts": {"c": {"phrases": [phrase], **options}}, "subjects": {
        "A": ["A", "input"], "B": ["B", "kernel"]}}, "concepts")
    return [claim.stance for claim in read_claims(table, text).claims]


ASSERTED, DENIED, HEDGED, ELSEWHERE = Stance.ASSERTED, Stance.DENIED, Stance.HEDGED, Stance.OTHER_SUBJECT


@pytest.mark.parametrize("phrase, text, expected", [
    # word boundaries and negating prefixes: a phrase word is never found inside another word
    ("symmetr*", "B is symmetric.", [ASSERTED]),
    ("symmetr*", "B is asymmetric.", [DENIED]),
    ("symmetr*", "B is skew-symmetric.", [DENIED, DENIED]),      # "skew-symmetric", and "symmetric" after skew
    ("symmetr*", "B is non symmetric.", [DENIED, DENIED]),
    ("learned", "The kernel is unlearned.", [DENIED]),
    ("learned", "The kernel is learnt.", [ASSERTED]),             # British spelling
    ("corr", "xcorr", []),
    ("simple", "We simply do it.", []),                           # short words: no typo allowed
    ("centrosymmetr*", "B is centrosymetric.", [ASSERTED]),       # a typo of a long word
    ("centrosymmetr*", "B is centro-symmetric.", [ASSERTED]),     # a hyphenated compound
    ("cross correlat*", "crosscorrelation it is", [ASSERTED]),     # two phrase words written as one
    ("中心对称", "B中心对称", [ASSERTED]),                          # CJK: every character a word
    ("中心对称", "B不是中心对称的", [DENIED]),
    # negation in the clause, before or after; a hedge
    ("symmetr*", "B is not symmetric.", [DENIED]),
    ("symmetr*", "B doesn't need to be symmetric.", [DENIED]),
    ("symmetr*", "B has no symmetry.", [DENIED]),
    ("symmetr*", "Symmetric is not enough.", [DENIED]),
    ("symmetr*", "It does not matter, B is symmetric.", [ASSERTED]),   # the negation ends with its clause
    ("symmetr*", "Maybe B is symmetric.", [HEDGED]),
    ("no need to flip", "There is no need to flip.", [ASSERTED]),     # a negation the phrase itself holds
    # gaps stay within a sentence
    ("rotat* ... 180", "B rotated by 180 degrees.", [ASSERTED]),
    ("rotat* ... 180", "B rotated. 180 degrees.", []),
    # subjects: about B, not A
    ("symmetr*", "Matrix A is symmetric.", [ELSEWHERE]),
    ("symmetr*", "The input is symmetric.", [ELSEWHERE]),
    ("symmetr*", "The kernel applied to A is symmetric.", [ASSERTED]),   # A after "to" is no subject
    ("symmetr*", "A symmetric kernel gives the same result.", [ASSERTED]),  # "A" before a noun is the article
    ("symmetr*", "A is anything, B is symmetric.", [ASSERTED]),
    ("symmetr*", "Centrally, it is symmetric.", [ASSERTED]),
])
def test_a_phrase_is_read_for_what_the_sentence_says_of_it(phrase, text, expected):
    assert stances(phrase, text, about="B") == expected


@pytest.mark.parametrize("formula, text, found", [
    ("B = B^T", "B^T = B", True),
    ("B = B^T", "Bᵀ = B", True),
    ("B = B^T", "B.T == B", True),
    ("B = B^T", "B = -B^T", False),
    ("B = B^T", "-B = B^T", False),
    ("B = B^T", "B = B^T^2", False),
    ("B[i][j] = B[n-1-i][n-1-j]", "$B_{x,y} = B_{n-1-x,\\,n-1-y}$", True),   # indices renamed, LaTeX
    ("B[i][j] = B[n-1-i][n-1-j]", "B[x][y] = B[n-1-y][n-1-x]", False),       # consistently renamed only
    ("B = rot90(B, 2)", "np.rot90(B, k=2) == B", True),
    ("B = rot180(B)", r"$B = \mathrm{rot}_{180^\circ}(B)$", True),
    ("B = flipud(fliplr(B))", "B must equal flipud(fliplr(B))", True),
])
def test_a_formula_is_matched_as_written_never_evaluated(formula, text, found):
    table = build_table({"concepts": {"c": {"formulas": [formula], "phrases": ["zzz"]}}}, "concepts")
    assert bool(read_claims(table, text).claims) is found


def test_hostile_text_is_only_read():
    answer = TextAnswer({"concepts": {"c": {"formulas": ["B = rot90(B, 2)"], "phrases": ["rotat* ... 180"]}}})
    for text in ("__import__('os').system('touch /tmp/pwned') == B", "B" + "[" * 3999, "(" * 2000 + ")" * 2000,
                 "rotat " * 666, "1e999999 = B"):
        started = time.perf_counter()
        assert answer.parse(text).concepts == frozenset()
        assert time.perf_counter() - started < 1


@pytest.mark.parametrize("options, message", [
    ({"concepts": {"c": {"phrases": ["(a|b"]}}}, 'never closed by ")"'),
    ({"concepts": {"c": {"phrases": ["a |b"]}}}, "alternatives go inside"),
    ({"concepts": {"c": {"phrases": ["[maybe]"]}}}, "no word that must be there"),
    ({"concepts": {"c": {"phrases": ["a ..."]}}}, "... goes between words"),
    ({"concepts": {"c": {"phrases": ["{kernal}"]}}, "words": {"kernel": ["filter"]}}, "did you mean 'kernel'"),
    ({"concepts": {"c": {"phrases": ["x"], "about": "b"}}, "subjects": {"B": ["B"]}}, "did you mean 'B'"),
    ({"concepts": {"c": {"phrases": ["x"], "patterns": ["x"]}}}, "unknown field 'patterns'; expected about, formulas, label, phrases"),
    ({"concepts": {"c": {"phrases": ["x"], "formulas": ["B"]}}}, "too short to be a formula"),
    ({"choices": {"c": {"letter": "AB"}}}, "one letter"),
    ({"concepts": {"c": {"phrases": ["sym*tric"]}}}, "a * ends a stem of letters"),
    ({"concepts": {"c": {"phrases": [", ;"]}}}, "has no word in it"),
])
def test_a_rubric_authors_mistake_in_a_concept_is_named(options, message):
    kind = "choices" if "choices" in options else "concepts"
    with pytest.raises(BadOptions, match=None) as error:
        build_table(options, kind)
    assert message in str(error.value)


@pytest.mark.parametrize("answer, read", [
    ("PyTorch's convolution layer uses cross-correlation", "cross_correlation"),   # the layer's name is no answer
    ("It's called convolution but actually computes cross-correlation", "cross_correlation"),
    ("convolution (technically cross-correlation)", "cross_correlation"),          # the firm one wins
    ("Not cross-correlation.", "convolution"),                                    # two options: one ruled out
    ("Convolution? No - cross-correlation.", "cross_correlation"),
])
def test_a_choice_is_what_the_sentence_asserts(answer, read):
    assert OPERATIONS.parse(answer) == read


@pytest.mark.parametrize("answer, read", [
    ("(A)", "one"), ("option a", "one"), ("A is correct", "one"), ("More parameters don't help, so A", "one"),
    ("Not A, not B, so C", "any"), ("A single linear layer has more parameters", "more"),   # "A" here: the article
])
def test_a_lettered_choice(answer, read):
    assert MLP_CHOICES.parse(answer) == read


@pytest.mark.parametrize("answer, message", [
    ("Not sure: convolution or cross-correlation", 'hesitates between "convolution" and "cross-correlation"'),
    ("convolution / cross-correlation", "give just one of them"),
    ("cross-correlation and convolution are the same thing", 'names "cross-correlation" and "convolution"'),
    ("neither", 'expected one of: "cross-correlation", "convolution"'),
])
def test_a_choice_that_commits_to_no_one_option_is_refused_with_what_to_do(answer, message):
    with pytest.raises(Unreadable, match=None) as refusal:
        OPERATIONS.parse(answer)
    assert message in str(refusal.value)


def test_ruling_out_one_of_three_options_is_no_answer():
    with pytest.raises(Unreadable, match='only rules out "\\(B\\) more functions": say which one you choose'):
        MLP_CHOICES.parse("Not B")


@pytest.mark.parametrize("part, answer, says, never", [
    ("q2b.condition", "centrally symmetric", "Correct.", "not enough"),
    ("q2b.condition", "B is symmetric about its middle row", "Not found: B equals its 180° rotation.", "Correct"),
    ("q2b.condition", "B is not centrosymmetric",
     'Not found: B equals its 180° rotation ("B is not centrosymmetric" says it does not hold).', "mentions B"),
    ("q2b.condition", "matrix A is symmetric about its center", '"matrix A is symmetric about its center" is said of A, '
     "not of B", "Correct"),
    ("q3.reason", "Convolution is cheaper.",
     '("Convolution is cheaper" is said of convolution, not of cross-correlation or flip)', "Correct"),
    ("q3.reason", "The kernel is learned.", "Not found: cross-correlation is simpler or cheaper (no flip).", "Not correct"),
])
def test_feedback_names_the_concepts_found_and_missing_truthfully(part, answer, says, never):
    verdict = grade_example(hw5_key(), part, answer, {})
    text = f"{verdict.read_as}\n{verdict.feedback}"
    assert says in text and never not in text, text
