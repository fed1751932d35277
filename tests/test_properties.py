"""Property-based tests of every answer reader and of the answer-file discovery.

Whatever a student submits, the only outcomes are a value or a readable
"could not read" message: never an exception, never more than the set time
per part (the Hypothesis deadline, hostile.PART_DEADLINE_MS). What is read
is never a different number than the one written, and a correct answer
written in any accepted notation reads back as itself. The example-based
tests of each notation are in tests/test_answers_*.py and
tests/test_submission.py; these draw the inputs instead.
"""

from __future__ import annotations

import json
import os
import tempfile
from fractions import Fraction
from pathlib import Path
from unittest import mock

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from support.answer_checks import read_or_none
from autograder.base import limits
from autograder.grading import submission
from autograder.answers.base import Unreadable
from autograder.answers.reading import show_number
from autograder.grading.judge import judge_all
from autograder.grading.readings import parse_submission
from autograder.grading.submission import Refused, read_submission
from support.hostile import FRAGMENTS, LOOKALIKE_DIGITS, MINUS_SIGNS, examples, place
from support.grading import hw5_key, hw5_rubric

RUBRIC = hw5_rubric()
TYPES = {}
for _part in RUBRIC.parts:
    TYPES.setdefault(_part.answer_type.name, _part.answer_type)
INTEGER, SHAPE, MATRIX, CHOICE = TYPES["integer"], TYPES["shape"], TYPES["matrix"], TYPES["choice"]


def nested(depth: int, leaf):
    for _ in range(depth):
        leaf = [leaf]
    return leaf


def assert_readable(message: str) -> None:
    """A message a student can read: a sentence or two, bounded, not a crash report."""
    assert isinstance(message, str) and 10 < len(message) <= 600, message
    assert message.rstrip().endswith("."), message
    assert "Traceback" not in message and " object at 0x" not in message, message


TEXT = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=4), max_size=16).map("".join)
LONG_TEXT = st.builds(lambda piece, extra: (piece * limits.MAX_ANSWER_CHARS)[: limits.MAX_ANSWER_CHARS + extra],
                      TEXT.filter(bool), st.integers(-20, 20))
NUMBERS = st.one_of(st.integers(), st.integers(-10**60, 10**60), st.floats(), st.fractions(),
                    st.builds(lambda exponent, sign: sign * 10**exponent, st.integers(0, 6000), st.sampled_from([1, -1])))
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT, st.text(max_size=40))
TREES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
                     max_leaves=30)
RAW = st.one_of(TREES, LONG_TEXT, st.builds(nested, st.integers(0, 5000), SCALARS))


@examples(400)
@given(name=st.sampled_from(sorted(TYPES)), raw=RAW)
@example(name="integer", raw="1.5e-39")  # was read, but shown as 41 digits that did not read back
@example(name="integer", raw=Fraction(1, 2**60))  # likewise, shown as a decimal of 61 digits
@example(name="choice", raw=10**4300)  # str() of it raised ValueError (found in the long profile)
@example(name="text", raw=[1, -(10**5000)])
def test_every_reader_gives_a_value_or_a_readable_message(name, raw):
    answer = TYPES[name]
    try:
        value = answer.parse(raw)
    except Unreadable as refusal:
        assert_readable(str(refusal))
        return
    shown = answer.show(value)
    assert isinstance(shown, str) and shown
    if name != "text":  # a text answer is shown as the concepts found in it, not as itself
        assert answer.parse(shown) == value


@pytest.mark.parametrize("name", sorted(TYPES))
def test_every_reader_refuses_a_deeply_nested_list(name):
    # Found by the property above (in its long profile): the free-text and
    # choice readers quoted the answer with repr(), which raised RecursionError.
    # Hypothesis cannot print such an input, so it is an example here.
    with pytest.raises(Unreadable) as refusal:
        TYPES[name].parse(nested(100_000, "x"))
    assert_readable(str(refusal.value))


