"""An export laid out exactly like a real Gradescope "Export Submissions", with the container's own results in it.

gradescope.md §6 records what a real export holds; this builds one from the
hw5 samples the way Gradescope would have produced it:

1. each sample is graded as the container grades it (`grading.run.run`, the
   path run_autograder takes) with a `submission_metadata.json` shaped like a
   real capture (§3, §7): the assignment's dates, every user's own
   `assignment` block (an extension where the student has one),
   `previous_submissions` with string scores, `total_points` as a string;
2. the export's `submission_metadata.yml` then holds, per submission folder,
   exactly the fields of a real entry: `:submitters:` (`:sid:` quoted with
   leading zeros, or null), `:created_at:` in UTC with nine fraction digits
   (`2025-05-06 02:15:00.000000000 Z`), `:score:` (the container's),
   `:status:`, `:results:` (the container's results.json as Gradescope keeps
   it: every key present, unset ones empty) and `:history:` (an earlier
   submission with `:submitters: []` and its own results); no due dates;
3. the entries are split over two YAML documents, one submission is a
   group, there is `.DS_Store` junk, and everything sits in
   `assignment_<id>_export/`, zipped.

Beyond the samples' own extension, some students get an extension here
(late samples that were on time by their own date), and Gradescope's due
date can be moved for everyone (`moved_by`), so that a regrade must recover
each student's due date from the results to give the container's scores.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from autograder.grading.key import AnswerKey
from support.paths import SAMPLES as ALL_SAMPLES
from autograder.grading.run import Paths, run

SAMPLES = ALL_SAMPLES / "hw5"
ROOT = "assignment_5501234_export"
RUBRIC_DUE = dt.datetime(2025, 5, 5, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=8)))
ON_TIME = RUBRIC_DUE - dt.timedelta(hours=3, minutes=12, seconds=7, microseconds=123456)
# Late samples whose student had an extension that made them on time.
EXTENDED = {"18-late-1-day-channels-last": 2, "19-late-2-days-same-padding": 3}
GROUP_SAMPLE = "36-yml-in-subfolder"
RESULT_KEYS = ("score", "tests", "output", "extra_data", "visibility", "leaderboard", "output_format",
               "execution_time", "test_name_format", "test_output_format")
TEST_KEYS = ("name", "tags", "score", "number", "output", "status", "max_score", "extra_data", "visibility",
             "name_format", "output_format")


@dataclass(frozen=True)
class ContainerGraded:
    submission_id: str
    sample: str
    submitters: tuple[dict, ...]   # {name, sid, email}
    score: float                   # what the container gave
    due: str                       # the due date the container recorded


def build_real_export(folder: Path, key: AnswerKey, moved_by: dt.timedelta = dt.timedelta(0)) -> list[ContainerGraded]:
    """Grade every sample in a container-like run, then lay out the export under folder/ROOT; returns what was graded."""
    export = folder / ROOT
    export.mkdir(parents=True)
    (export / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    graded, entries = [], {}
    for index, sample in enumerate(sorted(path for path in SAMPLES.iterdir() if (path / "expected.json").is_file())):
        submission_id = f"submission_{217362225 + 7 * index}"
        metadata = _capture(sample, index, moved_by)
        container = folder / "container" / submission_id
        container.mkdir(parents=True)
        (container / "submission_metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
        run(key.rubric.path, Paths(sample / "submission", container / "submission_metadata.json",
                                    container / "results.json"), io.StringIO(), key=key)
        results = json.loads((container / "results.json").read_text(encoding="utf-8"))  # what Gradescope receives
        _copy_files(sample / "submission", export / submission_id)
        people = tuple({"name": user["name"], "sid": user["sid"], "email": user["email"]} for user in metadata["users"])
        graded.append(ContainerGraded(submission_id, sample.name, people, results["score"],
                                      results["extra_data"]["late"]["due"]))
        entries[submission_id] = _entry(people, metadata, results)
    documents = list(entries.items())
    half = len(documents) // 2
    text = _ruby_yaml(dict(documents[:half])) + "---\n" + _ruby_yaml(dict(documents[half:]))
    (export / "submission_metadata.yml").write_text(text, encoding="utf-8")
    return graded


def zip_export(folder: Path, target: Path) -> Path:
    """The export zipped as Gradescope zips it: one wrapping folder."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted((folder / ROOT).rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return target


