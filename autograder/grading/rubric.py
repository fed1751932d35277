"""Stage 1: rubric YAML -> Rubric, a validated, frozen description.

Everything an author can get wrong is caught here, with the file, line,
part and field, before any student is graded. Nothing is computed here:
solver calls are only recorded, compiled later by `authoring.compile.compile_key`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import hashlib
import json
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Mapping, Union

from autograder.answers import ANSWER_TYPES
from autograder.answers.base import AnswerType, BadOptions
from autograder.base.text_enum import TextEnum
from autograder.grading.draw import Draw, parameter_paths, read_draw, unknown_path
from autograder.grading.expressions import ExpressionError, placeholders
from autograder.grading.outcomes import Outcome
from autograder.grading.marked_yaml import YamlSyntaxError, load_with_marks

# The rubric's fields are listed once, in the JSON Schema that editors and `check` validate
# against; the loader takes each element's required and optional fields from it.
SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schema" / "rubric.schema.json"
_ELEMENTS = {  # element -> its object in the schema
    "rubric": "", "defaults": "properties/defaults/additionalProperties", "question": "$defs/question",
    "part": "$defs/part", "answer": "$defs/part/properties/answer", "mistake": "$defs/mistake",
    "variant": "$defs/solver_call", "example": "$defs/example", "late_policy": "$defs/late_policy",
    "draw": "$defs/draw", "draw_value": "$defs/draw_value", "constraint": "$defs/constraint",
}


@functools.lru_cache(maxsize=None)
def schema_fields(element: str) -> tuple[frozenset[str], frozenset[str]]:
    """An element's (required, optional) field names, as the schema lists them."""
    node = _schema()
    for step in filter(None, _ELEMENTS[element].split("/")):
        node = node[step]
    required = frozenset(node.get("required", ()))
    return required, frozenset(node["properties"]) - required


@functools.lru_cache(maxsize=1)
def _schema() -> dict:
    """The rubric schema, read once for all its elements."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))

# What an example may expect besides a named mistake (`mistake: <id>`).
EXAMPLE_VERDICTS = tuple(outcome for outcome in Outcome if outcome is not Outcome.MISTAKE)


class RubricError(Exception):
    """An author's error in a rubric file, located at file:line:column.

    `load_rubric` raises the first error in file order; `errors` holds every
    error the loader found, so `autograder check` can report them all at once.
    """

    def __init__(self, file: str, line: int, column: int, message: str, path: tuple | None = None):
        super().__init__(f"{file}:{line}:{column}: {message}")
        self.file, self.line, self.column, self.message = file, line, column, message
        self.path = path  # the field it is about, e.g. ("questions", 0, "parts", 2, "points"), when it is one
        self.errors: tuple[RubricError, ...] = (self,)
        self.partial: Rubric | None = None  # the parts that did load, for `check` to go on with
        self.rejected: frozenset[str] = frozenset()  # ids of parts left out of `partial` for their errors


class _Skipped(Exception):
    """Raised after an error is recorded, to abandon the element it was found in."""


@dataclass(frozen=True)
class SolverCall:
    """A solver call as written: args may hold "$param.path" and "@part.id" references."""

    solver: str | None
    args: Mapping[str, Any] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)


# How a mistake is reproduced: exactly one of these (the rubric's params/args/solver or
# variants, transform, near_miss, value). The key compiler computes the first and last;
# grading.key.MistakeKey turns any of them into the answers a student's is compared with.

@dataclass(frozen=True)
class SolverVariants:
    """The part's solver call with changed parameters, arguments or solver; any variant is the mistake."""

    calls: tuple[SolverCall, ...]


@dataclass(frozen=True)
class Transform:
    """A generic reading of the right answer, named by its answer type (e.g. channels_last, transpose)."""

    name: str


@dataclass(frozen=True)
class NearMiss:
    """A generic comparison with the right answer counting how far off it is; the credit depends on the count."""

    name: str
    credit_by_count: Mapping[int, Fraction]


@dataclass(frozen=True)
class ReadingNote:
    """A way the student's answer was read that the policy does not settle (a batch axis read off a
    shape), named by its answer type: when it applies, the verdict of the answer as read is kept
    and its credit multiplied by the mistake's."""

    name: str