# A superscript digit after a digit is an exponent, not a look-alike ("10²" is 100: tests/data/peer_number_cases.yaml).
SUPERSCRIPTS = set("⁰¹²³⁴⁵⁶⁷⁸⁹")


def mangle(text: str, data) -> str:
    """One digit of text replaced by a character that looks like it."""
    positions = [index for index, char in enumerate(text) if char in LOOKALIKE_DIGITS]
    if not positions:
        return text
    index = data.draw(st.sampled_from(positions))
    look_alikes = LOOKALIKE_DIGITS[text[index]]
    if index > 0 and text[index - 1].isdigit():
        look_alikes = [c for c in look_alikes if c not in SUPERSCRIPTS]
    return text[:index] + data.draw(st.sampled_from(look_alikes)) + text[index + 1:]


VALUES = {
    "integer": st.integers(-10**15, 10**15).map(Fraction),
    # A 1 in front of as many dimensions as HW5's form names (C x W x H) is read as a batch axis.
    "shape": st.lists(st.integers(0, 10**6), min_size=2, max_size=limits.MAX_SHAPE_DIMS).map(tuple)
    .filter(lambda shape: not (len(shape) == 4 and shape[0] == 1)),
    "matrix": st.integers(1, 4).flatmap(lambda width: st.lists(
        st.lists(st.integers(-999, 999).map(Fraction), min_size=width, max_size=width).map(tuple),
        min_size=1, max_size=4).map(tuple)),
}


@examples(300)
@given(name=st.sampled_from(sorted(VALUES)), data=st.data())
def test_look_alike_characters_never_change_a_number(name, data):
    answer = TYPES[name]
    value = data.draw(VALUES[name])
    written = answer.show(value).replace("-", data.draw(st.sampled_from(MINUS_SIGNS)))
    assert answer.parse(written) == value
    assert read_or_none(answer, mangle(written, data)) in (None, value)


@pytest.mark.parametrize("minus", MINUS_SIGNS)
def test_every_dash_is_a_minus_sign(minus):
    # Found by the property above: an em dash or a hyphen (U+2010) was skipped
    # as punctuation, so "\u20145" read as +5 and "1 \u20102" as [1, 2].
    assert INTEGER.parse(f"{minus}5") == -5
    assert MATRIX.parse(f"1 {minus}2") == ((1, -2),)


def grouped(number: int, separator: str) -> str:
    return ("-" if number < 0 else "") + f"{abs(number):,}".replace(",", separator)


INTEGER_NOTATIONS = [
    str, lambda n: grouped(n, ","), lambda n: grouped(n, " "), lambda n: grouped(n, "_"), lambda n: grouped(n, "\u2009"),
    lambda n: "$" + grouped(n, "\\,") + "$", lambda n: f"{n} params", lambda n: f"Total: {n}.", lambda n: f"{n}.0",
    lambda n: f"\\({n}\\)", lambda n: f"$$\\text{{{n}}}$$", lambda n: f"{n - 7} + 7 = {n}", lambda n: f"{n}e0",
    lambda n: str(n).replace("-", "\u2212"), lambda n: [str(n)], lambda n: f"{n} ({grouped(n, ',')})",
]
SHAPE_NOTATIONS = [
    "x".join, " x ".join, " X ".join, "×".join, "*".join, " by ".join, "⋅".join, lambda d: "(" + ", ".join(d) + ")",
    lambda d: "[" + ",".join(d) + "]", lambda d: "$" + " \\times ".join(d) + "$", lambda d: "$" + "\\cdot".join(d) + "$",
    list, lambda d: ["x".join(d)], lambda d: "x".join(d) + " (C x W x H)",
]
MATRIX_NOTATIONS = [
    lambda rows: [list(row) for row in rows],
    lambda rows: "\n".join(" ".join(row) for row in rows),
    lambda rows: "; ".join(" ".join(row) for row in rows),
    lambda rows: "[" + ", ".join("[" + ", ".join(row) + "]" for row in rows) + "]",
    lambda rows: "np.array([" + ", ".join("[" + ", ".join(row) + "]" for row in rows) + "])",
    lambda rows: "\\begin{bmatrix}" + " \\\\ ".join(" & ".join(row) for row in rows) + "\\end{bmatrix}",
    lambda rows: "$\\begin{pmatrix} " + " \\\\\n".join(" & ".join(row) for row in rows) + " \\end{pmatrix}$",
    lambda rows: ["[" + ", ".join(row) + "]," for row in rows],
    lambda rows: "C = " + "\n".join("| " + "  ".join(row) + " |" for row in rows),
    lambda rows: ("\n".join(" ".join(row) for row in rows)).replace("-", "\u2212"),
]


