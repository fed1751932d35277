"""The whole grading path on mutated sample submissions: bytes flipped, keys
dropped, values swapped between parts, files renamed, re-encoded, hostile
files and metadata added. Every results.json must be valid against
Gradescope's fields, grade every part within [0, max], and never be an
engine failure. bench/fuzz.py runs the same mutations by the hundred
thousand; this is the short run CI does.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from hypothesis import example, given
from hypothesis import strategies as st

from autograder.grading.run import Paths, run
from support.hostile import (
    EDIT_KINDS, NAMES, SUBMISSION_DEADLINE_MS, VALUES, Edit, apply_edits, examples, results_problems, samples, write_root,
)
from support.grading import hw5_key

SAMPLES = dict(samples())
EDITS = st.builds(Edit, st.sampled_from(EDIT_KINDS), st.integers(0, 1 << 20), st.integers(0, 1 << 20))


def grade_mutated(name: str, edits: list[Edit]) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="fuzz-") as temporary:
        root = Path(temporary)
        results = write_root(root, apply_edits(SAMPLES[name], edits))
        paths = Paths(root / "submission", root / "submission_metadata.json", results)
        data = run(hw5_key().rubric.path, paths, stream=io.StringIO(), key=hw5_key())
        return results_problems(data, hw5_key().rubric, written=results)


@examples(150, SUBMISSION_DEADLINE_MS)
@given(name=st.sampled_from(sorted(SAMPLES)), edits=st.lists(EDITS, min_size=1, max_size=6))
# Found by this fuzz: a JSON "\ud800" escape made a lone surrogate, which
# could not be written as UTF-8, so run() wrote no results.json at all.
@example(name="03-json-full-credit", edits=[Edit("set_value", 1, VALUES.index(b'"\\ud800"'))])
# Found by this fuzz: a file name that is not UTF-8 became a lone surrogate in the results.
@example(name="01-canonical-full-credit", edits=[Edit("rename", 0, NAMES.index("\udcff.yaml"))])
# Found while fuzzing the metadata: users: 5 and a due date in year 1 made the late policy raise.
@example(name="01-canonical-full-credit", edits=[Edit("metadata", 0, 5)])
@example(name="18-late-1-day-channels-last", edits=[Edit("metadata", 0, 8)])
def test_mutated_submissions_grade_into_valid_results(name, edits):
    assert grade_mutated(name, edits) == []
