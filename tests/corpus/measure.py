"""Grade the golden corpus with the library and compare with the TA's expectations.

Each case folder `tests/corpus/<hw>/<NNN>-<slug>/` holds `submission/` (the
student's upload) and `expected.yaml` (points per part, written by hand before
any engine run; see tests/corpus/hw5/README.md). This script never changes an
expectation: it only reports where the engine differs.

    python tests/corpus/measure.py [-v] [CASE_SUBSTRING ...]

`measure()` returns [(case_name, [mismatch, ...]), ...] for every case (an
empty list means the case matches), so a pytest can use it.
"""
from __future__ import annotations

import argparse
import io
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CORPUS = HERE / "hw5"
RUBRIC = REPO / "rubric" / "hw5.yaml"
TOLERANCE = 0.01


@dataclass
class Mismatch:
    """One difference between the expectation and the engine for a case."""

    kind: str                      # "part", "mention", "missing_part" or "crash"
    part: str | None = None
    expected: object = None
    got: object = None
    reason: str = ""               # the TA's reason from expected.yaml
    engine: dict = field(default_factory=dict)   # verdict, mistake, read_as, output from the engine

    def __str__(self) -> str:
        if self.kind == "part":
            e = self.engine
            return (f"{self.part}: expected {self.expected:g}, got {self.got:g}"
                    f"  [engine: {e.get('verdict')}{'/' + e['mistake'] if e.get('mistake') else ''}"
                    f", read_as={e.get('read_as')!r}]  (TA: {self.reason})"
                    + (f"\n        feedback: {e['output']}" if e.get("output") else ""))
        if self.kind == "mention":
            return f"submission check does not mention {self.expected!r}"
        if self.kind == "missing_part":
            return f"{self.part}: no test for this part in the results"
        return f"crash: {self.got}"


def _points(value) -> float:
    return float(Fraction(str(value))) if isinstance(value, str) else float(value)


def case_dirs(corpus: Path = CORPUS, only: list[str] | None = None) -> list[Path]:
    dirs = sorted(p for p in corpus.iterdir() if p.is_dir() and (p / "expected.yaml").is_file())
    if only:
        dirs = [d for d in dirs if any(s in d.name for s in only)]
    return dirs


def grade_case(case: Path, rubric: Path = RUBRIC, key=None) -> dict:
    """Grade one case in a temporary /autograder-like root and return the results dict."""
    from autograder.grading.run import Paths, run

    root = Path(tempfile.mkdtemp(prefix="corpus-"))
    try:
        shutil.copytree(case / "submission", root / "submission", symlinks=True)
        return run(rubric, Paths.under(root), stream=io.StringIO(), key=key)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def compare(case: Path, results: dict) -> list[Mismatch]:
    expected = yaml.safe_load((case / "expected.yaml").read_text(encoding="utf-8"))
    tests = results.get("tests", [])
    by_part = {t.get("extra_data", {}).get("part"): t for t in tests if t.get("extra_data", {}).get("part")}
    check = next((t for t in tests if t.get("name") == "Submission check"), None)
    out: list[Mismatch] = []
    for part, exp in expected["parts"].items():
        test = by_part.get(part)
        if test is None:
            out.append(Mismatch("missing_part", part, _points(exp["points"]), None, exp.get("reason", "")))
            continue
        want, got = _points(exp["points"]), float(test.get("score", 0))
        if abs(want - got) > TOLERANCE:
            extra = test.get("extra_data", {})
            out.append(Mismatch("part", part, want, got, exp.get("reason", ""),
                                {"verdict": extra.get("verdict"), "mistake": extra.get("mistake"),
                                 "read_as": extra.get("read_as"),
                                 "output": " ".join((test.get("output") or "").split())[:300]}))
    visible = ((check or {}).get("output") or "") + "\n" + (results.get("output") or "")
    for word in expected.get("check_mentions") or []:
        if word.lower() not in visible.lower():
            out.append(Mismatch("mention", expected=word, got=" ".join(visible.split())[:300]))
    return out


def measure(corpus: Path = CORPUS, rubric: Path = RUBRIC, only: list[str] | None = None) -> list[tuple[str, list[Mismatch]]]:
    """Every case with its mismatches (empty when the engine matches the TA)."""
    from autograder.grading.key import load_key
    from autograder.grading.rubric import load_rubric

    key = load_key(load_rubric(rubric))
    report = []
    for case in case_dirs(corpus, only):
        try:
            results = grade_case(case, rubric, key)
            report.append((case.name, compare(case, results)))
        except Exception as exc:  # an engine crash is a mismatch, not a reason to stop measuring
            report.append((case.name, [Mismatch("crash", got=f"{type(exc).__name__}: {exc}")]))
    return report


def by_class(report: list[tuple[str, list[Mismatch]]], corpus: Path = CORPUS) -> dict[str, tuple[int, list[str]]]:
    """class slug -> (number of cases, names of the failing cases)."""
    out: dict[str, tuple[int, list[str]]] = {}
    for name, mismatches in report:
        expected = yaml.safe_load((corpus / name / "expected.yaml").read_text(encoding="utf-8"))
        for cls in expected.get("classes") or []:
            total, failing = out.get(cls, (0, []))
            out[cls] = (total + 1, failing + ([name] if mismatches else []))
    return out


def print_by_class(report: list[tuple[str, list[Mismatch]]]) -> None:
    print("\nper class: matching / cases")
    for cls, (total, failing) in sorted(by_class(report).items(), key=lambda kv: -len(kv[1][1])):
        print(f"  {cls:<22} {total - len(failing):>3}/{total:<3}  failing: {' '.join(n.split('-')[0] for n in failing) or '-'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", help="grade only cases whose folder name contains one of these")
    parser.add_argument("-v", "--verbose", action="store_true", help="also print the engine's feedback per mismatch")
    parser.add_argument("--by-class", action="store_true", help="also print, per class, how many of its cases match")
    args = parser.parse_args(argv)
    report = measure(only=args.only)
    for name, mismatches in report:
        print(f"{'PASS' if not mismatches else 'FAIL'} {name}")
        for m in mismatches:
            text = str(m)
            if not args.verbose:
                text = text.split("\n        feedback:")[0]
            print("    " + text)
    ok = sum(1 for _, m in report if not m)
    if args.by_class:
        print_by_class(report)
    print(f"\n{ok}/{len(report)} cases fully match ({100 * ok / max(len(report), 1):.1f}%)")
    return 0 if ok == len(report) else 1


if __name__ == "__main__":
    sys.exit(main())
