"""report.html, built from real results: the hw5 samples and made-up students graded in-process."""

from __future__ import annotations

import dataclasses
import html
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from autograder.regrade import report_page as report
from autograder.grading.outcomes import Failure, Outcome
from autograder.grading.results_json import WrittenPart, WrittenResult, crash_json
from autograder.grading.run import Paths, run
from autograder.regrade.gradescope_export import Submitter
from autograder.regrade.graded import GradedSubmission
from autograder.authoring.compile import cached_or_compiled, compile_key
from autograder.grading.rubric import load_rubric
from autograder.authoring.samples import sample_folders
from support.paths import REPO, SAMPLES

RUBRIC = REPO / "rubric" / "hw5.yaml"
SCRIPT = "<script>alert('x')</script>"
# Three wrong answers, each on another part, that no declared mistake explains.
RING = {"q1a.total_params": "9999", "q1b.pool_output": "16x29x29", "q2a.convolution": [[1, 2, 3], [4, 5, 6], [7, 8, 9]]}


@pytest.fixture(scope="module")
def key():
    return cached_or_compiled(load_rubric(RUBRIC))


def grade(key, folder: Path, results: Path, submission_id: str, *people: tuple[str, str]) -> GradedSubmission:
    data = run(key.rubric.path, Paths(folder / "submission", folder / "submission_metadata.json", results),
               io.StringIO(), key=key)
    return GradedSubmission(submission_id, tuple(Submitter(name, sid, f"{sid}@example.edu") for name, sid in people),
                            WrittenResult.from_json(data))


def student(key, root: Path, submission_id: str, answers: dict, *people: tuple[str, str]) -> GradedSubmission:
    """A made-up student: the canonical answers with some changed ("q1a.layer1_output": "8x66x66")."""
    canonical = SAMPLES / "hw5" / "01-canonical-full-credit" / "submission" / "answers.yaml"
    written = {question.lower(): parts for question, parts in yaml.safe_load(canonical.read_text()).items()}
    for dotted, value in answers.items():
        question, part = dotted.split(".")
        written[question][part] = value
    folder = root / submission_id
    (folder / "submission").mkdir(parents=True)
    (folder / "submission" / "answers.yaml").write_text(yaml.safe_dump(written), encoding="utf-8")
    return grade(key, folder, folder / "results.json", submission_id, *people)


def with_read_as(submission: GradedSubmission, part_id: str, read_as: str, submission_id: str) -> GradedSubmission:
    """A copy whose answer to one part is a wrong one that displays as `read_as`."""
    parts = dict(submission.result.parts)
    parts[part_id] = WrittenPart(part_id, 0.0, Outcome.WRONG, None, read_as)
    return dataclasses.replace(submission, submission_id=submission_id,
                               result=dataclasses.replace(submission.result, parts=parts))


@pytest.fixture(scope="module")
def graded(key, tmp_path_factory) -> list[GradedSubmission]:
    root = tmp_path_factory.mktemp("report")
    found = [grade(key, sample, root / "samples" / sample.name / "results.json", sample.name, (sample.name, "0"))
             for sample in sample_folders(SAMPLES / "hw5")]
    found += [
        student(key, root, "pad2-a", {"q1a.layer1_output": "8x66x66"}, ("Ann Pad", "101")),
        student(key, root, "pad2-b", {"q1a.layer1_output": "(8, 66, 66)"}, ("Bo Pad", "102")),
        student(key, root, "ring-1", RING, (SCRIPT, "201")),
        student(key, root, "ring-2", RING, ("Li Lei", "202"), ("Han Meimei", "203")),
        # Shares two of the ring's answers: below the threshold, so in no group.
        student(key, root, "ring-3", {k: RING[k] for k in ("q1a.total_params", "q1b.pool_output")}, ("Cy Third", "204")),
        student(key, root, "no-plus-one-pool", {"q1b.pool_output": "16x30x30"}, ("Di Pool", "301")),
    ]
    found.append(with_read_as(found[0], "q1b.pool_params", SCRIPT, "script-answer"))
    crash = crash_json("could not grade", Failure.ENGINE, key.rubric.total_points,
                       {"engine": key.engine, "rubric_sha256": key.rubric.sha256})
    found.append(GradedSubmission("crashed-1", (Submitter("Eve Crashed", "401", "401@example.edu"),),
                                  WrittenResult.from_json(crash)))
    return found


