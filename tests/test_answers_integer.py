from fractions import Fraction

import pytest

from autograder.base import limits
from support.answer_checks import (
    assert_random_inputs_round_trip,
    assert_refused_briefly,
    assert_refused_with_form,
    nested,
    read_or_none,
)
from autograder.answers.base import BadOptions, Unreadable
from autograder.answers.integer import IntegerAnswer

ANSWER = IntegerAnswer({})


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("3512", 3512),
        ("3,512", 3512),
        ("3 512", 3512),
        ("3_512", 3512),
        ("3\u2009512", 3512),  # thin space
        ("3512 params", 3512),
        ("3512 parameters in total", 3512),
        ("Total: 3512.", 3512),
        ("3512.0", 3512),
        ("3512.", 3512),
        ("3512.4", Fraction(35124, 10)),
        ("$3512$", 3512),
        ("$$3512$$", 3512),
        ("\\(3512\\)", 3512),
        ("\\[3512\\]", 3512),
        ("$3\\,512$", 3512),
        ("$\\text{3512 params}$", 3512),
        ("  3512\n", 3512),
        ("３５１２", 3512),
        ("\u22125", -5),
        ("\u20135", -5),
        ("\u20125", -5),
        ("\ufe635", -5),
        ("\uff0d5", -5),
        ("+5", 5),
        ("-0", 0),
        ("0", 0),
        ("0.5", Fraction(1, 2)),
        (".5", Fraction(1, 2)),
        ("3.512e3", 3512),
        ("3512E0", 3512),
        ("7/3", Fraction(7, 3)),
        ("288 + 8 + 3200 + 16 = 3512", 3512),
        ("8*4*3*3 + 8 + 16*8*5*5 + 16 = 3,512 params", 3512),
        ("total = 3512", 3512),
        ("3512 (with biases)", 3512),
        ("3512 (3,512)", 3512),
        ("q1a: 3512", 3512),
        ("1234567890123456789012345678901234567890", 1234567890123456789012345678901234567890),
        (3512, 3512),
        (-5, -5),
        (3512.0, 3512),
        (3512.4, Fraction(35124, 10)),
        (0.1, Fraction(1, 10)),
        ([3512], 3512),
        (["3,512 params"], 3512),
        ((3512,), 3512),
        # Numbers-only arithmetic is evaluated exactly (tests/data/peer_number_cases.yaml, policy 1).
        ("288 + 8 + 3200 + 16", 3512),
        ("3512-3488", 24),
        ("64²", 4096),
        ("0512", 512),
        ("3512 = total", 3512),
        ("three thousand", 3000),
        ("3512 (288+8+3200+16)", 3512),
        ("3512 in total: 296 for conv1 and 3216 for conv2", 3512),
        ("conv1: 296, conv2: 3216, total 3512", 3512),
        ("共3512个参数", 3512),
        ("None, because max pooling just takes the maximum of each 2x2 window.", 0),
        ("- 17", -17),
        ("= - 5", -5),
        ("4.5x10^14", 450000000000000),
        ("**3512**", 3512),
        ("`3512`", 3512),
        ("tensor(3512)", 3512),
        ("Out[7]: 3512", 3512),
    ],
)
def test_reads(raw, expected):
    assert ANSWER.parse(raw) == expected


@pytest.mark.parametrize(
    "raw, fragment",
    [
        ("", "it is empty"),
        ("   ", "it is empty"),
        ("3512 or 3488", 'two different answers, "3512" and "3488"'),
        ("about three thousand", "there is no number in it"),
        ("2*pi", "is a formula with letters"),
        ("sqrt(100)", "it is a formula (sqrt(...))"),
        ("4 2/3", "two numbers side by side"),
        ("52%", "is a percentage"),
        ("4.2x10-3", 'standard form without "^"'),
        ("3512 (with 16 biases)", '"3512" and "16" in brackets'),
        ("3,5123", "a comma that is not a thousands separator"),
        ("35,12", "a comma that is not a thousands separator"),
        ("3512,000", "a comma that is not a thousands separator"),
        ("3,512_000", '"_" next to it'),
        ("1/0", "divides by zero"),
        ("1e99", "exponent beyond"),
        ("1" * 41, "more than 40 digits"),
        pytest.param("1" * 3000, "more than 40 digits", id="3000-digits"),
        ("3512params", "joins a number and letters"),
        ("0x1F", "joins a number and letters"),
        ("NaN", "there is no number"),
        ("inf", "there is no number"),
        ("∞", "there is no number"),
        ("x-5", "joins letters and a number"),
        ("3512.4.5", "two numbers side by side"),
        ([], "a list of 0 values"),
        ([3512, 16], "a list of 2 values"),
        ([[3512]], "a list inside a list"),
        (True, "true is not a number"),
        (False, "false is not a number"),
        (None, "there is no answer"),
        ({"total": 3512}, "key: value pairs"),
        (float("nan"), "not a finite number"),
        (float("inf"), "not a finite number"),
        (1e300, "exponent beyond"),
        (10**41, "more than 40 digits"),
        (b"3512", "type bytes"),
    ],
)
def test_unreadable(raw, fragment):
    assert_refused_with_form(ANSWER, raw, fragment)