@dataclass(frozen=True)
class LiteralValue:
    """A value typed into the rubric: choice and text parts only, where no solver computes anything."""

    value: Any


Reproduction = Union[SolverVariants, Transform, NearMiss, ReadingNote, LiteralValue]


@dataclass(frozen=True)
class Mistake:
    """A named mistake (STACK's "answer note"): its stable id for the staff, the label the student
    reads, its credit, feedback and how it is reproduced."""

    id: str
    credit: Fraction                   # a NearMiss's credit depends on the count: see its credit_by_count
    feedback: str
    reproduction: Reproduction
    at: tuple[int, int] = (0, 0)       # line, column of its entry in the rubric
    label: str | None = None           # what the student reads ("forgot the bias"); None: no name is shown


@dataclass(frozen=True)
class Example:
    """An answer the author states the verdict of; `autograder check` grades it."""

    answer: Any                          # as a student would write it
    verdict: Outcome                     # MISTAKE when it names a mistake
    mistake: str | None
    credit: Fraction | None              # the credit it must get, when stated
    given: Mapping[str, Any]             # the student's answers to other parts, by part id
    at: tuple[int, int]                  # line, column in the rubric
    per_variant: bool = False            # answer and given are templates, graded on every variant


@dataclass(frozen=True)
class Part:
    """One graded part of a question: its answer type, points, how its answer is computed and its mistakes."""

    id: str
    number: str
    question_title: str
    title: str
    points: Fraction
    answer_type: AnswerType
    answer: SolverCall | None
    literal_answer: Any
    ecf: bool
    mistakes: tuple[Mistake, ...]
    wrong_feedback: str
    examples: tuple[Example, ...] = ()
    at: tuple[int, int] = (0, 0)         # line, column of its entry in the rubric

    @property
    def type_name(self) -> str:
        """The answer type's name, as the rubric writes it."""
        return self.answer_type.name

    @property
    def review(self) -> bool:
        """Whether a TA reads every answer to this part (free text)."""
        return self.answer_type.needs_review

    def mistake(self, mistake_id: str) -> Mistake:
        """The declared mistake with this id."""
        return next(mistake for mistake in self.mistakes if mistake.id == mistake_id)

    def feedback_templates(self) -> tuple[tuple[tuple[int, int], str, str], ...]:
        """(where, what, text) of each feedback the author wrote for this part: they may name the numbers."""
        return ((self.at, f"part {self.id}: wrong_feedback", self.wrong_feedback),
                *((m.at, f"part {self.id}, mistake {m.id}: feedback", m.feedback) for m in self.mistakes))


@dataclass(frozen=True)
class LatePolicy:
    """The rubric's late policy: the due date and the penalty per started day late."""

    due: dt.datetime
    penalty_per_day: Fraction
    max_days_late: int
    grace_minutes: int
    max_penalty: Fraction
    refused_feedback: str


class PartVisibility(TextEnum):
    """When students see each part's points and feedback (Gradescope's test visibility; never `hidden`,
    which would hide every student's total)."""

    AFTER_DUE_DATE = "after_due_date"      # after the (late) due date
    AFTER_PUBLISHED = "after_published"    # once the staff publish grades
    VISIBLE = "visible"                    # as soon as it is graded


@dataclass(frozen=True)
class Rubric:
    """A whole rubric, validated: its parts in order, parameters, late policy and the file's SHA-256."""

    path: str
    name: str
    title: str
    total_points: Fraction
    answer_file: str
    parameters: Mapping[str, Any]
    parts: tuple[Part, ...]
    late_policy: LatePolicy | None
    sha256: str
    part_visibility: PartVisibility = PartVisibility.AFTER_DUE_DATE
    draw: Draw | None = None             # per-student numbers: None when every student has `parameters`
    handout: str | None = None           # the Markdown text's path, relative to the rubric, when given

    def part(self, part_id: str) -> Part:
        """The part with this id."""
        return next(part for part in self.parts if part.id == part_id)