@examples(300)
@given(number=st.integers(-(10**38), 10**38), notation=st.sampled_from(INTEGER_NOTATIONS))
def test_an_integer_reads_back_in_every_notation(number, notation):
    assert INTEGER.parse(notation(number)) == number


@examples(300)
@given(shape=VALUES["shape"], notation=st.sampled_from(SHAPE_NOTATIONS))
def test_a_shape_reads_back_in_every_notation(shape, notation):
    assert SHAPE.parse(notation([str(d) for d in shape])) == shape


@examples(300)
@given(matrix=VALUES["matrix"], notation=st.sampled_from(MATRIX_NOTATIONS))
def test_a_matrix_reads_back_in_every_notation(matrix, notation):
    rows = [[show_number(x) for x in row] for row in matrix]
    assert MATRIX.parse(notation(rows)) == matrix


def spellings(label: str) -> st.SearchStrategy[str]:
    return st.sampled_from([label, label.upper(), label.title(), label.replace("-", " "), label.replace("-", "_"),
                            f"  {label}  ", f"It is {label}.", f"**{label}**"])


@examples(100)
@given(data=st.data())
def test_a_choice_reads_back_in_any_spelling(data):
    choice = data.draw(st.sampled_from(sorted(CHOICE.labels)))
    assert CHOICE.parse(data.draw(spellings(CHOICE.labels[choice]))) == choice


# --- Whole answer files ---------------------------------------------------------

CORRECT_TEXT = {  # free-text parts: a sentence naming every expected concept
    "q2b.condition": "B must equal itself rotated by 180 degrees (centrosymmetric).",
    "q3.reason": "The kernel is learned during training, and skipping the flip is simpler and cheaper.",
}


def correct_answer(part_key, data):
    part = part_key.part
    if part.id in CORRECT_TEXT:
        return CORRECT_TEXT[part.id]
    name, value = part.answer_type.name, part_key.correct
    if name == "integer":
        return data.draw(st.sampled_from(INTEGER_NOTATIONS))(int(value))
    if name == "shape":
        return data.draw(st.sampled_from(SHAPE_NOTATIONS))([str(d) for d in value])
    if name == "matrix":
        return data.draw(st.sampled_from(MATRIX_NOTATIONS))([[str(int(x)) for x in row] for row in value])
    return data.draw(spellings(part.answer_type.labels[value]))


