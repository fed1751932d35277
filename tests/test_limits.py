"""Every named limit in autograder/limits.py, at its boundary: the largest input
within it is read, one step beyond is refused with a message that says so.
(YAML aliases are refused outright: tests/test_submission.py.)
"""

from __future__ import annotations

import io
import json
from fractions import Fraction
from pathlib import Path
from unittest import mock

import pytest

from autograder.base import limits
from autograder.grading import submission
from autograder.answers.base import Unreadable
from autograder.grading.run import Paths, run
from autograder.grading.submission import read_submission
from support.grading import slow_parse
from support.paths import CANONICAL
from support.grading import hw5_key, hw5_rubric

TYPES = {part.answer_type.name: part.answer_type for part in reversed(hw5_rubric().parts)}
N = limits.MAX_NUMBER_DIGITS

# (answer type, the largest answer within the limit and its value, the smallest beyond it, the refusal)
ANSWER_LIMITS = {
    "MAX_ANSWER_CHARS": ("integer", "3512" + " " * (limits.MAX_ANSWER_CHARS - 4), 3512,
                         "3512" + " " * (limits.MAX_ANSWER_CHARS - 3), "too long"),
    "MAX_ANSWER_CHARS (free text)": ("text", "a" * limits.MAX_ANSWER_CHARS, None,
                                     "a" * (limits.MAX_ANSWER_CHARS + 1), f"at most {limits.MAX_ANSWER_CHARS} are read"),
    "MAX_NUMBER_DIGITS": ("integer", "9" * N, 10**N - 1, "9" * (N + 1), f"more than {N} digits"),
    "MAX_NUMBER_DIGITS (negative)": ("integer", "-" + "9" * N, 1 - 10**N, "-" + "9" * (N + 1), f"more than {N} digits"),
    "MAX_NUMBER_DIGITS (written out)": ("integer", f"9e{N - 1}", 9 * 10**(N - 1), f"9e{N}", f"more than {N} digits written out"),
    "MAX_NUMBER_DIGITS (decimals)": ("integer", "0." + "0" * (N - 2) + "1", Fraction(1, 10**(N - 1)),
                                     "0." + "0" * (N - 1) + "1", f"more than {N} digits"),
    "MAX_NUMBER_DIGITS (a number from JSON)": ("integer", 10**N - 1, 10**N - 1, 10**N, f"more than {N} digits"),
    "MAX_SHAPE_DIMS": ("shape", "x".join("2" * limits.MAX_SHAPE_DIMS), (2,) * limits.MAX_SHAPE_DIMS,
                       "x".join("2" * (limits.MAX_SHAPE_DIMS + 1)), f"more than {limits.MAX_SHAPE_DIMS}"),
    "MAX_MATRIX_ENTRIES": ("matrix", [["1"] * limits.MAX_MATRIX_ENTRIES], ((1,) * limits.MAX_MATRIX_ENTRIES,),
                           [["1"] * (limits.MAX_MATRIX_ENTRIES + 1)], f"more than {limits.MAX_MATRIX_ENTRIES} entries"),
    "MAX_MATRIX_ENTRIES (rows of text)": ("matrix", "1\n" * limits.MAX_MATRIX_ENTRIES, ((1,),) * limits.MAX_MATRIX_ENTRIES,
                                          "1\n" * (limits.MAX_MATRIX_ENTRIES + 1), f"more than {limits.MAX_MATRIX_ENTRIES}"),
}


@pytest.mark.parametrize("limit", ANSWER_LIMITS)
def test_answer_limits(limit):
    name, within, value, beyond, refusal = ANSWER_LIMITS[limit]
    answer = TYPES[name]
    read = answer.parse(within)
    if value is not None:
        assert read == value
    with pytest.raises(Unreadable, match=refusal):
        answer.parse(beyond)


def submit(folder: Path, files: dict) -> submission.Submission:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return read_submission(folder)


def padded(answers: str, size: int) -> str:
    """The answers, then a comment that makes the file exactly `size` bytes."""
    return answers + "#" * (size - len(answers.encode()) - 1) + "\n"


def test_bytes_read_from_the_answer_file(tmp_path):
    answers = "q1a: {total_params: 3512}\n"
    assert submit(tmp_path / "at", {"answers.yaml": padded(answers, limits.MAX_ANSWER_FILE_BYTES)}).entries
    beyond = submit(tmp_path / "over", {"answers.yaml": padded(answers, limits.MAX_ANSWER_FILE_BYTES + 1)})
    assert beyond.problem == f"Could not read answers.yaml: the file is larger than {limits.MAX_ANSWER_FILE_BYTES // 1024} KB; an answer file is a few lines."