def load_rubric(path: str | Path) -> Rubric:
    """Read and validate a rubric; raises RubricError (the first in file order, with all of them in `.errors`)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RubricError(str(path), 1, 1, f"cannot read the rubric: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RubricError(str(path), 1, 1, f"the rubric is not UTF-8 text ({exc.reason})") from None
    try:
        data, marks = load_with_marks(text)
    except YamlSyntaxError as exc:
        raise RubricError(str(path), exc.line, exc.column, f"YAML syntax error: {exc}") from None
    loader = _Loader(str(path), marks)
    rubric = loader.attempt(loader.rubric, data, hashlib.sha256(raw).hexdigest())
    if loader.errors:
        errors = sorted(loader.errors, key=lambda error: (error.line, error.column))
        errors[0].errors, errors[0].partial, errors[0].rejected = tuple(errors), rubric, frozenset(loader.rejected)
        raise errors[0]
    return rubric


def parse_credit(value: Any) -> Fraction:
    """A credit is a fraction of the part's points: 0.5, 1, "1/3"."""
    if isinstance(value, bool):
        raise ValueError("a credit is a number, not a boolean")
    if isinstance(value, (int, float)):
        credit = Fraction(value).limit_denominator(1000) if isinstance(value, float) else Fraction(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*\d+\s*/\s*\d+\s*|\s*\d*\.?\d+\s*", value):
        try:
            credit = Fraction(value.replace(" ", ""))
        except ZeroDivisionError:
            raise ValueError(f"a credit cannot divide by zero, got {value!r}") from None
    else:
        raise ValueError(f"a credit is a number or a fraction like 1/3, got {value!r}")
    if not 0 <= credit <= 1:
        raise ValueError(f"a credit is a fraction of the part's points, between 0 and 1, got {value!r}")
    return credit


class _Loader:
    """Builds the Rubric, recording every error: an error abandons only the element it is in."""

    def __init__(self, file: str, marks: Mapping):
        self.file, self.marks = file, marks
        self.errors: list[RubricError] = []
        # Parts that failed to load, by id: what refers to them is not reported again as an unknown part.
        self.attempted: set[str] = set()
        self.rejected: set[str] = set()
        self.part_entries: dict[str, tuple] = {}  # part id -> where its entry is, for errors found later

    def position(self, where: tuple) -> tuple[int, int]:
        path = where
        while path not in self.marks and path:
            path = path[:-1]
        return self.marks.get(path, (1, 1))

    def fail(self, where: tuple, message: str) -> RubricError:
        return RubricError(self.file, *self.position(where), message, where)

    def record(self, where: tuple, message: str) -> None:
        self.errors.append(self.fail(where, message))

    def attempt(self, build, *args):
        """One element's builder; on an error, record it and return None so that loading goes on."""
        try:
            return build(*args)
        except RubricError as exc:
            self.errors.append(exc)
        except _Skipped:
            pass
        return None

    def mapping(self, value: Any, where: tuple, what: str, element: str) -> dict:
        """The element's mapping, once its fields are those the schema lists for it."""
        if not isinstance(value, dict):
            raise self.fail(where, f"{what} must be a mapping, got {_kind(value)}")
        required, optional = schema_fields(element)
        known = required | optional
        unknown = [key for key in value if key not in known]
        for key in unknown:
            self.record(where + (key,), f"{what}: unknown field {key!r}{did_you_mean(str(key), known)}")
        misspelt = {_closest(str(key), known) for key in unknown}
        for key in sorted(required - set(value) - misspelt):
            self.record(where, f"{what}: missing required field {key!r}")
        if unknown or not required <= set(value):
            raise _Skipped
        return value

    def text(self, value: Any, where: tuple, what: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"{what} must be non-empty text")
        return value.strip()

    def points(self, value: Any, where: tuple, what: str) -> Fraction:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise self.fail(where, f"{what} must be a non-negative number, got {value!r}")
        return Fraction(value).limit_denominator(1000)

    def rubric(self, data: Any, sha256: str) -> Rubric:
        top = self.mapping(data, (), "rubric", "rubric")
        parameters = top.get("parameters") or {}
        if not isinstance(parameters, dict):
            self.record(("parameters",), "parameters must be a mapping of names to values")
            parameters = {}
        defaults = self.attempt(self.type_defaults, top.get("defaults") or {}) or {}
        parts: list[Part] = []
        questions = top["questions"]
        if not isinstance(questions, list) or not questions:
            raise self.fail(("questions",), "questions must be a non-empty list")
        for index, question in enumerate(questions):
            parts.extend(self.attempt(self.question, question, ("questions", index), defaults) or [])
        seen: set[str] = set()
        for part in list(parts):
            if part.id in seen:
                self.errors.append(RubricError(self.file, *part.at, f"duplicate part id {part.id!r}"))
                parts.remove(part)
            seen.add(part.id)
        self.rejected = self.attempted - {part.id for part in parts}
        parts = self.without_cycles(parts)
        self.check_givens(parts)
        self.check_templates(parts, parameters)
        draw = self.attempt(read_draw, self, top["draw"], parameters) if "draw" in top else None
        total = self.attempt(self.points, top["total_points"], ("total_points",), "total_points")
        if total is not None and sum(part.points for part in parts) != total and not self.errors:
            self.record(
                ("total_points",),
                f"total_points is {_number(total)} but the parts add up to {_number(sum(p.points for p in parts))}",
            )
        late = top.get("late_policy")
        late_policy = self.attempt(self.late_policy, late) if late is not None else None
        return Rubric(
            path=self.file,
            name=self.text(top["rubric"], ("rubric",), "rubric"),
            title=self.text(top["title"], ("title",), "title"),
            total_points=total,
            answer_file=self.text(top.get("answer_file", "answers"), ("answer_file",), "answer_file"),
            parameters=parameters,
            parts=tuple(parts),
            late_policy=late_policy,
            sha256=sha256,
            part_visibility=self.attempt(self.part_visibility, top.get("part_visibility", PartVisibility.AFTER_DUE_DATE))
            or PartVisibility.AFTER_DUE_DATE,
            draw=draw,
            handout=self.text(top["handout"], ("handout",), "handout") if "handout" in top else None,
        )

    def without_cycles(self, parts: list[Part]) -> list[Part]:
        """The parts whose answers do not refer back to themselves; each cycle is reported once, at
        the reference of its first part (in file order) that closes it."""
        by_id = {part.id: part for part in parts}
        in_cycle: set[str] = set()
        for part in parts:
            if part.id in in_cycle:
                continue
            cycle = _cycle_from(part.id, by_id)
            if cycle is None:
                continue
            in_cycle.update(cycle)
            first_hop = cycle[1] if len(cycle) > 1 else part.id
            argument = next(name for name, value in part.answer.args.items() if first_hop in references(value))
            where = self.part_entries[part.id] + ("answer", "args", argument)
            path = " -> ".join([*cycle, part.id])
            self.record(where, f"part {part.id}: its answer refers back to itself ({path}), so it can never be "
                               "computed: use a parameter ($name) or an earlier part's answer instead")
        self.rejected.update(in_cycle)
        return [part for part in parts if part.id not in in_cycle]

    def part_visibility(self, value: Any) -> PartVisibility:
        if value not in tuple(PartVisibility):
            raise self.fail(("part_visibility",), f"part_visibility must be one of {', '.join(PartVisibility)}, got "
                                                  f"{value!r} (never hidden: that would hide every student's total)")
        return PartVisibility(value)

    def check_givens(self, parts: list[Part]) -> None:
        """An example's `given:` answers must name other parts of this rubric."""
        ids = {part.id for part in parts}
        for part in parts:
            for example in part.examples:
                for part_id in example.given:
                    if part_id in self.rejected:
                        continue  # that part's own error is reported already
                    if part_id not in ids or part_id == part.id:
                        self.errors.append(RubricError(
                            self.file, *example.at,
                            f"part {part.id}: example given: {part_id!r} is not another part's id"
                            + did_you_mean(str(part_id), ids - {part.id}),
                        ))

    def check_templates(self, parts: list[Part], parameters: Mapping) -> None:
        """Feedback, and the examples marked per_variant, may name parameters ({conv1.pad}); each
        placeholder must read and name a parameter, or {answer}, or another part's answer ({@q1a.x}).
        A part with one that does not is left out, as a part with any other error is."""
        known, ids = parameter_paths(parameters), {part.id for part in parts}
        for part in list(parts):
            texts = list(part.feedback_templates())
            for example in part.examples:
                if example.per_variant:
                    texts += [(example.at, f"part {part.id}: example", text)
                              for text in _strings((example.answer, *example.given.values()))]
            for at, what, text in texts:
                try:
                    for placeholder in placeholders(text):
                        problem = (unknown_path(placeholder.expression, parameters, known) if placeholder.expression
                                   else f"no part {placeholder.part!r}{did_you_mean(placeholder.part, ids)}"
                                   if placeholder.part is not None and placeholder.part not in ids else None)
                        if problem:
                            raise ExpressionError(f"{{{placeholder.text}}}: {problem}")
                except ExpressionError as exc:
                    self.errors.append(RubricError(self.file, *at, f"{what}: {exc} (write {{{{ and }}}} for a brace)"))
                    if part in parts:
                        parts.remove(part)

    def type_defaults(self, value: Any) -> dict[str, list]:
        if not isinstance(value, dict):
            raise self.fail(("defaults",), "defaults must map answer types to their default mistakes")
        result = {}
        for type_name, section in value.items():
            where = ("defaults", type_name)
            if type_name not in ANSWER_TYPES:
                raise self.fail(where, f"defaults: unknown answer type {type_name!r}{did_you_mean(str(type_name), ANSWER_TYPES)}")
            section = self.mapping(section, where, f"defaults.{type_name}", "defaults")
            if not isinstance(section["mistakes"], list):
                raise self.fail(where + ("mistakes",), "mistakes must be a list")
            result[type_name] = [(item, where + ("mistakes", i)) for i, item in enumerate(section["mistakes"])]
        return result

    def question(self, value: Any, where: tuple, defaults: Mapping) -> list[Part]:
        question = self.mapping(value, where, "question", "question")
        question_id = _slug(self.text(question["id"], where + ("id",), "question id"))
        number = str(question["number"]).strip()
        title = self.text(question["title"], where + ("title",), "question title")
        if not isinstance(question["parts"], list) or not question["parts"]:
            raise self.fail(where + ("parts",), f"question {question_id}: parts must be a non-empty list")
        parts = [
            self.attempt(self.part, item, where + ("parts", index), question_id, f"{number}.{index + 1}", title, defaults)
            for index, item in enumerate(question["parts"])
        ]
        return [part for part in parts if part is not None]

    def part(self, value: Any, where: tuple, question_id: str, number: str, question_title: str, defaults: Mapping) -> Part:
        named = f"part {question_id}.{value['id']}" if isinstance(value, dict) and isinstance(value.get("id"), str) else "part"
        if named != "part":
            self.attempted.add(f"{question_id}.{_slug(value['id'])}")
        part = self.mapping(value, where, named, "part")
        part_id = f"{question_id}.{_slug(self.text(part['id'], where + ('id',), 'part id'))}"
        what = f"part {part_id}"
        type_name = part["type"]
        if not isinstance(type_name, str) or type_name not in ANSWER_TYPES:
            raise self.fail(where + ("type",), f"{what}: unknown type {type_name!r}{did_you_mean(str(type_name), ANSWER_TYPES)}")
        try:
            answer_type = ANSWER_TYPES[type_name](part.get("options") or {})
        except BadOptions as exc:
            raise self.fail(where + ("options",) + exc.path, f"{what}: {exc}") from None
        answer, literal = self.answer(part["answer"], where + ("answer",), what, answer_type)
        declared = part.get("mistakes") or []
        if not isinstance(declared, list):
            raise self.fail(where + ("mistakes",), f"{what}: mistakes must be a list")
        entries = [(item, where + ("mistakes", i)) for i, item in enumerate(declared)]
        declared_ids = {str(item.get("id")) for item in declared if isinstance(item, dict)}
        entries += [(item, w) for item, w in defaults.get(type_name, [])
                    if not isinstance(item, dict) or str(item.get("id")) not in declared_ids]
        built = [self.attempt(self.mistake, item, w, what, answer_type) for item, w in entries]
        mistakes = tuple(mistake for mistake in built if mistake is not None)
        ids = [mistake.id for mistake in mistakes]
        for mistake_id in sorted(set(ids)):
            if ids.count(mistake_id) > 1:
                self.record(where + ("mistakes",), f"{what}: mistake id {mistake_id!r} is declared twice")
        declared_examples = part.get("examples") or []
        if not isinstance(declared_examples, list):
            raise self.fail(where + ("examples",), f"{what}: examples must be a list")
        # Examples may name a mistake that failed to load: that error is reported already.
        named = ids + [item.get("id") for item, _ in entries if isinstance(item, dict)]
        examples = [
            self.attempt(self.example, item, where + ("examples", index), what, named)
            for index, item in enumerate(declared_examples)
        ]
        ecf = part.get("ecf", True)
        if not isinstance(ecf, bool):
            raise self.fail(where + ("ecf",), f"{what}: ecf must be true or false")
        self.part_entries[part_id] = where
        return Part(
            id=part_id,
            number=number,
            question_title=question_title,
            title=self.text(part["title"], where + ("title",), f"{what}: title"),
            points=self.points(part["points"], where + ("points",), f"{what}: points"),
            answer_type=answer_type,
            answer=answer,
            literal_answer=literal,
            ecf=ecf,
            mistakes=mistakes,
            wrong_feedback=str(part.get("wrong_feedback", "")).strip(),
            examples=tuple(example for example in examples if example is not None),
            at=self.position(where),
        )

    def example(self, value: Any, where: tuple, what: str, mistake_ids: list[str]) -> Example:
        example = self.mapping(value, where, f"{what}: example", "example")
        what = f"{what}, example {where[-1] + 1}"
        if example.get("verdict") == Outcome.MISTAKE:
            if "mistake" in example:
                raise self.fail(where + ("verdict",), f"{what}: mistake: {example['mistake']} says which mistake it is: "
                                "drop verdict: mistake")
            raise self.fail(where + ("verdict",), f"{what}: an example of a mistake names it: write mistake: <id> "
                            "instead of verdict: mistake" + _one_of("this part's mistakes", mistake_ids))
        if ("verdict" in example) == ("mistake" in example):
            raise self.fail(where, f"{what}: give either verdict: ({', '.join(EXAMPLE_VERDICTS)}) or mistake: <id>")
        if "mistake" in example:
            mistake, verdict = example["mistake"], Outcome.MISTAKE
            if mistake not in mistake_ids:
                raise self.fail(where + ("mistake",), f"{what}: this part has no mistake {mistake!r}"
                                + did_you_mean(str(mistake), mistake_ids))
        else:
            mistake, verdict = None, example["verdict"]
            if verdict not in EXAMPLE_VERDICTS:
                raise self.fail(where + ("verdict",), f"{what}: verdict is one of {', '.join(EXAMPLE_VERDICTS)}, got {verdict!r}"
                                + did_you_mean(str(verdict), EXAMPLE_VERDICTS))
            verdict = Outcome(verdict)
        given = example.get("given") or {}
        if not isinstance(given, dict):
            raise self.fail(where + ("given",), f"{what}: given maps other parts' ids to answers")
        return Example(
            answer=example["answer"],
            verdict=verdict,
            mistake=mistake,
            credit=self.credit(example["credit"], where + ("credit",), what) if "credit" in example else None,
            given={str(part_id): answer for part_id, answer in given.items()},
            at=self.position(where),
            per_variant=self.flag(example.get("per_variant", False), where + ("per_variant",), f"{what}: per_variant"),
        )

    def flag(self, value: Any, where: tuple, what: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(where, f"{what} must be true or false")
        return value

    def answer(self, value: Any, where: tuple, what: str, answer_type: AnswerType) -> tuple[SolverCall | None, Any]:
        answer = self.mapping(value, where, f"{what}: answer", "answer")
        if "value" in answer:
            if not answer_type.literal_key:
                raise self.fail(
                    where + ("value",),
                    f"{what}: {_a(answer_type.name)} answer must be computed by a solver (solver: + args:), not typed in",
                )
            if set(answer) != {"value"}:
                raise self.fail(where, f"{what}: answer has either value: or solver:, not both")
            return None, answer["value"]
        if "solver" not in answer:
            raise self.fail(where, f"{what}: answer needs solver: (or value: for choice/text parts)")
        return self.call(answer, where, what), None

    def call(self, value: dict, where: tuple, what: str) -> SolverCall:
        args = value.get("args") or {}
        params = value.get("params") or {}
        for name, item in (("args", args), ("params", params)):
            if not isinstance(item, dict):
                raise self.fail(where + (name,), f"{what}: {name} must be a mapping")
        solver = value.get("solver")
        if solver is not None and not isinstance(solver, str):
            raise self.fail(where + ("solver",), f"{what}: solver must be a solver name")
        return SolverCall(solver=solver, args=args, params=params)

    def mistake(self, value: Any, where: tuple, what: str, answer_type: AnswerType) -> Mistake:
        mistake = self.mapping(value, where, f"{what}: mistake", "mistake")
        mistake_id = self.text(mistake["id"], where + ("id",), f"{what}: mistake id")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", mistake_id):
            raise self.fail(where + ("id",), f"{what}: mistake id {mistake_id!r} must be a lowercase slug like no_bias")
        what = f"{what}, mistake {mistake_id}"
        sources = [key for key in ("transform", "near_miss", "reading", "value", "variants") if key in mistake]
        if any(key in mistake for key in ("params", "args", "solver")):
            sources.append("solver call")
        if len(sources) != 1:
            raise self.fail(
                where, f"{what}: give exactly one way to reproduce it: params/args/solver, variants, transform, near_miss, "
                       "reading or value"
                + (f" (found {', '.join(sources)})" if sources else ""),
            )
        credit = Fraction(0)
        by_count: dict[int, Fraction] = {}
        if "near_miss" in mistake:
            if not isinstance(mistake["near_miss"], str) or mistake["near_miss"] not in answer_type.near_misses:
                raise self.fail(
                    where + ("near_miss",),
                    f"{what}: {answer_type.name} answers have no near miss {mistake['near_miss']!r}"
                    + did_you_mean(str(mistake["near_miss"]), answer_type.near_misses),
                )
            table = mistake.get("credit_by_count")
            if not isinstance(table, dict) or not table or "credit" in mistake:
                raise self.fail(where, f"{what}: a near miss takes credit_by_count (e.g. {{1: 5/6, 2: 2/3}}), not credit")
            for count, item in table.items():
                if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                    raise self.fail(where + ("credit_by_count",), f"{what}: credit_by_count keys are counts 1, 2, ...")
                by_count[count] = self.credit(item, where + ("credit_by_count", count), what)
        else:
            if "credit" not in mistake:
                raise self.fail(where, f"{what}: missing required field 'credit'")
            if "credit_by_count" in mistake:
                raise self.fail(where + ("credit_by_count",), f"{what}: credit_by_count goes with near_miss only")
            credit = self.credit(mistake["credit"], where + ("credit",), what)
        if "transform" in mistake and (not isinstance(mistake["transform"], str)
                                       or mistake["transform"] not in answer_type.transforms):
            raise self.fail(
                where + ("transform",),
                f"{what}: {answer_type.name} answers have no transform {mistake['transform']!r}"
                + did_you_mean(str(mistake["transform"]), answer_type.transforms),
            )
        readings = answer_type.readings
        if "reading" in mistake and (not isinstance(mistake["reading"], str) or mistake["reading"] not in readings):
            raise self.fail(
                where + ("reading",),
                f"{what}: {answer_type.name} answers have no reading {mistake['reading']!r}"
                + did_you_mean(str(mistake["reading"]), readings),
            )
        if "value" in mistake and not answer_type.literal_key:
            raise self.fail(where + ("value",), f"{what}: {_a(answer_type.name)} mistake must be reproduced by a solver, not typed in")
        reproduction: Reproduction
        if "variants" in mistake:
            items = mistake["variants"]
            if not isinstance(items, list) or not items:
                raise self.fail(where + ("variants",), f"{what}: variants must be a non-empty list")
            reproduction = SolverVariants(tuple(
                self.call(self.mapping(item, where + ("variants", i), f"{what}: variant", "variant"),
                          where + ("variants", i), what)
                for i, item in enumerate(items)
            ))
        elif "solver call" in sources:
            reproduction = SolverVariants((self.call(mistake, where, what),))
        elif "transform" in mistake:
            reproduction = Transform(mistake["transform"])
        elif "near_miss" in mistake:
            reproduction = NearMiss(mistake["near_miss"], by_count)
        elif "reading" in mistake:
            reproduction = ReadingNote(mistake["reading"])
        else:
            reproduction = LiteralValue(mistake["value"])
        return Mistake(
            at=self.position(where),
            id=mistake_id,
            credit=credit,
            feedback=self.text(mistake["feedback"], where + ("feedback",), f"{what}: feedback"),
            reproduction=reproduction,
            label=self.text(mistake["label"], where + ("label",), f"{what}: label") if "label" in mistake else None,
        )

    def credit(self, value: Any, where: tuple, what: str) -> Fraction:
        try:
            return parse_credit(value)
        except ValueError as exc:
            raise self.fail(where, f"{what}: {exc}") from None

    def late_policy(self, value: Any) -> LatePolicy:
        where = ("late_policy",)
        late = self.mapping(value, where, "late_policy", "late_policy")
        due = late["due"]
        if isinstance(due, str):
            try:
                due = dt.datetime.fromisoformat(due)
            except ValueError:
                due = None
        if not isinstance(due, dt.datetime) or due.tzinfo is None:
            raise self.fail(where + ("due",), "late_policy.due must be a date-time with its time zone, e.g. 2025-05-05T23:59:00+08:00")
        penalty = self.credit(late["penalty_per_day"], where + ("penalty_per_day",), "late_policy.penalty_per_day")
        max_days = late["max_days_late"]
        grace = late.get("grace_minutes", 0)
        for name, number in (("max_days_late", max_days), ("grace_minutes", grace)):
            if isinstance(number, bool) or not isinstance(number, int) or number < 0:
                raise self.fail(where + (name,), f"late_policy.{name} must be a whole number ≥ 0")
        return LatePolicy(
            due=due,
            penalty_per_day=penalty,
            max_days_late=max_days,
            grace_minutes=grace,
            max_penalty=self.credit(late.get("max_penalty", 1), where + ("max_penalty",), "late_policy.max_penalty"),
            refused_feedback=str(late.get("refused_feedback", "")).strip(),
        )


def references(value: Any) -> set[str]:
    """The part ids that "@part.id" references in a solver call's arguments name."""
    if isinstance(value, str):
        return {value[1:]} if value.startswith("@") else set()
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return set().union(*(references(item) for item in items))


def _cycle_from(start: str, parts: Mapping[str, Part]) -> list[str] | None:
    """The parts on a chain of answer references from `start` back to itself, or None.

    Depth-first with an explicit stack: a long chain of parts must not overflow Python's."""
    def uses(part_id: str) -> list[str]:
        answer = parts[part_id].answer
        return sorted(ref for ref in references(answer.args) if ref in parts) if answer else []

    path, seen = [start], {start}
    pending = [iter(uses(start))]
    while pending:
        step = next(pending[-1], None)
        if step is None:
            pending.pop()
            path.pop()  # stays in `seen`: from it there is no way back to start
            continue
        if step == start:
            return list(path)
        if step not in seen:
            path.append(step)
            seen.add(step)
            pending.append(iter(uses(step)))
    return None


def _strings(value: Any):
    """Every text inside an example's answer (a string, or lists of them)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "_", text.strip().lower()).strip("_")


def _a(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def _one_of(what: str, names) -> str:
    """" (this part's mistakes: a, b)", or "" when there are none."""
    names = [str(name) for name in names if name is not None]
    return f" ({what}: {', '.join(dict.fromkeys(names))})" if names else ""


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", type(None): "nothing"}.get(type(value), type(value).__name__)


def _number(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{float(value):g}"


def _closest(word: str, choices) -> str | None:
    close = difflib.get_close_matches(word, [str(choice) for choice in choices], n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: str, choices) -> str:
    """" (did you mean 'points'?)" when a choice is close to the word, else ""."""
    close = _closest(word, choices)
    return f" (did you mean {close!r}?)" if close else ""
