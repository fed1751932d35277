"""Stage 2: the compiled AnswerKey, as grading uses it and as it is cached beside the rubric.

Each part has its correct value, and each mistake the values it produces.
A part whose answer uses another part's answer ("@q1a.layer1_output") also
has formulas: the same solver call with the referenced answers left as
symbols. Grading evaluates those on the student's own earlier answers, which
is error carried forward, without importing sympy. The key is compiled
(the solvers run) by authoring/compile.py; grading only reads it.

The key is cached as JSON beside the rubric (see `write_cache`); a cache is
used only when both the rubric's hash and the engine's fingerprint match,
so a stale key is never graded with. A rubric that draws per-student numbers
(`draw:`) has a pool of variants: the key holds each variant's parameters
and key beside the base one, and grading picks one (grading/variants.py);
its cache is used only with the pool's secret (the pool id matches).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Iterator, Mapping

from autograder.grading import formula
from autograder.base.atomic import write_text_atomic
from autograder.base.fingerprint import engine_fingerprint
from autograder.answers.base import AnswerType, Unreadable
from autograder.answers.reading import key_number
from autograder.grading.draw import with_values
from autograder.grading.rubric import (
    LiteralValue, Mistake, NearMiss, Part, ReadingNote, Rubric, SolverVariants, Transform,
)
from autograder.grading.variants import BASE, SecretError, read_secret


@dataclass(frozen=True)
class Formula:
    """A solver result as trees over the referenced parts' values.

    `refs` lists (part id, arity): arity None for a number, n for an
    n-tuple whose items are the symbols "part[0]" ... "part[n-1]".
    """

    components: tuple
    scalar: bool
    refs: tuple

    def evaluate(self, inputs: Mapping[str, Any]) -> Any | None:
        """The result on the earlier parts' formula inputs (AnswerType.formula_input), as plain data;
        None where they don't fit (no input, or one of another arity)."""
        values: dict[str, Any] = {}
        for part_id, arity in self.refs:
            given = inputs.get(part_id)
            if arity is None:
                if given is None or isinstance(given, tuple):
                    return None
                values[part_id] = given
            else:
                if not isinstance(given, tuple) or len(given) != arity:
                    return None
                values.update({f"{part_id}[{i}]": item for i, item in enumerate(given)})
        try:
            results = [formula.evaluate(tree, values) for tree in self.components]
        except (ZeroDivisionError, OverflowError):
            return None
        plain = [key_number(result) for result in results]
        return plain[0] if self.scalar else plain

    def to_json(self) -> dict:
        """Plain JSON data for the key cache."""
        return {"components": list(self.components), "scalar": self.scalar, "refs": [list(ref) for ref in self.refs]}

    @classmethod
    def from_json(cls, data: Mapping) -> Formula:
        """The inverse of to_json."""
        return cls(tuple(data["components"]), data["scalar"], tuple((ref[0], ref[1]) for ref in data["refs"]))


@dataclass(frozen=True)
class MistakeKey:
    """A mistake with what the compiler computed for it: its answers on the key, and its ECF formulas."""

    mistake: Mistake
    values: tuple          # answer-type values, computed on the key (solver variants and literals)
    formulas: tuple        # Formula per solver variant, relative to the student's earlier answers

    def expected_values(self, answer_type: AnswerType, correct: Any, ecf_value: Any = None,
                        inputs: Mapping[str, Any] | None = None) -> Iterator[Any]:
        """The answers this mistake stands for: on the key and, given the formula inputs of the
        student's earlier answers (and the value they carry forward to), relative to those."""
        return (expected for expected, _ in self._readings(answer_type, correct, ecf_value, inputs))

    def _readings(self, answer_type: AnswerType, correct: Any, ecf_value: Any,
                  inputs: Mapping[str, Any] | None) -> Iterator[tuple[Any, Any]]:
        """(an answer this mistake stands for, the value a student writing it is credited as).

        A transform is another way of writing a value (channels last), so its
        answer is credited as the value it was made from; any other mistake is
        a value computed differently, credited as itself."""
        match self.mistake.reproduction:
            case Transform(name):
                transform = answer_type.transforms[name]
                for base in (correct, ecf_value):
                    reading = transform(base) if base is not None else None
                    if reading is not None:
                        yield reading, base
            case NearMiss() | ReadingNote():
                return  # compared by a count, or applied to the verdict: see fit and the judge
            case SolverVariants() | LiteralValue():
                for value in self.values:
                    yield value, value
                for relative in self.formulas:
                    reading = carried_forward(relative, inputs or {}, answer_type)
                    if reading is not None:
                        yield reading, reading

    def fit(self, answer_type: AnswerType, value: Any, correct: Any, ecf_value: Any,
            inputs: Mapping[str, Any]) -> Fit | None:
        """How this mistake accounts for the student's value, or None when the value is not this mistake."""
        if isinstance(self.mistake.reproduction, ReadingNote):
            return None  # not a value: the judge applies it to the verdict of the answer as read
        if isinstance(self.mistake.reproduction, NearMiss):
            near_miss = self.mistake.reproduction
            count = answer_type.near_misses[near_miss.name](value, correct)
            credit = near_miss.credit_by_count.get(count) if count else None
            return Fit(credit, value) if credit is not None else None
        for expected, credited_as in self._readings(answer_type, correct, ecf_value, inputs):
            if answer_type.same(value, expected):
                return Fit(self.mistake.credit, credited_as)
        return None


