"""`python -m autograder` / `autograder`: one sub-command per job, each a thin wrapper.

Exit codes: 0 done, 1 the input is wrong (a rubric error, a sample that
grades differently) or an optional extra the command needs is not installed
(one line says which), 2 usage errors (argparse).
"""

from __future__ import annotations

import argparse
import importlib.util
import shlex
import sys
from pathlib import Path

from autograder import __version__

# What each optional extra of pyproject.toml brings that a command imports. Grading imports none of it,
# so the Gradescope container installs none (setup.sh); a command run without its extra says in one
# line what to install, never with a traceback.
EXTRAS = {
    "author": ("the authoring tools", ("numpy", "sympy", "jsonschema")),
    "regrade": ("the regrade tools", ("numpy", "sympy", "tqdm", "matplotlib")),  # [regrade] includes [author]
}
SOLVERS = ("numpy", "sympy")  # compiling an answer key runs the reference solvers (from [author])


def main(argv: list[str] | None = None) -> int:
    """Run one sub-command; its exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except ModuleNotFoundError as exc:  # an import a check below missed: still one line, not a traceback
        extra = next((extra for extra, (_, modules) in EXTRAS.items() if exc.name in modules), None)
        if extra is None or not _needs(args.command, extra, (exc.name,)):
            raise
        return 1


def build_parser() -> argparse.ArgumentParser:
    """The CLI: one sub-command per job, each handled by a thin wrapper below."""
    parser = argparse.ArgumentParser(prog="autograder", description="Grade written homework answers against a YAML rubric.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    grade = commands.add_parser("grade", help="grade one submission folder and write results.json",
                                description="Grade one submission laid out like Gradescope's /autograder "
                                            "and write results/results.json. Always writes valid results.")
    grade.add_argument("rubric", help="the rubric YAML file")
    grade.add_argument("--root", help="the /autograder-like folder (default: $AUTOGRADER_ROOT or /autograder)")
    grade.set_defaults(handler=_grade)

    new = commands.add_parser("new", help="start a new homework: rubric, text, solvers and samples to edit",
                              description="Write rubric/NAME.yaml, rubric/NAME.md, reference/NAME.py (its solvers "
                                          "registered in reference/__init__.py) and submissions_samples/NAME/ in "
                                          "this checkout: a small homework that passes check, samples and build as "
                                          "written, to edit into yours (see docs/authoring.md).")
    new.add_argument("name", help="the homework's short name: lowercase letters, digits and _")
    new.set_defaults(handler=_new)

    compile_ = commands.add_parser("compile", help="run the solvers once and cache the answer key beside the rubric",
                                   description="Compile the rubric's answer key (runs every solver) and write "
                                               "RUBRIC.key.json, which grading then uses instead of importing sympy.")
    compile_.add_argument("rubric", help="the rubric YAML file")
    compile_.add_argument("--check", action="store_true",
                          help="only say whether RUBRIC.key.json is current for this rubric and code (exit 0) or "
                               "not (exit 1); needs no authoring tools")
    compile_.set_defaults(handler=_compile)

    check = commands.add_parser("check", help="find every problem in a rubric before any student is graded",
                                description="Validate the rubric (JSON Schema, references, points), run every "
                                            "solver, find mistakes that can never fire, grade the rubric's "
                                            "examples and mutation-test the key. Prints file:line:col: messages; "
                                            "exits 1 if there is any error.")
    check.add_argument("rubric", help="the rubric YAML file")
    check.add_argument("-v", "--verbose", action="store_true",
                       help="also print notes (e.g. mutations that get full credit through a declared mistake)")
    check.add_argument("--suggest", nargs="+", metavar="PARAM=RANGE",
                       help="instead, search these whole-number parameters (conv1.pad=0..3, P=1,2,4) for values that "
                            "keep every mistake distinct from the answer and from each other, and print the nearest "
                            "few (runs the solvers on each combination)")
    check.set_defaults(handler=_check)

    samples = commands.add_parser("samples", help="grade sample submissions and compare with their expected.json",
                                  description="Grade every sample folder (submission/, optional "
                                              "submission_metadata.json, expected.json) and print a table. "
                                              "With --accept, write each sample's expected.json from how it "
                                              "grades now instead, after printing the diff against the old one.")
    samples.add_argument("rubric", help="the rubric YAML file")
    samples.add_argument("folder", nargs="?", help="the samples folder (default: submissions_samples/<rubric name>)")
    samples.add_argument("-v", "--verbose", action="store_true", help="print each sample's grading log")
    samples.add_argument("--accept", nargs="*", metavar="NAME",
                         help="write expected.json of the named samples (all when none is named) from their grades")
    samples.set_defaults(handler=_samples)

    build = commands.add_parser("build", help="make the Gradescope autograder zip, checked on the samples",
                                description="Write OUT_DIR/<rubric name>-autograder.zip (setup.sh, run_autograder, "
                                            "the code, the rubric and its compiled key; the same inputs give the "
                                            "same bytes), unpack it into a temporary /autograder and grade every "
                                            "sample there with its run_autograder. If any grade differs from its "
                                            "expected.json, no zip is kept and the build exits 1.")
    build.add_argument("rubric", help="the rubric YAML file")
    build.add_argument("-o", "--out-dir", default="dist", help="the folder for the zip (default: dist)")
    build.add_argument("--samples", help="the samples folder (default: submissions_samples/<rubric name>)")
    build.add_argument("-j", "--jobs", type=_positive_int, help="samples graded at once (default: the CPU count, at most 8)")
    build.add_argument("-v", "--verbose", action="store_true", help="print the grading log of each sample that differs")
    build.set_defaults(handler=_build)

    preview = commands.add_parser("preview", help="show what a student sees on Gradescope for an answers file",
                                  description="Grade ANSWERS exactly as run_autograder does and show what the student "
                                              "sees on Gradescope: before the due date the submission check, after it "
                                              "every part's score and feedback. ANSWERS is an answers file, a "
                                              "submission folder, or a sample folder holding submission/ (and "
                                              "submission_metadata.json). Exits 1 if the rubric cannot be used.")
    preview.add_argument("rubric", help="the rubric YAML file")
    preview.add_argument("answers", help="an answers file, a submission folder or a sample folder")
    preview.add_argument("--metadata", metavar="FILE", help="Gradescope's submission_metadata.json (the submission "
                                                            "time and due dates, for the late policy)")
    preview.add_argument("--after-due", action="store_true", help="show the view after the due date")
    preview.add_argument("--published", action="store_true", help="show the view once grades are published")
    preview.add_argument("--html", metavar="FILE", help="also write the view as a page laid out like Gradescope's")
    preview.set_defaults(handler=_preview)

    template = commands.add_parser("template", help="print the answers file students fill in",
                                   description="Print the answers.yaml skeleton for the rubric: every part's key, "
                                               "empty, under a comment with its title, points and expected form.")
    template.add_argument("rubric", help="the rubric YAML file")
    template.add_argument("-o", "--output", help="write it to this file instead of printing it")
    template.set_defaults(handler=_template)

    handout = commands.add_parser("handout", help="each student's homework text and answers file, with their numbers",
                                  description="Fill the homework's Markdown text (handout: in the rubric, else "
                                              "RUBRIC.md) with a student's numbers: the variant grading will use "
                                              "for their e-mail. --email prints it (or, with --json, the variant and "
                                              "its parameters); --roster writes a Markdown file, a PDF and a filled "
                                              "answers template per student to OUT_DIR.")
    handout.add_argument("rubric", help="the rubric YAML file")
    student = handout.add_mutually_exclusive_group(required=True)
    student.add_argument("--email", help="one student's e-mail address, as Gradescope has it")
    student.add_argument("--roster", help="a roster CSV with an Email column (Gradescope's roster download)")
    handout.add_argument("--json", action="store_true", help='with --email: print {"variant": ..., "parameters": {...}}')
    handout.add_argument("-o", "--out-dir", help="with --roster: the folder to write the handouts to")
    handout.set_defaults(handler=_handout)

    regrade = commands.add_parser("regrade", help="regrade a whole class from Gradescope's Export Submissions download",
                                  description="Grade every submission of EXPORT (Gradescope's Export Submissions zip "
                                              "or folder, or a folder of per-student folders) on all cores, as the "
                                              "container would, and write OUTDIR/results/<submission>/results.json, "
                                              "grades.csv, review.csv, report.html (and changes.csv with "
                                              "--previous), applying the TA decisions recorded beside the rubric. "
                                              "Interrupted, it resumes when run again. Exits 0 when the "
                                              "batch ran, even with bad submissions (they are listed).")
    regrade.add_argument("rubric", help="the rubric YAML file")
    regrade.add_argument("export", help="the export: a .zip file or a folder")
    regrade.add_argument("-o", "--outdir", required=True, help="the folder to write into (new, or an interrupted regrade)")
    regrade.add_argument("--previous", metavar="OTHER_OUTDIR", help="an earlier regrade's OUTDIR: write changes.csv")
    regrade.add_argument("--force", action="store_true", help="replace an earlier regrade in OUTDIR")
    regrade.add_argument("--decisions", metavar="REVIEW_CSV",
                         help="a review.csv with TA credit / TA feedback filled in: record those decisions in "
                              "RUBRIC's decisions file (RUBRIC.decisions.yml) before regrading")
    regrade.add_argument("-j", "--jobs", type=_positive_int, help="worker processes (default: the CPU count)")
    regrade.add_argument("--extensions", metavar="CSV",
                         help="students' own due dates: a CSV with a header row, an email or sid column and a due "
                              "column (with the UTC offset, e.g. 2025-05-08T23:59:00+08:00); wins over the due dates "
                              "recorded in the export's results")
    regrade.set_defaults(handler=_regrade)

    return parser


def _needs(command: str, extra: str, modules: tuple[str, ...], purpose: str = "") -> int:
    """1, after the line that says what to install, if one of `modules` cannot be imported; else 0."""
    missing = [name for name in modules if not _importable(name)]
    if not missing:
        return 0
    project = Path(__file__).resolve().parent.parent
    install = (f"{shlex.quote(sys.executable or 'python3')} -m pip install -e {shlex.quote(f'{project}[{extra}]')}"
               if (project / "pyproject.toml").is_file() else f"install hw-autograder with its [{extra}] extra")
    print(f"error: autograder {command} needs {EXTRAS[extra][0]}{purpose} (missing: {', '.join(missing)}): {install}",
          file=sys.stderr)
    return 1


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a package that is broken, or was found missing before
        return False


def _key_needs(command: str, rubric) -> int:
    """_needs for the solvers when the rubric's cached key is not current and must be compiled."""
    from autograder.grading.key import cache_path, cached_key

    if cached_key(rubric) is not None:
        return 0
    return _needs(command, "author", SOLVERS, f" to compile {cache_path(rubric)}, which is missing or not current")


