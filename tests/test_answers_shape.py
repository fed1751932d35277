
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
from autograder.answers.shape import ShapeAnswer

ANSWER = ShapeAnswer({})


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("8x64x64", (8, 64, 64)),
        ("8 x 64 x 64", (8, 64, 64)),
        ("8 X 64 X 64", (8, 64, 64)),
        ("8X64X64", (8, 64, 64)),
        ("8×64×64", (8, 64, 64)),
        ("8 × 64 × 64", (8, 64, 64)),
        ("8*64*64", (8, 64, 64)),
        ("8 * 64 * 64", (8, 64, 64)),
        ("8⋅64⋅64", (8, 64, 64)),
        ("8 by 64 by 64", (8, 64, 64)),
        ("8 BY 64 BY 64", (8, 64, 64)),
        ("(8, 64, 64)", (8, 64, 64)),
        ("(8,64,64)", (8, 64, 64)),
        ("[8,64,64]", (8, 64, 64)),
        ("[8, 64, 64]", (8, 64, 64)),
        ("8, 64, 64", (8, 64, 64)),
        ("8 64 64", (8, 64, 64)),
        ("  8x64x64\n", (8, 64, 64)),
        ("$8 \\times 64 \\times 64$", (8, 64, 64)),
        ("$16\\times31\\times31$", (16, 31, 31)),
        ("$$16 \\times 62 \\times 62$$", (16, 62, 62)),
        ("\\(8 \\cdot 64 \\cdot 64\\)", (8, 64, 64)),
        ("8x64x64 (C x W x H)", (8, 64, 64)),
        ("16x62x62 (channels, width, height)", (16, 62, 62)),
        ("(C, W, H) = (16, 31, 31)", (16, 31, 31)),
        ("C x W x H = 16 x 31 x 31", (16, 31, 31)),
        ("８×６４×６４", (8, 64, 64)),
        ("8x64.0x64", (8, 64, 64)),
        ("64x64", (64, 64)),
        ("0x64", (0, 64)),
        ("1x2x3x4x5x6x7x8", (1, 2, 3, 4, 5, 6, 7, 8)),
        (["8", "64", "64"], (8, 64, 64)),
        ([8, 64, 64], (8, 64, 64)),
        ((16, 62, 62), (16, 62, 62)),
        ([16.0, "31", " 31 "], (16, 31, 31)),
        (["16x31x31"], (16, 31, 31)),
        ([" −0", "3"], (0, 3)),
        # What students paste and write around the shape (issue 10).
        ("8x64x64 pixels", (8, 64, 64)),
        ("8x64x64 (16 channels)", (8, 64, 64)),
        ("[[8, 64, 64]]", (8, 64, 64)),
        ("8x64²", (8, 64, 64)),
        ("torch.Size([8, 64, 64])", (8, 64, 64)),
        ("output shape: 16x62x62", (16, 62, 62)),
        ("(64+2-3)/1+1 = 64, so 8x64x64", (8, 64, 64)),
        ("8 channels of 64x64", (8, 64, 64)),
        ("8@64x64", (8, 64, 64)),
        ("16x62x62 (not 16x64x64!)", (16, 62, 62)),
        ("（16，62，62）", (16, 62, 62)),
        ("16x62\u200bx62", (16, 62, 62)),
    ],
)
def test_reads(raw, expected):
    assert ANSWER.parse(raw) == expected


@pytest.mark.parametrize(
    "raw, fragment",
    [
        ("8 by sixty-four", '"sixty-four" is not a number'),
        ("64", "it has 1 number; a shape has at least 2 dimensions"),
        ("[64]", "it has 1 number"),
        ("", "it is empty"),
        ("()", "it is empty"),
        ("8xx64", "a dimension is missing"),
        ("x64x64", "a dimension is missing"),
        ("8x-64x64", "-64 is negative"),
        ("8x\u221264x64", "-64 is negative"),
        ("8x64.5x64", "64.5 is not a whole number"),
        ("8x1/3x64", "1/3 is not a whole number"),
        ("1x2x3x4x5x6x7x8x9", "it has 9 dimensions, more than 8"),
        ("(8, 64, 64) (16, 62, 62)", 'two different answers, "(8, 64, 64)" and "16, 62, 62"'),
        ("8x64x64 or 8x62x62", "two different answers"),
        ("16x62x62 / 16x64x64", "two different answers"),
        ("8x1" + "0" * 41, "more than 40 digits"),
        (64, "it has 1 number"),
        ([64], "it has 1 number"),
        ([], "it has 0 numbers"),
        ([[8, 64, 64]], "a list inside the list"),
        ([8, [64, 64]], "a list inside the list"),
        ([8, "sixty-four"], '"sixty-four" is not a number'),
        ([8, 64.5], "64.5 is not a whole number"),
        ([8, -64], "-64 is negative"),
        ([8, True], "true is not a number"),
        ([8, None], "there is no answer"),
        ([8, float("nan")], "not a finite number"),
        (list(range(1, 10)), "it has 9 dimensions"),
        (True, "true is not a number"),
        (None, "there is no answer"),
        ({"C": 8, "W": 64, "H": 64}, "key: value pairs"),
        (float("nan"), "not a finite number"),
        (b"8x64x64", "type bytes"),
    ],
)
def test_unreadable(raw, fragment):
    assert_refused_with_form(ANSWER, raw, fragment)


