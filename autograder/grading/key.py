"""Stage 2: the compiled AnswerKey, as grading uses it and as it is cached beside the rubric.

Each part has its correct value, and each mistake the values it produces.
A part whose answer uses another part's answer ("@q1a.layer1_output") also
has formulas: the same solver call with the referenced answers left as
symbols. Grading evaluates those on the student's own earlier answers, which
is error carried forward, without importing sympy. The key is compiled
(the solvers run) by authoring/compile.py; grading only reads it.

The key is cached as JSON beside the rubric (see `write_cache`); a cache is
used only when both the rubric's hash and the engine's fingerprint match,
so a stale key is never graded with.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Iterator, Mapping

from autograder.grading import formula
from autograder.base.atomic import write_text_atomic
from autograder.base.fingerprint import engine_fingerprint
from autograder.answers.base import AnswerType, Unreadable
from autograder.grading.rubric import LiteralValue, Mistake, NearMiss, Part, ReadingNote, Rubric, SolverVariants, Transform


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
    """A mistake with what the compiler computed for it: its answers on the key, and its ECF formulas."""

    mistake: Mistake
    values: tuple          # answer-type values, computed on the key (solver variants and literals)
    formulas: tuple        # Formula per solver variant, relative to the student's earlier answers

    def expected_values(self, answer_type: AnswerType, correct: Any, ecf_value: Any = None,
                        answers: Mapping[str, Any] | None = None) -> Iterator[Any]:
        """The answers this mistake stands for: on the key and, given the student's
        earlier answers (and the value they carry forward to), relative to those."""
        match self.mistake.reproduction:
            case Transform(name):
                transform = answer_type.transforms[name]
                for base in (correct, ecf_value):
                    reading = transform(base) if base is not None else None
                    if reading is not None:
                        yield reading
            case NearMiss() | ReadingNote():
                return  # compared by a count, or applied to the verdict: see credit_for and the judge
            case SolverVariants() | LiteralValue():
                yield from self.values
                for relative in self.formulas:
                    reading = carried_forward(relative, answers or {}, answer_type)
                    if reading is not None:
                        yield reading

    def credit_for(self, answer_type: AnswerType, value: Any, correct: Any, ecf_value: Any,
                   answers: Mapping[str, Any]) -> Fraction | None:
        """The credit this mistake gives the student's value, or None when the value is not this mistake."""
        if isinstance(self.mistake.reproduction, ReadingNote):
            return None  # not a value: the judge applies it to the verdict of the answer as read
        if isinstance(self.mistake.reproduction, NearMiss):
            near_miss = self.mistake.reproduction
            count = answer_type.near_misses[near_miss.name](value, correct)
            return near_miss.credit_by_count.get(count) if count else None
        if any(answer_type.same(value, expected) for expected in self.expected_values(answer_type, correct, ecf_value, answers)):
            return self.mistake.credit
        return None


def carried_forward(relative: Formula | None, answers: Mapping[str, Any], answer_type: AnswerType) -> Any | None:
    """A formula on the student's own earlier answers, as a value of this type; None if it does not apply."""
    if relative is None:
        return None
    data = relative.evaluate(answers)
    if data is None:
        return None
    try:
        return answer_type.from_key(data)
    except (Unreadable, ValueError, TypeError):
        return None  # e.g. a negative size from an absurd earlier answer: nothing to carry forward


@dataclass(frozen=True)
class PartKey:
    """One part's compiled key: its correct value, its ECF formula and its mistakes."""

    part: Part
    correct: Any
    ecf: Formula | None
    mistakes: tuple[MistakeKey, ...]


@dataclass(frozen=True)
class AnswerKey:
    """The compiled key of a whole rubric, with the engine that compiled it."""

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
