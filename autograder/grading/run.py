"""One submission, end to end: the path `run_autograder` and every local run take.

`run` always writes a valid results.json. A rubric error or an engine crash
gives the student 0 with a message they can understand; the details (never
the rubric or the key) go to the staff log, which on Gradescope is stdout,
hidden from students. Submission metadata that cannot be used costs the
student nothing: no late penalty, and a note in the staff log. For a rubric
with `draw:` the submitters' e-mails in the metadata choose the variant it
is graded on (grading/variants.py); with none, the base variant.

Time and shutdown: on the main thread, `run` stops grading after
MAX_SECONDS_PER_SUBMISSION (SIGALRM from `signal.setitimer`) and on SIGTERM
(Gradescope, a container or a worker pool shutting the process down). Either
way it writes results saying that grading was stopped, with the place it
stopped at in the staff log; a SIGTERM is then delivered again, so that the
process ends as it would have, with its results written. Once the grades are
computed nothing interrupts writing them: a SIGTERM then waits until they
are on disk. Signals are checked between Python bytecodes, so a single slow
C call (one huge regular-expression match, say) is stopped only when it
returns; the readers' limits keep every such call small. Off the main thread
(or without setitimer) Python cannot deliver signals, so neither is
enforced there: run each submission on a process's main thread, as a
worker pool does, or bound its time from outside.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sys
import threading
import traceback
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Callable, Mapping, Protocol, TextIO

from autograder.base import limits
from autograder.base.fingerprint import engine_fingerprint
from autograder.base.neutralise import terminal
from autograder.grading.decisions import Decisions, apply_decisions, load_decisions
from autograder.grading.results_json import crash_json, results_json, write_json
from autograder.grading.judge import judge_all
from autograder.grading.key import AnswerKey, KeyUnavailable, load_key
from autograder.grading.outcomes import Failure, Outcome
from autograder.grading.late import KnownDue, Lateness, assess_lateness, read_metadata
from autograder.grading.readings import parse_submission
from autograder.grading.rubric import Rubric, RubricError, load_rubric
from autograder.grading.score import GradeResult, score
from autograder.grading.submission import read_submission
from autograder.grading.variants import (
    GradedVariant, SecretError, choose_variant, describe, emails_of, parameter_lines, read_overrides, read_secret,
)

_SAVED = "Your submission is saved; the course staff have been told and will regrade it."
STAFF_ERROR = ("The autograder could not grade this submission because of a problem on the course's side, "
               f"not in your answers. {_SAVED}")
TIME_LIMIT_ERROR = ("Grading was stopped: it took longer than {seconds:g} seconds, the limit for one submission. "
                    f"This is a problem on the course's side, not in your answers. {_SAVED}")
TERMINATED_ERROR = ("Grading was stopped before it finished because the autograder was shut down, "
                    f"not because of your answers. {_SAVED}")


class Log(Protocol):
    """The staff log: one line, and optional detail (a traceback, the results) below it."""

    def __call__(self, line: str, detail: str = "") -> None: ...


@dataclass(frozen=True)
class Paths:
    """Where one submission is read from and its results are written, laid out like /autograder."""

    submission: Path
    metadata: Path
    results: Path

    @classmethod
    def under(cls, root: str | Path) -> Paths:
        """The paths under a folder laid out like /autograder."""
        root = Path(root)
        return cls(root / "submission", root / "submission_metadata.json", root / "results" / "results.json")


def grade_submission(key: AnswerKey, paths: Paths, log: Log, metadata: Mapping | None = None,
                     known_due: KnownDue | None = None, decisions: Decisions = Decisions()) -> GradeResult:
    """Grade with a compiled key and the TA decisions; raises only on engine bugs (callers write crash results).

    `metadata` is Gradescope's submission metadata when the caller holds it; else paths.metadata is read.
    `known_due` is a due date the caller found for the submission (a regrade's), which the late policy uses."""
    rubric = key.rubric
    if metadata is None:
        metadata, note = read_metadata(paths.metadata)
        if note:
            log(f"metadata: {note}")
    graded_key, variant = _variant(key, metadata, log)
    submission = read_submission(paths.submission, rubric.answer_file)
    parsed = parse_submission(submission, rubric)
    verdicts = apply_decisions(judge_all(graded_key, parsed), parsed, rubric, decisions)
    if variant is not None:
        variant = dataclasses.replace(variant, fits=_fits_other_variants(key, variant, parsed, verdicts))
    result = score(rubric, key.engine, submission, parsed, verdicts, _lateness(rubric, log, metadata, known_due),
                   decisions, variant)
    log(f"answer file: {submission.file or '-'}; {submission.problem or 'read'}")
    for part_score in result.parts:
        verdict = part_score.verdict
        decided = f"  TA decision {verdict.decision.decision.number}" if verdict.decision else ""
        log(f"  {verdict.part_id:<24} {verdict.outcome:<10} {verdict.mistake or '':<22} "
            f"{float(part_score.points):g}/{float(part_score.part.points):g}  tried={','.join(verdict.tried) or '-'}"
            f"{decided}")
    log(f"score {float(result.earned):g} x late factor {result.lateness.factor} = {float(result.final):g}")
    return result


def _variant(key: AnswerKey, metadata: Mapping | None, log: Callable[[str], None]
             ) -> tuple[AnswerKey, GradedVariant | None]:
    """The key of the variant the submitters are graded on, and what the results say about it."""
    if key.pool is None:
        return key, None
    rubric = key.rubric
    try:
        secret = read_secret(rubric.path)
    except SecretError as exc:
        raise KeyUnavailable(str(exc)) from None
    overrides = read_overrides(rubric.path, len(key.pool))
    for problem in overrides.problems:
        log(f"overrides: {problem}")
    emails = emails_of(metadata)
    choice = choose_variant(emails, secret, len(key.pool), overrides)
    log(describe(choice, len(emails)))
    graded_key = key.for_variant(choice.index)
    numbers = parameter_lines(graded_key.rubric.parameters, rubric.draw.top_level)
    return graded_key, GradedVariant(choice, key.pool.id, tuple(numbers), {})


def _fits_other_variants(key: AnswerKey, variant: GradedVariant, parsed, verdicts) -> dict[str, tuple[str, ...]]:
    """Part id -> the other variants (or the base) whose correct answer a wrong answer is: a lead for
    the staff (copied numbers), never shown to the student and never changing a score."""
    found = {}
    for verdict in verdicts:
        part = key.rubric.part(verdict.part_id)
        if verdict.outcome is not Outcome.WRONG or part.review:
            continue
        value = parsed.reading(part.id).value
        labels = tuple(label for label, correct in key.pool.correct_answers(key, part.id)
                       if label != variant.choice.label and part.answer_type.same(value, correct))
        if labels:
            found[part.id] = labels
    return found


def _lateness(rubric: Rubric, log: Log, metadata: Mapping | None, known_due: KnownDue | None) -> Lateness:
    """The late policy on Gradescope's metadata; metadata that cannot be used costs no grades."""
    try:
        lateness = assess_lateness(rubric.late_policy, metadata, known_due)
        for note in lateness.staff_notes:
            log(f"late policy: {note}")
        if lateness.due:
            log(f"due {lateness.due} ({lateness.due_source}, from {lateness.due_found_in}); "
                f"submitted {lateness.submitted}")
        return lateness
    except Exception:  # e.g. a date out of range: grade as if there were no metadata, and tell the staff
        log("metadata: could not be used, so no late penalty was applied:", traceback.format_exc())
        return assess_lateness(rubric.late_policy, None)


def run(rubric_path: str | Path, paths: Paths, stream: TextIO = sys.stdout, key: AnswerKey | None = None,
        *, time_limit: float | None = None, metadata: Mapping | None = None, known_due: KnownDue | None = None,
        on_graded: Callable[[GradeResult], None] | None = None,
        key_loader: Callable[[Rubric], AnswerKey] = load_key, decisions: Decisions | None = None) -> dict:
    """Load the rubric, key and TA decisions (unless given), grade, and write results.json whatever happens.

    `key_loader` gets the key of a loaded rubric: by default the compiled key
    beside it (grading never runs the solvers); the CLI passes one that
    compiles a missing key, for a checkout.

    `time_limit` is in seconds, by default limits.MAX_SECONDS_PER_SUBMISSION.
    A class regrade gives `metadata` (Gradescope's, from its export) instead of
    a file to write and read back, `known_due` when it found the student's due
    date (the export has none), the TA decisions it read once (by default the
    decisions file beside the rubric is read; a broken one is a rubric error),
    and takes the free-text answers from the grades handed to `on_graded`
    instead of reading every submission twice. Returns what was written;
    raises only if results.json cannot be written
    (the results are then in the staff log)."""
    def log(line: str, detail: str = "") -> None:
        # Staff read the log in a terminal or on Gradescope's page: a line a file name or an answer could
        # split, colour or reorder would mislead them. Each line is neutralised, detail (a traceback) line by line.
        print("\n".join(terminal(text) for text in (line, *detail.splitlines())), file=stream, flush=True)

    seconds = limits.MAX_SECONDS_PER_SUBMISSION if time_limit is None else time_limit
    max_score: Fraction | None = None
    extra = {"engine": engine_fingerprint()}
    with _Interrupts(seconds) as interrupts:
        try:
            try:
                rubric = key.rubric if key else load_rubric(rubric_path)
                max_score, extra["rubric_sha256"] = rubric.total_points, rubric.sha256
                key = key or key_loader(rubric)
                decisions = decisions if decisions is not None else load_decisions(rubric)
                result = grade_submission(key, paths, log, metadata, known_due, decisions)
                if on_graded is not None:
                    on_graded(result)
            finally:
                interrupts.disarm()  # the grades exist: turning them into results is quick and is not cut short
            data = results_json(result)
        except GradingInterrupted as stop:
            where = "".join(traceback.format_tb(stop.__traceback__))
            if stop.signal_number == signal.SIGTERM:
                log("SIGTERM while grading: wrote results saying grading was stopped, then exiting. It was at:", where)
                data = crash_json(TERMINATED_ERROR, Failure.TERMINATED, max_score, extra)
            else:
                log(f"TIME LIMIT: grading stopped after {seconds:g} s (limits.MAX_SECONDS_PER_SUBMISSION). "
                    "It was at:", where)
                data = crash_json(TIME_LIMIT_ERROR.format(seconds=seconds), Failure.TIME_LIMIT, max_score, extra)
        except (RubricError, KeyUnavailable) as exc:
            log("RUBRIC ERROR (fix the rubric, then rerun the autograder):", str(exc))
            data = crash_json(STAFF_ERROR, Failure.RUBRIC, max_score, extra)
        except Exception:  # an engine bug must still leave the student a valid result
            log("ENGINE ERROR while grading:", traceback.format_exc())
            data = crash_json(STAFF_ERROR, Failure.ENGINE, max_score, extra)
        try:
            write_json(paths.results, data)
        except OSError as exc:
            log(f"COULD NOT WRITE {paths.results}: {exc}", "The results, so that they are not lost:\n"
                + json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False))
            raise
        log(f"wrote {paths.results}")
    return data