def encoded(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace")


@examples(60)
@given(data=st.data(), form=st.sampled_from(["yaml", "json"]), nested_keys=st.booleans(),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32"]))
def test_correct_answers_in_any_notation_and_encoding_get_full_credit(data, form, nested_keys, encoding):
    answers: dict = {}
    for part_key in hw5_key().parts:
        question, part = part_key.part.id.split(".")
        value = correct_answer(part_key, data)
        if nested_keys:
            answers.setdefault(question, {})[part] = value
        else:
            answers[part_key.part.id] = value
    text = (yaml.safe_dump(answers, allow_unicode=True, sort_keys=False) if form == "yaml"
            else json.dumps(answers, ensure_ascii=data.draw(st.booleans())))
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / f"answers.{form}").write_bytes(encoded(text, encoding))
        parsed = parse_submission(read_submission(folder), RUBRIC)
    assert all(reading.read for reading in parsed.readings), parsed
    assert {verdict.outcome for verdict in judge_all(hw5_key(), parsed)} == {"correct"}


# --- File discovery --------------------------------------------------------------

NAME_PARTS = ["answers", "ANSWERS", "Answers", "hw5", "a", "sub", "__MACOSX", ".git", ".hidden", "é", "答案", "\u202e",
              "<b>", "x y", "\udcff"]
NAMES = st.builds(lambda stem, ext: stem + ext, st.sampled_from(NAME_PARTS),
                  st.sampled_from([".yaml", ".yml", ".json", ".YAML", ".JSON", ".txt", ".pdf", "", ".yaml.bak"]))
DUMPABLE = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.sampled_from(FRAGMENTS),
                        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(FRAGMENTS), inner, max_size=4),
                        max_leaves=12)
CONTENTS = st.one_of(
    st.binary(max_size=300),
    st.builds(encoded, TEXT, st.sampled_from(["utf-8", "utf-16", "utf-16-le", "utf-32", "latin-1", "utf-8-sig"])),
    st.builds(lambda tree, encoding: encoded(yaml.safe_dump(tree, allow_unicode=True), encoding),
              DUMPABLE, st.sampled_from(["utf-8", "utf-16", "latin-1"])),
    st.builds(lambda tree: json.dumps(tree).encode(), DUMPABLE),
)
# Links out of the folder point at answers that must not be read: OUTSIDE is
# made beside the submission folder in each example's temporary directory.
OUTSIDE = "outside.yaml"
LINK_TARGETS = st.sampled_from([Path("..") / OUTSIDE, Path(".."), Path("."), Path("missing"), Path("answers.yaml"),
                                Path("../..")])
ENTRIES = st.lists(st.tuples(st.lists(NAMES, min_size=1, max_size=limits.MAX_FOLDER_DEPTH + 3),
                             st.one_of(CONTENTS, LINK_TARGETS)), max_size=8)


