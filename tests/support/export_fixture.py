"""A real-looking Gradescope "Export Submissions" built from the sample submissions.

Used by tests/test_regrade.py (36 submissions) and bench/regrade.py (10,000).
`build_export(folder, count)` writes folder/submission_metadata.yml, written
the way Ruby's YAML writes it (`:submitters:`, an unquoted
`2025-05-06 10:15:00.000000000 +08:00` for `:created_at:`, a `:results:`
block and a `:history:` the reader must skip), and one folder per submission
holding that sample's files, cycling through the samples. A sample's
submission_metadata.json gives the submitter and the submission time (late
ones, and an extension as the submitter's own `:assignment:` due date);
the others are submitted on time by a made-up student.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from support.paths import SAMPLES as ALL_SAMPLES

SAMPLES = ALL_SAMPLES / "hw5"
ON_TIME = "2025-05-05T20:00:00.000000+08:00"
FIRST_ID = 300000


@dataclass(frozen=True)
class Submitted:
    submission_id: str
    sample: Path                                   # the sample folder whose files it holds
    submitters: tuple[tuple[str, str, str], ...]   # (name, sid, email)
    created_at: str                                # ISO, as the container's metadata has it


def sample_folders() -> list[Path]:
    return sorted(path for path in SAMPLES.iterdir() if (path / "expected.json").is_file())


def build_export(folder: Path, count: int, groups_every: int = 0) -> list[Submitted]:
    """Lay out an export of `count` submissions; every `groups_every`-th one is a group of two."""
    folder.mkdir(parents=True, exist_ok=True)
    samples = sample_folders()
    submitted, entries = [], {}
    for index in range(count):
        sample = samples[index % len(samples)]
        submission_id = f"submission_{FIRST_ID + index}"
        shutil.copytree(sample / "submission", folder / submission_id, symlinks=True)
        metadata_file = sample / "submission_metadata.json"
        metadata = json.loads(metadata_file.read_text(encoding="utf-8")) if metadata_file.exists() else None
        users = metadata["users"] if metadata else [
            {"name": f"Student {index}", "sid": f"{2025000000 + index}", "email": f"student{index}@example.edu",
}]
        if groups_every and index % groups_every == groups_every - 1:
            users = users + [{"name": f"Partner {index}", "sid": f"{2026000000 + index}",
                              "email": f"partner{index}@example.edu"}]
        created_at = metadata["created_at"] if metadata else ON_TIME
        submitted.append(Submitted(submission_id, sample,
                                   tuple((user["name"], user["sid"], user["email"]) for user in users), created_at))
        entries[submission_id] = _entry(users, created_at, metadata)
    text = yaml.safe_dump(entries, sort_keys=False, allow_unicode=True, width=1000)
    # Ruby writes its times unquoted; PyYAML quotes a string that looks like one.
    text = re.sub(r"'(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9} [+-]\d\d:\d\d)'", r"\1", text)
    (folder / "submission_metadata.yml").write_text(text, encoding="utf-8")
    return submitted


def _entry(users: list[dict], created_at: str, metadata: dict | None) -> dict:
    submitters = []
    for user in users:
        submitter = {":name": user["name"], ":sid": user["sid"], ":email": user["email"]}
        own_due = (user.get("assignment") or {}).get("due_date")
        assignment_due = ((metadata or {}).get("assignment") or {}).get("due_date")
        if own_due and assignment_due and own_due != assignment_due:
            submitter[":assignment"] = {":due_date": ruby_time(own_due)}
        submitters.append(submitter)
    return {
        ":submitters": submitters,
        ":created_at": ruby_time(created_at),
        ":score": 0.0,
        ":status": "processed",
        ":results": {"score": 0.0, "tests": [{"name": "Submission check", "score": 0.0, "output": "earlier run"}]},
        ":history": [{":created_at": ruby_time(created_at), ":score": 0.0}],
    }


def ruby_time(iso: str) -> str:
    """"2025-05-06T10:15:00.000000+08:00" (or ...Z) -> "2025-05-06 10:15:00.000000000 +08:00", as Ruby writes it."""
    match = re.fullmatch(r"(\S+)T(\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)", iso)
    date, clock, fraction, zone = match.groups()
    return f"{date} {clock}.{(fraction or '').ljust(9, '0')} {'+00:00' if zone == 'Z' else zone}"
