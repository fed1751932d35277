"""`autograder regrade`: a whole class from Gradescope's export, on every core.

Each submission is graded by `grading.run.run`, the path run_autograder takes,
with the answer key compiled once and handed to each worker process once,
when it starts (nothing is pickled per task); tasks go out in chunks. The
workers are forked by multiprocessing's fork server, never by this process
(see `_pool_context`). A worker writes each results.json (atomically) as soon as it has it, so an
interrupted regrade keeps everything it finished: run the same command
again and a results.json is kept when it is valid JSON graded with the same
rubric (sha256) and the same engine, and any other submission is graded.
A worker that dies is replaced; the chunks it may have been grading are
then graded one submission at a time in a pool of one, so a submission that
kills its worker again is named, given valid results (0, "a problem on the
course's side") and listed, and the batch goes on.

Each submission is held to the due date the staff's --extensions list gives
its student, else the one the container recorded in the results the export
keeps (`known_due`); the export itself has none. A submission late by the
rubric's date with neither is flagged.

The TA decisions beside the rubric (grading/decisions.py) are read once and
applied as the container applies them; with --decisions, a TA's filled-in
review.csv is first recorded in that file (regrade/review_decisions.py).

OUTDIR holds regrade.json (which export and extensions list, and whether
the regrade finished), results/<submission>/ (results.json, and stdout, the
staff log, when grading failed), grades.csv, review.csv, changes.csv,
report.html and, for a zip, export/ (the export unzipped). An OUTDIR holding another or a finished
regrade is never written over without --force.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import io
import json
import multiprocessing
import os
import shutil
import signal
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Sequence, TextIO

from autograder.base.atomic import write_text_atomic
from autograder.base.neutralise import terminal
from autograder.base.text_enum import TextEnum
from autograder.grading.decisions import Decision, Decisions, load_decisions
from autograder.grading.key import AnswerKey
from autograder.grading.late import DueSource, KnownDue
from autograder.grading.outcomes import Failure, Outcome
from autograder.grading.readings import ParsedSubmission, parse_submission
from autograder.grading.results_json import WrittenResult, crash_json, write_json
from autograder.grading.rubric import Rubric
from autograder.grading.run import STAFF_ERROR, Paths, run
from autograder.grading.submission import read_submission
from autograder.regrade.extensions import Extensions, read_extensions
from autograder.regrade.gradescope_export import METADATA_JSON, Export, ExportedSubmission, read_export
from autograder.regrade.graded import Flag, FlagKind, GradedSubmission
from autograder.regrade.review_decisions import Recorded, record_review
from autograder.regrade.tables import RESULTS, flag_text, read_results, write_changes, write_grades, write_review

STATE_FILE = "regrade.json"
UNZIPPED = "export"         # a zip export is extracted here, and kept: each submission's files beside its results
OUTPUTS = ("grades.csv", "review.csv", "changes.csv", "report.html")
LISTED = 20                 # failures and export problems printed in the summary; grades.csv has them all
CHUNKS_PER_WORKER = 8       # enough chunks to keep every worker busy to the end
MAX_CHUNK = 64              # and small enough that an interrupt waits for little


class OutdirError(Exception):
    """OUTDIR or --previous cannot be used as given (a usage error: exit 2)."""


class Interrupted(Exception):
    """Ctrl-C stopped the regrade; what was graded is kept and the same command resumes."""

    def __init__(self, done: int, total: int):
        super().__init__(f"{done} of {total}")
        self.done, self.total = done, total


@dataclass(frozen=True)
class RegradeReport:
    """What a regrade did; `summary()` is what the command prints, `exit_code` what it returns."""

    key: AnswerKey
    outdir: Path
    export: Export
    graded: tuple[GradedSubmission, ...]
    reused: int
    jobs: int
    seconds: float
    rows: Mapping[str, int]        # file name -> rows (grades.csv), groups (review.csv), changed parts (changes.csv)
    extension_problems: tuple[str, ...] = ()  # rows of --extensions that name no submitter
    decisions: Decisions = Decisions()   # the TA decisions graded with
    recorded: Recorded | None = None     # what --decisions recorded

    def decided(self) -> dict[int, int]:
        """Decision number -> answers it set the grade of, in this regrade."""
        counts: Counter = Counter(written.decision for submission in self.graded
                                  for written in submission.result.parts.values() if written.decision is not None)
        return dict(counts)

    def unmatched(self) -> list[Decision]:
        """Decisions no answer of this export is worded as: kept in the file, and listed."""
        used = self.decided()
        return [decision for decision in self.decisions.entries if decision.number not in used]

    exit_code = 0  # the batch ran, even with submissions that could not be graded: they are listed

    def failures(self) -> list[GradedSubmission]:
        """The submissions that could not be read or graded, or that the export damaged."""
        return [submission for submission in self.graded if submission.failed]

    def summary(self) -> str:
        """What was graded, what failed and why, problems with the export, and the files written."""
        count, rubric = len(self.graded), self.key.rubric
        kept = f", {self.reused} kept from the interrupted run" if self.reused else ""
        lines = [f"Regraded {_count(count, 'submission')} from {self.export.source} in {self.seconds:.1f} s with "
                 f"{self.jobs} process{'es' if self.jobs > 1 else ''}: {count - self.reused} graded now{kept}.",
                 f"Rubric {rubric.name} (sha256 {rubric.sha256[:16]}...), engine {self.key.engine}."]
        failures = self.failures()
        if failures:
            lines.append(f"{len(failures)} could not be read or graded, or came with a problem in the export; each has "
                         "valid results and its reason in the Flags column of grades.csv:")
            lines.extend(_listed([f"{_who(submission)}: {_reason(submission)}" for submission in failures]))
        unknown = [submission for submission in self.graded
                   if any(flag.kind is FlagKind.DUE_UNKNOWN for flag in submission.flags)]
        if unknown:
            lines.append(f"{_count(len(unknown), 'submission')} late by the rubric's due date, with no due date of the "
                         "student's own in the export's results or --extensions (penalised by the rubric's date, "
                         f"flagged '{FlagKind.DUE_UNKNOWN}' in grades.csv): check them for extensions:")
            lines.extend(_listed([_who(submission) for submission in unknown]))
        if self.extension_problems:
            lines.append(f"{_count(len(self.extension_problems), 'row')} of the extensions list matched nobody:")
            lines.extend(_listed(self.extension_problems))
        if self.export.problems:
            lines.append(f"{_count(len(self.export.problems), 'problem')} with the export itself:")
            lines.extend(_listed(self.export.problems))
        if self.recorded is not None:
            lines.append(self.recorded.summary())
        if self.decisions.entries:
            decided = self.decided()
            lines.append(f"{_count(len(self.decisions.entries), 'TA decision')} from {self.decisions.path.name} "
                         f"(sha256 {self.decisions.sha256[:16]}...) set the grade of "
                         f"{_count(sum(decided.values()), 'answer')}.")
            unmatched = self.unmatched()
            if unmatched:
                lines.append(f"{_count(len(unmatched), 'decision')} matched no answer in this export (kept in the file):")
                lines.extend(f"  {self.decisions.path.name}:{decision.line}: {decision.part_id} "
                             f"{decision.wordings[0]!r}" for decision in unmatched[:LISTED])
        lines.append(f"Written to {self.outdir}:")
        lines.append(f"  grades.csv    {_count(self.rows['grades.csv'], 'row')}, one per submitter")
        lines.append(f"  review.csv    {_count(self.rows['review.csv'], 'group')} of free-text answers for a TA to read")
        if "changes.csv" in self.rows:
            lines.append(f"  changes.csv   {_count(self.rows['changes.csv'], 'changed part')} of submissions whose "
                         "score changed")
        lines.append("  report.html")
        lines.append(f"  {RESULTS}/<submission>/results.json, as the container writes it")
        # Names, ids and the export's file names reach the staff's terminal: no escape sequence, line break or
        # bidirectional override in them may act there.
        return "\n".join(terminal(line) for line in lines)


def regrade(key: AnswerKey, export: str | Path, outdir: str | Path, *, previous: str | Path | None = None,
            force: bool = False, jobs: int | None = None, progress: TextIO | None = None,
            extensions: str | Path | None = None, decisions: str | Path | None = None) -> RegradeReport:
    """Regrade every submission of `export` into `outdir` and write the tables and the report.

    `extensions` is the staff's list of students' own due dates (extensions.py).
    `decisions` is a review.csv a TA filled in: recorded in the decisions
    file beside the rubric before grading, which applies every decision there.
    Raises ExtensionsError (the list is wrong), DecisionsError (the decisions
    file or the review.csv cannot be used: every error, with its line),
    OutdirError (outdir or previous unusable: a usage error), ExportError (the export cannot be read),
    Interrupted (Ctrl-C: what was graded is kept, and the same call resumes)."""
    started = time.perf_counter()
    export, outdir = Path(export), Path(outdir)
    due_dates = read_extensions(extensions) if extensions is not None else None
    inputs = {"export": str(export.resolve()), "extensions": _digest(due_dates)}
    claim = _claim(outdir, export, inputs, force)
    if previous is not None:
        previous = Path(previous)
        if not (previous / RESULTS).is_dir() or previous.resolve() == outdir.resolve():
            raise OutdirError(f"--previous {previous}: not the OUTDIR of another regrade (it has no {RESULTS}/ folder)")
    recorded = record_review(key.rubric, decisions) if decisions is not None else None
    ta_decisions = load_decisions(key.rubric)
    if claim is Claim.REPLACE:
        _remove_outputs(outdir)
    unzipped = outdir / UNZIPPED
    shutil.rmtree(unzipped, ignore_errors=True)  # what an interrupted run had unzipped, perhaps in part
    outdir.mkdir(parents=True, exist_ok=True)
    jobs = jobs or _cpu_count()
    exported = read_export(export, unzipped)
    _write_state(outdir, inputs, key, "running")
    tasks = [_task(submission, outdir, claim is Claim.RESUME, due_dates) for submission in exported.submissions]
    bar = _Progress(len(tasks), sys.stderr if progress is None else progress)
    try:
        outcomes = _grade_all(key, ta_decisions, tasks, jobs, bar.advance)
    except KeyboardInterrupt:
        raise Interrupted(bar.done, len(tasks)) from None
    finally:
        bar.close()
    # Every result is kept to the end: left out of the collector's scans, the tables and the
    # report take a fraction of the time.
    gc.freeze()
    try:
        graded = tuple(sorted((_graded(submission, outcomes[submission.submission_id])
                               for submission in exported.submissions), key=lambda graded: graded.submission_id))
        rows = {"grades.csv": write_grades(outdir / "grades.csv", key.rubric, graded),
                "review.csv": write_review(outdir / "review.csv", key.rubric, graded, ta_decisions)}
        if previous is not None:
            rows["changes.csv"] = write_changes(outdir / "changes.csv", key.rubric, read_results(previous), graded)
        from autograder.regrade.report_page import write_report  # matplotlib: only now, after the workers are gone

        write_report(key, graded, outdir / "report.html")
    finally:
        gc.unfreeze()
    _write_state(outdir, inputs, key, "finished")
    reused = sum(outcome.reused for outcome in outcomes.values())
    unmatched = tuple(due_dates.unmatched(person for submission in exported.submissions
                                          for person in submission.submitters)) if due_dates else ()
    return RegradeReport(key, outdir, exported, graded, reused, jobs, time.perf_counter() - started, rows,
                         extension_problems=unmatched, decisions=ta_decisions, recorded=recorded)


def _digest(due_dates: Extensions | None) -> str | None:
    """What a resumed regrade must have been given too: the extensions list's rows (None without one)."""
    if due_dates is None:
        return None
    rows = sorted((row.email, row.sid, row.due.isoformat()) for row in due_dates.rows)
    return hashlib.sha256(json.dumps(rows).encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- OUTDIR

class Claim(TextEnum):
    """How a regrade takes OUTDIR."""

    FRESH = "fresh"          # a new or empty folder
    RESUME = "resume"        # an unfinished regrade of this export: keep what it finished
    REPLACE = "replace"      # --force over an earlier regrade (or a folder holding other files)


def _claim(outdir: Path, export: Path, inputs: Mapping[str, str | None], force: bool) -> Claim:
    if outdir.exists() and not outdir.is_dir():
        raise OutdirError(f"{outdir} is a file, not a folder")
    if export.is_dir() and outdir.resolve().is_relative_to(export.resolve()):
        raise OutdirError(f"{outdir} is inside the export {export}; give a folder outside it")
    if any(export.resolve().is_relative_to((outdir / name).resolve()) for name in (RESULTS, UNZIPPED)):
        raise OutdirError(f"the export {export} is inside {outdir}/{RESULTS} or {outdir}/{UNZIPPED}, which a "
                          "regrade replaces; move it")
    state = _read_state(outdir)
    if state is None:
        if outdir.is_dir() and any(outdir.iterdir()) and not force:
            raise OutdirError(f"{outdir} is not empty and holds no regrade; give a new or empty folder, "
                              "or --force to write into it")
        return Claim.REPLACE if force else Claim.FRESH
    same_inputs = all(state.get(name) == value for name, value in inputs.items())
    if state.get("status") == "running" and same_inputs and not force:
        return Claim.RESUME
    if state.get("status") == "running" and state.get("export") == inputs["export"] and not force:
        raise OutdirError(f"{outdir} holds an unfinished regrade of this export with another extensions list; "
                          "give the same --extensions to resume it, or --force to start again")
    if not force:
        what = "a finished" if state.get("status") == "finished" else "an unfinished"
        raise OutdirError(f"{outdir} already holds {what} regrade of {state.get('export', 'another export')}; "
                          f"pass --force to replace it, or give another -o folder")
    return Claim.REPLACE


def _read_state(outdir: Path) -> dict | None:
    try:
        state = json.loads((outdir / STATE_FILE).read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _write_state(outdir: Path, inputs: Mapping[str, str | None], key: AnswerKey, status: str) -> None:
    state = {**inputs, "rubric": str(key.rubric.path), "rubric_sha256": key.rubric.sha256,
             "engine": key.engine, "status": status}
    write_text_atomic(outdir / STATE_FILE, json.dumps(state, indent=2) + "\n")


def _remove_outputs(outdir: Path) -> None:
    for folder in (RESULTS, UNZIPPED):
        if (outdir / folder).is_dir():
            shutil.rmtree(outdir / folder)
    for name in (*OUTPUTS, STATE_FILE):
        (outdir / name).unlink(missing_ok=True)


def _cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# ---------------------------------------------------------------- one submission, in a worker

@dataclass(frozen=True)
class _Task:
    submission_id: str
    files: Path
    results_dir: Path
    metadata: Mapping | None        # submission_metadata.json's content, from the export's YAML
    metadata_file: Path | None      # or the export's own submission_metadata.json
    reuse: bool                     # an unfinished regrade of this export: keep what it finished
    known_due: KnownDue | None      # the student's due date, when the regrade found it (the export has none)


@dataclass(frozen=True)
class _Graded:
    submission_id: str
    result: WrittenResult
    review_texts: dict
    reused: bool


def _task(submission: ExportedSubmission, outdir: Path, reuse: bool, due_dates: Extensions | None) -> _Task:
    return _Task(submission.submission_id, submission.files, outdir / RESULTS / submission.submission_id,
                 submission.metadata, submission.metadata_file, reuse, known_due(submission, due_dates))


def known_due(submission: ExportedSubmission, due_dates: Extensions | None) -> KnownDue | None:
    """The due date the regrade holds a submission to, when it knows one: the staff's list, else the one the
    container recorded, if it was Gradescope's (a rubric's due date recorded earlier gives way to the rubric's now)."""
    listed = due_dates.due_of(submission.submitters) if due_dates else None
    recorded = submission.recorded_due
    return listed or (recorded if recorded is not None and recorded.source is not DueSource.RUBRIC else None)


_KEY: AnswerKey | None = None
_DECISIONS: Decisions = Decisions()
_REVIEW_RUBRIC: Rubric | None = None  # the rubric's free-text parts only: what review.csv needs read again
_REVIEW_PARTS: frozenset[str] = frozenset()


def _use_key(key: AnswerKey, decisions: Decisions) -> None:
    global _KEY, _DECISIONS, _REVIEW_RUBRIC, _REVIEW_PARTS
    review_parts = tuple(part for part in key.rubric.parts if part.review)
    _KEY, _DECISIONS = key, decisions
    _REVIEW_RUBRIC = dataclasses.replace(key.rubric, parts=review_parts) if review_parts else None
    _REVIEW_PARTS = frozenset(part.id for part in review_parts)


def _start_worker(key: AnswerKey, decisions: Decisions) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent, which stops the pool
    _use_key(key, decisions)
    # Grading makes cyclic garbage, so the collector runs, but what every task keeps (the key, every
    # module) is left out of it: scanning that would only take time and, by touching the pages the
    # fork server shares, copy them.
    gc.freeze()
    gc.enable()


def _grade_chunk(tasks: Sequence[_Task]) -> list[_Graded]:
    return [_grade_task(task) for task in tasks]


def _grade_task(task: _Task) -> _Graded:
    key = _KEY
    results_path = task.results_dir / "results.json"
    result = _reusable(results_path, key, _DECISIONS) if task.reuse else None
    if result is not None:
        return _Graded(task.submission_id, result, _review_texts(task.files), True)
    # A submission without metadata of its own is graded as the container grades one with none.
    metadata_path = task.metadata_file or task.results_dir / METADATA_JSON
    log, graded = io.StringIO(), []
    result = WrittenResult.from_json(run(key.rubric.path, Paths(task.files, metadata_path, results_path), stream=log,
                                         key=key, metadata=task.metadata, known_due=task.known_due,
                                         on_graded=graded.append, decisions=_DECISIONS))
    if result.failure is not None:
        write_text_atomic(task.results_dir / "stdout", log.getvalue())
    return _Graded(task.submission_id, result, _free_texts(graded[0].parsed) if graded else {}, False)


def _reusable(results_path: Path, key: AnswerKey, decisions: Decisions) -> WrittenResult | None:
    """The results.json an interrupted run wrote, if it is valid and graded with this rubric, engine and decisions.

    Results saying grading failed (stopped by the shutdown, a worker that died, ...) are graded again."""
    result = WrittenResult.read(results_path)
    if (result is not None and result.rubric_sha256 == key.rubric.sha256 and result.engine == key.engine
            and result.decisions_sha256 == decisions.sha256 and result.failure is None
            and result.pool == (key.pool.id if key.pool else None)):
        return result
    return None


def _review_texts(files: Path) -> dict[str, str]:
    """The free text of a submission graded earlier, read again: its results.json says how it was judged, not what it says."""
    rubric = _REVIEW_RUBRIC
    return _free_texts(parse_submission(read_submission(files, rubric.answer_file), rubric)) if rubric else {}


def _free_texts(parsed: ParsedSubmission) -> dict[str, str]:
    rubric = _REVIEW_RUBRIC
    if rubric is None:
        return {}
    return {part.id: part.answer_type.review_text(reading.value) for part in rubric.parts
            for reading in [parsed.reading(part.id)] if reading.read}


# ---------------------------------------------------------------- the pool

def _pool_context():
    """The workers' start method: the fork server, with the grading code imported in it once.

    A worker forked from this process would copy it in the middle of whatever
    its other threads are doing, holding locks no thread of the copy will ever
    release: this process may have threads it did not start (tqdm's monitor on
    a terminal, the BLAS pool of a key compiled here, the exiting threads of a
    pool a dead worker broke), and Python 3.12 warns of exactly that. The fork
    server is a process of its own with one thread; each worker is a fork of
    it, started in milliseconds with every module loaded, and receives the key
    once (`_start_worker`). Where there is no fork server (Windows), workers are
    spawned: they import the code themselves."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return None
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


def _grade_all(key: AnswerKey, decisions: Decisions, tasks: Sequence[_Task], jobs: int,
               advance: Callable[[int], None]) -> dict[str, _Graded]:
    outcomes: dict[str, _Graded] = {}

    def record(batch: Sequence[_Graded]) -> None:
        outcomes.update((outcome.submission_id, outcome) for outcome in batch)
        advance(len(batch))

    if jobs == 1:
        _use_key(key, decisions)
        for task in tasks:
            record([_grade_task(task)])
        return outcomes
    size = max(1, min(MAX_CHUNK, len(tasks) // (jobs * CHUNKS_PER_WORKER)))
    queue = list(tasks)
    # Results pile up here and none is garbage: a collection would only rescan them all, again and again.
    gc.disable()
    try:
        while queue:
            unfinished = _pool_round(key, decisions, queue, jobs, size, record)
            # A worker died. The pool starts chunks in order, at most jobs + 1 at a time, so its
            # submission is in the first jobs + 1 chunks not finished: grade those one by one, in
            # order, in a pool of one, where a death names the submission that caused it.
            suspects, queue = unfinished[:(jobs + 1) * size], unfinished[(jobs + 1) * size:]
            while suspects:
                suspects = _pool_round(key, decisions, suspects, 1, 1, record)
                if suspects:
                    record([_worker_died(key, suspects[0])])
                    suspects = suspects[1:]
    finally:
        gc.enable()
    return outcomes


def _pool_round(key: AnswerKey, decisions: Decisions, tasks: Sequence[_Task], workers: int, size: int,
                record: Callable[[Sequence[_Graded]], None]) -> list[_Task]:
    """Grade tasks in a fresh pool; the tasks not finished (in order) if a worker died."""
    chunks = [tasks[start:start + size] for start in range(0, len(tasks), size)]
    finished: set[int] = set()
    pool = ProcessPoolExecutor(workers, mp_context=_pool_context(), initializer=_start_worker,
                               initargs=(key, decisions))
    try:
        futures = {pool.submit(_grade_chunk, chunk): index for index, chunk in enumerate(chunks)}
        for future in as_completed(futures):
            try:
                batch = future.result()
            except BrokenProcessPool:
                continue
            record(batch)
            finished.add(futures[future])
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)  # the running chunks finish (their results are kept), no more
        raise
    pool.shutdown(wait=True)
    return [task for index, chunk in enumerate(chunks) if index not in finished for task in chunk]


def _worker_died(key: AnswerKey, task: _Task) -> _Graded:
    rubric = key.rubric
    data = crash_json(STAFF_ERROR, Failure.WORKER_DIED, rubric.total_points,
                      {"engine": key.engine, "rubric_sha256": rubric.sha256})
    write_json(task.results_dir / "results.json", data)
    write_text_atomic(task.results_dir / "stdout", "The process grading this submission died twice (killed, or out "
                      "of memory) before it returned results: these results say so. Regrade it on its own with "
                      "`autograder grade`.\n")
    return _Graded(task.submission_id, WrittenResult.from_json(data), {}, False)


class _Progress:
    """A tqdm bar with rate and ETA on a terminal; elsewhere a plain line per tenth done."""

    def __init__(self, total: int, stream: TextIO):
        self.total, self.stream, self.done = total, stream, 0
        self.started = time.perf_counter()
        self.next_tenth = 1
        self.bar = None
        if stream.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, file=stream, unit=" submissions", desc="regrade", dynamic_ncols=True)

    def advance(self, count: int) -> None:
        self.done += count
        if self.bar is not None:
            self.bar.update(count)
            return
        if self.next_tenth > 10 or self.done * 10 < self.next_tenth * self.total:
            return
        self.next_tenth = self.done * 10 // self.total + 1
        elapsed = time.perf_counter() - self.started
        rate = self.done / elapsed if elapsed else 0.0
        left = f", about {(self.total - self.done) / rate:.0f} s left" if rate and self.done < self.total else ""
        print(f"regrade: {self.done} of {self.total} submissions ({100 * self.done // self.total}%) in "
              f"{elapsed:.1f} s, {rate:.0f}/s{left}", file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# ---------------------------------------------------------------- flags

def _graded(submission: ExportedSubmission, graded: _Graded) -> GradedSubmission:
    return GradedSubmission(submission.submission_id, submission.submitters, graded.result,
                            flags_of(submission, graded.result), graded.review_texts)


def flags_of(submission: ExportedSubmission, result: WrittenResult) -> tuple[Flag, ...]:
    """What a TA should look at, failures first."""
    flags = [Flag(FlagKind.EXPORT, detail=problem) for problem in submission.problems]
    if result.failure is Failure.WORKER_DIED:
        flags.append(Flag(FlagKind.WORKER_DIED))
    elif result.failure is not None:
        flags.append(Flag(FlagKind.GRADER_ERROR, failure=result.failure))
    else:
        outcomes = Counter(part.outcome for part in result.parts.values())
        unread = {kind: outcomes[outcome] for kind, outcome in
                  ((FlagKind.UNREADABLE, Outcome.UNREADABLE), (FlagKind.MISSING, Outcome.MISSING)) if outcomes[outcome]}
        if outcomes and sum(unread.values()) == sum(outcomes.values()):
            flags.append(Flag(FlagKind.NO_ANSWERS))
        else:
            flags.extend(Flag(kind, count) for kind, count in unread.items())
        if result.days_late:
            flags.append(Flag(FlagKind.LATE, result.days_late, result.late_factor or "1"))
        if result.days_late and result.due_source is DueSource.RUBRIC and submission.recorded_due is None:
            flags.append(Flag(FlagKind.DUE_UNKNOWN))
    if len(submission.submitters) > 1:
        flags.append(Flag(FlagKind.GROUP, len(submission.submitters)))
    return tuple(flags)


def _listed(items: Sequence[str]) -> list[str]:
    """The first LISTED items, indented, and how many more there are."""
    return [f"  {item}" for item in items[:LISTED]] + ([f"  ... and {len(items) - LISTED} more"] if len(items) > LISTED else [])


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _who(submission: GradedSubmission) -> str:
    names = ", ".join(submitter.name for submitter in submission.submitters if submitter.name)
    return f"{submission.submission_id} ({names})" if names else submission.submission_id


def _reason(submission: GradedSubmission) -> str:
    reason = "; ".join(flag_text(flag, submission.submission_id) for flag in submission.flags)
    no_answers = any(flag.kind is FlagKind.NO_ANSWERS for flag in submission.flags)
    return f"{reason}: {submission.result.output}" if no_answers and submission.result.output else reason
