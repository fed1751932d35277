"""Measure the integer answer reader on the peer number cases.

Reads tests/data/peer_number_cases.yaml and runs each input through
IntegerAnswer({}).parse, then classifies the outcome against our expectation:

  OK            same value, or refused when a refusal is expected
  MISREAD       read as a DIFFERENT value than expected, or read although it
                must be refused (the serious kind: a wrong value reaches grading)
  OVER-REFUSED  refused although a value is expected
  CRASH         parse raised something other than Unreadable

    python tests/data/measure_peer_cases.py            # summary and every non-OK case
    python tests/data/measure_peer_cases.py --all      # every case
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import yaml

CASES = Path(__file__).with_name("peer_number_cases.yaml")
KINDS = ("OK", "MISREAD", "OVER-REFUSED", "CRASH")


@dataclass(frozen=True)
class Outcome:
    input: str
    expected: Fraction | None  # None: must be refused
    got: Fraction | None  # None: the reader refused
    kind: str  # one of KINDS
    source: str
    detail: str = ""  # the refusal message or the exception


def load_cases(path: Path = CASES) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def expected_value(expected) -> Fraction | None:
    """None for `refused`; otherwise the exact value (int, "p/q" or a decimal string)."""
    if expected == "refused":
        return None
    if isinstance(expected, bool) or not isinstance(expected, (int, str)):
        raise ValueError(f"bad expected value {expected!r}")
    return Fraction(expected)


def classify(expected: Fraction | None, got: Fraction | None) -> str:
    if expected is None:
        return "OK" if got is None else "MISREAD"
    if got is None:
        return "OVER-REFUSED"
    return "OK" if got == expected else "MISREAD"


def measure(path: Path = CASES) -> list[Outcome]:
    from autograder.answers.base import Unreadable
    from autograder.answers.integer import IntegerAnswer

    reader = IntegerAnswer({})
    outcomes = []
    for case in load_cases(path):
        expected = expected_value(case["expected"])
        detail = ""
        try:
            got = Fraction(reader.parse(case["input"]))
            kind = classify(expected, got)
        except Unreadable as exc:
            got, detail = None, str(exc)
            kind = classify(expected, None)
        except Exception as exc:  # the reader must refuse, never crash
            got, detail, kind = None, f"{type(exc).__name__}: {exc}", "CRASH"
        outcomes.append(Outcome(case["input"], expected, got, kind, case["source"], detail))
    return outcomes


def counts(outcomes: list[Outcome]) -> dict[str, int]:
    return {kind: sum(o.kind == kind for o in outcomes) for kind in KINDS}


def _show(value: Fraction | None) -> str:
    if value is None:
        return "refused"
    return str(value.numerator) if value.denominator == 1 else f"{value} (= {float(value):.10g})"


def _peer(source: str) -> str:
    return "ours" if source == "ours" else source.split(" ", 1)[0]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    outcomes = measure()
    total = counts(outcomes)
    print(f"{len(outcomes)} cases: " + ", ".join(f"{k} {v}" for k, v in total.items()))
    peers = sorted({_peer(o.source) for o in outcomes})
    for peer in peers:
        mine = [o for o in outcomes if _peer(o.source) == peer]
        print(f"  {peer:28} {len(mine):4}: " + ", ".join(f"{k} {v}" for k, v in counts(mine).items() if v))
    for kind in KINDS:
        shown = [o for o in outcomes if o.kind == kind and (kind != "OK" or "--all" in argv)]
        if not shown:
            continue
        print(f"\n{kind} ({len(shown)}): input -> reader gave -> expected")
        for o in shown:
            extra = f"   [{o.detail[:90]}]" if kind in ("OVER-REFUSED", "CRASH") and o.detail else ""
            print(f"  {o.input!r} -> {_show(o.got)} -> {_show(o.expected)}   ({_peer(o.source)}){extra}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