@dataclass(frozen=True)
class Fit:
    """A mistake that accounts for a student's answer: the credit it gives, and the value the answer counts as.

    Later parts carry forward `credited_as`, not the answer as written: `64x64x8`
    credited as channels_last stands for 8 x 64 x 64, whose channels are 8."""

    credit: Fraction
    credited_as: Any


def carried_forward(relative: Formula | None, inputs: Mapping[str, Any], answer_type: AnswerType) -> Any | None:
    """A formula on the student's own earlier answers (their formula inputs), as a value of this type;
    None if it does not apply."""
    if relative is None:
        return None
    data = relative.evaluate(inputs)
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

    def references(self) -> frozenset[str]:
        """The parts whose answers this part's formulas are evaluated on."""
        formulas = [self.ecf, *(relative for mistake in self.mistakes for relative in mistake.formulas)]
        return frozenset(part_id for relative in formulas if relative is not None for part_id, _ in relative.refs)


@dataclass(frozen=True)
class Rejection:
    """A candidate variant the pool did not take, and every reason why."""

    slot: int                   # the variant it was drawn for
    attempt: int                # the how-many-th candidate of that slot (0 first)
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class VariantPool:
    """The deployed variants of a rubric with `draw:`: each one's parameters and compiled parts, as cached.

    A variant's AnswerKey is built from the cached data when first asked for."""

    secret_id: str                            # Secret.pool_id: which secret drew it (the cache is current only with it)
    values: tuple[tuple[tuple[str, Any], ...], ...]   # each variant's drawn values: (dotted path, value), in order
    parameters: tuple[Mapping[str, Any], ...]          # each variant's parameters: the base's with its values set
    parts: tuple[Mapping[str, Any], ...]      # each variant's "parts" as the key cache holds them
    drawn: int                                # candidates drawn to fill it
    rejected: tuple[Rejection, ...] = ()
    _keys: dict = field(default_factory=dict, compare=False, repr=False)      # index -> AnswerKey, built once
    _correct: dict = field(default_factory=dict, compare=False, repr=False)   # part id -> correct_answers

    def __len__(self) -> int:
        return len(self.parameters)

    @functools.cached_property
    def id(self) -> str:
        """A short name of this very pool (its secret and every variant's numbers), recorded in each result:
        a pool drawn again differently (another secret, or an engine whose checks reject another candidate)
        has another id."""
        content = json.dumps([self.secret_id, [[list(pair) for pair in values] for values in self.values]])
        return hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]

    def key(self, base: AnswerKey, index: int) -> AnswerKey:
        """Variant `index`'s key: the base key's rubric with the variant's parameters."""
        if index not in self._keys:
            rubric = dataclasses.replace(base.rubric, parameters=self.parameters[index])
            key = AnswerKey.from_json(rubric, {"parts": self.parts[index], "engine": base.engine})
            self._keys[index] = dataclasses.replace(key, pool=self, variant=index)
        return self._keys[index]

    def correct_answers(self, base: AnswerKey, part_id: str) -> tuple[tuple[str, Any], ...]:
        """(variant label, correct value) of one part in the base variant and every variant of the pool."""
        if part_id not in self._correct:
            part = base.rubric.part(part_id)
            base_value = next(key.correct for key in base.parts if key.part.id == part_id)
            self._correct[part_id] = ((BASE, base_value), *(
                (str(index), part.answer_type.from_key(parts[part_id]["correct"])) for index, parts in enumerate(self.parts)))
        return self._correct[part_id]

    def to_json(self) -> dict:
        """Plain JSON data for the key cache."""
        return {"secret_id": self.secret_id, "drawn": self.drawn,
                "variants": [{"values": [list(pair) for pair in values], "parts": parts}
                             for values, parts in zip(self.values, self.parts)],
                "rejected": [{"slot": r.slot, "attempt": r.attempt, "reasons": list(r.reasons)} for r in self.rejected]}

    @classmethod
    def from_json(cls, data: Mapping, base: Mapping[str, Any]) -> VariantPool:
        """The inverse of to_json, given the base parameters the drawn values are set in."""
        values = tuple(tuple((path, value) for path, value in v["values"]) for v in data["variants"])
        return cls(data["secret_id"], values, tuple(with_values(base, pairs) for pairs in values),
                   tuple(v["parts"] for v in data["variants"]), data["drawn"],
                   tuple(Rejection(r["slot"], r["attempt"], tuple(r["reasons"])) for r in data["rejected"]))