def _load(rubric_path: str, command: str):
    """The rubric's key, compiled if need be; None after saying why there is none."""
    from autograder.authoring.compile import CompileError, cached_or_compiled
    from autograder.grading.rubric import RubricError, load_rubric

    try:
        rubric = load_rubric(rubric_path)
        return None if _key_needs(command, rubric) else cached_or_compiled(rubric)
    except (RubricError, CompileError) as exc:
        _error(exc)
        return None


def _grade(args) -> int:
    from autograder.grading.key import cached_key
    from autograder.grading.outcomes import Failure
    from autograder.grading.results_json import WrittenResult
    from autograder.grading.run import Paths, autograder_root, run

    def key_of(rubric):
        # The compiler (and the solvers it imports) loads only for a key that is missing or stale, in a checkout.
        key = cached_key(rubric)
        if key is not None:
            return key
        from autograder.authoring.compile import cached_or_compiled

        return cached_or_compiled(rubric)

    root = Path(args.root) if args.root else autograder_root()
    data = run(args.rubric, Paths.under(root), key_loader=key_of)
    return 1 if WrittenResult.from_json(data).failure is Failure.RUBRIC else 0


def _reported(job, *errors: type[Exception]) -> int:
    """Run a job that returns a report and print its summary; or print the error it raised and exit 1."""
    try:
        report = job()
    except errors as exc:
        _error(exc)
        return 1
    print(report.summary())
    return report.exit_code


