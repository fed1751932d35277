"""`autograder regrade` on a real-looking class export built from the samples."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import shutil
import stat
import zipfile
from pathlib import Path

import pytest

from autograder.base import limits
from autograder.regrade import job as regrade_module
from autograder.cli import main
from autograder.grading.results_json import WrittenResult
from autograder.regrade.gradescope_export import ExportError, Submitter, iso_timestamp, read_export
from autograder.regrade.graded import GradedSubmission
from autograder.grading.run import Paths, run
from autograder.grading.key import AnswerKey, write_cache
from autograder.regrade.job import Interrupted, OutdirError, regrade

NO_ANSWERS, WORKER_DEATH = "no answers read", "grading process died"  # as grades.csv's Flags column says them
from autograder.grading.rubric import load_rubric
from autograder.regrade.tables import LATE_FACTOR, review_groups
from support.paths import SAMPLES
from support.export_fixture import build_export
from support.grading import DIES, hw5_key, with_dying_integers
from support.paths import HW5

COUNT = 37                             # the 36 samples, then sample 01 again, whose folder is then removed
UNLISTED = "submission_399999"         # sample 01's files in a folder submission_metadata.yml does not list
GRADED = COUNT + 1
GROUP = "submission_300035"            # a group of two (sample 36)
NO_FILES = "submission_300036"         # listed in submission_metadata.yml, no folder
BROKEN = "submission_300000"           # sample 01; in the zip its answers.yaml cannot be decompressed
LINKED = "submission_300027"           # sample 28: in the zip its answers.yaml is a symbolic link
ZERO = {BROKEN, NO_FILES}              # scores that differ from the sample's expected.json, in the zip
ROOT = "assignment_123_export"


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class") / ROOT
    submitted = build_export(folder, COUNT, groups_every=36)
    shutil.rmtree(folder / NO_FILES)
    shutil.copytree(SAMPLES / "hw5" / "01-canonical-full-credit" / "submission", folder / UNLISTED)
    return folder, submitted


@pytest.fixture(scope="module")
def export_zip(export, tmp_path_factory) -> Path:
    """The export zipped as Gradescope zips it, plus a broken member, a link and names that climb out."""
    folder, _ = export
    path = tmp_path_factory.mktemp("zip") / "export.zip"
    broken = f"{ROOT}/{BROKEN}/answers.yaml"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.rglob("*")):
            name = f"{ROOT}/{file.relative_to(folder).as_posix()}"
            if file.is_symlink():
                link = zipfile.ZipInfo(name)
                link.external_attr = (stat.S_IFLNK | 0o777) << 16
                archive.writestr(link, os.readlink(file))
            elif file.is_file():
                archive.write(file, name, zipfile.ZIP_STORED if name == broken else zipfile.ZIP_DEFLATED)
        archive.writestr(f"{ROOT}/../../escaped.txt", "outside")
        archive.writestr("/tmp/regrade-test-absolute.txt", "outside")
    _corrupt(path, broken)
    return path


def _corrupt(path: Path, name: str) -> None:
    """Change a stored member's bytes in place, so that its CRC no longer matches."""
    with zipfile.ZipFile(path) as archive:
        member = archive.getinfo(name)
    data = bytearray(path.read_bytes())
    start = member.header_offset + 30 + len(member.filename.encode()) + len(member.extra)
    data[start:start + 4] = b"XXXX"
    path.write_bytes(bytes(data))


def expected(sample: Path) -> dict:
    return json.loads((sample / "expected.json").read_text(encoding="utf-8"))


