"""`autograder check`: every problem in a rubric, reported at once, before any student is graded.

The passes, each finding what the one before cannot:
1. the JSON Schema (`schema/rubric.schema.json`, the same file editors use),
   located by the YAML node of each offending field;
2. the rubric loader's own checks (references, options, points adding up);
3. every solver call, each failure named with its part and mistake;
4. the compiled key: mistakes that can never be the verdict (they give the
   correct answer, or another mistake's answer), parts that no answer file
   could answer, correct answers that do not read back as themselves;
5. the rubric's own examples, graded through the real judge;
6. mutations of each correct answer (a sign flipped, an entry changed,
   transposed, a dimension off by one, channels dropped), none of which may
   be graded correct;
7. what depends on the numbers: each mistake's own answer is graded as that
   mistake, near misses can apply, every feedback renders, and no feedback
   holds a parameter's value as a literal number; for a rubric with `draw:`,
   the pool is drawn and every check that depends on the numbers runs on
   every variant (authoring/pool.py);
8. the TA decisions file beside the rubric, if there is one (grading/decisions.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Iterator

from autograder.answers.base import Unreadable
from autograder.base.text_enum import TextEnum
from autograder.grading.decisions import DecisionsError, load_decisions
from autograder.grading.judge import Verdict, judge, judge_all, shown_answer
from autograder.authoring.compile import CompileError, compile_key
from autograder.grading.expressions import ExpressionError, lookup, render
from autograder.grading.key import AnswerKey, PartKey, cached_key
from autograder.grading.outcomes import Outcome
from autograder.grading.readings import Reading, normalise_key, parse_submission
from autograder.grading.rubric import (
    SCHEMA_PATH, NearMiss, Part, Rubric, RubricError, SolverVariants, did_you_mean, load_rubric, references,
)
from autograder.grading.variants import SecretError, read_secret
from autograder.grading.submission import Submission
from autograder.grading.marked_yaml import YamlSyntaxError, load_with_marks



class Severity(TextEnum):
    """How much a problem `check` finds matters."""

    ERROR = "error"        # check fails
    WARNING = "warning"    # worth a look
    NOTE = "note"          # shown with --verbose


ERROR, WARNING, NOTE = Severity.ERROR, Severity.WARNING, Severity.NOTE


@dataclass(frozen=True)
class Problem:
    """One problem in a rubric, located like a compiler's message."""

    file: str
    line: int
    column: int
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.severity}: {self.message}"


@dataclass(frozen=True)
class CheckReport:
    """Every problem `check` found, with what it looked at; `summary()` is what the command prints."""

    file: str
    problems: tuple[Problem, ...]
    rubric: Rubric | None
    examples_graded: int
    mutations_tried: int
    seconds: float = 0.0
    pool_lines: tuple[str, ...] = ()     # for a rubric with draw:, what drawing the pool gave

    def of(self, severity: Severity) -> tuple[Problem, ...]:
        """The problems of one severity."""
        return tuple(problem for problem in self.problems if problem.severity == severity)

    @property
    def ok(self) -> bool:
        """Whether there is no error (warnings and notes do not fail a check)."""
        return not self.of(ERROR)

    @property
    def exit_code(self) -> int:
        """1 when there is an error."""
        return 0 if self.ok else 1

    def summary(self, verbose: bool = False) -> str:
        """Each problem as file:line:col (notes only when verbose), then one line of totals."""
        shown = (ERROR, WARNING, NOTE) if verbose else (ERROR, WARNING)
        lines = [str(problem) for problem in self.problems if problem.severity in shown]
        errors, warnings, notes = (len(self.of(severity)) for severity in (ERROR, WARNING, NOTE))
        rubric = self.rubric
        what = (f"{len(rubric.parts)} parts, {float(rubric.total_points):g} points, "
                f"{sum(len(part.mistakes) for part in rubric.parts)} mistakes, {self.examples_graded} examples "
                f"graded, {self.mutations_tried} mutations tried" if rubric else "not loaded")
        lines.extend(self.pool_lines)
        verdict = "OK" if self.ok else f"{errors} error{'s' * (errors != 1)}"
        lines.append(f"{self.file}: {verdict}, {warnings} warning{'s' * (warnings != 1)}"
                     + (f", {notes} note{'s' * (notes != 1)} (-v shows them)" if notes and not verbose else "")
                     + f" ({what}; {self.seconds:.2f} s)")
        return "\n".join(lines)


