"""`autograder preview`: what a student sees on Gradescope for an answer file, before or after the due date.

The answers are graded by `grading.run.run`, the code path of run_autograder,
into a results.json; the view is then read from that file with Gradescope's
documented display rules, so it cannot drift from what the container writes:

- a test is shown by its own `visibility` (else the top-level one, else
  `visible`): `visible` always, `after_due_date` once the due date has passed,
  `after_published` once the staff publish grades, `hidden` never;
- while any test that is not `hidden` is still unseen, the student does not
  see the total score;
- the top-level `output` is always shown; tests are listed by their number,
  failed ones apart from passed ones, each with its name, score and output.

The terminal view is plain text; `--html` writes a page laid out like
Gradescope's results view, with no script and nothing loaded from anywhere.
"""

from __future__ import annotations

import html
import io
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from autograder.authoring.compile import cached_or_compiled
from autograder.base.atomic import write_text_atomic
from autograder.base.text_enum import TextEnum
from autograder.grading.outcomes import Failure
from autograder.grading.results_json import WrittenResult
from autograder.grading.run import Paths, run
from autograder.grading.score import GradeResult


class Visibility(TextEnum):
    """Gradescope's visibility of a test (results.json `visibility`)."""

    VISIBLE = "visible"
    AFTER_DUE_DATE = "after_due_date"
    AFTER_PUBLISHED = "after_published"
    HIDDEN = "hidden"


class Moment(TextEnum):
    """When the student looks at their results."""

    BEFORE_DUE = "before the due date"
    AFTER_DUE = "after the due date"
    PUBLISHED = "after the due date, grades published"


_SHOWN = {
    Moment.BEFORE_DUE: {Visibility.VISIBLE},
    Moment.AFTER_DUE: {Visibility.VISIBLE, Visibility.AFTER_DUE_DATE},
    Moment.PUBLISHED: {Visibility.VISIBLE, Visibility.AFTER_DUE_DATE, Visibility.AFTER_PUBLISHED},
}


@dataclass(frozen=True)
class ShownTest:
    """One test as the student sees it."""

    number: str
    name: str
    score: float | None
    max_score: float | None
    passed: bool
    output: str

    @property
    def title(self) -> str:
        """"1a.2) Output dimension after layer 2 (1.5/3.0)", as Gradescope heads a test."""
        points = f" ({self.score:.1f}/{self.max_score:.1f})" if self.score is not None and self.max_score is not None else ""
        return f"{self.number + ') ' if self.number else ''}{self.name}{points}"


@dataclass(frozen=True)
class StudentView:
    """What Gradescope shows a student for one results.json at one moment."""

    moment: Moment
    score: float | None          # None while the total is hidden from the student
    max_score: float
    output: str
    tests: tuple[ShownTest, ...]
    unseen: int                  # tests the student cannot see yet (hidden ones not counted)

    @classmethod
    def of(cls, data: Mapping[str, Any], moment: Moment) -> StudentView:
        """The view of a results.json, read as Gradescope reads it."""
        default = _visibility(data.get("visibility"), Visibility.VISIBLE)
        tests = [test for test in data.get("tests") or () if isinstance(test, dict)]
        shown, unseen = [], 0
        for test in tests:
            visibility = _visibility(test.get("visibility"), default)
            if visibility in _SHOWN[moment]:
                shown.append(_shown_test(test))
            elif visibility is not Visibility.HIDDEN:
                unseen += 1
        shown.sort(key=lambda test: _number_order(test.number))
        max_score = sum(_number(test.get("max_score")) or 0.0 for test in tests)
        score = _number(data.get("score"))
        if score is None:
            score = sum(_number(test.get("score")) or 0.0 for test in tests)
        return cls(moment, None if unseen else score, max_score, str(data.get("output") or ""), tuple(shown), unseen)

    @property
    def failed(self) -> tuple[ShownTest, ...]:
        """The tests shown as failed."""
        return tuple(test for test in self.tests if not test.passed)

    @property
    def passed(self) -> tuple[ShownTest, ...]:
        """The tests shown as passed."""
        return tuple(test for test in self.tests if test.passed)

    def text(self) -> str:
        """The view as plain text for a terminal."""
        total = (f"{self.score:.1f} / {self.max_score:.1f}" if self.score is not None
                 else f"- / {self.max_score:.1f} (not shown while some tests are not)")
        lines = [f"Autograder Score: {total}"]
        if self.output:
            lines += ["", "Autograder Output", _indent(self.output)]
        for heading, tests in (("Failed Tests", self.failed), ("Passed Tests", self.passed)):
            if tests:
                lines += ["", heading]
                for test in tests:
                    lines += [f"  {test.title}", _indent(test.output.rstrip("\n"), "    ")] if test.output.strip() \
                        else [f"  {test.title}"]
        return "\n".join(lines)

    def html(self, title: str) -> str:
        """A page laid out like Gradescope's results view: the score, the output, failed then passed tests."""
        total = (f"{self.score:.1f} / {self.max_score:.1f}" if self.score is not None
                 else f"&ndash; / {self.max_score:.1f}")
        parts = [
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
            f'<meta http-equiv="Content-Security-Policy" content="{_PAGE_POLICY}">',
            f"<title>{_text(title)}: preview</title><style>{_STYLE}</style></head>\n<body>",
            f'<p class="preview-note">Preview {_text(self.moment.value)}'
            + (f": {self.unseen} test{'s' * (self.unseen != 1)} not shown yet" if self.unseen else "")
            + " (not part of Gradescope's page)</p>",
            f'<header><h1>{_text(title)}</h1></header>\n<main>',
            f'<section id="score"><h2>Autograder Score</h2><p class="total">{total}</p></section>',
        ]
        if self.output:
            parts.append(f'<section id="output"><h2>Autograder Output</h2><pre>{_text(self.output)}</pre></section>')
        for anchor, heading, tests in (("failed", "Failed Tests", self.failed), ("passed", "Passed Tests", self.passed)):
            if tests:
                parts.append(f'<section id="{anchor}"><h2>{heading}</h2>')
                parts += [f'<article class="test {anchor}"><h3>{_text(test.title)}</h3>'
                          + (f"<pre>{_text(test.output)}</pre>" if test.output.strip() else "") + "</article>"
                          for test in tests]
                parts.append("</section>")
        parts.append("</main>\n</body></html>\n")
        return "\n".join(parts)


_PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'"
PASSED_COLOUR, FAILED_COLOUR = "#1d7a3e", "#b3261e"   # the test headers, so a screenshot can tell them apart
_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1f2328}"
    "header{background:#243447;color:#fff;padding:12px 24px}header h1{font-size:20px;margin:0}"
    "main{max-width:960px;margin:16px auto;padding:0 16px}"
    "section{background:#fff;border:1px solid #d0d7de;border-radius:6px;margin:12px 0;padding:12px 16px}"
    "h2{font-size:16px;margin:0 0 8px}.total{font-size:28px;margin:0}"
    "pre{white-space:pre-wrap;background:#f6f8fa;padding:8px;border-radius:4px;margin:8px 0 0}"
    ".test{margin:8px 0}.test h3{font-size:14px;margin:0;padding:6px 10px;color:#fff;border-radius:4px}"
    f".failed h3{{background:{FAILED_COLOUR}}}.passed h3{{background:{PASSED_COLOUR}}}"
    ".preview-note{margin:0;padding:4px 24px;font-size:12px;background:#fff3cd}"
)


def _shown_test(test: Mapping[str, Any]) -> ShownTest:
    score, max_score = _number(test.get("score")), _number(test.get("max_score"))
    status = test.get("status")
    passed = status == "passed" if status in ("passed", "failed") else (score is not None and score == max_score)
    return ShownTest(str(test.get("number") or ""), str(test.get("name") or ""), score, max_score, passed,
                     str(test.get("output") or ""))


def _visibility(value: Any, default: Visibility) -> Visibility:
    try:
        return Visibility(value)
    except ValueError:
        return default


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _number_order(number: str) -> tuple:
    """"1a.10" after "1a.2": digits compare as numbers, as a person reads test numbers."""
    return tuple((0, int(piece), "") if piece.isdigit() else (1, 0, piece) for piece in re.findall(r"\d+|\D+", number))


def _indent(text: str, prefix: str = "  ") -> str:
    return "\n".join(prefix + line for line in text.split("\n"))


def _text(value: str) -> str:
    return html.escape(value, quote=True)


# ------------------------------------------------------------------ grading the answers

@dataclass(frozen=True)
class PreviewReport:
    """The results.json the container would write for these answers, and the student's view of it."""

    title: str
    results: Mapping[str, Any]
    view: StudentView
    log: str

    @property
    def failure(self) -> Failure | None:
        """Why grading could not run, if it could not."""
        return WrittenResult.from_json(self.results).failure

    @property
    def exit_code(self) -> int:
        """1 when the rubric could not be used (the student would see an autograder error), else 0."""
        return 1 if self.failure is Failure.RUBRIC else 0

    def summary(self) -> str:
        """When the view is for, then the view as a terminal shows it."""
        note = f"[preview {self.moment_words}" + (f": {self.view.unseen} test{'s' * (self.view.unseen != 1)} "
                                                  "not shown yet]" if self.view.unseen else "]")
        return "\n".join((note, self.view.text()))

    @property
    def moment_words(self) -> str:
        """The moment previewed, in words."""
        return self.view.moment.value


class PreviewError(Exception):
    """The answers or metadata to preview cannot be found."""


def preview(rubric_path: str | Path, answers: str | Path, metadata: str | Path | None = None,
            moment: Moment = Moment.BEFORE_DUE) -> PreviewReport:
    """Grade ANSWERS (an answer file, a submission folder, or a sample folder holding submission/) as
    run_autograder would and return what the student sees at `moment`."""
    answers = Path(answers)
    if not answers.exists():
        raise PreviewError(f"no answers at {answers}")
    if metadata is not None and not Path(metadata).is_file():
        raise PreviewError(f"no submission metadata file at {metadata}")
    with tempfile.TemporaryDirectory(prefix="autograder-preview-") as scratch:
        scratch = Path(scratch)
        if answers.is_file():
            submission = scratch / "submission"
            submission.mkdir()
            shutil.copyfile(answers, submission / answers.name)  # uploaded as it is named, as on Gradescope
            found_metadata = scratch / "submission_metadata.json"
        elif (answers / "submission").is_dir():
            submission, found_metadata = answers / "submission", answers / "submission_metadata.json"
        else:
            submission, found_metadata = answers, scratch / "submission_metadata.json"
        paths = Paths(submission, Path(metadata) if metadata is not None else found_metadata,
                      scratch / "results" / "results.json")
        log = io.StringIO()
        graded: list[GradeResult] = []
        data = run(rubric_path, paths, stream=log, key_loader=cached_or_compiled, on_graded=graded.append)
    # The homework's title stands for the assignment's name Gradescope shows above the results.
    title = graded[0].rubric.title if graded else Path(rubric_path).stem
    return PreviewReport(title, data, StudentView.of(data, moment), log.getvalue())


def write_page(report: PreviewReport, path: str | Path) -> Path:
    """Write the view as an HTML page; returns where."""
    path = Path(path)
    write_text_atomic(path, report.view.html(report.title))
    return path
