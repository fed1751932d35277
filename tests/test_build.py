"""`autograder build`: a reproducible zip, kept only when the samples grade as expected with the zip's own code."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from autograder.authoring.build import BuildError, build, grade_samples_in, lay_out_root, unpack, zip_date_time
from autograder.cli import main
from autograder.base.fingerprint import engine_fingerprint
from support.paths import REPO, SAMPLES, checkout_env

HW5_SAMPLES = SAMPLES / "hw5"
# Full credit, late with metadata, and a symlinked answer file: the three ways a root is laid out.
FEW_SAMPLES = ("01-canonical-full-credit", "18-late-1-day-channels-last", "28-symlink-to-rubric")


def copy_samples(folder: Path, names: tuple[str, ...]) -> Path:
    folder.mkdir()
    for name in names:
        shutil.copytree(HW5_SAMPLES / name, folder / name, symlinks=True)
    return folder


def copy_rubric(folder: Path) -> Path:
    """hw5.yaml alone in a folder of its own, so the build's key cache is not written into the checkout."""
    folder.mkdir()
    return Path(shutil.copy2(REPO / "rubric" / "hw5.yaml", folder / "hw5.yaml"))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    work = tmp_path_factory.mktemp("build")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        report = build(copy_rubric(work / "rubric"), work / "dist", copy_samples(work / "samples", FEW_SAMPLES))
    return work, report


def test_the_zip_is_kept_when_every_sample_grades_as_expected(built):
    work, report = built
    assert report.zip_path == work / "dist" / "hw5-autograder.zip"
    assert report.zip_path.stat().st_size == report.size
    assert [outcome.name for outcome in report.outcomes] == sorted(FEW_SAMPLES)
    assert report.failures == ()
    assert [outcome.score for outcome in report.outcomes] == [35, 26.25, 0]
    assert sorted(path.name for path in (work / "dist").iterdir()) == ["hw5-autograder.zip"]


def test_the_zip_holds_the_scripts_code_and_one_rubric_with_its_key(built):
    _, report = built
    sources = {path.relative_to(REPO).as_posix() for package in ("autograder", "reference")
               for path in (REPO / package).rglob("*.py")}
    schemas = {path.relative_to(REPO).as_posix() for path in (REPO / "autograder" / "schema").glob("*.json")}
    expected = {"setup.sh", "run_autograder", "pyproject.toml", "README.md", "rubric/hw5.yaml", "rubric/hw5.key.json"}
    with zipfile.ZipFile(report.zip_path) as archive:
        infos = archive.infolist()
    names = [info.filename for info in infos]
    assert names == sorted(expected | sources | schemas)
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]
    for info in infos:
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.compress_type == zipfile.ZIP_DEFLATED
        assert info.external_attr >> 16 == (0o100755 if info.filename in ("setup.sh", "run_autograder") else 0o100644)


def test_the_zips_key_is_current_for_the_rubric_and_the_code_in_the_zip(built):
    _, report = built
    with zipfile.ZipFile(report.zip_path) as archive:
        rubric = archive.read("rubric/hw5.yaml")
        key = json.loads(archive.read("rubric/hw5.key.json"))
    assert rubric == (REPO / "rubric" / "hw5.yaml").read_bytes()
    assert key["rubric_sha256"] == hashlib.sha256(rubric).hexdigest()
    assert key["engine"] == engine_fingerprint()


def test_the_same_rubric_and_code_give_the_same_bytes(built, tmp_path, monkeypatch):
    work, first = built
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    # Another rubric copy, output folder and sample set: none of them may change the bytes.
    second = build(copy_rubric(tmp_path / "rubric"), tmp_path / "dist", copy_samples(tmp_path / "samples", FEW_SAMPLES[:1]))
    assert second.failures == ()
    assert second.zip_path.read_bytes() == first.zip_path.read_bytes()


