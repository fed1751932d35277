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
import tempfile
import time
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

    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except ModuleNotFoundError as exc:  # an import a check below missed: still one line, not a traceback
        extra = next((extra for extra, (_, modules) in EXTRAS.items() if exc.name in modules), None)
        if extra is None or not _needs(args.command, extra, (exc.name,)):
            raise
        return 1


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
    from autograder.key import cache_path, cached_key

    if cached_key(rubric) is not None:
        return 0
    return _needs(command, "author", SOLVERS, f" to compile {cache_path(rubric)}, which is missing or not current")


def _load(rubric_path: str, command: str):
    from autograder.key import CompileError, load_key
    from autograder.rubric import RubricError, load_rubric

    try:
        rubric = load_rubric(rubric_path)
        return None if _key_needs(command, rubric) else load_key(rubric)
    except (RubricError, CompileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None


def _grade(args) -> int:
    from autograder.grade import Paths, autograder_root, run

    root = Path(args.root) if args.root else autograder_root()
    data = run(args.rubric, Paths.under(root))
    return 1 if data.get("extra_data", {}).get("error") == "rubric" else 0


def _compile(args) -> int:
    from autograder.key import cache_path, cached_key, write_cache
    from autograder.rubric import RubricError, load_rubric

    if args.check:
        try:
            rubric = load_rubric(args.rubric)
        except RubricError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        path = cache_path(rubric)
        if cached_key(rubric) is not None:
            print(f"{path} is current for this rubric and code")
            return 0
        print(f"{path} is {'not current for this rubric and code' if path.exists() else 'missing'}: "
              f"`autograder compile {args.rubric}` compiles it")
        return 1
    started = time.perf_counter()
    key = _load(args.rubric, "compile")
    if key is None:
        return 1
    path = write_cache(key)
    print(f"compiled {len(key.parts)} parts in {time.perf_counter() - started:.2f} s -> {path}")
    return 0


def _check(args) -> int:
    if _needs("check", "author", EXTRAS["author"][1]):
        return 1
    from autograder.check import ERROR, NOTE, WARNING, check_rubric

    started = time.perf_counter()
    report = check_rubric(args.rubric)
    shown = (ERROR, WARNING, NOTE) if args.verbose else (ERROR, WARNING)
    for problem in report.problems:
        if problem.severity in shown:
            print(problem)
    errors, warnings, notes = (len(report.of(severity)) for severity in (ERROR, WARNING, NOTE))
    rubric = report.rubric
    what = (f"{len(rubric.parts)} parts, {float(rubric.total_points):g} points, "
            f"{sum(len(part.mistakes) for part in rubric.parts)} mistakes, {report.examples_graded} examples graded, "
            f"{report.mutations_tried} mutations tried" if rubric else "not loaded")
    verdict = "OK" if report.ok else f"{errors} error{'s' * (errors != 1)}"
    print(f"{args.rubric}: {verdict}, {warnings} warning{'s' * (warnings != 1)}"
          + (f", {notes} note{'s' * (notes != 1)} (-v shows them)" if notes and not args.verbose else "")
          + f" ({what}; {time.perf_counter() - started:.2f} s)")
    return 0 if report.ok else 1


def _samples(args) -> int:
    from autograder.samples import NoSamples, grade_sample, samples_for

    key = _load(args.rubric, "samples")
    if key is None:
        return 1
    try:
        samples = samples_for(key.rubric.name, args.folder)
    except NoSamples as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    total = float(key.rubric.total_points)
    print(f"{'sample':<52} {'score':>7} {'expected':>9}  result")
    failures = 0
    with tempfile.TemporaryDirectory(prefix="autograder-samples-") as results_root:
        for sample in samples:
            outcome = grade_sample(key, sample, Path(results_root))
            failures += bool(outcome.mismatches)
            status = "ok" if not outcome.mismatches else "MISMATCH"
            print(f"{outcome.name:<52} {outcome.score:>7g} {outcome.expected_score:>9g}  {status}")
            for problem in outcome.mismatches:
                print(f"    {problem}")
            if args.verbose:
                print("    " + outcome.log.rstrip().replace("\n", "\n    "))
    print(f"{len(samples) - failures} of {len(samples)} samples grade as expected (out of {total:g} points).")
    return 1 if failures else 0


def _regrade(args) -> int:
    if _needs("regrade", "regrade", EXTRAS["regrade"][1]):
        return 1
    from autograder.regrade import regrade_command

    key = _load(args.rubric, "regrade")
    if key is None:
        return 1
    return regrade_command(key, args.export, args.outdir, previous=args.previous, force=args.force, jobs=args.jobs)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _build(args) -> int:
    from autograder.build import BuildError, build
    from autograder.key import CompileError
    from autograder.rubric import RubricError, load_rubric

    started = time.perf_counter()
    graded = []
    try:
        if _key_needs("build", load_rubric(args.rubric)):
            return 1
    except RubricError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1

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
    for outcome in report.failures:
        print(f"MISMATCH {outcome.name}: score {outcome.score}, expected {outcome.expected_score}")
        for problem in outcome.mismatches:
            print(f"    {problem}")
        if args.verbose:
            print("    " + outcome.log.rstrip().replace("\n", "\n    "))
    samples = f"{len(report.outcomes) - len(report.failures)} of {len(report.outcomes)} samples grade as expected"
    if report.zip_path is None:
        removed = " (and the older zip there was removed)" if report.removed_stale else ""
        print(f"{samples} in the unpacked zip: no zip written to {args.out_dir}{removed}")
        return 1
    print(f"{samples} in the unpacked zip; wrote {report.zip_path} ({len(report.entries)} files, "
          f"{report.size / 1024:.1f} KiB) in {time.perf_counter() - started:.1f} s")
    return 0


def _template(args) -> int:
    from autograder.rubric import RubricError, load_rubric
    from autograder.template import answers_template

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