def grades(outdir: Path) -> list[dict]:
    with open(outdir / "grades.csv", newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def column(row: dict, part_id: str) -> str:
    return next(value for header, value in row.items() if f": {part_id} (" in header)


def quiet(**kwargs) -> dict:
    return {"progress": io.StringIO(), **kwargs}


def test_a_zipped_export_regrades_row_by_row(export, export_zip, tmp_path):
    _, submitted = export
    outdir = tmp_path / "out"
    report = regrade(hw5_key(), export_zip, outdir, jobs=2, **quiet())

    rows = grades(outdir)
    assert [(row["Submission ID"], (row["Name"], row["SID"], row["Email"])) for row in rows] == [
        (submission.submission_id, person) for submission in submitted for person in submission.submitters
    ] + [(UNLISTED, ("", "", ""))]
    assert len(rows) == GRADED + 1  # the group submission has a row per member
    unlisted = rows.pop()
    assert unlisted["Total Score"] == "35" and "not in submission_metadata.yml" in unlisted["Flags"]
    by_id = {submission.submission_id: submission for submission in submitted}
    for row in rows:
        submission = by_id[row["Submission ID"]]
        want = expected(submission.sample)
        if submission.submission_id in ZERO:
            assert float(row["Total Score"]) == 0 and NO_ANSWERS in row["Flags"], row
            continue
        assert float(row["Total Score"]) == pytest.approx(want["score"]), row
        for part_id, part in want["parts"].items():
            assert float(column(row, part_id)) == pytest.approx(part["points"]), (row["Submission ID"], part_id)
        assert row["Rubric SHA-256"] == hw5_key().rubric.sha256 and row["Engine"] == hw5_key().engine
    flags = {row["Submission ID"]: row["Flags"] for row in rows}
    assert "group of 2" in flags[GROUP]
    assert "export:" in flags[BROKEN] and "could not be extracted" in flags[BROKEN]
    assert "symbolic link" in flags[LINKED]
    late = next(row for row in rows if row["Submission ID"] == "submission_300017")  # sample 18: a day late
    assert late["Late factor"] == "0.75" and late["Score before late policy"] == "35" and "late 1 d" in late["Flags"]

    # Names that climb out of the export are refused, listed, and written nowhere.
    assert not (tmp_path / "escaped.txt").exists() and not (outdir / "escaped.txt").exists()
    assert not Path("/tmp/regrade-test-absolute.txt").exists()
    assert any("escaped.txt" in problem and ".." in problem for problem in report.export.problems)
    assert any("absolute" in problem for problem in report.export.problems)
    summary = report.summary()
    assert NO_FILES in summary and BROKEN in summary and "escaped.txt" in summary
    assert {path.name for path in outdir.iterdir()} == {"results", "export", "grades.csv", "review.csv", "report.html",
                                                        "regrade.json"}
    assert (outdir / "export" / ROOT / GROUP / "HW5" / "ZhangWei_hw5.YML").is_file()  # the zip, unzipped and kept
    assert not (outdir / "export" / ROOT / LINKED / "answers.yaml").exists()
    assert json.loads((outdir / "regrade.json").read_text())["status"] == "finished"


def test_each_result_is_what_the_container_writes(export, tmp_path):
    """Given the export's metadata as submission_metadata.json, run_autograder's path writes the same results."""
    folder, submitted = export
    outdir = tmp_path / "out"
    regrade(hw5_key(), folder, outdir, jobs=1, **quiet())
    exported = {submission.submission_id: submission for submission in read_export(folder, tmp_path / "x").submissions}
    for submission in submitted:
        metadata = exported[submission.submission_id].metadata
        assert metadata["created_at"] == submission.created_at.replace("Z", "+00:00")
        root = tmp_path / "container" / submission.submission_id
        root.mkdir(parents=True)
        (root / "submission_metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
        container = run(hw5_key().rubric.path, Paths(folder / submission.submission_id, root / "submission_metadata.json",
                                                root / "results" / "results.json"), stream=io.StringIO(), key=hw5_key())
        regraded = json.loads((outdir / "results" / submission.submission_id / "results.json").read_text("utf-8"))
        for results in (container, regraded):
            results.pop("execution_time", None)
        assert regraded == container, submission.submission_id


def test_the_samples_folder_is_a_plain_export(tmp_path):
    report = regrade(hw5_key(), SAMPLES / "hw5", tmp_path / "out", jobs=2, **quiet())
    assert report.export.layout == "folders"
    rows = grades(tmp_path / "out")
    assert len(rows) == 36
    for row in rows:
        sample = SAMPLES / "hw5" / row["Submission ID"]
        assert float(row["Total Score"]) == pytest.approx(expected(sample)["score"]), row
        if not (sample / "submission_metadata.json").exists():
            assert row["Name"] == sample.name and row["SID"] == ""
    extended = next(row for row in rows if row["Submission ID"].startswith("21-"))
    assert (extended["Name"], extended["SID"], extended["Late factor"]) == ("Zhao Min", "2023533004", "1")


def _interrupt_after(monkeypatch, count: int) -> None:
    real_run = regrade_module.run
    calls = []

    def run_then_stop(*args, **kwargs):
        if len(calls) == count:
            raise KeyboardInterrupt
        calls.append(args)
        return real_run(*args, **kwargs)

    monkeypatch.setattr(regrade_module, "run", run_then_stop)


def _inodes(outdir: Path) -> dict[Path, int]:
    return {path: path.stat().st_ino for path in (outdir / "results").glob("*/results.json")}


def test_an_interrupted_regrade_resumes_and_keeps_what_it_finished(export, tmp_path, monkeypatch):
    folder, _ = export
    outdir = tmp_path / "out"
    _interrupt_after(monkeypatch, 10)
    with pytest.raises(Interrupted) as stopped:
        regrade(hw5_key(), folder, outdir, jobs=1, **quiet())
    assert (stopped.value.done, stopped.value.total) == (10, GRADED)
    assert json.loads((outdir / "regrade.json").read_text())["status"] == "running"
    monkeypatch.undo()
    finished = _inodes(outdir)
    assert len(finished) == 10

    report = regrade(hw5_key(), folder, outdir, jobs=2, **quiet())
    assert report.reused == 10 and len(report.graded) == GRADED
    assert all(path.stat().st_ino == inode for path, inode in finished.items())  # not written again
    assert len(grades(outdir)) == GRADED + 1

    with pytest.raises(OutdirError, match="finished regrade"):
        regrade(hw5_key(), folder, outdir, jobs=1, **quiet())


@pytest.mark.parametrize("change", ["rubric", "engine"])
def test_a_changed_rubric_or_engine_grades_again(export, tmp_path, monkeypatch, change):
    folder, _ = export
    outdir = tmp_path / "out"
    _interrupt_after(monkeypatch, 5)
    with pytest.raises(Interrupted):
        regrade(hw5_key(), folder, outdir, jobs=1, **quiet())
    monkeypatch.undo()
    finished = _inodes(outdir)
    if change == "rubric":
        changed = dataclasses.replace(hw5_key(), rubric=dataclasses.replace(hw5_key().rubric, sha256="0" * 64))
    else:
        changed = dataclasses.replace(hw5_key(), engine=hw5_key().engine + "-edited")
    report = regrade(changed, folder, outdir, jobs=1, **quiet())
    assert report.reused == 0
    assert all(path.stat().st_ino != inode for path, inode in finished.items())
    assert {row["Rubric SHA-256"] for row in grades(outdir)} == {changed.rubric.sha256}
    assert {row["Engine"] for row in grades(outdir)} == {changed.engine}


def test_an_earlier_regrade_is_replaced_only_with_force(export, tmp_path):
    folder, _ = export
    first = tmp_path / "first"
    build_export(first, 3)
    outdir = tmp_path / "out"
    regrade(hw5_key(), first, outdir, jobs=1, **quiet())
    with pytest.raises(OutdirError, match="--force"):
        regrade(hw5_key(), folder, outdir, jobs=1, **quiet())
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(OutdirError, match="not empty"):
        regrade(hw5_key(), folder, tmp_path / "other", jobs=1, **quiet())

    report = regrade(hw5_key(), folder, outdir, force=True, jobs=2, **quiet())
    assert report.reused == 0 and len(grades(outdir)) == GRADED + 1
    assert json.loads((outdir / "regrade.json").read_text())["export"] == str(folder.resolve())


def test_changes_against_a_previous_regrade(tmp_path):
    before, after = tmp_path / "before", tmp_path / "after"
    build_export(before, 6)
    shutil.copytree(before, after)
    answers = after / "submission_300000" / "answers.yaml"  # sample 01: all correct
    answers.write_text(answers.read_text().replace("layer1_output: 8x64x64", "layer1_output: 8x62x62"))
    regrade(hw5_key(), before, tmp_path / "out-before", jobs=1, **quiet())
    report = regrade(hw5_key(), after, tmp_path / "out-after", previous=tmp_path / "out-before", jobs=1, **quiet())
    assert report.rows["changes.csv"] >= 1
    with open(tmp_path / "out-after" / "changes.csv", newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert {row["Submission ID"] for row in rows} == {"submission_300000"}
    first = rows[0]
    assert (first["Part"], first["Old points"], first["New points"]) == ("q1a.layer1_output", "2", "1")
    assert (first["Old verdict"], first["New verdict"], first["Old rule"], first["New rule"]) == (
        "correct", "mistake", "", "pad0")
    assert (first["Old total"], first["New total"]) == ("35", "34")
    assert first["Old rubric SHA-256"] == first["New rubric SHA-256"] == hw5_key().rubric.sha256
    assert first["Old engine"] == first["New engine"] == hw5_key().engine
    assert LATE_FACTOR not in {row["Part"] for row in rows}


def test_a_worker_that_dies_costs_only_its_submission(export, tmp_path):
    folder = tmp_path / ROOT
    shutil.copytree(export[0], folder, symlinks=True)
    submitted = export[1]
    victim = "submission_300004"
    answers = folder / victim / "answers.yaml"
    answers.write_text(answers.read_text().replace("total_params: 3512", f"total_params: {DIES}"))
    outdir = tmp_path / "out"
    report = regrade(with_dying_integers(hw5_key()), folder, outdir, jobs=2, **quiet())
    rows = {row["Submission ID"]: row for row in grades(outdir)}
    assert len(report.graded) == GRADED
    assert float(rows[victim]["Total Score"]) == 0 and WORKER_DEATH in rows[victim]["Flags"]
    died = json.loads((outdir / "results" / victim / "results.json").read_text())
    assert died["extra_data"]["error"] == "worker_died" and died["tests"][0]["max_score"] == 35
    for submission in submitted:
        if submission.submission_id not in (victim, NO_FILES):
            assert float(rows[submission.submission_id]["Total Score"]) == pytest.approx(
                expected(submission.sample)["score"]), submission.submission_id
    assert victim in report.summary()


@pytest.mark.parametrize("limit, value", [("MAX_EXPORT_BYTES", 1000), ("MAX_EXPORT_MEMBERS", 10)])
def test_a_zip_over_the_limits_is_refused_before_anything_is_written(export_zip, tmp_path, monkeypatch, limit, value):
    monkeypatch.setattr(limits, limit, value)
    with pytest.raises(ExportError, match="more than"):
        read_export(export_zip, tmp_path / "unzipped")
    assert not (tmp_path / "unzipped").exists()


def test_the_metadata_yaml_is_read_as_text_without_running_anything(tmp_path):
    marker = tmp_path / "ran"
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "submission_metadata.yml").write_text(f"""\
submission_1:
  :submitters: &people
  - :name: !!python/object/apply:os.system ['touch {marker}']
    :sid: '7'
    :email: a@example.edu
  :created_at: 2025-05-06 10:15:00.000000000 +08:00
  :score: !ruby/object:BigDecimal 18:0.35e2
  :results: !!python/object/apply:os.system ['touch {marker}']
submission_2:
  :submitters: *people
  :created_at: !ruby/object:Time 2025-05-07 10:15:00.000000000 +08:00
""")
    first, second = read_export(folder, tmp_path / "unused").submissions
    assert not marker.exists()
    assert first.submitters == (Submitter("", "7", "a@example.edu"),)  # a tagged name is no text: left empty
    assert first.metadata["created_at"] == "2025-05-06T10:15:00.000000+08:00"
    assert second.submitters == ()  # an alias is never followed
    assert second.metadata["created_at"] == "2025-05-07T10:15:00.000000+08:00"  # the tag is ignored, the text kept


@pytest.mark.parametrize("text, iso", [
    ("2025-05-06 10:15:00.123456789 +08:00", "2025-05-06T10:15:00.123456+08:00"),
    ("2025-05-05T16:30:00Z", "2025-05-05T16:30:00.000000+00:00"),
    ("2025-05-06 9:05:00 -0700", "2025-05-06T09:05:00.000000-07:00"),
    ("2025-05-06 10:15:00", "2025-05-06T10:15:00.000000+00:00"),
    ("yesterday", "yesterday"),
])
def test_timestamps_become_what_the_container_gets(text, iso):
    assert iso_timestamp(text) == iso


def _graded(submission_id: str, text: str) -> GradedSubmission:
    return GradedSubmission(submission_id, (), WrittenResult.from_json({"tests": []}), review_texts={"q3.reason": text})


def test_review_groups_join_identical_and_typo_apart_texts_only():
    graded = [
        _graded("s1", "The kernel is learned, so flipping does not matter."),
        _graded("s2", "the kernel is LEARNED so flipping does not matter"),
        _graded("s3", "The kernel is lerned, so flipping does not matter."),
        _graded("s4", "The kernel is not learned, so flipping does not matter."),
        _graded("s5", "Flipping does not matter, so the kernel is learned."),
        _graded("s6", "Cross-correlation is cheaper."),
    ]
    groups = review_groups(hw5_key().rubric, graded)
    members = [sorted(submission.submission_id for submission, _ in group.members) for group in groups]
    assert members[0] == ["s1", "s2", "s3"]
    assert sorted(members[1:]) == [["s4"], ["s5"], ["s6"]]
    assert groups[0].texts[0] in {text for _, text in groups[0].members}


def test_progress_is_a_line_per_tenth_when_not_on_a_terminal(export, tmp_path):
    folder, _ = export
    stream = io.StringIO()
    regrade(hw5_key(), folder, tmp_path / "out", jobs=1, progress=stream)
    lines = stream.getvalue().splitlines()
    assert 5 <= len(lines) <= 10 and lines[-1].startswith(f"regrade: {GRADED} of {GRADED} submissions (100%)")


def test_the_command_line(export, tmp_path, capsys):
    folder, _ = export
    rubric = tmp_path / "hw5.yaml"
    shutil.copy(HW5, rubric)
    write_cache(AnswerKey(load_rubric(rubric), hw5_key().parts, hw5_key().engine))  # as setup.sh compiles it
    outdir = tmp_path / "out"
    assert main(["regrade", str(rubric), str(folder), "-o", str(outdir), "-j", "2"]) == 0
    assert f"Regraded {GRADED} submissions" in capsys.readouterr().out
    assert main(["regrade", str(rubric), str(folder), "-o", str(outdir)]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["regrade", str(rubric), str(tmp_path / "missing.zip"), "-o", str(tmp_path / "new")]) == 1
    assert "no such folder or zip file" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main(["regrade", str(rubric), str(folder)])
    assert usage.value.code == 2