def test_source_date_epoch_sets_every_timestamp(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert zip_date_time() == (2023, 11, 14, 22, 13, 20)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert zip_date_time() == (1980, 1, 1, 0, 0, 0)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(BuildError, match="SOURCE_DATE_EPOCH"):
        zip_date_time()


def test_a_sample_that_grades_differently_fails_the_build_and_leaves_no_zip(tmp_path, capsys):
    samples = copy_samples(tmp_path / "samples", FEW_SAMPLES[:1])
    expected_file = samples / FEW_SAMPLES[0] / "expected.json"
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    expected["score"] = 33
    expected["parts"]["q1a.layer1_output"]["points"] = 0
    expected_file.write_text(json.dumps(expected), encoding="utf-8")
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "hw5-autograder.zip").write_bytes(b"an older build")

    status = main(["build", str(copy_rubric(tmp_path / "rubric")), "-o", str(dist), "--samples", str(samples)])

    out = capsys.readouterr().out
    assert status == 1
    assert f"MISMATCH {FEW_SAMPLES[0]}" in out
    assert "score 35.0 != expected 33" in out
    assert "q1a.layer1_output: 2.0 points != expected 0" in out
    assert "0 of 1 samples grade as expected" in out
    assert list(dist.iterdir()) == []


def test_samples_are_graded_with_the_zips_code_not_the_checkouts(built, tmp_path):
    _, report = built
    source = tmp_path / "source"
    unpack(report.zip_path, source)
    # Break the unpacked copy only: if the checkout's code ran instead, this sample would still pass.
    (source / "autograder" / "__main__.py").write_text("raise SystemExit(3)\n", encoding="utf-8")
    [outcome] = grade_samples_in(source, [HW5_SAMPLES / FEW_SAMPLES[0]], engine_fingerprint(), tmp_path / "roots")
    assert outcome.score == 0
    assert outcome.mismatches[0].startswith("no part was graded: ") and "score 0.0 != expected 35" in outcome.details
    assert f"graded by engine None, but the zip's key was compiled by {engine_fingerprint()}" in "\n".join(outcome.mismatches)


def run_unpacked(root: Path, **env: str) -> tuple[dict, str]:
    completed = subprocess.run([str(root / "run_autograder")], cwd=root, capture_output=True, text=True,
                               env=checkout_env(AUTOGRADER_ROOT=str(root), PYTHONPATH="", **env), timeout=60)
    assert completed.returncode == 0, completed.stderr
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8")), completed.stdout


def test_run_autograder_needs_a_choice_among_several_rubrics(built, tmp_path):
    _, report = built
    source = tmp_path / "source"
    unpack(report.zip_path, source)
    shutil.copy2(source / "rubric" / "hw5.yaml", source / "rubric" / "other.yaml")
    root = tmp_path / "autograder"
    lay_out_root(source, HW5_SAMPLES / FEW_SAMPLES[0], root)

    results, log = run_unpacked(root)
    assert results["score"] == 0
    assert [test["name"] for test in results["tests"]] == ["Autograder error"]
    assert "expected exactly one rubric" in log and "found 2 (hw5.yaml other.yaml)" in log
    assert "AUTOGRADER_RUBRIC" in log

    results, _ = run_unpacked(root, AUTOGRADER_RUBRIC=str(source / "rubric" / "hw5.yaml"))
    assert results["score"] == 35


def test_a_build_without_samples_is_refused(tmp_path, monkeypatch, capsys):
    rubric = copy_rubric(tmp_path / "rubric")
    monkeypatch.chdir(tmp_path)
    assert main(["build", str(rubric), "-o", "dist"]) == 1
    assert "no samples folder submissions_samples/hw5" in capsys.readouterr().err
    assert not (tmp_path / "dist" / "hw5-autograder.zip").exists()


@pytest.mark.parametrize("argv, status, shown", [
    (["build", "--help"], 0, "--samples"),
    (["template", "--help"], 0, "--output"),
    (["build"], 2, "the following arguments are required: rubric"),
    (["template"], 2, "the following arguments are required: rubric"),
    (["build", "rubric/hw5.yaml", "--jobs", "0"], 2, "must be at least 1"),
])
def test_usage_of_build_and_template(argv, status, shown, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == status
    assert shown in "".join(capsys.readouterr())
