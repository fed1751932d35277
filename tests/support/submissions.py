"""A submission folder written from a dict of files, and read as the grader reads one."""

from __future__ import annotations

from autograder.grading.submission import Submission, read_submission


def submit(tmp_path, files: dict) -> Submission:
    """Write each file (text or bytes) under tmp_path/submission and read the folder."""
    folder = tmp_path / "submission"
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    folder.mkdir(exist_ok=True)
    return read_submission(folder)