def test_files_looked_at(tmp_path):
    junk = {f"scan{index:04}.png": "" for index in range(limits.MAX_FILES_SCANNED - 2)}
    within = submit(tmp_path / "within", {**junk, "zz/answers.yaml": "q3: {answer: convolution}\n"})
    assert within.file == "zz/answers.yaml"  # 1998 files, the folder zz and the answer file in it
    beyond = submit(tmp_path / "beyond", {**junk, "extra.png": "", "zz/answers.yaml": "q3: {answer: convolution}\n"})
    assert beyond.file is None and f"Only the first {limits.MAX_FILES_SCANNED} files and folders" in beyond.notes[-1]


def test_folder_depth(tmp_path):
    def nested(levels: int) -> str:
        return "/".join(["d"] * levels + ["answers.yaml"])

    assert submit(tmp_path / "within", {nested(limits.MAX_FOLDER_DEPTH): "q1a: 1\n"}).file == nested(limits.MAX_FOLDER_DEPTH)
    beyond = submit(tmp_path / "beyond", {nested(limits.MAX_FOLDER_DEPTH + 1): "q1a: 1\n"})
    assert beyond.file is None
    assert f"Folders more than {limits.MAX_FOLDER_DEPTH} levels deep were not looked into." in beyond.notes


def nested_yaml(levels: int) -> str:
    """A mapping holding `levels` nested lists around one value: its value sits levels + 1 deep."""
    return "q: " + "[" * levels + "1" + "]" * levels + "\n"


def nested_json(levels: int) -> str:
    return '{"q": ' + "[" * levels + '"1"' + "]" * levels + "}"


@pytest.mark.parametrize("parser", sorted({submission._EventParser, submission._PythonEventParser}, key=str))
@pytest.mark.parametrize("name, nested", [("answers.yaml", nested_yaml), ("answers.json", nested_json)])
def test_nesting_depth(tmp_path, parser, name, nested):
    with mock.patch.object(submission, "_EventParser", parser):
        assert submit(tmp_path / "within", {name: nested(limits.MAX_TREE_DEPTH - 1)}).problem is None
        beyond = submit(tmp_path / "beyond", {name: nested(limits.MAX_TREE_DEPTH)})
        # Found by testing this limit: libyaml's composer recursed in C and 100,000
        # "[" killed the process (a segfault); the pure-Python one raised RecursionError.
        deepest = submit(tmp_path / "deepest", {name: nested(100_000)})
    message = f"Could not read {name}: the answers are nested more than {limits.MAX_TREE_DEPTH} levels deep."
    assert beyond.problem == message and deepest.problem == message


@pytest.mark.parametrize("name, values", [
    ("answers.yaml", lambda count: "q: [" + ", ".join(["1"] * count) + "]\n"),
    ("answers.json", lambda count: '{"q": [' + ", ".join(["1"] * count) + "]}"),
])
def test_values_in_the_answer_file(tmp_path, name, values):
    # The mapping, its key "q" and the list are 3 values; the list's items the rest.
    within = submit(tmp_path / "within", {name: values(limits.MAX_YAML_NODES - 3)})
    assert within.problem is None and len(within.entries[0][1]) == limits.MAX_YAML_NODES - 3
    beyond = submit(tmp_path / "beyond", {name: values(limits.MAX_YAML_NODES - 2)})
    assert beyond.problem == f"Could not read {name}: the file has more than {limits.MAX_YAML_NODES} values."


def test_wall_time_per_submission_is_the_named_limit(tmp_path, monkeypatch):
    paths = Paths(CANONICAL / "submission", CANONICAL / "submission_metadata.json", tmp_path / "results.json")
    assert run(hw5_key().rubric.path, paths, stream=io.StringIO(), key=hw5_key())["score"] == 35  # well within the default
    monkeypatch.setattr(limits, "MAX_SECONDS_PER_SUBMISSION", 0.1)
    monkeypatch.setattr(TYPES["integer"].__class__, "parse", slow_parse)
    data = run(hw5_key().rubric.path, paths, stream=io.StringIO(), key=hw5_key())
    assert json.loads(paths.results.read_text()) == data
    assert data["extra_data"]["error"] == "time_limit" and "longer than 0.1 seconds" in data["output"]
