"""`autograder handout`: a student's homework text, answers file and PDF carry the numbers they are graded with."""

from __future__ import annotations

import json

import pytest

from autograder.authoring.handout import HandoutError, read_roster
from autograder.cli import main
from support.paths import REPO

HW5_RANDOM = REPO / "rubric" / "hw5-random.yaml"


def handout(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(["handout", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_one_students_text_and_json_carry_the_same_numbers(capsys):
    status, out, _ = handout(capsys, str(HW5_RANDOM), "--email", "Alice@Example.edu", "--json")
    numbers = json.loads(out)
    assert status == 0 and numbers["variant"] == 8
    parameters = numbers["parameters"]
    assert list(parameters) == ["input_shape", "conv1", "conv2", "pool", "A", "B", "P", "stride"]  # the rubric's names
    status, text, _ = handout(capsys, str(HW5_RANDOM), "--email", "alice@example.edu")
    c, w, h = parameters["input_shape"]
    assert f"the input dimension is\n{c} × {w} × {h} (channel, width, height)" in text
    assert f"{parameters['conv1']['kernel']}×{parameters['conv1']['kernel']} (width, height)" in text
    first_row = " ".join(f"{n:>2}" for n in parameters["A"][0])
    assert f"A =\n[ {first_row} ]" in text and "{" not in text


def test_a_rubric_without_draw_hands_out_its_own_numbers(capsys):
    status, out, _ = handout(capsys, str(REPO / "rubric" / "hw5.yaml"), "--email", "anyone@example.edu", "--json")
    assert status == 0 and json.loads(out) == {"variant": "base", "parameters": json.loads(out)["parameters"]}
    assert json.loads(out)["parameters"]["input_shape"] == [4, 64, 64]


def test_a_roster_gives_each_student_markdown_pdf_and_answers(tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text("First Name,Last Name,SID,Email,Role\nAlice,Wang,1,alice@example.edu,Student\n"
                      "Bob,Li,2,BOB@example.edu,Student\nTina,Tan,3,tina@example.edu,TA\nNo,Mail,4,,Student\n"
                      "Alice,Again,5,alice@example.edu,Student\n", encoding="utf-8")
    status, out, _ = handout(capsys, str(HW5_RANDOM), "--roster", str(roster), "-o", str(tmp_path / "out"))
    assert status == 0
    assert "wrote the handouts of 2 students" in out
    assert "row 4: tina@example.edu has the role ta" in out and "row 5: no e-mail" in out
    assert "row 6: alice@example.edu is listed again" in out
    for stem in ("alice_at_example.edu", "bob_at_example.edu"):
        assert (tmp_path / "out" / f"{stem}.pdf").read_bytes().startswith(b"%PDF-")
        assert "## 1. Convolutional Neural Networks" in (tmp_path / "out" / f"{stem}.md").read_text()
    answers = (tmp_path / "out" / "alice_at_example.edu-answers.yaml").read_text()
    assert "# Your numbers (variant 8)" in answers and "\nq1a:\n  # Output dimension after layer 1" in answers


def test_a_roster_without_an_email_column_is_refused(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("Name,SID\nAlice,1\n", encoding="utf-8")
    with pytest.raises(HandoutError, match="no Email column"):
        read_roster(roster)


@pytest.mark.parametrize("argv, status, shown", [
    (["--roster", "r.csv"], 2, "--roster needs -o OUT_DIR"),
    (["--json"], 2, "one of the arguments --email --roster is required"),
    (["--email", "a@b.c", "--roster", "r.csv"], 2, "not allowed with argument"),
])
def test_usage_of_handout(argv, status, shown, capsys):
    try:
        code = main(["handout", str(HW5_RANDOM), *argv])
    except SystemExit as exit_:
        code = exit_.code
    assert code == status
    assert shown in capsys.readouterr().err
