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
from autograder.answers.matrix import MatrixAnswer

ANSWER = MatrixAnswer({})

XCORR = [[35, -17, -10], [-20, 2, 30], [5, 27, 2]]
CONV = [[-7, 20, 16], [20, 26, -23], [-1, -31, 24]]


def _fractions(rows):
    return tuple(tuple(Fraction(x) for x in row) for row in rows)


XCORR_VALUE = _fractions(XCORR)
CONV_VALUE = _fractions(CONV)


@pytest.mark.parametrize(
    "raw",
    [
        XCORR,
        [[str(x) for x in row] for row in XCORR],
        tuple(tuple(row) for row in XCORR),
        [[35.0, "-17", " −10 "], [-20, 2, 30], [5, 27, 2]],
        ["35 -17 -10", "-20 2 30", "5 27 2"],
        ["35, -17, -10", "-20, 2, 30", "5, 27, 2"],
        ["[35, -17, -10]", "[-20, 2, 30]", "[5, 27, 2]"],
        ["[[35, -17, -10], [-20, 2, 30], [5, 27, 2]]"],
        "35 -17 -10\n-20 2 30\n5 27 2",
        "35  -17  -10\r\n-20   2   30\r\n  5  27   2\r\n",
        "35\t-17\t-10\n-20\t2\t30\n5\t27\t2",
        "35, -17, -10\n-20, 2, 30\n5, 27, 2",
        "35,-17,-10\n-20,2,30\n5,27,2",
        "\n35 -17 -10\n\n-20 2 30\n5 27 2\n\n",
        "[35 -17 -10]\n[-20 2 30]\n[5 27 2]",
        "[35, -17, -10],\n[-20, 2, 30],\n[5, 27, 2]",
        "|35 -17 -10|\n|-20 2 30|\n|5 27 2|",
        "| 35 -17 -10 |\n| -20 2 30 |\n| 5 27 2 |",
        "35 -17 -10; -20 2 30; 5 27 2",
        "35 -17 -10;\n-20 2 30;\n5 27 2;",
        "[35 -17 -10; -20 2 30; 5 27 2]",
        "[35, -17, -10; -20, 2, 30; 5, 27, 2]",
        "[[35, -17, -10], [-20, 2, 30], [5, 27, 2]]",
        "[[35,-17,-10],[-20,2,30],[5,27,2]]",
        "[[35, -17, -10],\n [-20, 2, 30],\n [5, 27, 2]]",
        "[[ 35 -17 -10]\n [-20   2  30]\n [  5  27   2]]",
        "np.array([[35, -17, -10], [-20, 2, 30], [5, 27, 2]])",
        "numpy.array([[35, -17, -10], [-20, 2, 30], [5, 27, 2]])",
        "array([[ 35, -17, -10],\n       [-20,   2,  30],\n       [  5,  27,   2]])",
        "C = [[35, -17, -10], [-20, 2, 30], [5, 27, 2]]",
        "$[[35, -17, -10], [-20, 2, 30], [5, 27, 2]]$",
        r"\begin{bmatrix} 35 & -17 & -10 \\ -20 & 2 & 30 \\ 5 & 27 & 2 \end{bmatrix}",
        r"\begin{bmatrix}35&-17&-10\\-20&2&30\\5&27&2\\\end{bmatrix}",
        "\\begin{pmatrix}\n35 & -17 & -10 \\\\\n-20 & 2 & 30 \\\\\n5 & 27 & 2\n\\end{pmatrix}",
        r"\begin{vmatrix} 35 & -17 & -10 \\ -20 & 2 & 30 \\ 5 & 27 & 2 \end{vmatrix}",
        r"\begin{matrix} 35 & -17 & -10 \\ -20 & 2 & 30 \\ 5 & 27 & 2 \end{matrix}",
        r"\left[\begin{array}{ccc} 35 & -17 & -10 \\ -20 & 2 & 30 \\ 5 & 27 & 2 \end{array}\right]",
        r"\left( \begin{array}{rrr} 35 & -17 & -10 \\ \hline -20 & 2 & 30 \\ 5 & 27 & 2 \end{array} \right)",
        r"$\begin{bmatrix} 35 & -17 & -10 \\ -20 & 2 & 30 \\ 5 & 27 & 2 \end{bmatrix}$",
        r"$$\begin{bmatrix} 35 & -17 & -10 \\ -20 & 2 & 30 \\ 5 & 27 & 2 \end{bmatrix}$$",
        r"\[ \begin{bmatrix} 35 & -17 & -10 \\ -20 & 2 & 30 \\ 5 & 27 & 2 \end{bmatrix} \]",
        "Cross-Correlation Result =\n$$\\begin{bmatrix} 35 & -17 & -10 \\\\ -20 & 2 & 30 \\\\ "
        "5 & 27 & 2 \\end{bmatrix}$$",
        r"\begin{bmatrix} 35 & {-17} & -\!10 \\ -20 & \phantom{-}2 & 30 \\ \phantom{-}5 & 27 & 2 \end{bmatrix}",
        "35 \u221217 \u221210\n\u221220 2 30\n5 27 2",
        "35 \u201317 \uff0d10\n\u201220 2 30\n5 27 2",
        "３５ -１７ -１０\n-２０ ２ ３０\n５ ２７ ２",
    ],
)
def test_reads_the_cross_correlation(raw):
    assert ANSWER.parse(raw) == XCORR_VALUE


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("−7 20 16\n20 26 −23\n−1 −31 24", CONV),
        ("[[-7, 20, 16], [20, 26, -23], [-1, -31, 24]]", CONV),
        (r"\begin{pmatrix} -7 & 20 & 16 \\ 20 & 26 & -23 \\ -1 & -31 & 24 \end{pmatrix}", CONV),
        ("2", [[2]]),
        (2, [[2]]),
        ("[[2]]", [[2]]),
        ([[2]], [[2]]),
        ("26.0", [[26]]),
        ("1 2 3", [[1, 2, 3]]),
        ("[1, 2, 3]", [[1, 2, 3]]),
        ([1, 2, 3], [[1, 2, 3]]),  # a flat list: entries in reading order, no rows
        ("1\n2\n3", [[1], [2], [3]]),
        ("[[1], [2], [3]]", [[1], [2], [3]]),
        ("[[0.5, 1/3], [-2.25, 1e2]]", [[Fraction(1, 2), Fraction(1, 3)], [Fraction(-9, 4), 100]]),
        ([[0.1, "7/3"]], [[Fraction(1, 10), Fraction(7, 3)]]),
        # What students paste and write (issue 10).
        ("[[[1, 2], [3, 4]]]", [[1, 2], [3, 4]]),
        ([[[1, 2], [3, 4]]], [[1, 2], [3, 4]]),
        ({"row1": [1, 2], "row2": "3 4"}, [[1, 2], [3, 4]]),
        ("tensor([[ 35., -17., -10.],\n [-20., 2., 30.],\n [ 5., 27., 2.]], grad_fn=<SqueezeBackward0>)", XCORR),
        ("| 35 | -17 | -10 |\n|-----|-----|-----|\n| -20 | 2 | 30 |\n| 5 | 27 | 2 |", XCORR),
        ("[[35, - 17, - 10], [- 20, 2, 30], [5, 27, 2]]", XCORR),
        ("35 - 17 - 10\n- 20 2 30\n5 27 2", XCORR),
        ("–7, 20, 16 / 20, 26, –23 / –1, –31, 24", CONV),
        ("-7 20 16 | 20 26 -23 | -1 -31 24", CONV),
        ("C11 = -7, C12 = 20, C13 = 16\nC21 = 20, C22 = 26, C23 = - 23\nC31 = - 1, C32 = - 31, C33 = 24", CONV),
        ("The first row is 35, -17, -10; the second row is -20, 2, 30; and the third row is 5, 27, 2.", XCORR),
        ("Pad A with zeros to 5x5, slide B (no flip):\n35 -17 -10\n-20 2 30\n5 27 2", XCORR),
        (">>> correlate2d(A, B, mode='same')\narray([[ 35, -17, -10],\n [-20, 2, 30],\n [ 5, 27, 2]])", XCORR),
        ("```\n35 -17 -10\n-20 2 30\n5 27 2\n```", XCORR),
        ("A \u22c6 B = [[35, -17, -10], [-20, 2, 30], [5, 27, 2]]", XCORR),
        ("［［35，－17，－10］，［－20，2，30］，［5，27，2］］", XCORR),
    ],
)
def test_reads(raw, expected):
    assert ANSWER.parse(raw) == _fractions(expected)


