"""Different numbers for every student, end to end: 30 students' numbers from `handout --json`, their
answers worked out independently (tests/support/hw5_by_hand.py, numpy, not the reference solvers),
graded by the run_autograder of the zip `build` made; the same answers handed in by another student;
and a regrade of a Gradescope export of all of them, which must agree with the container."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import shutil
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from autograder.authoring.build import build, lay_out_root, unpack
from autograder.authoring.compile import cached_or_compiled
from autograder.cli import main
from autograder.grading.results_json import WrittenResult
from autograder.grading.rubric import load_rubric
from autograder.regrade.job import regrade
from support.export_fixture import ruby_time
from support.grading import grade
from support.hw5_by_hand import answers
from support.paths import REPO, SAMPLES, checkout_env

STUDENTS = [f"student{number:02d}@example.edu" for number in range(30)]
ON_TIME = "2025-05-05T20:00:00.000000+08:00"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """hw5-random with its handout, secret and overrides in a folder of its own, built into a zip (which is
    kept only if every sample of submissions_samples/hw5-random grades as expected in it), the zip unpacked."""
    work = tmp_path_factory.mktemp("course")
    (work / "rubric").mkdir()
    for name in ("hw5-random.yaml", "hw5-random.secret", "hw5-random.overrides.csv", "hw5.md"):
        shutil.copy2(REPO / "rubric" / name, work / "rubric" / name)
    rubric = work / "rubric" / "hw5-random.yaml"
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("AUTOGRADER_VARIANT_SECRET", raising=False)
        report = build(rubric, work / "dist", SAMPLES / "hw5-random")
    assert report.zip_path is not None, report.summary()
    image = work / "image"
    unpack(report.zip_path, image)
    return rubric, report, image


def handout_json(rubric: Path, email: str) -> dict:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["handout", str(rubric), "--email", email, "--json"]) == 0
    return json.loads(out.getvalue())


def submission(folder: Path, email: str, given: dict) -> Path:
    (folder / "submission").mkdir(parents=True)
    (folder / "submission" / "answers.yaml").write_text(yaml.safe_dump(given, sort_keys=False), encoding="utf-8")
    metadata = {"created_at": ON_TIME, "users": [{"email": email, "name": email.split("@")[0], "sid": email[7:9]}]}
    (folder / "submission_metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    return folder


def run_container(image: Path, sample: Path, root: Path) -> dict:
    lay_out_root(image, sample, root)
    env = checkout_env(AUTOGRADER_ROOT=str(root), PYTHONPATH="")
    env.pop("AUTOGRADER_VARIANT_SECRET", None)
    completed = subprocess.run(["bash", str(root / "run_autograder")], cwd=root, env=env, capture_output=True,
                               text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def thirty(course, tmp_path_factory):
    """Each student's numbers, their answers, and the container's results for them."""
    rubric, _, image = course
    work = tmp_path_factory.mktemp("thirty")
    numbers = {email: handout_json(rubric, email) for email in STUDENTS}
    samples = {email: submission(work / "samples" / email, email, answers(numbers[email]["parameters"]))
               for email in STUDENTS}
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = dict(zip(STUDENTS, pool.map(lambda email: run_container(image, samples[email], work / "roots" / email),
                                              STUDENTS)))
    return numbers, samples, results


def test_build_reports_the_pool_it_drew_rejected_and_shipped(course):
    _, report, image = course
    summary = report.summary()
    pool = report.pool_lines[0]
    drawn, rejected, shipped = (int(word) for word in
                                (pool.split("drew ")[1].split()[0], pool.split("rejected ")[1].split(",")[0],
                                 pool.split("shipped ")[1]))
    assert shipped == 64 and drawn == shipped + rejected
    assert "rejected because" in summary and "constraint conv2.kernel != 2 * conv2.pad + 1" in summary
    assert "8 of 8 samples grade as expected in the unpacked zip" in summary
    with zipfile.ZipFile(report.zip_path) as archive:
        names = set(archive.namelist())
    assert {"rubric/hw5-random.yaml", "rubric/hw5-random.key.json", "rubric/hw5-random.secret",
            "rubric/hw5-random.overrides.csv"} <= names
    assert (image / "rubric" / "hw5-random.secret").read_text().strip() == (
        REPO / "rubric" / "hw5-random.secret").read_text().strip()


def test_thirty_students_answering_their_own_numbers_get_full_marks_in_the_container(thirty):
    numbers, _, results = thirty
    assert len({numbers[email]["variant"] for email in STUDENTS}) >= 20  # mostly different numbers
    for email in STUDENTS:
        assert results[email]["score"] == 35, (email, results[email]["tests"])
        assert results[email]["extra_data"]["variant"]["label"] == str(numbers[email]["variant"])
        check = results[email]["tests"][-1]["output"]
        assert f"Your numbers (variant {numbers[email]['variant']})" in check
        assert f"conv1 = {{in_channels: {numbers[email]['parameters']['conv1']['in_channels']}," in check


def test_the_same_answers_handed_in_by_another_student_score_less(course, thirty, tmp_path):
    rubric, _, _ = course
    numbers, samples, _ = thirty
    key = cached_or_compiled(load_rubric(rubric))
    for index, email in enumerate(STUDENTS):
        other = next(o for o in STUDENTS[index + 1:] + STUDENTS[:index] if numbers[o]["variant"] != numbers[email]["variant"])
        copied = submission(tmp_path / email, other, yaml.safe_load((samples[email] / "submission" / "answers.yaml").read_text()))
        results, _ = grade(tmp_path / email, copied, rubric, key)
        assert results["score"] < 35, (email, other)
        fits = [test["extra_data"].get("fits_other_variants") for test in results["tests"][:-1]]
        assert [str(numbers[email]["variant"])] in fits  # recorded for the staff...
        assert not any("variant" in test["output"].lower() for test in results["tests"][:-1])  # ...never shown


def write_export(folder: Path, entries: list[tuple[str, list[str], Path]]) -> None:
    """A Gradescope export: submission_metadata.yml (Ruby-style keys) and a folder of files per submission."""
    metadata = {}
    for submission_id, emails, sample in entries:
        shutil.copytree(sample / "submission", folder / submission_id)
        metadata[submission_id] = {
            ":submitters": [{":name": email.split("@")[0], ":sid": email[7:9], ":email": email} for email in emails],
            ":created_at": ruby_time(ON_TIME), ":score": 0.0, ":status": "processed"}
    (folder / "submission_metadata.yml").write_text(yaml.safe_dump(metadata, sort_keys=False), encoding="utf-8")


def test_a_regrade_of_mixed_variants_agrees_with_the_container(course, thirty, tmp_path):
    rubric, _, image = course
    numbers, samples, results = thirty
    # The thirty as they were, a copy of student00's answers by student01, and a group that lists its members in
    # reverse order (graded on student03's variant, whose answers it hands in).
    entries = [(f"submission_{index}", [email], samples[email]) for index, email in enumerate(STUDENTS)]
    entries += [("submission_copy", [STUDENTS[1]], samples[STUDENTS[0]]),
                ("submission_group", [STUDENTS[4], STUDENTS[3]], samples[STUDENTS[3]])]
    export = tmp_path / "export"
    write_export(export, entries)
    key = cached_or_compiled(load_rubric(rubric))
    report = regrade(key, export, tmp_path / "out", jobs=2, progress=io.StringIO())
    assert not report.failures()
    container = {f"submission_{index}": results[email] for index, email in enumerate(STUDENTS)}
    for submission_id, emails, sample in entries[30:]:
        staged = tmp_path / "staged" / submission_id
        shutil.copytree(sample / "submission", staged / "submission")
        users = [{"email": e, "name": e.split("@")[0], "sid": e[7:9]} for e in emails]
        (staged / "submission_metadata.json").write_text(json.dumps({"created_at": ON_TIME, "users": users}))
        container[submission_id] = run_container(image, staged, tmp_path / "roots" / submission_id)
    for submission_id, _, _ in entries:
        ours = WrittenResult.read(tmp_path / "out" / "results" / submission_id / "results.json")
        theirs = WrittenResult.from_json(container[submission_id])
        assert (ours.score, ours.variant, ours.parts) == (theirs.score, theirs.variant, theirs.parts), submission_id
    assert WrittenResult.from_json(container["submission_copy"]).score < 35
    with open(tmp_path / "out" / "grades.csv", encoding="utf-8") as stream:
        variants = {(row["Submission ID"], row["Email"]): row["Variant"] for row in csv.DictReader(stream)}
    assert {email: variants[(f"submission_{index}", email)] for index, email in enumerate(STUDENTS)} == {
        email: str(numbers[email]["variant"]) for email in STUDENTS}
    group_variant = str(numbers[STUDENTS[3]]["variant"])  # the member whose e-mail sorts first
    assert variants[("submission_group", STUDENTS[4])] == variants[("submission_group", STUDENTS[3])] == group_variant
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert 'id="fairness"' in page and "Per value of conv1.kernel" in page and "permutation test" in page
    other = page[page.index('id="other-variants"'):]
    assert "submission_copy" in other and "graded on those variants" in other


PROBE = """
import json, sys
from autograder.cli import main
status = main(["grade", sys.argv[1], "--root", sys.argv[2]])
print(json.dumps({"status": status, "modules": sorted(sys.modules)}))
"""


def test_grading_on_a_variant_loads_no_heavy_library(course, thirty, tmp_path):
    """Choosing the variant (hmac, csv) and rendering feedback keep the container's path light."""
    _, _, image = course
    _, samples, _ = thirty
    root = tmp_path / "root"
    lay_out_root(image, samples[STUDENTS[0]], root)
    env = checkout_env(PYTHONPATH=str(image))
    env.pop("AUTOGRADER_VARIANT_SECRET", None)
    done = subprocess.run([sys.executable, "-c", PROBE, str(image / "rubric" / "hw5-random.yaml"), str(root)],
                          env=env, capture_output=True, text=True, check=True, cwd=tmp_path)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["status"] == 0
    assert json.loads((root / "results" / "results.json").read_text())["score"] == 35
    loaded = {name.split(".")[0] for name in report["modules"]}
    assert not loaded & {"sympy", "numpy", "matplotlib", "jsonschema", "tqdm", "reference", "fpdf"}
