"""`autograder preview`: the student's view, the same as Gradescope's of the results.json the container writes."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from autograder.authoring.preview import (
    FAILED_COLOUR, PASSED_COLOUR, Moment, PreviewError, StudentView, preview, write_page,
)
from autograder.authoring.samples import sample_folders
from autograder.cli import main
from support.paths import REPO, SAMPLES, autograder_root, checkout_env

HW5 = REPO / "rubric" / "hw5.yaml"
HW5_SAMPLES = sample_folders(SAMPLES / "hw5")
PAD0 = SAMPLES / "hw5" / "05-pad0-layer2-value"
LATE = SAMPLES / "hw5" / "18-late-1-day-channels-last"


@pytest.fixture(scope="module")
def container_results(image, tmp_path_factory) -> dict[str, dict]:
    """Each HW5 sample's results.json as run_autograder writes it in an /autograder laid out from the zip's files."""
    work = tmp_path_factory.mktemp("container")

    def grade(sample: Path) -> tuple[str, dict]:
        root = autograder_root(work / sample.name, image, sample)
        completed = subprocess.run(["bash", str(root / "run_autograder")], cwd=root, capture_output=True, text=True,
                                   env=checkout_env(AUTOGRADER_ROOT=str(root), PYTHONPATH="",
                                                    AUTOGRADER_RUBRIC=str(image / "rubric" / "hw5.yaml")),
                                   timeout=60)
        assert completed.returncode == 0, completed.stderr
        return sample.name, json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))

    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        return dict(pool.map(grade, HW5_SAMPLES))


def without_timing(data: dict) -> dict:
    return {name: value for name, value in data.items() if name != "execution_time"}


@pytest.mark.parametrize("sample", HW5_SAMPLES, ids=lambda path: path.name)
def test_preview_is_what_the_container_writes_before_and_after_the_due_date(sample, container_results):
    container = container_results[sample.name]
    report = preview(HW5, sample, moment=Moment.AFTER_DUE)
    assert without_timing(report.results) == without_timing(container)
    assert report.view == StudentView.of(container, Moment.AFTER_DUE)
    for moment in Moment:
        assert StudentView.of(report.results, moment) == StudentView.of(container, moment)
    before, after = StudentView.of(container, Moment.BEFORE_DUE), StudentView.of(container, Moment.AFTER_DUE)
    assert [test.name for test in before.tests] == ["Submission check"] and before.score is None
    assert before.unseen == 10 and before.output == container["output"]
    assert len(after.tests) == 11 and after.unseen == 0 and after.score == container["score"]


def test_the_terminal_view_before_and_after_the_due_date(capsys):
    assert main(["preview", str(HW5), str(PAD0)]) == 0
    before = capsys.readouterr().out
    assert before.startswith("[preview before the due date: 10 tests not shown yet]\n"
                             "Autograder Score: - / 35.0 (not shown while some tests are not)\n")
    assert "  0) Submission check (0.0/0.0)\n    Answer file: answers.yaml\n" in before
    assert "Recognised mistake" not in before and "1.5" not in before
    assert main(["preview", str(HW5), str(PAD0), "--after-due"]) == 0
    after = capsys.readouterr().out
    assert after.startswith("[preview after the due date]\nAutograder Score: 33.5 / 35.0\n")
    assert ("Failed Tests\n  1a.2) 1a.2 Output dimension after layer 2 (1.5/3.0)\n"
            "    Your answer was read as: 16 x 58 x 58\n    Recognised mistake: left out the padding.\n") in after
    assert after.index("Failed Tests") < after.index("Passed Tests") < after.index("1a.1) ") < after.index("3.2) ")


def test_an_answers_file_alone_with_gradescopes_metadata(tmp_path, capsys):
    answers = shutil.copy2(LATE / "submission" / "answers.yaml", tmp_path / "answers.yaml")
    assert main(["preview", str(HW5), str(answers), "--metadata", str(LATE / "submission_metadata.json"),
                 "--after-due"]) == 0
    out = capsys.readouterr().out
    assert "Autograder Score: 26.2 / 35.0" in out  # 35 x 0.75 = 26.25, shown with one decimal as Gradescope does
    assert "1 started day late, so the score is multiplied by 0.75." in out
    assert main(["preview", str(HW5), str(answers), "--after-due"]) == 0
    assert "The submission time is not known, so no late penalty was applied." in capsys.readouterr().out


def test_what_cannot_be_previewed(tmp_path, capsys):
    with pytest.raises(PreviewError, match="no answers at"):
        preview(HW5, tmp_path / "nothing.yaml")
    assert main(["preview", str(HW5), str(PAD0), "--metadata", str(tmp_path / "none.json")]) == 1
    assert capsys.readouterr().err == f"error: no submission metadata file at {tmp_path / 'none.json'}\n"
    broken = tmp_path / "hw5.yaml"
    broken.write_text(HW5.read_text(encoding="utf-8").replace("total_points: 35", "total_points: 34"), encoding="utf-8")
    assert main(["preview", str(broken), str(PAD0)]) == 1
    out, err = capsys.readouterr()
    assert "Failed Tests\n  Autograder error\n    The autograder could not grade this submission" in out  # as the student
    assert "grading failed (rubric); the staff log:" in err and "total_points is 34" in err


def test_gradescopes_visibility_rules():
    def test(number: str, visibility: str | None, **fields) -> dict:
        entry = {"number": number, "name": f"t{number}", "score": 1, "max_score": 1, **fields}
        return entry | ({"visibility": visibility} if visibility else {})

    data = {"score": 3, "visibility": "after_due_date", "tests": [
        test("2", None), test("10", "visible"), test("1", "hidden"), test("3", "after_published", status="failed")]}
    shown = {moment: [t.number for t in StudentView.of(data, moment).tests] for moment in Moment}
    assert shown == {Moment.BEFORE_DUE: ["10"], Moment.AFTER_DUE: ["2", "10"], Moment.PUBLISHED: ["2", "3", "10"]}
    assert [StudentView.of(data, moment).score for moment in Moment] == [None, None, 3]  # hidden tests do not count
    assert [t.passed for t in StudentView.of(data, Moment.PUBLISHED).tests] == [True, False, True]
    assert StudentView.of(data, Moment.PUBLISHED).max_score == 4


def test_the_page_escapes_what_students_wrote(tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("q1a:\n  layer1_output: <script>alert(1)</script>\n", encoding="utf-8")
    page = preview(HW5, answers, moment=Moment.AFTER_DUE).view.html("HW5 <b>")
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<title>HW5 &lt;b&gt;: preview</title>" in page


def test_the_page_renders_like_gradescopes_results_in_headless_chromium(tmp_path):
    chromium = shutil.which("chromium")
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs Debian's chromium package")
        pytest.skip("chromium is not installed here (apt-get install chromium)")
    pages = {moment: write_page(preview(HW5, PAD0, moment=moment), tmp_path / f"{moment.name}.html")
             for moment in (Moment.BEFORE_DUE, Moment.AFTER_DUE)}
    rendered = {}
    for moment, page in pages.items():
        shot = tmp_path / f"{moment.name}.png"
        completed = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / ('profile-' + moment.name)}",
             "--hide-scrollbars", "--window-size=1100,2400", f"--screenshot={shot}", "--dump-dom", page.as_uri()],
            capture_output=True, text=True, timeout=120, check=True)
        rendered[moment] = (completed.stdout, shot)

    def headings(dom: str, tag: str) -> list[str]:
        return [html.unescape(text) for text in re.findall(rf"<{tag}>(.*?)</{tag}>", dom)]

    before, after = rendered[Moment.BEFORE_DUE][0], rendered[Moment.AFTER_DUE][0]
    assert headings(before, "h2") == ["Autograder Score", "Autograder Output", "Passed Tests"]
    assert headings(before, "h3") == ["0) Submission check (0.0/0.0)"]
    assert '<p class="total">– / 35.0</p>' in before
    assert headings(after, "h2") == ["Autograder Score", "Autograder Output", "Failed Tests", "Passed Tests"]
    assert headings(after, "h3")[:3] == ["1a.2) 1a.2 Output dimension after layer 2 (1.5/3.0)",
                                         "0) Submission check (0.0/0.0)", "1a.1) 1a.1 Output dimension after layer 1 (2.0/2.0)"]
    assert len(headings(after, "h3")) == 11 and '<p class="total">33.5 / 35.0</p>' in after
    import numpy as np
    from matplotlib.image import imread

    def painted(shot: Path, colour: str) -> int:
        pixels = np.rint(imread(shot)[:, :, :3] * 255).astype(np.int16)
        wanted = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.int16)
        return int((np.abs(pixels - wanted).max(axis=2) <= 2).sum())

    # The test headers are the only things painted these colours: one passed header before, and after
    # the due date one failed header and ten passed ones.
    before_shot, after_shot = rendered[Moment.BEFORE_DUE][1], rendered[Moment.AFTER_DUE][1]
    assert painted(before_shot, FAILED_COLOUR) == 0 and painted(before_shot, PASSED_COLOUR) > 5000
    assert painted(after_shot, FAILED_COLOUR) > 5000
    assert painted(after_shot, PASSED_COLOUR) > 9 * painted(after_shot, FAILED_COLOUR)