@pytest.mark.parametrize(
    "raw, fragment",
    [
        ("[[1, 2, 3], [4, 5], [6, 7, 8]]", "row 2 has 2 entries but row 1 has 3 entries"),
        ("1 2 3\n4 5 6\n7 8", "row 3 has 2 entries but row 1 has 3 entries"),
        ([[1, 2], [3]], "row 2 has 1 entry but row 1 has 2 entries"),
        ("1; 2 3", "row 2 has 2 entries but row 1 has 1 entry"),
        ("", "it is empty"),
        ("[]", "it is empty"),
        ("$$", "it is empty"),
        ([], "it is empty"),
        ([[]], "row 1 is empty"),
        ("[[1, 2], []]", "row 2 is empty"),
        ("1,, 2", "row 1 has an empty entry"),
        (r"\begin{bmatrix} 1 & & 3 \end{bmatrix}", "row 1 has an empty entry"),
        (r"\begin{bmatrix} 1 & 2 \\ \\ 3 & 4 \end{bmatrix}", "row 2 is empty"),
        ("[[1, 2], [3, 4]", "row 1 has unexpected brackets"),
        ("[[1, 2] x [3, 4]]", "text between the rows' brackets"),
        ("[[1, 2], [3, 4", "row 1 has unexpected brackets"),
        ("{{1, 2}, {3, 4}}", '"{{1" is not a number'),
        ("1 two 3", '"two" is not a number'),
        ("1,000 2,000", '"000" starts with a zero'),
        (r"\begin{bmatrix} 1 & 2 \end{pmatrix}", "it has no \\end{bmatrix}"),
        (r"\begin{cases} 1 & 2 \end{cases}", "is not a matrix"),
        (r"\begin{bmatrix} 1 \end{bmatrix} \begin{bmatrix} 2 \end{bmatrix}", "more than one \\begin"),
        (r"\begin{bmatrix} 1 & 2 \end{bmatrix} \times 3", "text outside the matrix"),
        (r"\begin{bmatrix} 1 & \frac{1}{2} \end{bmatrix}", "is not a number"),
        ("nan 1", '"nan" is not a number'),
        ("inf", '"inf" is not a number'),
        ([[1, True]], "true is not a number"),
        ([[1, None]], "there is no answer"),
        ([[1, float("nan")]], "not a finite number"),
        ([[1, {"a": 1}]], "key: value pairs"),
        (True, "true is not a number"),
        (None, "there is no answer"),
        (float("nan"), "not a finite number"),
        (b"1 2", "type bytes"),
        ("\n".join(["1 " * 20] * 21), "more than 400 entries"),
        ([[1] * 20] * 21, "more than 400 entries"),
    ],
)
def test_unreadable(raw, fragment):
    assert_refused_with_form(ANSWER, raw, fragment)