@pytest.fixture(scope="module")
def page(key, graded, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("page") / "report.html"
    report.write_report(key, graded, path)
    return path


def section(page: Path, anchor: str) -> str:
    """A section's text as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
    found = re.search(rf'<section id="{anchor}">(.*?)</section>', page.read_text(encoding="utf-8"), re.S)
    assert found, f"no section {anchor}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


def test_the_shape_reader_normalises_both_notations_alike(key):
    shape = key.rubric.part("q1a.layer2_output").answer_type
    assert {shape.show(shape.parse(text)) for text in ("16x60x60", "(16, 60, 60)", "16 X 60 X 60")} == {"16 x 60 x 60"}


def test_unrecognised_answers_count_notations_together_and_suggest_the_pad(key, graded):
    found = {entry.part.id: entry for entry in report.unrecognised_answers(key, report.ClassResults.of(graded))}
    layer1 = {answer.read_as: answer for answer in found["q1a.layer1_output"].listed}
    # "8x66x66", "(8, 66, 66)" and sample 32's answer
    assert layer1["8 x 66 x 66"].submissions == 3
    assert "- id: conv1_pad_2\n  credit: 0\n  params: {conv1.pad: 2}\n" in "\n".join(layer1["8 x 66 x 66"].suggestions)
    pool = {answer.read_as: answer for answer in found["q1b.pool_output"].listed}
    assert pool["16 x 30 x 30"].suggestions[0].startswith("- id: plus_one_false\n  credit: 0\n  args: {plus_one: false}")
    total = {answer.read_as: answer for answer in found["q1a.total_params"].listed}
    assert total["9999"].submissions == 3 and total["1234"].suggestions == ()
    assert "q2b.condition" not in found and "q3.reason" not in found  # free text: a TA reads it


def test_the_page_lists_unrecognised_answers_with_counts_and_entries(page):
    text = section(page, "unrecognised")
    assert "1a.1 Output dimension after layer 1 answer, as read submissions suggested mistake entry 8 x 66 x 66 3" in text
    assert "params: {conv1.pad: 2} feedback: >- This answer follows from conv1.pad = 2 instead of 1." in text
    assert "Free-text parts (2b.1, 3.2) are left out" in text


def test_a_suggested_entry_pasted_into_the_rubric_recognises_the_answer(key, graded, tmp_path):
    entry = next(answer for found in report.unrecognised_answers(key, report.ClassResults.of(graded))
                 for answer in found.listed if answer.read_as == "8 x 66 x 66").suggestions
    pasted = next(s for s in entry if "conv1.pad" in s)
    text = RUBRIC.read_text(encoding="utf-8")
    mistakes = re.compile(r"^( *)mistakes:\n", re.M).search(text, text.index("- id: layer1_output"))
    indent = mistakes.group(1) + "  "
    text = text[:mistakes.end()] + "".join(indent + line + "\n" for line in pasted.splitlines()) + text[mistakes.end():]
    (tmp_path / "hw5.yaml").write_text(text, encoding="utf-8")
    new_key = compile_key(load_rubric(tmp_path / "hw5.yaml"))
    again = student(new_key, tmp_path, "pad2-again", {"q1a.layer1_output": "(8, 66, 66)"})
    verdict = again.result.parts["q1a.layer1_output"]
    assert (verdict.outcome, verdict.mistake) == ("mistake", "conv1_pad_2")


def test_shared_rare_answers_group_the_ring_and_state_the_threshold(key, graded, page):
    groups = report.shared_rare_answers(key.rubric, report.ClassResults.of(graded))
    assert [[member.submission_id for member in group.members] for group in groups] == [["ring-1", "ring-2"]]
    assert [(a.part_id, a.read_as, a.submission_ids) for a in groups[0].answers] == [
        ("q1a.total_params", "9999", ("ring-1", "ring-2")),
        ("q1b.pool_output", "16 x 29 x 29", ("ring-1", "ring-2")),
        ("q2a.convolution", "[[1, 2, 3], [4, 5, 6], [7, 8, 9]]", ("ring-1", "ring-2")),
    ]
    text = section(page, "shared-answers")
    graded_count = len(graded) - 1  # the crashed submission is left out
    assert (f"rare when at most {report.RARE_AT_MOST} of the {graded_count} graded submissions give it; submissions "
            f"are grouped when they share at least {report.SHARED_AT_LEAST} rare wrong answers") in text
    assert "A lead, not evidence." in text
    assert "ring-2 Li Lei (202); Han Meimei (203)" in text and "ring-3" not in text


def test_names_appear_only_in_the_shared_answers_section(page):
    outside = page.read_text(encoding="utf-8").split('<section id="shared-answers">')[0]
    for name in ("Li Lei", "Han Meimei", "Ann Pad", "Eve Crashed"):
        assert name not in outside
    assert "@example.edu" not in page.read_text(encoding="utf-8")  # e-mail addresses are not needed at all


def test_student_strings_are_escaped(page):
    source = page.read_text(encoding="utf-8")
    assert "<script" not in source
    assert html.escape(SCRIPT) in source
    assert SCRIPT in section(page, "unrecognised") and SCRIPT in section(page, "shared-answers")


def test_parts_late_and_crashes(key, graded, page):
    scored = report.ClassResults.of(graded)
    layer1 = next(s for s in report.part_summaries(key.rubric, scored) if s.part.id == "q1a.layer1_output")
    counts = dict(layer1.counts)
    assert layer1.submissions == len(graded) - 1
    assert (counts["mistake pad0"], counts["wrong"], counts["unreadable"]) == (1, 3, 2)
    assert list(counts)[:2] == ["correct", "mistake pad0"]  # rubric order: correct, ecf, declared mistakes, ...
    late = report.late_summary(key.rubric, scored)
    assert (late.on_time, late.late_by_days, late.refused, late.extensions) == (2, ((1, 2, "3/4"), (2, 1, "1/2")), 1, 1)
    assert late.time_unknown == len(graded) - 1 - 6
    assert late.points_lost == 66.5  # samples 18, 19, 20 and 22
    assert "1 started day late (late factor 3/4) 2" in section(page, "late")
    overview = page.read_text(encoding="utf-8").split('<section id="scores">')[0]
    assert f"{len(graded)} submissions, {len(graded) - 1} graded" in overview and "crashed-1" in overview


def test_the_page_is_deterministic(key, graded, page):
    assert report.render_report(key, list(reversed(graded))) == page.read_text(encoding="utf-8")


def test_the_page_renders_with_its_plots_in_headless_chromium(page, tmp_path):
    chromium = shutil.which("chromium")
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs Debian's chromium package")
        pytest.skip("chromium is not installed here (apt-get install chromium)")
    shot = tmp_path / "shot.png"
    rendered = subprocess.run(
        [chromium, "--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars", "--force-device-scale-factor=0.5",
         "--window-size=1280,6000", f"--screenshot={shot}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    )
    dom = rendered.stdout
    images = re.findall(r'<img alt="([^"]+)" src="data:image/png;base64,', dom)
    assert images == ["Histogram of the final scores", "Share of each outcome per part"]
    assert "<script" not in dom and html.escape(SCRIPT, quote=False) in dom  # text, not an element
    import numpy as np
    from matplotlib.image import imread

    pixels = np.rint(imread(shot)[:, :, :3] * 255).astype(np.int16)  # half scale: the bars' insides keep their colour

    def painted(colour: str) -> int:
        wanted = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.int16)
        return int((np.abs(pixels - wanted).max(axis=2) <= 2).sum())

    # Only the decoded plots paint these colours: the page's own CSS uses none of them.
    assert painted(report.SCORE_COLOUR) > 500
    for kind in ("correct", "mistake", "wrong"):
        assert painted(report.OUTCOME_COLOURS[kind]) > 500, kind