def _new(args) -> int:
    from autograder.authoring.scaffold import ScaffoldError, new_homework

    return _reported(lambda: new_homework(args.name), ScaffoldError, OSError)


def _compile(args) -> int:
    from autograder.authoring.compile import CompileError, compile_rubric
    from autograder.grading.key import cache_path, cached_key
    from autograder.grading.rubric import RubricError, load_rubric

    try:
        rubric = load_rubric(args.rubric)
    except RubricError as exc:
        _error(exc)
        return 1
    path = cache_path(rubric)
    if args.check:
        if cached_key(rubric) is not None:
            print(f"{path} is current for this rubric and code")
            return 0
        print(f"{path} is {'not current for this rubric and code' if path.exists() else 'missing'}: "
              f"`autograder compile {args.rubric}` compiles it")
        return 1
    if _key_needs("compile", rubric):
        return 1
    return _reported(lambda: compile_rubric(args.rubric), RubricError, CompileError)


def _check(args) -> int:
    if _needs("check", "author", EXTRAS["author"][1]):
        return 1
    from autograder.authoring.check import check_rubric

    if args.suggest:
        return _suggest(args)
    report = check_rubric(args.rubric)
    print(report.summary(args.verbose))
    return report.exit_code


def _suggest(args) -> int:
    from autograder.authoring.numbers import SuggestError, suggest_numbers
    from autograder.grading.rubric import RubricError

    return _reported(lambda: suggest_numbers(args.rubric, args.suggest), RubricError, SuggestError)


def _samples(args) -> int:
    from autograder.authoring.samples import NoSamples, accept_samples, chosen_samples, grade_samples, samples_for

    key = _load(args.rubric, "samples")
    if key is None:
        return 1
    try:
        samples = samples_for(key.rubric.name, args.folder)
        if args.accept is not None:
            samples = chosen_samples(samples, args.accept)
    except NoSamples as exc:
        _error(exc)
        return 1
    if args.accept is not None:
        report = accept_samples(key, samples)
        print(report.summary())
        return report.exit_code
    report = grade_samples(key, samples)
    print(report.summary(args.verbose))
    return report.exit_code