def test_message_quotes_the_answer():
    with pytest.raises(Unreadable) as caught:
        ANSWER.parse("35 -17 -10\n-20 2\n5 27 2")
    assert str(caught.value).startswith(
        'Could not read "35 -17 -10 -20 2 5 27 2" as a matrix: row 2 has 2 entries'
    )


def test_largest_matrix_is_read():
    side = 20
    assert side * side == limits.MAX_MATRIX_ENTRIES
    raw = "\n".join(" ".join(["-12345"] * side) for _ in range(side))
    assert ANSWER.parse(raw) == ((Fraction(-12345),) * side,) * side


@pytest.mark.parametrize(
    "raw, fragment",
    [
        pytest.param("1" * 10**6, "too long (1000000 characters, at most 4000)", id="1e6-digits"),
        pytest.param("1 " * 2500, "too long", id="5000-chars"),
        pytest.param(nested([1], 100_000), "row 1 has a list inside it", id="deep-list"),
        pytest.param([[1, 10**5000]], "more than 40 digits", id="huge-int"),
        pytest.param([[1] * 10**6], "more than 400 entries", id="long-row"),
        pytest.param([1] * 10**6, "more than 400 entries", id="long-column"),
        pytest.param([" " * 1000 + "1"] * 10, "its rows are too long", id="long-row-strings"),
        pytest.param([[object()]], "type object", id="object"),
    ],
)
def test_hostile_input_is_unreadable(raw, fragment):
    assert_refused_briefly(ANSWER, raw, fragment)