def leaf_values(value):
    if isinstance(value, list):
        for item in value:
            yield from leaf_values(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from leaf_values(item)
    else:
        yield value


@examples(150, deadline_ms=5000)
@given(entries=ENTRIES)
def test_any_folder_gives_answers_or_a_reason(entries):
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "submission"
        folder.mkdir()
        (Path(temporary) / OUTSIDE).write_text("q1a: {total_params: 3512}\n")
        for segments, content in entries:
            place(folder, "/".join(segments), content)  # a name taken, or through a link: skipped
        found = read_submission(folder)
        assert (found.problem is None) == (found.problem_kind is None)
        if found.file is not None:
            chosen = folder / found.file
            if "?" not in found.file:  # a name that is not UTF-8 is shown with "?"
                assert chosen.is_file() and not chosen.is_symlink()
                assert os.path.realpath(chosen).startswith(os.path.realpath(folder) + os.sep)
        texts = [found.problem or "", found.file or "", *found.notes]
        for path, value in found.entries:
            texts.extend(path)
            for leaf in leaf_values(value):
                assert leaf is None or isinstance(leaf, (str, bool, Refused))  # JSON's true/false/null stay as such
                texts.append(leaf.reason if isinstance(leaf, Refused) else leaf if isinstance(leaf, str) else "")
        for text in texts:
            text.encode("utf-8")  # no lone surrogate: it could not be written to results.json
        assert sum(len(note) for note in found.notes) < 2000
        parsed = parse_submission(found, RUBRIC)
        assert [reading.part_id for reading in parsed.readings] == [part.id for part in RUBRIC.parts]


def test_deep_folders_are_not_walked_into(tmp_path):
    # Found while bounding the search: os.walk recursed once per folder and
    # 1,100 nested folders raised RecursionError, an engine crash.
    folders = [str(tmp_path / "submission")]
    while len(folders) <= 1100:
        folders.append(folders[-1] + "/d")
    for folder in folders:
        os.mkdir(folder)
    answers = Path(folders[-1], "answers.yaml")
    answers.write_text("q1a: {total_params: 3512}\n")
    try:
        found = read_submission(folders[0])
    finally:  # shutil.rmtree, which cleans tmp_path, recurses too
        answers.unlink()
        for folder in reversed(folders):
            os.rmdir(folder)
    assert found.file is None and f"more than {limits.MAX_FOLDER_DEPTH} levels deep" in found.notes[0]


def test_many_links_make_one_short_note(tmp_path):
    # Found by the folder property's bound on notes: one note per link, each
    # with its path, put 400 KB into what the student reads for 1,500 links.
    for index in range(1500):
        (tmp_path / f"link{index:04}{'x' * 200}").symlink_to("/etc/passwd")
    (notes,) = read_submission(tmp_path).notes
    assert len(notes) < 2000 and notes.endswith("links are not followed; upload the files themselves.")


def test_a_mapping_inside_an_answer_is_named_not_dumped(tmp_path):
    # Found by the reader property: a mapping inside a list reached the
    # readers as internal pairs, and the message quoted "[[_Pair(key='a', ...)]]".
    (tmp_path / "answers.yaml").write_text("q2b: {condition: [{a: 1}]}\nq1a: {total_params: [{a: 1}]}\n")
    parsed = parse_submission(read_submission(tmp_path), RUBRIC)
    assert parsed.reading("q2b.condition").message == 'Could not read "[{a: 1}]": expected a sentence or two of text.'
    assert "group of key: value pairs" in parsed.reading("q1a.total_params").message


# Answer-file trees: text keys, text leaves, lists and mappings, as YAML or JSON.
KEYS = st.text(min_size=1, max_size=8)
LEAVES = st.text(max_size=20)
FILE_TREES = st.dictionaries(KEYS, st.recursive(
    LEAVES, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=3), max_leaves=12),
    max_size=6)


def depth(tree) -> int:
    children = tree.values() if isinstance(tree, dict) else tree if isinstance(tree, list) else []
    return 1 + max((depth(child) for child in children), default=0)


def expected_leaves(tree: dict, path: tuple = ()) -> list:
    """What read_submission gives for a tree: nested mappings flattened, inner ones as dicts, {} as []."""
    def plain(value):
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()} if value else []
        if isinstance(value, list):
            return [plain(item) for item in value]
        return value

    leaves = []
    for key, value in tree.items():
        if isinstance(value, dict) and value:
            leaves.extend(expected_leaves(value, path + (key,)))
        else:
            leaves.append((path + (key,), plain(value)))
    return leaves


@examples(200)
@given(tree=FILE_TREES, form=st.sampled_from(["yaml", "json"]),
       parser=st.sampled_from(sorted({submission._EventParser, submission._PythonEventParser}, key=str)))
def test_yaml_and_json_answer_files_read_back_as_written(tree, form, parser):
    text = (yaml.safe_dump(tree, allow_unicode=True, sort_keys=False, width=60) if form == "yaml"
            else json.dumps(tree, ensure_ascii=False))
    with tempfile.TemporaryDirectory() as folder, mock.patch.object(submission, "_EventParser", parser):
        (Path(folder) / f"answers.{form}").write_text(text, encoding="utf-8")
        found = read_submission(folder)
    if depth(tree) - 1 > limits.MAX_TREE_DEPTH:
        assert "nested more than" in found.problem
    elif tree:
        assert found.problem is None, found.problem
        # PyYAML's dumper writes some strings its own loader reads differently
        # (a NEL in quotes becomes a space), so YAML is compared with what safe_load reads.
        written = yaml.safe_load(text) if form == "yaml" else tree
        assert list(found.entries) == expected_leaves(written)
    else:
        assert found.entries == ()