def check_rubric(path: str | Path) -> CheckReport:
    """Run every pass on the rubric at `path`; never raises for anything wrong in the rubric."""
    started = time.perf_counter()
    report = _check(path)
    return dataclasses.replace(report, seconds=time.perf_counter() - started)


def _check(path: str | Path) -> CheckReport:
    file = str(path)
    try:
        data, marks = load_with_marks(Path(path).read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, YamlSyntaxError):
        data = marks = None  # the loader reports these with their position
    schema_problems = _schema_problems(file, data, marks) if marks is not None else []
    problems = [problem for _, problem in schema_problems]
    partial, rejected = False, frozenset()
    try:
        rubric = load_rubric(path)
    except RubricError as exc:
        partial, rejected = True, exc.rejected
        # Where the loader and the schema both object to a field, the loader's message (which
        # names the part and mistake) is the one shown.
        loader_fields = {error.path for error in exc.errors if error.path is not None}
        problems = [problem for field, problem in schema_problems if field not in loader_fields]
        problems += [Problem(error.file, error.line, error.column, ERROR, error.message) for error in exc.errors]
        rubric = exc.partial
        if rubric is None:
            return CheckReport(file, _in_order(problems), None, 0, 0)

    compile_errors: list[CompileError] = []
    # A current cache was compiled without errors (compiling stops at the first one), so
    # it stands for this rubric's key and spares importing sympy and running the solvers.
    key = (None if partial else cached_key(rubric)) or compile_key(rubric, compile_errors)
    for error in compile_errors:
        if error.missing_part in rejected:
            continue  # a part that failed to load, whose error is reported already
        part = rubric.part(error.part_id)
        mistake = next((m for m in part.mistakes if m.id == error.mistake_id), None)
        problems.append(Problem(file, *(mistake or part).at, ERROR, str(error)))
    problems += _key_problems(key) + _number_problems(key) + _literal_numbers(rubric)
    example_problems, examples = _example_problems(key)
    mutation_problems, mutations = _mutation_problems(key)
    try:
        load_decisions(rubric)
    except DecisionsError as exc:
        problems += [Problem(error.file, error.line, error.column, ERROR, error.message) for error in exc.errors]
    problems += example_problems + mutation_problems
    pool_lines: tuple[str, ...] = ()
    if rubric.draw is not None and not partial and not any(problem.severity == ERROR for problem in problems):
        pool_lines = _pool(key, problems)
    return CheckReport(file, _in_order(problems), rubric, examples, mutations, pool_lines=pool_lines)


def _pool(key: AnswerKey, problems: list[Problem]) -> tuple[str, ...]:
    """Draw the pool (or take it from a current cache) and say what it gave; a pool that cannot be filled is an error."""
    from autograder.authoring.pool import PoolError, draw_pool, pool_summary  # pool.py runs this module's checks

    rubric = key.rubric
    try:
        pooled = key if key.pool is not None else draw_pool(key, read_secret(rubric.path))
    except (SecretError, PoolError) as exc:
        problems.append(Problem(rubric.path, *rubric.draw.at, ERROR, str(exc)))
        return ()
    return tuple(pool_summary(pooled.pool))


def _in_order(problems: list[Problem]) -> tuple[Problem, ...]:
    return tuple(sorted(set(problems), key=lambda p: (p.line, p.column, p.message)))


# 1. The schema ---------------------------------------------------------------------------------

