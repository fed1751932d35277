"""Answer files as students write them: slips repaired with a note, or explained in their terms (issue 10)."""

from __future__ import annotations

import pytest

from autograder.answers.base import typed
from support.submissions import submit


def answers(submission) -> dict:
    return {".".join(path): typed(raw) for path, raw in submission.entries}


# (file text, the answer read under q.a, a phrase of the note the student gets)
REPAIRED = [
    ("q:\n\ta: 8x64x64\n\tb: 1\n", "8x64x64", "Lines 2, 3: indented with a tab, read as 4 spaces"),
    ("q:\n  a：8x64x64\n", "8x64x64", "full-width colon '：' (from a Chinese input method)"),
    ("q：\n  a: 8x64x64\n", "8x64x64", "full-width colon"),
    ("q:\n  a: Note: B must be centrosymmetric.\n", "Note: B must be centrosymmetric.", "holds ': '"),
    ("q:\n  a: *16x31x31*\n", "*16x31x31*", "starts with '*', which YAML reads as an alias"),
    ("q:\n  a: `16x62x62`\n", "`16x62x62`", "starts with '`'"),
    ("q:\n  a: &= 3512\n", "&= 3512", "starts with '&'"),
    ('q:\n  a: "\\left[\\begin{matrix} 1 \\end{matrix}\\right]"\n', "\\left[\\begin{matrix} 1 \\end{matrix}\\right]",
     "'\\l' is none; the answer was read as you typed it (LaTeX)"),
    ('q:\n  a: "$8 \\times 64 \\times 64$"\n', "$8 \\times 64 \\times 64$", "holds LaTeX"),
    ("q:\n  a: >- B must equal itself,\n    i.e. centrosymmetric.\n", "B must equal itself, i.e. centrosymmetric.",
     "the answer starts on the same line as '>-'"),
    ("q:\n  a: |\n    35 -17 -10\n   -20 2 30\n    5 27 2\n", "35 -17 -10\n-20 2 30\n5 27 2\n",
     "indented less than the first row of its '|' block"),
    ("q:\n    a: 16x31x31\n  b: 0\n", "16x31x31", "Line 3 is indented differently from line 2"),
    ("q:\n  a: [[35，-17]，[-20，2]]\n", None, "full-width punctuation"),
    ("q:\n  a:\n    35 -17 -10\n    -20 2 30\n", "35 -17 -10\n-20 2 30", ""),  # folded by YAML, rows kept as typed
    ("q:\n  a: {16 \\times 62 \\times 62}\n", "{16 \\times 62 \\times 62}", ""),  # LaTeX braces, not a mapping
    ("q:\n  a:\t8x64x64\n", "8x64x64", "a tab after the key's ':'"),
]


@pytest.mark.parametrize("text, expected, note", REPAIRED, ids=[case[2][:30] or case[0][:20] for case in REPAIRED])
def test_a_slip_with_one_obvious_repair_is_read_and_named(tmp_path, text, expected, note):
    submission = submit(tmp_path, {"answers.yaml": text})
    assert submission.problem is None, submission.problem
    if expected is not None:
        assert answers(submission)["q.a"] == expected
    assert note in " ".join(submission.notes)


# (file text, what the student is told)
EXPLAINED = [
    ("q1a: [1, 2\n", "Line 1: a '[' or '{' opened here is not closed"),
    ('q1a: "8x64x64\n', "a quote opened here is never closed"),
    ("q1a:\n  a: 1\n  b\n  c: 2\n", "is indented differently from the lines around it, or is missing 'key: '"),
    ("---\na: 1\n---\nb: 2\n", "a second document starts here (---)"),
]


@pytest.mark.parametrize("text, message", EXPLAINED)
def test_a_structural_error_is_explained_at_its_line(tmp_path, text, message):
    submission = submit(tmp_path, {"answers.yaml": text})
    assert submission.problem_kind == "unreadable" and message in submission.problem, submission.problem


JSON_READ = [
    '{"q": {"a": "8x64x64",},}',                                     # trailing commas
    '{\n  // the first question\n  "q": {"a": "8x64x64"}\n}',          # comments
    "{'q': {'a': '8x64x64'}}",                                        # a Python dict printed
    '{“q”: {“a”: “8x64x64”}}',                                        # curly quotes from Word
]


@pytest.mark.parametrize("text", JSON_READ)
def test_json_as_students_paste_it_is_read_with_a_note(tmp_path, text):
    submission = submit(tmp_path, {"answers.json": text})
    assert submission.problem is None and answers(submission) == {"q.a": "8x64x64"}
    assert "not strict JSON" in " ".join(submission.notes)


def test_a_python_tuple_in_a_printed_dict_is_a_list(tmp_path):
    submission = submit(tmp_path, {"answers.json": "{'q': {'a': (8, 64, 64), 'b': None}}"})
    assert answers(submission)["q.a"] == ["8", "64", "64"]


def test_json_that_never_closes_says_so(tmp_path):
    submission = submit(tmp_path, {"answers.json": '{\n  "q": {"a": 1}\n'})
    assert "the file ends before every '{' or '[' is closed" in submission.problem


def test_a_hidden_txt_extension_is_read_and_named(tmp_path):
    submission = submit(tmp_path, {"answers.yaml.txt": "q:\n  a: 1\n"})
    assert submission.file == "answers.yaml.txt" and answers(submission) == {"q.a": "1"}
    assert "Rename it to answers.yaml" in " ".join(submission.notes)


def test_macos_appledouble_files_are_not_answer_files(tmp_path):
    submission = submit(tmp_path, {"hw5/answers.yaml": "q:\n  a: 1\n", "__MACOSX/hw5/._answers.yaml": b"\x00\x05\x16\x07"})
    assert submission.file == "hw5/answers.yaml" and submission.problem is None


def test_twin_answer_files_that_agree_are_one_answer(tmp_path):
    submission = submit(tmp_path, {"answers.yaml": "q:\n  a: 1\n", "answers.json": '{"q": {"a": 1}}'})
    assert submission.problem is None and answers(submission) == {"q.a": "1"}
    different = submit(tmp_path / "other", {"answers.yaml": "q:\n  a: 1\n", "answers.json": '{"q": {"a": 2}}'})
    assert "with different contents" in different.problem


def test_a_gbk_file_is_decoded(tmp_path):
    submission = submit(tmp_path, {"answers.yaml": "q:\n  a: 8×64×64\n  b: 输出\n".encode("gbk")})
    assert answers(submission) == {"q.a": "8×64×64", "q.b": "输出"}
    assert "GBK" in " ".join(submission.notes)


@pytest.mark.parametrize("content, kind", [(b"PK\x03\x04\x14\x00word/document.xml", "a Word document"),
                                           (b"%PDF-1.4\n1 0 obj\n", "a PDF")])
def test_a_document_saved_as_answers_yaml_is_named(tmp_path, content, kind):
    submission = submit(tmp_path, {"answers.yaml": content})
    assert kind in submission.problem and "plain text editor" in submission.problem


def test_markdown_list_items_of_keys_are_one_mapping(tmp_path):
    submission = submit(tmp_path, {"answers.yaml": "## Question 1\n- layer1_output: 8x64x64\n- total_params: 3512\n"})
    assert answers(submission) == {"layer1_output": "8x64x64", "total_params": "3512"}