class GradingInterrupted(BaseException):
    """The time limit (SIGALRM) or a SIGTERM stopped grading.

    A BaseException, like KeyboardInterrupt, so that no `except Exception`
    on the way catches it and grades on.
    """

    def __init__(self, signal_number: int):
        super().__init__(signal.Signals(signal_number).name)
        self.signal_number = signal_number


class _Interrupts:
    """While grading, SIGALRM (armed for the time limit) and SIGTERM raise GradingInterrupted, once.

    After that, or once disarmed, the alarm is off and a SIGTERM is held
    until the results are written; leaving delivers it again under the
    handler there was before.
    """

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.active = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
        self.terminated = False
        self.previous: dict = {}

    def __enter__(self) -> _Interrupts:
        if self.active:
            self.previous = {number: signal.getsignal(number) for number in (signal.SIGALRM, signal.SIGTERM)}
            signal.signal(signal.SIGALRM, self._interrupt)
            signal.signal(signal.SIGTERM, self._interrupt)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def _interrupt(self, number: int, frame) -> None:
        self.disarm()
        if number == signal.SIGTERM:
            self.terminated = True
        raise GradingInterrupted(number)

    def _hold(self, number: int, frame) -> None:
        self.terminated = True

    def disarm(self) -> None:
        if self.active:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, self._hold)

    def __exit__(self, *exc_info) -> None:
        if not self.active:
            return
        signal.setitimer(signal.ITIMER_REAL, 0)
        for number, handler in self.previous.items():
            # None: a handler not set from Python, which cannot be put back; the default is the safe stand-in.
            signal.signal(number, signal.SIG_DFL if handler is None else handler)
        if self.terminated:
            signal.raise_signal(signal.SIGTERM)


def autograder_root() -> Path:
    """$AUTOGRADER_ROOT, else /autograder."""
    return Path(os.environ.get("AUTOGRADER_ROOT", "/autograder"))
