"""Nothing of the answer key, the rubric's mistake values or the staff log reaches
what a student can see, whatever the submission tries; and what the student
wrote is shown as plain text, never rendered or expanded.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from autograder.grading import run as grade_module
from autograder.grading.run import Paths, run
from support.hostile import visible_text
from support.grading import hw5_key


def secrets() -> set[str]:
    """The key's values as a student would see them, where they are distinctive enough to search for."""
    found = {str(Path(hw5_key().rubric.path).resolve()), Path(hw5_key().rubric.path).name, hw5_key().rubric.sha256}
    for part_key in hw5_key().parts:
        answer_type = part_key.part.answer_type
        if answer_type.name not in ("integer", "shape", "matrix"):
            continue  # a choice's options are in its expected form; text concepts are tested in test_results
        values = [part_key.correct, *(value for mistake in part_key.mistakes for value in mistake.values)]
        for value in values:
            for shown in (answer_type.show(value), str(answer_type.to_key(value))):
                if len(shown) >= 4 and shown.strip("0") != "":
                    found.add(shown)
    return found


SECRETS = secrets()

RUBRIC_FIELD_KEYS = """\
answer: "{{ answer }}"
mistakes: [pad0, no_bias]
feedback: "{feedback}"
credit: 1
solver: conv2d_param_count
parameters: {conv1: {pad: 0}}
q1a:
  layer1_output: "{{ key.parts.q1a.layer1_output.correct }}"
  answer: "%(correct)s"
  correct: "${correct}"
  total_params: "{0.__class__.__mro__}"
q1b:
  pool_output: "$(cat ../source/rubric/*)"
q2a:
  cross_correlation: "<img src=x onerror=alert(1)>"
  convolution: "[click](javascript:alert(document.cookie))"
q2b:
  condition: "<script>fetch('/autograder/source/rubric/')</script>"
q3:
  answer: "\\e[31mconvolution \\u202e"
  reason: "**bold** ![x](http://evil.example/x.png) \\x07"
"""
ECHOED = ["{{ key.parts.q1a.layer1_output.correct }}", "$(cat ../source/rubric/*)",
          "<img src=x onerror=alert(1)>", "[click](javascript:alert(document.cookie))"]


def grade_folder(tmp_path: Path, files: dict) -> tuple[dict, str]:
    folder = tmp_path / "submission"
    folder.mkdir()
    for name, content in files.items():
        if isinstance(content, Path):
            (folder / name).symlink_to(content)
        else:
            (folder / name).write_text(content, encoding="utf-8")
    log = io.StringIO()
    data = run(hw5_key().rubric.path, Paths(folder, tmp_path / "none.json", tmp_path / "results.json"), stream=log, key=hw5_key())
    return data, log.getvalue()


def assert_nothing_secret(data: dict, log: str) -> None:
    visible = visible_text(data)
    leaked = {secret for secret in SECRETS if secret in visible}
    assert not leaked
    staff_lines = {line.strip() for line in log.splitlines() if len(line.strip()) >= 12}
    assert not {line for line in staff_lines if line in visible}
    assert data["stdout_visibility"] == "hidden"


def test_keys_named_like_rubric_fields_and_template_syntax_are_shown_as_written(tmp_path):
    data, log = grade_folder(tmp_path, {"answers.yaml": RUBRIC_FIELD_KEYS})
    assert_nothing_secret(data, log)
    check = data["tests"][-1]["output"]
    for written in ECHOED:
        assert written in check  # quoted back verbatim: never formatted, expanded or escaped into markup
    assert '"answer", "mistakes", "feedback", "credit", "solver"' in check  # unused keys are named, nothing more
    assert all(test["score"] == 0 for test in data["tests"])


def test_text_that_would_render_or_reorder_is_inert(tmp_path):
    data, _ = grade_folder(tmp_path, {"answers.yaml": RUBRIC_FIELD_KEYS})
    assert (data["output_format"], data["test_output_format"], data["test_name_format"]) == ("text", "text", "text")
    assert all("output_format" not in test and "name_format" not in test for test in data["tests"])
    visible = visible_text(data)
    # Control characters and the right-to-left override would change what the
    # line shows (colours, text read backwards): they are shown as escapes.
    assert "\x1b" not in visible and "\u202e" not in visible and "\x07" not in visible
    assert "\\u001b[31mconvolution \\u202e" in visible


@pytest.mark.parametrize("links", [
    {"answers.yaml": Path(hw5_key().rubric.path).resolve()},
    {"answers.json": Path(hw5_key().rubric.path).resolve().with_suffix(".key.json")},
    {"rubric": Path(hw5_key().rubric.path).resolve().parent, "notes.txt": "see the rubric folder"},
    {"answers.yaml": Path("../../../../etc/passwd")},
], ids=["rubric", "compiled key", "rubric folder", "relative escape"])
def test_links_out_of_the_submission_are_never_read(tmp_path, links):
    data, log = grade_folder(tmp_path, links)
    assert_nothing_secret(data, log)
    assert data["score"] == 0 and data["output"].startswith("No answer file")
    assert "links are not followed" in visible_text(data)


def test_a_crash_shows_no_detail(tmp_path, monkeypatch):
    def explode(*args):
        raise RuntimeError(f"key value {hw5_key().parts[2].correct} in {hw5_key().rubric.path}")

    monkeypatch.setattr(grade_module, "judge_all", explode)
    data, log = grade_folder(tmp_path, {"answers.yaml": "q1a: {total_params: 1}\n"})
    assert "RuntimeError" in log
    assert_nothing_secret(data, log)
    assert data["output_format"] == "text"