def test_message_quotes_the_answer_and_the_form():
    with pytest.raises(Unreadable) as caught:
        ANSWER.parse("8 by sixty-four")
    assert str(caught.value) == (
        'Could not read "8 by sixty-four" as a shape: "sixty-four" is not a number. '
        'Expected dimensions separated by "x", e.g. "3x32x32".'
    )


def test_the_rubric_names_the_dimensions_in_messages():
    answer = ShapeAnswer({"form": 'C x W x H, e.g. "3x32x32"'})
    with pytest.raises(Unreadable, match=r'Expected C x W x H, e\.g\. "3x32x32"\.$'):
        answer.parse("eight")
    with pytest.raises(BadOptions):
        ShapeAnswer({"form": ""})
    with pytest.raises(BadOptions, match="unknown: 'from'"):
        ShapeAnswer({"from": "C x W x H"})


@pytest.mark.parametrize(
    "raw, fragment",
    [
        pytest.param("1" * 10**6, "too long (1000000 characters, at most 4000)", id="1e6-digits"),
        pytest.param("8x" * 2500 + "8", "too long", id="5000-chars"),
        pytest.param(nested([8, 64, 64], 100_000), "a list inside the list", id="deep-list"),
        pytest.param([8, 10**5000], "more than 40 digits", id="huge-int"),
        pytest.param([8] * 10**6, "it has 1000000 dimensions", id="long-list"),
        pytest.param([8, object()], "type object", id="object"),
    ],
)
def test_hostile_input_is_unreadable(raw, fragment):
    assert_refused_briefly(ANSWER, raw, fragment)


@pytest.mark.parametrize(
    "raw",
    [
        "1" * limits.MAX_ANSWER_CHARS,
        "1x" * (limits.MAX_ANSWER_CHARS // 2),
        "x" * limits.MAX_ANSWER_CHARS,
        "by " * (limits.MAX_ANSWER_CHARS // 3),
        "(" * limits.MAX_ANSWER_CHARS,
        "(" + "a" * (limits.MAX_ANSWER_CHARS - 2),
        "(1 a)" * (limits.MAX_ANSWER_CHARS // 5),
        "\\times" * (limits.MAX_ANSWER_CHARS // 6),
        "{" * limits.MAX_ANSWER_CHARS,
    ],
    ids=lambda raw: repr(raw[:12]),
)
def test_worst_case_inputs_within_limits_are_read_or_refused(raw):
    read_or_none(ANSWER, raw)


def test_random_input_is_read_or_refused_and_round_trips():
    alphabet = list("0123456789 ,.-xX*()[]$\\=ab") + ["×", "by", "\u2212", "\\times", "{", "}"]
    assert_random_inputs_round_trip(ANSWER, alphabet, seed=7, longest=30)


@pytest.mark.parametrize("value", [(8, 64, 64), (16, 62, 62), (16, 31, 31), (64, 64), (0, 1, 2, 3)])
def test_key_and_show_round_trip(value):
    assert ANSWER.to_key(value) == list(value)
    assert ANSWER.from_key(ANSWER.to_key(value)) == value
    assert ANSWER.parse(ANSWER.show(value)) == value


def test_key_and_show():
    assert ANSWER.from_key([8, 64, 64]) == (8, 64, 64)
    assert ANSWER.show((8, 64, 64)) == "8 x 64 x 64"
    with pytest.raises(Unreadable):
        ANSWER.from_key("8x64x64")


def test_same_is_equality():
    assert ANSWER.same(ANSWER.parse("8 by 64 by 64"), ANSWER.from_key([8, 64, 64]))
    assert not ANSWER.same(ANSWER.parse("64x64x8"), ANSWER.from_key([8, 64, 64]))


@pytest.mark.parametrize(
    "name, shape, expected",
    [
        ("channels_last", (8, 64, 64), (64, 64, 8)),
        ("channels_last", (16, 62, 31), (62, 31, 16)),
        ("channels_last", (64, 64), None),
        ("drop_channels", (8, 64, 64), (64, 64)),
        ("drop_channels", (16, 31, 31), (31, 31)),
        ("drop_channels", (64, 64), None),
    ],
)
def test_transforms(name, shape, expected):
    assert ANSWER.transforms[name](shape) == expected


def test_channels_last_answer_matches_the_transform():
    expected = ANSWER.from_key([8, 64, 64])
    assert ANSWER.parse("64x64x8") == ANSWER.transforms["channels_last"](expected)


def test_interface():
    assert ANSWER.name == "shape"
    assert "e.g." in ANSWER.expected_form
    assert set(ANSWER.transforms) == {"channels_last", "drop_channels"}
    assert dict(ANSWER.near_misses) == {}


def test_options_are_rejected():
    with pytest.raises(BadOptions, match="'order'"):
        ShapeAnswer({"order": "CWH"})
