"""HW5's compiled key and helpers that grade through the container's code path."""

from __future__ import annotations

import dataclasses
import functools
import io
import json
import os
import time
from pathlib import Path

from autograder.answers.integer import IntegerAnswer
from autograder.authoring.compile import cached_or_compiled, compile_key
from autograder.grading.key import AnswerKey
from autograder.grading.run import Paths, run
from autograder.grading.rubric import Rubric, load_rubric
from support.paths import HW5

HW5_TEXT = HW5.read_text(encoding="utf-8")
# Gradescope's documented results.json fields (tests/gradescope_results.schema.json).
RESULTS_SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "gradescope_results.schema.json").read_text())


@functools.lru_cache(maxsize=1)
def hw5_rubric() -> Rubric:
    return load_rubric(HW5)


@functools.lru_cache(maxsize=1)
def hw5_key() -> AnswerKey:
    """HW5's key, compiled from the checkout's rubric once per test process (never from a stale cache)."""
    return compile_key(hw5_rubric())


def slow_parse(self, raw):
    """An answer type's parse that takes far longer than any time limit under test."""
    time.sleep(30)


DIES = "the process reading this answer dies"


class DyingInteger(IntegerAnswer):
    """Integer answers, except that the process reading the answer DIES dies at once, as a worker the
    kernel kills would. A class of a module, not a patch: it reaches a regrade's workers with the key,
    whichever way they are started."""

    def parse(self, raw):
        if raw == DIES:
            os._exit(3)
        return super().parse(raw)


def with_dying_integers(key: AnswerKey) -> AnswerKey:
    """The key with its integer parts read by DyingInteger."""
    parts = tuple(dataclasses.replace(part, answer_type=DyingInteger({})) if part.type_name == "integer" else part
                  for part in key.rubric.parts)
    return dataclasses.replace(key, rubric=dataclasses.replace(key.rubric, parts=parts))


def write_variant(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of hw5.yaml with one fragment replaced (and no compiled key beside it)."""
    assert old in HW5_TEXT, old
    path = tmp_path / "hw5.yaml"
    path.write_text(HW5_TEXT.replace(old, new, 1), encoding="utf-8")
    return path


_HW5_KEY = object()


def grade(tmp_path: Path, sample: Path, rubric: Path = HW5, key: AnswerKey | None | object = _HW5_KEY
          ) -> tuple[dict, str]:
    """Grade a sample folder as run_autograder does; the results and the staff log.

    By default with HW5's key; with key=None the rubric and its key are loaded (compiled if
    need be) by run() itself, as the container does."""
    paths = Paths(sample / "submission", sample / "submission_metadata.json", tmp_path / "results" / "results.json")
    log = io.StringIO()
    data = run(rubric, paths, stream=log, key=hw5_key() if key is _HW5_KEY else key, key_loader=cached_or_compiled)
    assert json.loads(paths.results.read_text(encoding="utf-8")) == data
    return data, log.getvalue()
