"""Authoring with samples: `samples --accept`, the expected.json format, file-level errors shown once,
rubric cycles in samples and build, and mistake labels in what students read."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pytest

from autograder.authoring.build import grade_samples_in
from autograder.authoring.compile import cached_or_compiled, compile_key
from autograder.authoring.samples import AcceptStatus, accept_samples, compare, expected_verdict, grade_sample
from autograder.base.fingerprint import engine_fingerprint
from autograder.cli import main
from autograder.grading.outcomes import Outcome
from autograder.grading.results_json import WrittenResult
from autograder.grading.rubric import load_rubric
from autograder.grading.run import Paths, run
from support.paths import REPO, SAMPLES

HW5 = REPO / "rubric" / "hw5.yaml"
TINY = REPO / "tests" / "rubrics" / "tiny.yaml"
PAD0 = "05-pad0-layer2-value"   # layer 2 is mistake pad0 (1.5 of 3), the pooling after it ECF


@pytest.fixture(scope="module")
def key():
    return cached_or_compiled(load_rubric(HW5))


def copy_sample(tmp_path: Path, name: str = PAD0) -> Path:
    folder = tmp_path / "samples"
    folder.mkdir(exist_ok=True)
    return Path(shutil.copytree(SAMPLES / "hw5" / name, folder / name))


def samples_command(tmp_path: Path, capsys, *argv: str) -> tuple[int, str, str]:
    status = main(["samples", str(HW5), str(tmp_path / "samples"), *argv])
    out, err = capsys.readouterr()
    return status, out, err


# ------------------------------------------------------------------ the expected.json format

@pytest.mark.parametrize("want, expected", [
    ({"points": 1.5, "mistake": "pad0"}, ("mistake", "pad0")),
    ({"points": 1.5, "verdict": "mistake", "mistake": "pad0"}, ("mistake", "pad0")),  # as files were written before
    ({"points": 3, "verdict": "ecf", "mistake": None}, ("ecf", None)),
    ({"points": 3, "verdict": "ecf"}, ("ecf", None)),
    ({"points": 3}, (None, None)),
])
def test_an_expected_part_states_a_verdict_or_a_mistake(want, expected):
    assert expected_verdict(want) == expected


def test_old_and_new_expected_files_compare_alike():
    result = WrittenResult.from_json({"score": 1.5, "tests": [
        {"score": 1.5, "extra_data": {"part": "q1", "verdict": "mistake", "mistake": "pad0"}},
        {"score": 0, "extra_data": {"part": "q2", "verdict": "wrong", "mistake": None}}]})
    new = {"score": 1.5, "parts": {"q1": {"points": 1.5, "mistake": "pad0"}, "q2": {"points": 0, "verdict": "wrong"}}}
    old = {"score": 1.5, "parts": {"q1": {"points": 1.5, "verdict": "mistake", "mistake": "pad0"},
                                   "q2": {"points": 0, "verdict": "wrong", "mistake": None}}}
    assert compare(result, new) == compare(result, old) == ()
    assert compare(result, {"score": 1.5, "parts": {"q1": {"points": 1.5, "mistake": "no_plus_one"}}}) == (
        "q1: mistake 'pad0' != expected 'no_plus_one'",)
    assert compare(result, {"score": 1.5, "parts": {"q2": {"points": 0, "mistake": "pad0"}}}) == (
        "q2: verdict 'wrong' != expected 'mistake'", "q2: mistake None != expected 'pad0'")


# ------------------------------------------------------------------ --accept

def test_accept_writes_a_missing_expected_json_that_then_grades_as_expected(tmp_path, capsys, key):
    sample = copy_sample(tmp_path)
    (sample / "expected.json").unlink()
    status, out, _ = samples_command(tmp_path, capsys)
    assert status == 1
    assert out.splitlines()[1:3] == [  # graded all the same, so that its score can be reviewed
        f"{PAD0:<52} {33.5:>7g} {'-':>9}  MISMATCH",
        f"    no expected.json: review how it grades (`autograder preview {HW5} {sample} --after-due`), "
        f"then write one with `autograder samples {HW5} --accept {PAD0}`"]

    status, out, _ = samples_command(tmp_path, capsys, "--accept", PAD0)
    assert status == 0
    assert '+    "q1a.layer2_output": {"points": 1.5, "mistake": "pad0"},' in out
    assert '+    "q1b.pool_output": {"points": 3, "verdict": "ecf"},' in out
    assert out.splitlines()[-2:] == [f"{PAD0}: expected.json written", "1 new (1 sample)"]
    written = json.loads((sample / "expected.json").read_text(encoding="utf-8"))
    assert written["score"] == 33.5 and "description" not in written
    assert grade_sample(key, sample, tmp_path / "results").mismatches == ()


def test_accept_shows_the_diff_of_what_changed_and_keeps_the_description(tmp_path, capsys, key):
    sample = copy_sample(tmp_path)
    description = json.loads((sample / "expected.json").read_text(encoding="utf-8"))["description"]
    report = accept_samples(key, [sample])
    assert [item.status for item in report.accepted] == [AcceptStatus.REWRITTEN]  # the old format, same grades
    assert '-      "verdict": "mistake",' in report.accepted[0].diff
    path = sample / "expected.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"points": 1.5, "mistake": "pad0"',
                                                             '"points": 3, "verdict": "correct"'), encoding="utf-8")
    status, out, _ = samples_command(tmp_path, capsys, "--accept")
    assert status == 0
    changed = [line for line in out.splitlines() if re.match(r"[-+] ", line)]
    assert changed == ['-    "q1a.layer2_output": {"points": 3, "verdict": "correct"},',
                       '+    "q1a.layer2_output": {"points": 1.5, "mistake": "pad0"},']
    assert f"{PAD0}: expected.json updated (the diff above)" in out
    assert json.loads(path.read_text(encoding="utf-8"))["description"] == description
    status, out, _ = samples_command(tmp_path, capsys, "--accept", PAD0)
    assert (status, out.splitlines()[-1]) == (0, "1 unchanged (1 sample)")


def test_accept_takes_only_the_samples_named(tmp_path, capsys):
    first, second = copy_sample(tmp_path), copy_sample(tmp_path, "01-canonical-full-credit")
    before = (second / "expected.json").read_bytes()
    status, out, _ = samples_command(tmp_path, capsys, "--accept", f"{first}/")
    assert status == 0 and "1 rewritten (1 sample)" in out
    assert (second / "expected.json").read_bytes() == before
    status, _, err = samples_command(tmp_path, capsys, "--accept", "05-pad0-layer2-valeu")
    assert status == 1
    assert err == f"error: no sample '05-pad0-layer2-valeu' (did you mean '{PAD0}'?)\n"


# ------------------------------------------------------------------ a file-level error, once and first

def test_an_unreadable_answer_file_is_shown_once_instead_of_its_consequences(tmp_path, capsys, image):
    sample = copy_sample(tmp_path, "01-canonical-full-credit")
    answers = sample / "submission" / "answers.yaml"
    # A bracket left open: no repair can tell where the answer ends, so the whole file is unreadable.
    answers.write_text(answers.read_text(encoding="utf-8").replace("layer2_output: ", "layer2_output: [", 1),
                       encoding="utf-8")
    headline = ["    submission: Could not read answers.yaml: Line 3: a '[' or '{' opened here is not closed where YAML "
                "expects it (it stops at line 4, column 15). Close every bracket on the line it is opened, or put "
                "the answer in quotes.",
                "    21 differences from expected.json follow from that (-v lists them)"]
    status, out, _ = samples_command(tmp_path, capsys)
    assert status == 1
    assert out.splitlines()[2:4] == headline and len(out.splitlines()) == 5
    _, verbose, _ = samples_command(tmp_path, capsys, "-v")
    assert "      q1a.layer1_output: verdict 'unreadable' != expected 'correct'" in verbose.splitlines()
    # The build grades the sample in the unpacked zip and words it the same way.
    source = Path(shutil.copytree(image, tmp_path / "source", symlinks=True))
    for other in (source / "rubric").iterdir():
        if not other.name.startswith("hw5."):
            other.unlink()  # a zip holds one rubric
    [outcome] = grade_samples_in(source, [sample], engine_fingerprint(), tmp_path / "roots")
    assert ["    " + line for line in outcome.mismatches] == headline and len(outcome.details) == 21


def test_an_unusable_expected_json_is_one_mismatch(tmp_path, capsys):
    sample = copy_sample(tmp_path)
    (sample / "expected.json").write_text('{"score": 33.5, "parts": {"q1a.layer2_output": {"verdict": "ecf"}}}')
    status, out, _ = samples_command(tmp_path, capsys)
    assert status == 1
    assert out.splitlines()[1:3] == [
        f"{PAD0:<52} {33.5:>7g} {'-':>9}  MISMATCH",
        '    expected.json: "parts" must map part ids to objects with numeric "points"']


# ------------------------------------------------------------------ a rubric whose answer refers to itself

@pytest.mark.parametrize("command", ["samples", "build", "compile", "check"])
def test_a_cycle_is_one_located_error_in_every_command(command, tmp_path, capsys):
    rubric = tmp_path / "tiny.yaml"
    rubric.write_text(TINY.read_text(encoding="utf-8").replace(
        "args: {input: $A, kernel: $B, pad: 0}", 'args: {input: "@q2.xcorr", kernel: $B, pad: 0}'), encoding="utf-8")
    status = main([command, str(rubric)] + (["-o", str(tmp_path / "dist")] if command == "build" else []))
    out, err = capsys.readouterr()
    message = (f"{rubric}:61:18: {'error: ' if command == 'check' else ''}part q2.xcorr: its answer refers back to "
               "itself (q2.xcorr -> q2.xcorr), so it can never be computed: use a parameter ($name) or an earlier "
               "part's answer instead")
    assert status == 1
    assert (out if command == "check" else err).splitlines()[0] == (message if command == "check" else f"error: {message}")
    assert "Traceback" not in out + err and "RecursionError" not in out + err


# ------------------------------------------------------------------ labels: what the student reads

def graded_feedback(tmp_path: Path, rubric: Path, answers: str) -> dict:
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "answers.yaml").write_text(answers, encoding="utf-8")
    data = run(rubric, Paths.under(tmp_path), stream=io.StringIO(), key=compile_key(load_rubric(rubric)))
    return {test["extra_data"]["part"]: test for test in data["tests"] if "extra_data" in test}


def test_students_read_a_mistakes_label_and_the_staff_its_id(tmp_path):
    rubric = tmp_path / "tiny.yaml"
    rubric.write_text(TINY.read_text(encoding="utf-8").replace(
        "          - id: no_plus_one\n", "          - id: no_plus_one\n            label: forgot the +1\n"),
        encoding="utf-8")
    tests = graded_feedback(tmp_path, rubric, "q1: {shape: '(6, 27, 27)', params: 450}\n")
    assert "Recognised mistake: forgot the +1.\nThe formula adds one." in tests["q1.shape"]["output"]
    assert tests["q1.shape"]["extra_data"]["mistake"] == "no_plus_one"
    # Without a label, no id is shown: "no bias" would be the staff's name, not the student's.
    assert "Recognised a common mistake.\nEach filter has a bias." in tests["q1.params"]["output"]
    assert "no_bias" not in tests["q1.params"]["output"] and "no bias" not in tests["q1.params"]["output"]
    assert tests["q1.params"]["extra_data"]["verdict"] == Outcome.MISTAKE


def test_course_results_name_mistakes_by_label(tmp_path):
    rubric = load_rubric(HW5)
    labelled = [mistake for part in rubric.parts if not part.review and part.type_name != "choice"
                for mistake in part.mistakes]
    assert labelled and all(mistake.label for mistake in labelled)
    data = run(HW5, Paths(SAMPLES / "hw5" / PAD0 / "submission", tmp_path / "none.json", tmp_path / "results.json"),
               stream=io.StringIO(), key=cached_or_compiled(rubric))
    layer2 = next(test for test in data["tests"] if test.get("extra_data", {}).get("part") == "q1a.layer2_output")
    assert "Recognised mistake: left out the padding.\n" in layer2["output"]
    assert "pad0" not in layer2["output"] and layer2["extra_data"]["mistake"] == "pad0"
