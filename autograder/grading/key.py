"""Stage 2: Rubric -> AnswerKey. The reference solvers run here, once per rubric.

Each part gets its correct value, and each mistake the values it produces.
A part whose answer uses another part's answer ("@q1a.layer1_output") also
gets formulas: the same solver call with the referenced answers left as
symbols. Grading evaluates those on the student's own earlier answers, which
is error carried forward, without importing sympy.

The computed values can be cached as JSON beside the rubric (see
`write_cache`); a cache is used only when both the rubric's hash and the
engine's fingerprint match, so a stale key is never graded with.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Mapping

from autograder.grading import formula
from autograder.base.atomic import write_text_atomic
from autograder.base.fingerprint import engine_fingerprint
from autograder.grading.rubric import Mistake, Part, Rubric


@dataclass(frozen=True)
class Formula:
    """A solver result as trees over the referenced parts' values.

    `refs` lists (part id, arity): arity None for a number, n for an
    n-tuple whose items are the symbols "part[0]" ... "part[n-1]".
    """

    components: tuple
    scalar: bool
    refs: tuple

    def evaluate(self, answers: Mapping[str, Any]) -> Any | None:
        """The result on these answers, as plain data; None where they don't fit."""
        values: dict[str, Any] = {}
        for part_id, arity in self.refs:
            answer = answers.get(part_id)
            if arity is None:
                if not isinstance(answer, (int, Fraction)):
                    return None
                values[part_id] = answer
            else:
                if not (isinstance(answer, tuple) and len(answer) == arity
                        and all(isinstance(item, (int, Fraction)) for item in answer)):
                    return None
                values.update({f"{part_id}[{i}]": item for i, item in enumerate(answer)})
        try:
            results = [formula.evaluate(tree, values) for tree in self.components]
        except (ZeroDivisionError, OverflowError):
            return None
        plain = [int(r) if r.denominator == 1 else f"{r.numerator}/{r.denominator}" for r in results]
        return plain[0] if self.scalar else plain

    def to_json(self) -> dict:
        return {"components": list(self.components), "scalar": self.scalar, "refs": [list(ref) for ref in self.refs]}

    @classmethod
    def from_json(cls, data: Mapping) -> Formula:
        return cls(tuple(data["components"]), data["scalar"], tuple((ref[0], ref[1]) for ref in data["refs"]))


@dataclass(frozen=True)
class MistakeKey:
    mistake: Mistake
    values: tuple          # answer-type values, computed on the key
    formulas: tuple        # Formula per variant, relative to the student's earlier answers


@dataclass(frozen=True)
class PartKey:
    part: Part
    correct: Any
    ecf: Formula | None
    mistakes: tuple[MistakeKey, ...]


@dataclass(frozen=True)
class AnswerKey:
    rubric: Rubric
    parts: tuple[PartKey, ...]
    engine: str

    def to_json(self) -> dict:
        return {
            "rubric_sha256": self.rubric.sha256,
            "engine": self.engine,
            "parts": {
                key.part.id: {
                    "correct": key.part.answer_type.to_key(key.correct),
                    "ecf": key.ecf.to_json() if key.ecf else None,
                    "mistakes": {
                        m.mistake.id: {
                            "values": [key.part.answer_type.to_key(v) for v in m.values],
                            "formulas": [f.to_json() for f in m.formulas],
                        }
                        for m in key.mistakes
                    },
                }
                for key in self.parts
            },
        }

    @classmethod
    def from_json(cls, rubric: Rubric, data: Mapping) -> AnswerKey:
        parts = []
        for part in rubric.parts:
            entry = data["parts"][part.id]
            from_key = part.answer_type.from_key
            parts.append(PartKey(
                part=part,
                correct=from_key(entry["correct"]),
                ecf=Formula.from_json(entry["ecf"]) if entry["ecf"] else None,
                mistakes=tuple(
                    MistakeKey(
                        mistake=m,
                        values=tuple(from_key(v) for v in entry["mistakes"][m.id]["values"]),
                        formulas=tuple(Formula.from_json(f) for f in entry["mistakes"][m.id]["formulas"]),
                    )
                    for m in part.mistakes
                ),
            ))
        return cls(rubric, tuple(parts), data["engine"])


def cache_path(rubric: Rubric) -> Path:
    return Path(rubric.path).with_suffix(".key.json")


class KeyUnavailable(Exception):
    """The answer key cannot be had: not compiled, or a solver call in the rubric failed (an author's error)."""


class KeyNotCompiled(KeyUnavailable):
    """No current compiled key beside the rubric: `autograder compile` makes one (setup.sh does)."""


def load_key(rubric: Rubric) -> AnswerKey:
    """The key compiled beside the rubric by this engine; KeyNotCompiled if there is none.

    Grading never compiles: that runs the solvers (numpy, sympy), which the
    container's grading path must not import. `authoring.compile` does it."""
    key = cached_key(rubric)
    if key is None:
        raise KeyNotCompiled(f"{cache_path(rubric)} is missing or was compiled from another rubric or engine: "
                             f"run `autograder compile {rubric.path}`")
    return key


def cached_key(rubric: Rubric) -> AnswerKey | None:
    """The key cached beside the rubric, if it was compiled from this rubric by this engine."""
    try:
        data = json.loads(cache_path(rubric).read_text(encoding="utf-8"))
        if data.get("rubric_sha256") == rubric.sha256 and data.get("engine") == engine_fingerprint():
            return AnswerKey.from_json(rubric, data)
    except (OSError, ValueError, KeyError, TypeError):
        pass  # no usable cache: as if there were none
    return None


def write_cache(key: AnswerKey) -> Path:
    """Write the key's JSON atomically, so a reader never sees half a file."""
    target = cache_path(key.rubric)
    write_text_atomic(target, json.dumps(key.to_json(), sort_keys=True, indent=1))
    return target