def _schema_problems(file: str, data: Any, marks: dict) -> list[tuple[tuple, Problem]]:
    """Each schema error as (the path of the field it is about, the problem)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    problems = []
    for error in validator.iter_errors(yaml_as_json(data)):
        where = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = error.schema.get("properties", {})
            for name in error.instance:
                if name not in known:
                    line, column = _position(marks, where + (name,))
                    problems.append((where + (name,), Problem(
                        file, line, column, ERROR, f"{_field(where)}: unknown field {name!r}{did_you_mean(name, known)}")))
            continue
        if error.validator == "required" and _misspelt(error):
            continue  # reported as the misspelt field, with its did-you-mean
        line, column = _position(marks, where)
        problems.append((where, Problem(file, line, column, ERROR, f"{_field(where)}: {_schema_message(error)}")))
    return problems


def _misspelt(error) -> bool:
    missing = error.message.split("'")[1] if "'" in error.message else ""
    return isinstance(error.instance, dict) and any(
        did_you_mean(str(name), [missing]) for name in error.instance if name not in error.schema.get("properties", {}))


def _schema_message(error) -> str:
    if error.validator == "anyOf" and "credit" in json.dumps(error.schema.get("description", "")):
        return f"{error.instance!r} is not a credit: give a number from 0 to 1 or a fraction like 1/3"
    if error.validator == "enum":
        return f"{error.instance!r} is not one of {', '.join(map(str, error.validator_value))}" + did_you_mean(
            str(error.instance), error.validator_value)
    return error.message


def yaml_as_json(value: Any) -> Any:
    """YAML's dates and integer keys as JSON has them, so the schema sees what an editor sees."""
    if isinstance(value, dict):
        return {str(name): yaml_as_json(item) for name, item in value.items()}
    if isinstance(value, list):
        return [yaml_as_json(item) for item in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _position(marks: dict, where: tuple) -> tuple[int, int]:
    path = where
    while path not in marks and path:
        path = path[:-1]
    return marks.get(path, (1, 1))


def _field(where: tuple) -> str:
    return ".".join(str(step) for step in where) or "rubric"


# 4. The compiled key ---------------------------------------------------------------------------

def _key_problems(key: AnswerKey) -> list[Problem]:
    file = key.rubric.path
    problems: list[Problem] = []
    owners: dict[str, list[str]] = {}
    for part in key.rubric.parts:
        owners.setdefault(normalise_key(tuple(part.id.split("."))), []).append(part.id)
    for normalised, part_ids in owners.items():
        for part_id in part_ids[1:] if normalised else part_ids:
            problems.append(Problem(file, *key.rubric.part(part_id).at, ERROR,
                                    f"part {part_id}: no student could answer it: its answer key reads the same as "
                                    f"{', '.join(other for other in part_ids if other != part_id) or 'nothing'}"))
    for part_key in key.parts:
        problems += _unreachable_mistakes(part_key, file)
        problems += _unreadable_correct_answer(part_key, file)
        declared = {example.mistake for example in part_key.part.examples}
        for mistake in part_key.part.mistakes:
            if mistake.id not in declared:
                problems.append(Problem(file, *mistake.at, WARNING,
                                        f"part {part_key.part.id}, mistake {mistake.id}: no example shows it "
                                        "(add one under the part's examples:)"))
    return problems


def answer_problems(key: AnswerKey) -> list[Problem]:
    """The errors the correct answers themselves can have: one that does not read back as itself,
    a mutation of one that is graded correct."""
    problems = [problem for part_key in key.parts for problem in _unreadable_correct_answer(part_key, key.rubric.path)]
    return problems + [problem for problem in _mutation_problems(key)[0] if problem.severity is ERROR]


def _unreachable_mistakes(part_key: PartKey, file: str) -> list[Problem]:
    """Mistakes whose answers are all taken: by the correct answer, or by an earlier or better-paid mistake."""
    part = part_key.part
    answer_type = part.answer_type
    problems = []
    for index, mistake_key in enumerate(part_key.mistakes):
        mistake = mistake_key.mistake
        values = [answer_type.answer_like(value) for value in mistake_key.expected_values(answer_type, part_key.correct)]
        if not values:
            continue
        where = f"part {part.id}, mistake {mistake.id}"
        shown = answer_type.show(values[0])
        if all(answer_type.same(value, part_key.correct) for value in values):
            problems.append(Problem(file, *mistake.at, ERROR,
                                    f"{where}: gives the correct answer ({shown}), so it can never be the verdict"))
            continue
        for other in part_key.mistakes[:index]:
            shared = [v for v in values
                      if any(answer_type.same(v, o) for o in other.expected_values(answer_type, part_key.correct))]
            if not shared:
                continue
            winner = other.mistake if other.mistake.credit >= mistake.credit else mistake
            problems.append(Problem(
                file, *mistake.at, ERROR if other.mistake.credit != mistake.credit or len(shared) == len(values) else WARNING,
                f"{where}: gives the same answer ({answer_type.show(shared[0])}) as mistake {other.mistake.id}, "
                f"with credit {_credit(mistake.credit)} against {_credit(other.mistake.credit)}: "
                f"{winner.id} always wins"
                + (" (the higher credit does)" if other.mistake.credit != mistake.credit else " (the earlier one does)"),
            ))
    return problems


def _unreadable_correct_answer(part_key: PartKey, file: str) -> list[Problem]:
    """The correct answer, written as students are shown it, must read back as itself."""
    part = part_key.part
    if part.review:  # a text part's key is a set of concepts, not something a student writes
        return []
    shown = part.answer_type.show(part_key.correct)
    try:
        same = part.answer_type.same(part.answer_type.parse(shown), part_key.correct)
    except Unreadable as exc:
        same, shown = False, f"{shown} (unreadable: {exc})"
    if same:
        return []
    return [Problem(file, *part.at, ERROR, f"part {part.id}: no student could answer it: the correct answer "
                                           f"written as {shown} does not read back as the correct answer")]


def _credit(value: Fraction) -> str:
    return str(value)  # "1", "1/3": as a rubric writes a credit


# 5. Examples -----------------------------------------------------------------------------------

def grade_example(key: AnswerKey, part_id: str, answer: Any, given: dict) -> Verdict:
    """Grade one answer (with the student's other answers) exactly as a submission's would be."""
    entries = [(tuple(other.split(".")), _as_written(raw)) for other, raw in given.items()]
    entries.append((tuple(part_id.split(".")), _as_written(answer)))
    parsed = parse_submission(Submission(file="example", entries=tuple(entries)), key.rubric)
    return next(verdict for verdict in judge_all(key, parsed) if verdict.part_id == part_id)


def _as_written(value: Any) -> Any:
    """An answer file's scalars reach the readers as text; the rubric's YAML typed them."""
    if isinstance(value, list):
        return [_as_written(item) for item in value]
    if value is None or isinstance(value, str):
        return value
    return str(value).lower() if isinstance(value, bool) else str(value)


def _example_problems(key: AnswerKey, per_variant_only: bool = False) -> tuple[list[Problem], int]:
    problems, graded = [], 0
    compiled = {part_key.part.id for part_key in key.parts}
    for part in key.rubric.parts:
        if part.id not in compiled:
            continue  # its compile error is reported already
        compiled_mistakes = {m.mistake.id for m in key.parts[[p.part.id for p in key.parts].index(part.id)].mistakes}
        for number, example in enumerate(part.examples, start=1):
            if example.mistake and example.mistake not in compiled_mistakes:
                continue  # the mistake's compile error is reported already
            if per_variant_only and not example.per_variant:
                continue
            graded += 1
            answer, given = _example_on(example, key.rubric.parameters)
            verdict = grade_example(key, part.id, answer, given)
            expected = example.mistake or example.verdict
            got = verdict.mistake or verdict.outcome
            wrong_credit = example.credit is not None and verdict.credit != example.credit
            if got == expected and not wrong_credit:
                continue
            detail = f"read as {verdict.read_as}" if verdict.read_as is not None else verdict.feedback
            problems.append(Problem(
                key.rubric.path, *example.at, ERROR,
                f"part {part.id}, example {number} ({_short(answer)}): expected {expected}"
                + (f" with credit {_credit(example.credit)}" if example.credit is not None else "")
                + f", got {got} with credit {_credit(verdict.credit)} ({detail})"
                + (_why_no_ecf(part) if expected == Outcome.ECF and got != Outcome.ECF else ""),
            ))
    return problems, graded


def _why_no_ecf(part: Part) -> str:
    """Why a part can never be graded ecf, when that is why an example expecting it failed."""
    if not part.ecf:
        return ": this part has ecf: false, so no error is carried forward into it (remove that line to allow it)"
    if part.answer is None or not references(part.answer.args):
        return ": this part's answer uses no other part's answer (@part.id), so there is no error to carry forward"
    return ""
def _example_on(example, parameters) -> tuple[Any, dict]:
    """An example's answer and given:, rendered on these numbers when it is written per_variant."""
    if not example.per_variant:
        return example.answer, dict(example.given)

    def rendered(value: Any) -> Any:
        if isinstance(value, list):
            return [rendered(item) for item in value]
        return render(value, parameters) if isinstance(value, str) else value

    return rendered(example.answer), {part_id: rendered(value) for part_id, value in example.given.items()}


def _short(answer: Any) -> str:
    text = " ".join(str(answer).split())
    return text if len(text) <= 40 else text[:39] + "…"


# 6. Mutations of the key -----------------------------------------------------------------------

def _mutation_problems(key: AnswerKey) -> tuple[list[Problem], int]:
    correct = {part_key.part.id: part_key.correct for part_key in key.parts}
    problems, tried = [], 0
    for part_key in key.parts:
        part = part_key.part
        for name, value in _mutations(part_key):
            tried += 1
            verdict = judge(part_key, Reading(part.id, value=value), correct, key)
            if verdict.credit < 1:
                continue
            shown = part.answer_type.show(value)
            if verdict.outcome in (Outcome.CORRECT, Outcome.ECF):
                problems.append(Problem(key.rubric.path, *part.at, ERROR,
                                        f"part {part.id}: the mutation '{name}' ({shown}) is graded {verdict.outcome}"))
            else:
                problems.append(Problem(key.rubric.path, *part.at, NOTE,
                                        f"part {part.id}: the mutation '{name}' ({shown}) gets full credit "
                                        f"as mistake {verdict.mistake}"))
    return problems, tried


def _mutations(part_key: PartKey) -> Iterator[tuple[str, Any]]:
    """The answer type's mutations of the correct value, each value once and none equal to it."""
    answer_type = part_key.part.answer_type
    data = answer_type.to_key(part_key.correct)
    seen = []
    for name, value in answer_type.mutations(part_key.correct):
        if answer_type.to_key(value) == data or value in seen:
            continue  # the mutation left the answer as it was (e.g. a square matrix's symmetric entries)
        seen.append(value)
        yield name, value


# 7. What depends on the numbers ------------------------------------------------------------------

def variant_problems(key: AnswerKey) -> list[Problem]:
    """Every check whose outcome depends on the parameters, on one compiled key (a variant of a pool):
    mistakes that cannot be the verdict, correct answers that do not read back, mistakes graded as
    something else, near misses that cannot apply, feedback that does not render, mutations graded
    correct, and the examples written per_variant."""
    problems = []
    for part_key in key.parts:
        problems += _unreachable_mistakes(part_key, key.rubric.path)
        problems += _unreadable_correct_answer(part_key, key.rubric.path)
    problems += _number_problems(key)
    problems += _mutation_problems(key)[0]
    problems += _example_problems(key, per_variant_only=True)[0]
    return problems


def _number_problems(key: AnswerKey) -> list[Problem]:
    problems = []
    correct = {part_key.part.id: part_key.correct for part_key in key.parts}
    for part_key in key.parts:
        problems += _judged_as_another(part_key, key, correct)
        problems += _near_misses_that_cannot_apply(part_key, key.rubric.path)
        problems += _feedback_that_fails(part_key, key, correct)
    return problems


def _judged_as_another(part_key: PartKey, key: AnswerKey, correct: dict) -> list[Problem]:
    """A mistake's own answer must be graded as that mistake. `_unreachable_mistakes` finds one that
    only ever gives the correct answer or another mistake's; this finds a single `variants:` entry
    that gives the correct answer, and an answer a near miss takes (one entry off the right one is an
    arithmetic slip, with more credit)."""
    part, answer_type = part_key.part, part_key.part.answer_type
    problems = []
    for mistake_key in part_key.mistakes:
        mistake = mistake_key.mistake
        if not isinstance(mistake.reproduction, SolverVariants) or not mistake_key.values:
            continue
        calls = mistake.reproduction.calls
        all_correct = all(answer_type.same(value, part_key.correct) for value in mistake_key.values)
        for number, value in enumerate(mistake_key.values, start=1):
            verdict = judge(part_key, Reading(part.id, value=answer_type.answer_like(value)), correct, key)
            entry = f"variants: entry {number}" if len(calls) > 1 else "its answer"
            shown = answer_type.show(value)
            if verdict.outcome is Outcome.CORRECT and not all_correct:
                problems.append(Problem(key.rubric.path, *mistake.at, ERROR,
                                        f"part {part.id}, mistake {mistake.id}: {entry} gives the correct answer "
                                        f"({shown}), so it never counts as this mistake"))
            elif verdict.mistake is not None and verdict.mistake != mistake.id and _is_near_miss(part_key, verdict.mistake):
                problems.append(Problem(key.rubric.path, *mistake.at, ERROR,
                                        f"part {part.id}, mistake {mistake.id}: {entry} ({shown}) is graded as "
                                        f"{verdict.mistake} with credit {_credit(verdict.credit)}, so it never counts "
                                        "as this mistake"))
    return problems


def _is_near_miss(part_key: PartKey, mistake_id: str) -> bool:
    return any(m.mistake.id == mistake_id and isinstance(m.mistake.reproduction, NearMiss) for m in part_key.mistakes)


def _near_misses_that_cannot_apply(part_key: PartKey, file: str) -> list[Problem]:
    """A near miss that counts more than the answer leaves room for (an arithmetic slip on a 1x1 matrix)."""
    part = part_key.part
    problems = []
    for mistake in part.mistakes:
        if not isinstance(mistake.reproduction, NearMiss):
            continue
        limit = part.answer_type.near_miss_limit(mistake.reproduction.name, part_key.correct)
        too_many = sorted(count for count in mistake.reproduction.credit_by_count if count > limit)
        if too_many:
            problems.append(Problem(
                file, *mistake.at, ERROR,
                f"part {part.id}, mistake {mistake.id}: {mistake.reproduction.name} cannot count "
                f"{', '.join(map(str, too_many))} on the correct answer ({part.answer_type.show(part_key.correct)}): "
                f"at most {limit} can be off while some of it is still right"))
    return problems


def _feedback_that_fails(part_key: PartKey, key: AnswerKey, correct: dict) -> list[Problem]:
    """Every feedback must render on these numbers ({conv1.pad}, {answer}, {@part.id})."""
    part = part_key.part
    shown = {part_id: shown_answer(key.rubric.part(part_id).answer_type, value) for part_id, value in correct.items()}
    problems = []
    for at, what, text in part.feedback_templates():
        try:
            render(text, key.rubric.parameters, lambda: shown[part.id], lambda part_id: shown[part_id])
        except ExpressionError as exc:
            problems.append(Problem(key.rubric.path, *at, ERROR, f"{what}: {exc}"))
    return problems


_NUMBER = re.compile(r"(?<![\w.])\d+(?![\d.]*\w)")


def _literal_numbers(rubric: Rubric) -> list[Problem]:
    """A number in feedback that is a parameter's value goes stale when the numbers change: name the
    parameter ({conv1.pad}). An error when that parameter is drawn per student, else a note; 0 and 1
    are left alone (the +1 of a formula, a 1x1 result), and so is a number written as a placeholder
    ({2}: meant to stay)."""
    drawn = [value.path for value in rubric.draw.values] if rubric.draw else []
    values: dict[int, list[str]] = {}
    for path in _scalar_paths(rubric.parameters):
        value = lookup(rubric.parameters, path)
        if value not in (0, 1):
            values.setdefault(value, []).append(path)
    problems = []
    for part in rubric.parts:
        for at, what, text in part.feedback_templates():
            outside = re.sub(r"\{[^{}]*\}", " ", text.replace("{{", " ").replace("}}", " "))
            outside = re.sub(r"(?<=\d)[x×X](?=\d)", " ", outside)  # 5x5: two numbers
            for number in dict.fromkeys(int(match) for match in _NUMBER.findall(outside)):
                paths = values.get(number, [])
                drawn_paths = [path for path in paths if any(path == d or path.startswith(d + ".") for d in drawn)]
                if not paths:
                    continue
                problems.append(Problem(
                    rubric.path, *at, ERROR if drawn_paths else NOTE,
                    f"{what}: the number {number} is the value of {', '.join(drawn_paths or paths)}"
                    + (", drawn per student" if drawn_paths else "") + f"; write {{{(drawn_paths or paths)[0]}}} "
                    f"(or an expression of it) so that it follows the numbers, or {{{number}}} if it must stay"))
    return problems


def _scalar_paths(parameters: Any, prefix: str = "") -> list[str]:
    """The dotted paths of the whole-number parameters (matrix entries left out: they are data, not settings)."""
    items = parameters.items() if isinstance(parameters, dict) else enumerate(parameters)
    found = []
    for name, value in items:
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            found.append(f"{prefix}{name}")
        elif isinstance(value, dict) or (isinstance(value, list) and not any(isinstance(v, list) for v in value)):
            found.extend(_scalar_paths(value, f"{prefix}{name}."))
    return found