def test_message_quotes_the_answer():
    with pytest.raises(Unreadable, match=r'^Could not read "about three thousand" as an integer: '):
        ANSWER.parse("about three thousand")


@pytest.mark.parametrize(
    "raw, fragment",
    [
        pytest.param("1" * 10**6, "too long (1000000 characters, at most 4000)", id="1e6-digits"),
        pytest.param("x" * 5000, "too long", id="5000-chars"),
        pytest.param(nested([3512], 100_000), "a list inside a list", id="deep-list"),
        pytest.param(10**5000, "more than 40 digits", id="huge-int"),
        pytest.param(-(10**100_000), "more than 40 digits", id="huger-int"),
        pytest.param([None] * 10**6, "a list of 1000000 values", id="long-list"),
        pytest.param(object(), "type object", id="object"),
    ],
)
def test_hostile_input_is_unreadable(raw, fragment):
    assert_refused_briefly(ANSWER, raw, fragment)


@pytest.mark.parametrize(
    "raw",
    [
        "1" * limits.MAX_ANSWER_CHARS,
        "-1" * (limits.MAX_ANSWER_CHARS // 2),
        "1 " * (limits.MAX_ANSWER_CHARS // 2),
        "1,111" * (limits.MAX_ANSWER_CHARS // 5),
        "(1 a)" * (limits.MAX_ANSWER_CHARS // 5),
        "(" + "a" * (limits.MAX_ANSWER_CHARS - 2),
        "= " * (limits.MAX_ANSWER_CHARS // 2),
        "1e" * (limits.MAX_ANSWER_CHARS // 2),
        "9" * (limits.MAX_ANSWER_CHARS - 1) + "x",
    ],
    ids=lambda raw: repr(raw[:12]),
)
def test_worst_case_inputs_within_limits_are_read_or_refused(raw):
    read_or_none(ANSWER, raw)


def test_random_input_is_read_or_refused_and_round_trips():
    alphabet = list("0123456789 ,._-+eE/=()[]$\\\nxa") + ["\u2212", "\\times", "\\,", "{", "}"]
    assert_random_inputs_round_trip(ANSWER, alphabet, seed=5, longest=30)


@pytest.mark.parametrize(
    "value, key, shown",
    [
        (Fraction(3512), 3512, "3512"),
        (Fraction(-5), -5, "-5"),
        (Fraction(0), 0, "0"),
        (Fraction(17562, 5), "17562/5", "3512.4"),
        (Fraction(-1, 8), "-1/8", "-0.125"),
        (Fraction(7, 3), "7/3", "7/3"),
        (Fraction(-7, 3), "-7/3", "-7/3"),
    ],
)
def test_key_and_show_round_trip(value, key, shown):
    assert ANSWER.to_key(value) == key
    assert type(ANSWER.to_key(value)) is type(key)
    assert ANSWER.from_key(key) == value
    assert ANSWER.show(value) == shown
    assert ANSWER.parse(shown) == value


def test_from_key():
    assert ANSWER.from_key(3512) == Fraction(3512)
    assert isinstance(ANSWER.from_key(3512), Fraction)
    with pytest.raises(Unreadable):
        ANSWER.from_key(None)


def test_same_is_equality():
    assert ANSWER.same(ANSWER.parse("3,512 params"), ANSWER.from_key(3512))
    assert not ANSWER.same(ANSWER.parse("3512.4"), ANSWER.from_key(3512))
    assert not ANSWER.same(ANSWER.parse("3488"), ANSWER.from_key(3512))


def test_interface():
    assert ANSWER.name == "integer"
    assert "e.g." in ANSWER.expected_form
    assert dict(ANSWER.transforms) == {}
    assert dict(ANSWER.near_misses) == {}
    assert IntegerAnswer(None).parse("1") == 1


def test_options_are_rejected():
    with pytest.raises(BadOptions, match="'tolerance'"):
        IntegerAnswer({"tolerance": 0.5})


@pytest.mark.parametrize("answer", ["none", "None.", "zero", "no parameters", "No learnable params", "nil"])
def test_zero_in_words_is_zero(answer):
    assert IntegerAnswer({}).parse(answer) == 0
