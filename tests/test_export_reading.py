"""Reading Gradescope's export as real files hold it, and as an attacker could write it.

gradescope.md §6: one YAML mapping keyed by submission folder (several YAML
documents reported by other tools), PDF/online exports keyed by file, and
every field but the names and submitters optional.
"""

from __future__ import annotations

import io

import pytest

from autograder.base import limits
from autograder.regrade.gradescope_export import ExportError, read_export
from autograder.regrade.job import regrade
from support.paths import SAMPLES
from support.grading import hw5_key

ANSWERS = (SAMPLES / "hw5" / "01-canonical-full-credit" / "submission" / "answers.yaml").read_text(encoding="utf-8")


def entry(number: int) -> str:
    return (f"submission_{number}:\n  :submitters:\n  - :name: Student {number}\n    :sid: '{number:04d}'\n"
            f"    :email: s{number}@example.edu\n  :created_at: 2023-12-04 05:26:26.899837000 Z\n")


def export(tmp_path, metadata: str, folders=(1, 2, 3)):
    folder = tmp_path / "export"
    folder.mkdir()
    for number in folders:
        (folder / f"submission_{number}").mkdir()
        (folder / f"submission_{number}" / "answers.yaml").write_text(ANSWERS, encoding="utf-8")
    (folder / "submission_metadata.yml").write_text(metadata, encoding="utf-8")
    return folder


@pytest.mark.parametrize("layout", [
    "{1}---\n{2}{3}",
    "---\n{1}...\n---\n{2}...\n---\n{3}...\n",
    "{1}...\n{2}...\n{3}",                  # bare "..." between entries: YAML 1.2, which PyYAML does not read alone
    "{1}...\n\n# a comment\n{2}...   \n...\n{3}...\n",
    "--- # first\n{1}{2}--- \n{3}",
], ids=["dashes", "explicit", "bare dots", "dots with comments", "comments after dashes"])
def test_every_yaml_document_is_read(tmp_path, layout):
    metadata = layout.format("", *(entry(number) for number in (1, 2, 3)))
    read = read_export(export(tmp_path, metadata), tmp_path / "unused")
    assert [s.submitters[0].sid for s in read.submissions] == ["0001", "0002", "0003"]
    assert all(s.metadata["created_at"] == "2023-12-04T05:26:26.899837+00:00" for s in read.submissions)
    assert read.problems == ()


def test_an_entry_listed_twice_is_said(tmp_path):
    metadata = entry(1) + entry(2) + "---\n" + entry(2).replace("Student 2", "Student Two")
    read = read_export(export(tmp_path, metadata, (1, 2)), tmp_path / "unused")
    second = read.submissions[1]
    assert second.submitters[0].name == "Student Two"
    assert any("listed twice" in problem for problem in second.problems)


def test_a_pdf_export_is_refused_once_in_words(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    metadata = ""
    for number in (1, 2, 3):
        (folder / f"submission_{number}.pdf").write_bytes(b"%PDF-1.4")
        metadata += entry(number).replace(f"submission_{number}:", f"submission_{number}.pdf:")
        metadata += f"  :original_filename: homework {number}.pdf\n"
    (folder / "submission_metadata.yml").write_text(metadata, encoding="utf-8")
    with pytest.raises(ExportError) as refused:
        read_export(folder, tmp_path / "unused")
    message = str(refused.value)
    assert "PDF or online assignment" in message and "submission_1.pdf and 2 more" in message
    assert "submission_2" not in message and "empty" not in message


def test_pdf_entries_beside_folders_are_one_problem_not_empty_submissions(tmp_path):
    folder = export(tmp_path, entry(1) + entry(2).replace("submission_2:", "submission_2.pdf:")
                    + "  :original_filename: hw.pdf\n", folders=(1,))
    (folder / "submission_2.pdf").write_bytes(b"%PDF-1.4")
    read = read_export(folder, tmp_path / "unused")
    assert [s.submission_id for s in read.submissions] == ["submission_1"]
    assert len(read.problems) == 1 and "PDF or online" in read.problems[0]


def test_a_name_too_long_for_a_folder_costs_only_itself_on_every_run(tmp_path):
    long_name = "submission_" + "9" * 289
    folder = export(tmp_path, entry(1) + entry(2) + entry(3).replace("submission_3:", f"{long_name}:"), (1, 2))
    for _ in range(2):  # the second run resumes the first (as after a crash) and must not fail either
        report = regrade(hw5_key(), folder, tmp_path / "out", jobs=1, progress=io.StringIO())
        assert [graded.submission_id for graded in report.graded] == ["submission_1", "submission_2"]
        assert all(graded.result.score == 35 for graded in report.graded)
        assert any("cannot be a submission folder's name" in problem for problem in report.export.problems)
        (tmp_path / "out" / "regrade.json").write_text('{"status": "running", "export": "%s"}' % folder.resolve())


def test_the_number_of_entries_is_bounded_before_they_are_all_read(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_EXPORT_METADATA_ENTRIES", 50)
    phantom = "".join(f"submission_{number}: {{}}\n" for number in range(10, 100_000))
    with pytest.raises(ExportError, match="more than 50 submissions"):
        read_export(export(tmp_path, entry(1) + phantom, (1,)), tmp_path / "unused")
    assert limits.MAX_EXPORT_METADATA_ENTRIES == 50


def test_the_default_entry_bound_takes_a_large_class():
    assert 20_000 <= limits.MAX_EXPORT_METADATA_ENTRIES < 1_000_000


@pytest.mark.parametrize("name, kept", [
    ("s" * 255, True), ("s" * 256, False), ("é" * 127 + "s", True), ("é" * 128, False),
], ids=["255 bytes", "256 bytes", "255 bytes in UTF-8", "256 bytes in UTF-8"])
def test_a_names_length_is_bounded_in_bytes(tmp_path, name, kept):
    read = read_export(export(tmp_path, entry(1) + entry(2).replace("submission_2:", f"{name}:"), (1,)),
                       tmp_path / "unused")
    assert (name in {s.submission_id for s in read.submissions}) is kept
    assert len(read.problems) == (0 if kept else 1)


@pytest.mark.parametrize("entries, refused", [(50, False), (51, True)])
def test_the_entry_bound_at_its_boundary(tmp_path, monkeypatch, entries, refused):
    monkeypatch.setattr(limits, "MAX_EXPORT_METADATA_ENTRIES", 50)
    metadata = entry(1) + "".join(f"submission_{number}: {{}}\n" for number in range(2, entries + 1))
    folder = export(tmp_path, metadata, (1,))
    if refused:
        with pytest.raises(ExportError):
            read_export(folder, tmp_path / "unused")
    else:
        assert len(read_export(folder, tmp_path / "unused").submissions) == 50