@pytest.mark.parametrize(
    "raw",
    [
        "1" * limits.MAX_ANSWER_CHARS,
        "1 " * (limits.MAX_ANSWER_CHARS // 2),
        "1;" * (limits.MAX_ANSWER_CHARS // 2),
        "1\n" * (limits.MAX_ANSWER_CHARS // 2),
        "\n" * limits.MAX_ANSWER_CHARS,
        " ," * (limits.MAX_ANSWER_CHARS // 2),
        "[" * limits.MAX_ANSWER_CHARS,
        "]" * limits.MAX_ANSWER_CHARS,
        "[1" * (limits.MAX_ANSWER_CHARS // 2),
        "[" + "[1]," * 999 + "]",
        "[[" + "1 " * 1990 + "]]",
        "array(" * (limits.MAX_ANSWER_CHARS // 6),
        "\\\\" * (limits.MAX_ANSWER_CHARS // 2),
        "\\begin{bmatrix}" + "&" * 3900 + "\\end{bmatrix}",
        "\\begin{bmatrix}" + "1&" * 1950 + "\\end{bmatrix}",
        "\\begin{bmatrix}" * 250,
        "$" * limits.MAX_ANSWER_CHARS,
        "= " * (limits.MAX_ANSWER_CHARS // 2),
    ],
    ids=lambda raw: repr(raw[:12]),
)
def test_worst_case_inputs_within_limits_are_read_or_refused(raw):
    read_or_none(ANSWER, raw)


def test_random_input_is_read_or_refused_and_round_trips():
    alphabet = list("0123456789 ,.-;|[]()$=&\n\\a") + [
        "\u2212",
        "\\\\",
        "\\begin{bmatrix}",
        "\\end{bmatrix}",
        "np.array(",
        "{",
        "}",
    ]
    assert_random_inputs_round_trip(ANSWER, alphabet, seed=11, longest=40)


@pytest.mark.parametrize(
    "value",
    [
        XCORR_VALUE,
        CONV_VALUE,
        _fractions([[2]]),
        _fractions([[1, 2, 3]]),
        _fractions([[1], [2]]),
        _fractions([[Fraction(1, 3), Fraction(-5, 2)], [0, Fraction(1, 8)]]),
    ],
)
def test_key_and_show_round_trip(value):
    assert ANSWER.from_key(ANSWER.to_key(value)) == value
    assert ANSWER.parse(ANSWER.show(value)) == value


def test_key_and_show():
    assert ANSWER.from_key(XCORR) == XCORR_VALUE
    assert ANSWER.to_key(XCORR_VALUE) == XCORR
    assert all(type(x) is int for row in ANSWER.to_key(XCORR_VALUE) for x in row)
    assert ANSWER.to_key(_fractions([[Fraction(1, 3), 2]])) == [["1/3", 2]]
    assert ANSWER.show(XCORR_VALUE) == "[[35, -17, -10], [-20, 2, 30], [5, 27, 2]]"
    assert ANSWER.show(_fractions([[Fraction(5, 2), Fraction(1, 3)]])) == "[[2.5, 1/3]]"
    with pytest.raises(Unreadable):
        ANSWER.from_key("[[1, 2]]")


def test_same_is_equality():
    assert ANSWER.same(ANSWER.parse("35 -17 -10; -20 2 30; 5 27 2"), ANSWER.from_key(XCORR))
    assert not ANSWER.same(ANSWER.parse(CONV), ANSWER.from_key(XCORR))


def test_transpose():
    transposed = ANSWER.transforms["transpose"](XCORR_VALUE)
    assert transposed == _fractions([[35, -20, 5], [-17, 2, 27], [-10, 30, 2]])
    assert ANSWER.transforms["transpose"](transposed) == XCORR_VALUE
    assert ANSWER.transforms["transpose"](_fractions([[1, 2, 3]])) == _fractions([[1], [2], [3]])


@pytest.mark.parametrize(
    "student, expected",
    [
        (XCORR, 0),
        ([[35, -17, -10], [-20, 2, 30], [5, 27, 3]], 1),
        ([[35, -17, -10], [-20, 20, 30], [5, 27, 3]], 2),
        (CONV, 9),
        ([[2]], None),
        ([[35, -17, -10], [-20, 2, 30]], None),
        ([[35, -20, 5], [-17, 2, 27]], None),
    ],
)
def test_wrong_entries(student, expected):
    wrong_entries = ANSWER.near_misses["wrong_entries"]
    assert wrong_entries(ANSWER.from_key(student), XCORR_VALUE) == expected


def test_interface():
    assert ANSWER.name == "matrix"
    assert "e.g." in ANSWER.expected_form
    assert set(ANSWER.transforms) == {"transpose"}
    assert set(ANSWER.near_misses) == {"wrong_entries"}


def test_options_are_rejected():
    with pytest.raises(BadOptions, match="'size'"):
        MatrixAnswer({"size": [3, 3]})


def test_an_unreadable_list_is_quoted_as_the_student_wrote_it():
    with pytest.raises(Unreadable) as caught:
        ANSWER.parse([["2", "-5", "6"], ["5", "x", "1"]])
    assert str(caught.value).startswith('Could not read "[[2, -5, 6], [5, x, 1]]" as a matrix: "x" is not a number.')