def _regrade(args) -> int:
    if _needs("regrade", "regrade", EXTRAS["regrade"][1]):
        return 1
    from autograder.base.neutralise import terminal
    from autograder.grading.decisions import DecisionsError
    from autograder.regrade.extensions import ExtensionsError
    from autograder.regrade.gradescope_export import ExportError
    from autograder.regrade.job import Interrupted, OutdirError, regrade

    key = _load(args.rubric, "regrade")
    if key is None:
        return 1
    try:
        report = regrade(key, args.export, args.outdir, previous=args.previous, force=args.force, jobs=args.jobs,
                         extensions=args.extensions, decisions=args.decisions)
    except DecisionsError as exc:
        print("\n".join(f"error: {terminal(error)}" for error in exc.errors), file=sys.stderr)
        print("no decision recorded, nothing regraded: fix these and run the command again", file=sys.stderr)
        return 1
    except OutdirError as exc:
        _error(exc)
        return 2
    except (ExportError, ExtensionsError, OSError) as exc:
        _error(exc)
        return 1
    except Interrupted as exc:
        print(f"interrupted: {exc.done} of {exc.total} submissions graded and kept in {args.outdir}; "
              "run the same command again to grade the rest", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("interrupted before any submission was graded", file=sys.stderr)
        return 130
    print(report.summary())
    return report.exit_code


def _error(problem: Exception) -> None:
    """An error message on stderr; it can quote an export's or a rubric's text, so each line is neutralised."""
    from autograder.base.neutralise import terminal

    print("\n".join(terminal(line) for line in f"error: {problem}".splitlines()), file=sys.stderr)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _build(args) -> int:
    from autograder.authoring.build import BuildError, build
    from autograder.authoring.compile import CompileError
    from autograder.grading.rubric import RubricError, load_rubric

    try:
        if _key_needs("build", load_rubric(args.rubric)):
            return 1
    except RubricError as exc:
        _error(exc)
        return 1
    graded = []

    def progress(outcome) -> None:
        graded.append(outcome)
        if sys.stderr.isatty():
            print(f"\rgrading the samples in the unpacked zip: {len(graded)}", end="", file=sys.stderr, flush=True)

    try:
        report = build(args.rubric, args.out_dir, args.samples, args.jobs, progress)
    except (BuildError, RubricError, CompileError, OSError) as exc:
        _error(exc)
        return 1
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(report.summary(args.verbose))
    return report.exit_code


def _preview(args) -> int:
    from autograder.authoring.preview import Moment, PreviewError, preview, write_page

    moment = Moment.PUBLISHED if args.published else Moment.AFTER_DUE if args.after_due else Moment.BEFORE_DUE
    try:
        report = preview(args.rubric, args.answers, args.metadata, moment)
    except PreviewError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(report.summary())
    if report.failure is not None:
        print(f"grading failed ({report.failure}); the staff log:\n{report.log}", file=sys.stderr)
    if args.html:
        try:
            print(f"wrote {write_page(report, args.html)}")
        except OSError as exc:
            print(f"error: cannot write {args.html}: {exc.strerror}", file=sys.stderr)
            return 1
    return report.exit_code


def _handout(args) -> int:
    import json

    from autograder.authoring.handout import (
        HandoutError, handout_markdown, numbers_for, write_roster_handouts,
    )
    from autograder.grading.variants import SecretError

    if args.roster and not args.out_dir:
        print("error: --roster needs -o OUT_DIR, the folder to write the handouts to", file=sys.stderr)
        return 2
    if args.json and not args.email:
        print("error: --json goes with --email", file=sys.stderr)
        return 2
    key = _load(args.rubric, "handout")
    if key is None:
        return 1
    try:
        if args.roster:
            report = write_roster_handouts(key, args.roster, args.out_dir)
            print(report.summary())
            return report.exit_code
        numbers = numbers_for(key, args.email)
        print(json.dumps(numbers.to_json(), indent=2) if args.json else handout_markdown(key, numbers), end="\n")
    except (HandoutError, SecretError, OSError) as exc:
        _error(exc)
        return 1
    return 0


def _template(args) -> int:
    from autograder.grading.rubric import RubricError, load_rubric
    from autograder.authoring.template import answers_template

    try:
        text = answers_template(load_rubric(args.rubric))
    except RubricError as exc:
        _error(exc)
        return 1
    if not args.output:
        sys.stdout.write(text)
        return 0
    try:
        Path(args.output).write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"error: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
        return 1
    print(f"wrote {args.output}")
    return 0