def _capture(sample: Path, index: int, moved_by: dt.timedelta) -> dict:
    """The container's submission_metadata.json for this sample, shaped like a 2023-2025 capture."""
    file = sample / "submission_metadata.json"
    given = json.loads(file.read_text(encoding="utf-8")) if file.is_file() else {}
    due = RUBRIC_DUE + moved_by
    created = given.get("created_at") or ON_TIME.isoformat(timespec="microseconds")
    users = given.get("users") or [{"email": f"student{index}@example.edu", "id": 9000 + index,
                                    "name": f"Student {index}", "sid": f"{index:08d}"}]
    own_due = due + dt.timedelta(days=EXTENDED.get(sample.name, 0))
    if "assignment" in users[0] and users[0]["assignment"].get("due_date") != given["assignment"]["due_date"]:
        own_due = dt.datetime.fromisoformat(users[0]["assignment"]["due_date"]) + moved_by
    if sample.name == GROUP_SAMPLE:
        users = users + [{"email": "partner@example.edu", "id": 9999, "name": "Partner", "sid": None}]
    for user in users:
        user["assignment"] = {"release_date": "2025-04-21T00:00:00.000000+08:00",
                              "due_date": own_due.isoformat(timespec="microseconds"), "late_due_date": None}
        user.setdefault("sid", "")
    return {
        "id": 217362225 + 7 * index, "created_at": created, "assignment_id": None, "submission_method": "upload",
        "assignment": {"id": 5501234, "course_id": 880011, "title": "HW5", "total_points": "35.0",
                       "group_size": None, "group_submission": sample.name == GROUP_SAMPLE,
                       "release_date": "2025-04-21T00:00:00.000000+08:00",
                       "due_date": due.isoformat(timespec="microseconds"), "late_due_date": None},
        "users": users,
        "previous_submissions": [{"id": 217362200 + index, "submission_time": "2025-05-01T10:00:00.000000+08:00",
                                  "score": "12.0", "autograder_error": False, "results": {"score": 12.0}}],
    }


def _entry(people: tuple[dict, ...], metadata: dict, results: dict) -> dict:
    earlier = dt.datetime.fromisoformat(metadata["previous_submissions"][0]["submission_time"])
    return {
        ":submitters": [{":name": person["name"], ":sid": person["sid"], ":email": person["email"]}
                        for person in people],
        ":created_at": _ruby_time(dt.datetime.fromisoformat(metadata["created_at"])),
        ":score": results["score"],
        ":status": "processed",
        ":results": _as_kept(results),
        ":history": [{":submitters": [], ":created_at": _ruby_time(earlier), ":score": 12.0, ":status": "processed",
                      ":results": _as_kept(results), ":id": metadata["previous_submissions"][0]["id"]}],
    }


def _as_kept(results: dict) -> dict:
    """Results as Gradescope keeps them: every key present, the unset ones null."""
    kept = {name: results.get(name) for name in RESULT_KEYS}
    kept["tests"] = [{name: test.get(name) for name in TEST_KEYS} for test in results["tests"]]
    return kept


def _ruby_time(moment: dt.datetime) -> str:
    """As Ruby writes a UTC time: "2023-12-04 05:26:26.899837000 Z"."""
    utc = moment.astimezone(dt.timezone.utc)
    return f"{utc:%Y-%m-%d %H:%M:%S}.{utc.microsecond:06d}000 Z"


def _ruby_yaml(entries: dict) -> str:
    text = yaml.safe_dump(entries, sort_keys=False, allow_unicode=True, width=10_000)
    # Ruby writes its times unquoted and a null as nothing; PyYAML quotes the one and spells the other.
    text = re.sub(r"'(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9} Z)'", r"\1", text)
    return re.sub(r": null$", ":", text, flags=re.MULTILINE)


def _copy_files(source: Path, target: Path) -> None:
    for path in sorted(source.rglob("*")):
        if path.is_file() and not path.is_symlink():
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(path.read_bytes())
    target.mkdir(parents=True, exist_ok=True)
    (target / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
