"""`python -m autograder` / `autograder`: one sub-command per job, each a thin wrapper.

Exit codes: 0 done, 1 the input is wrong (a rubric error, a sample that
grades differently), 2 usage errors (argparse).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder import __version__


def main(argv: list[str] | None = None) -> int:
    """Run one sub-command; its exit code."""
    args = build_parser().parse_args(argv)
    return args.handler(args)


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

    compile_ = commands.add_parser("compile", help="run the solvers once and cache the answer key beside the rubric",
                                   description="Compile the rubric's answer key (runs every solver) and write "
                                               "RUBRIC.key.json, which grading then uses instead of importing sympy.")
    compile_.add_argument("rubric", help="the rubric YAML file")
    compile_.set_defaults(handler=_compile)

    check = commands.add_parser("check", help="find every problem in a rubric before any student is graded",
                                description="Validate the rubric (JSON Schema, references, points), run every "
                                            "solver, find mistakes that can never fire, grade the rubric's "
                                            "examples and mutation-test the key. Prints file:line:col: messages; "
                                            "exits 1 if there is any error.")
    check.add_argument("rubric", help="the rubric YAML file")
    check.add_argument("-v", "--verbose", action="store_true",
                       help="also print notes (e.g. mutations that get full credit through a declared mistake)")
    check.set_defaults(handler=_check)

    samples = commands.add_parser("samples", help="grade sample submissions and compare with their expected.json",
                                  description="Grade every sample folder (submission/, optional "
                                              "submission_metadata.json, expected.json) and print a table.")
    samples.add_argument("rubric", help="the rubric YAML file")
    samples.add_argument("folder", nargs="?", help="the samples folder (default: submissions_samples/<rubric name>)")
    samples.add_argument("-v", "--verbose", action="store_true", help="print each sample's grading log")
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
                                              "--previous). Interrupted, it resumes when run again. Exits 0 when the "
                                              "batch ran, even with bad submissions (they are listed).")
    regrade.add_argument("rubric", help="the rubric YAML file")
    regrade.add_argument("export", help="the export: a .zip file or a folder")
    regrade.add_argument("-o", "--outdir", required=True, help="the folder to write into (new, or an interrupted regrade)")
    regrade.add_argument("--previous", metavar="OTHER_OUTDIR", help="an earlier regrade's OUTDIR: write changes.csv")
    regrade.add_argument("--force", action="store_true", help="replace an earlier regrade in OUTDIR")
    regrade.add_argument("-j", "--jobs", type=_positive_int, help="worker processes (default: the CPU count)")
    regrade.set_defaults(handler=_regrade)

    return parser


def _load(rubric_path: str):
    from autograder.authoring.compile import CompileError, cached_or_compiled
    from autograder.grading.rubric import RubricError, load_rubric

    try:
        return cached_or_compiled(load_rubric(rubric_path))
    except (RubricError, CompileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None


def _grade(args) -> int:
    from autograder.authoring.compile import cached_or_compiled
    from autograder.grading.outcomes import Failure
    from autograder.grading.results_json import WrittenResult
    from autograder.grading.run import Paths, autograder_root, run

    root = Path(args.root) if args.root else autograder_root()
    data = run(args.rubric, Paths.under(root), key_loader=cached_or_compiled)
    return 1 if WrittenResult.from_json(data).failure is Failure.RUBRIC else 0


def _compile(args) -> int:
    from autograder.authoring.compile import CompileError, compile_rubric
    from autograder.grading.rubric import RubricError

    try:
        report = compile_rubric(args.rubric)
    except (RubricError, CompileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(report.summary())
    return report.exit_code


def _check(args) -> int:
    from autograder.authoring.check import check_rubric

    report = check_rubric(args.rubric)
    print(report.summary(args.verbose))
    return report.exit_code


def _samples(args) -> int:
    from autograder.authoring.samples import NoSamples, grade_samples, samples_for

    key = _load(args.rubric)
    if key is None:
        return 1
    try:
        samples = samples_for(key.rubric.name, args.folder)
    except NoSamples as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    report = grade_samples(key, samples)
    print(report.summary(args.verbose))
    return report.exit_code


def _regrade(args) -> int:
    from autograder.regrade.gradescope_export import ExportError
    from autograder.regrade.job import Interrupted, OutdirError, regrade

    key = _load(args.rubric)
    if key is None:
        return 1
    try:
        report = regrade(key, args.export, args.outdir, previous=args.previous, force=args.force, jobs=args.jobs)
    except OutdirError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (ExportError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
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


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _build(args) -> int:
    from autograder.authoring.build import BuildError, build
    from autograder.authoring.compile import CompileError
    from autograder.grading.rubric import RubricError

    graded = []

    def progress(outcome) -> None:
        graded.append(outcome)
        if sys.stderr.isatty():
            print(f"\rgrading the samples in the unpacked zip: {len(graded)}", end="", file=sys.stderr, flush=True)

    try:
        report = build(args.rubric, args.out_dir, args.samples, args.jobs, progress)
    except (BuildError, RubricError, CompileError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(report.summary(args.verbose))
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
    key = _load(args.rubric)
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
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _template(args) -> int:
    from autograder.grading.rubric import RubricError, load_rubric
    from autograder.authoring.template import answers_template

    try:
        text = answers_template(load_rubric(args.rubric))
    except RubricError as exc:
        print(f"error: {exc}", file=sys.stderr)
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