@dataclass(frozen=True)
class AnswerKey:
    """The compiled key of a whole rubric, with the engine that compiled it.

    For a rubric with `draw:` the base key carries the pool; `for_variant` gives a variant's key."""

    rubric: Rubric
    parts: tuple[PartKey, ...]
    engine: str
    pool: VariantPool | None = None
    variant: int | None = None                # None: the base variant (the rubric's parameters)

    def for_variant(self, index: int | None) -> AnswerKey:
        """The key of variant `index` of the pool (None: the base)."""
        return self if index is None or self.pool is None else self.pool.key(self, index)

    def part_json(self) -> dict:
        """The parts as the key cache holds them."""
        return {
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
        }

    def to_json(self) -> dict:
        """Plain JSON data for the key cache, stamped with the rubric's hash and the engine."""
        data = {"rubric_sha256": self.rubric.sha256, "engine": self.engine, "parts": self.part_json()}
        if self.pool is not None:
            data["pool"] = self.pool.to_json()
        return data

    @classmethod
    def from_json(cls, rubric: Rubric, data: Mapping) -> AnswerKey:
        """The key from its cached JSON, for this rubric (each value read back by its answer type)."""
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
        pool = VariantPool.from_json(data["pool"], rubric.parameters) if "pool" in data else None
        return cls(rubric, tuple(parts), data["engine"], pool)


def cache_path(rubric: Rubric) -> Path:
    """Where a rubric's compiled key is cached: beside it, RUBRIC.key.json."""
    return Path(rubric.path).with_suffix(".key.json")


class KeyUnavailable(Exception):
    """The answer key cannot be had: not compiled, or a solver call in the rubric failed (an author's error)."""


class KeyNotCompiled(KeyUnavailable):
    """No current compiled key beside the rubric: `autograder compile` makes one (setup.sh does)."""


def load_key(rubric: Rubric) -> AnswerKey:
    """The key compiled beside the rubric by this engine; KeyNotCompiled if there is none.

    Grading never compiles: that runs the solvers (numpy, sympy), which the
    container's grading path must not import. `authoring.compile` does it."""
    if rubric.draw is not None:
        try:
            read_secret(rubric.path)
        except SecretError as exc:
            raise KeyUnavailable(str(exc)) from None
    key = cached_key(rubric)
    if key is None:
        raise KeyNotCompiled(f"{cache_path(rubric)} is missing or was compiled from another rubric or engine: "
                             f"run `autograder compile {rubric.path}`")
    return key


def cached_key(rubric: Rubric) -> AnswerKey | None:
    """The key cached beside the rubric, if it was compiled from this rubric by this engine."""
    try:
        data = json.loads(cache_path(rubric).read_text(encoding="utf-8"))
        if (data.get("rubric_sha256") == rubric.sha256 and data.get("engine") == engine_fingerprint()
                and _pool_current(rubric, data.get("pool"))):
            return AnswerKey.from_json(rubric, data)
    except (OSError, ValueError, KeyError, TypeError, SecretError):
        pass  # no usable cache: as if there were none
    return None


def _pool_current(rubric: Rubric, pool: Any) -> bool:
    """Whether a cached pool is the one this rubric and its secret draw (and there is one only with draw:)."""
    if rubric.draw is None:
        return pool is None
    return (isinstance(pool, dict) and len(pool["variants"]) == rubric.draw.pool_size
            and pool["secret_id"] == read_secret(rubric.path).pool_id(rubric.sha256))


def write_cache(key: AnswerKey) -> Path:
    """Write the key's JSON atomically, so a reader never sees half a file."""
    target = cache_path(key.rubric)
    write_text_atomic(target, json.dumps(key.to_json(), sort_keys=True, indent=1))
    return target
