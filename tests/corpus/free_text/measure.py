"""Measure the engine against the free-text corpus, without changing any expectation.

Each corpus entry (hw5.yaml, mlp.yaml beside this file) carries the credit a
fair TA gives. This grades every entry through autograder.authoring.check.grade_example
and reports where the engine differs:

- too_much:    the engine gives more credit than the TA,
- too_little:  the engine gives less credit than the TA,
- wrong_option (choice parts): same credit, but the answer is read as another
  option, or refused where the TA reads an option (or the other way round),
- message:     a refused answer whose message lacks a word of message_mentions,
- concepts (text parts, for information): the concepts the engine found differ
  from the TA's, whatever the credit.

It also groups each part's answers the way review.csv does
(autograder.regrade.tables.review_groups) and lists every group mixing different
`meaning` tags, and every deliberate near-identical set (`group:`) the grouping
splits. Choice parts are not grouped in review.csv (only text parts are); they
are grouped here too, with the same function, for information.

    .venv/bin/python tests/corpus/free_text/measure.py [-v]

`mismatches()` returns the same data as a list of dicts, for tests.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent.parent
CORPORA = {"hw5": REPO / "rubric" / "hw5.yaml", "mlp": REPO / "rubric" / "mlp.yaml"}

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from autograder.authoring.check import grade_example  # noqa: E402
from autograder.authoring.compile import cached_or_compiled  # noqa: E402
from autograder.grading.results_json import WrittenResult  # noqa: E402
from autograder.regrade.graded import GradedSubmission  # noqa: E402
from autograder.grading.rubric import load_rubric  # noqa: E402
from autograder.regrade.tables import review_groups  # noqa: E402


@dataclass
class Entry:
    corpus: str
    index: int                   # position in its file, from 0
    part: str
    answer: str
    credit: Fraction             # the TA's
    meaning: str
    expect: str | None = None    # choice parts
    concepts: frozenset | None = None  # text parts
    group: str | None = None
    open_question: str | None = None
    message_mentions: tuple = ()
    reason: str = ""
    # filled in by grading
    got_credit: Fraction | None = None
    got_kind: str | None = None
    got_option: str | None = None      # choice parts: option id or "refused"
    got_concepts: frozenset | None = None
    feedback: str = ""
    problems: list = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.corpus}:{self.part}#{self.index}"


def load_corpus(name: str) -> list[Entry]:
    raw = yaml.safe_load((HERE / f"{name}.yaml").read_text(encoding="utf-8"))
    entries = []
    for index, item in enumerate(raw):
        entries.append(Entry(
            corpus=name, index=index, part=item["part"], answer=str(item["answer"]),
            credit=Fraction(str(item["credit"])), meaning=item["meaning"],
            expect=item.get("expect"),
            concepts=frozenset(item["concepts"]) if "concepts" in item else None,
            group=item.get("group"), open_question=item.get("open_question"),
            message_mentions=tuple(item.get("message_mentions") or ()), reason=item.get("reason", "")))
    return entries


def _part(rubric, part_id: str):
    return next(part for part in rubric.parts if part.id == part_id)


def grade(entries: list[Entry], key) -> None:
    """Grade each entry with the engine and record what differs from the TA."""
    for entry in entries:
        part = _part(key.rubric, entry.part)
        verdict = grade_example(key, entry.part, entry.answer, {})
        entry.got_credit, entry.got_kind, entry.feedback = verdict.credit, verdict.outcome, verdict.feedback or ""
        answer_type = part.answer_type
        if entry.expect is not None:  # a choice
            by_label = {label: choice_id for choice_id, label in answer_type.labels.items()}
            entry.got_option = by_label.get(verdict.read_as) if verdict.outcome not in ("unreadable", "missing") else "refused"
            if entry.got_option is None:
                entry.got_option = f"?{verdict.outcome}"
        else:
            try:
                entry.got_concepts = answer_type.parse(entry.answer).concepts
            except Exception:  # noqa: BLE001 - an unreadable text: no concepts
                entry.got_concepts = frozenset()
        if entry.got_credit > entry.credit:
            entry.problems.append("too_much")
        elif entry.got_credit < entry.credit:
            entry.problems.append("too_little")
        elif entry.expect is not None and entry.got_option != entry.expect:
            entry.problems.append("wrong_option")
        if entry.expect == "refused" and entry.got_option == "refused":
            lacking = [w for w in entry.message_mentions if w.casefold() not in entry.feedback.casefold()]
            if lacking:
                entry.problems.append("message")
        if entry.concepts is not None and _implied(entry.got_concepts) != _implied(entry.concepts):
            entry.problems.append("concepts")


# A concept that another one implies: the TA lists only the stronger one.
_IMPLIED = {"centrosymmetric": "symmetric"}


def _implied(concepts: frozenset) -> frozenset:
    """Drop a concept implied by another in the set (centrosymmetric says B is symmetric, in a sense)."""
    return frozenset(c for c in concepts if not any(_IMPLIED.get(other) == c for other in concepts))


def _review_text(part, answer: str) -> str:
    if part.review:  # what regrade hands review_groups: the parsed text
        return part.answer_type.parse(answer).text
    return answer.strip()


def grouping(entries: list[Entry], rubric) -> tuple[list[dict], list[dict]]:
    """Group answers as review.csv does; return (groups mixing meanings, near-identical sets split)."""
    mixed, split = [], []
    by_part: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_part[entry.part].append(entry)
    for part_id, members in by_part.items():
        part = _part(rubric, part_id)
        # review_groups only looks at parts marked for review (text parts); a stand-in part
        # lets the same function group the choice parts, for information.
        shim = part if part.review else SimpleNamespace(id=part.id, review=True)
        fake_rubric = SimpleNamespace(parts=[shim])
        graded = [GradedSubmission(submission_id=f"{e.index:04d}", submitters=(), result=WrittenResult.from_json({}),
                                   review_texts={part_id: _review_text(part, e.answer)}) for e in members]
        by_id = {f"{e.index:04d}": e for e in members}
        groups = review_groups(fake_rubric, graded)
        where: dict[int, int] = {}
        for number, group in enumerate(groups):
            inside = [by_id[submission.submission_id] for submission, _ in group.members]
            for e in inside:
                where[e.index] = number
            meanings = {e.meaning for e in inside}
            credits = {e.credit for e in inside}
            if len(meanings) > 1:
                mixed.append({"corpus": members[0].corpus, "part": part_id, "reviewed": bool(part.review),
                              "meanings": sorted(meanings), "credits": sorted(str(c) for c in credits),
                              "answers": [(e.meaning, str(e.credit), e.answer) for e in inside]})
        sets: dict[str, list[Entry]] = defaultdict(list)
        for e in members:
            if e.group:
                sets[e.group].append(e)
        for name, inside in sets.items():
            numbers = {where[e.index] for e in inside}
            if len(numbers) > 1:
                pieces = defaultdict(list)
                for e in inside:
                    pieces[where[e.index]].append(e.answer)
                split.append({"corpus": members[0].corpus, "part": part_id, "reviewed": bool(part.review),
                              "group": name, "pieces": list(pieces.values())})
    return mixed, split


def measure() -> dict:
    """Grade the whole corpus; return every entry, the mismatches and the grouping findings."""
    everything, mixed, split = [], [], []
    for name, rubric_path in CORPORA.items():
        rubric = load_rubric(rubric_path)
        key = cached_or_compiled(rubric)
        entries = load_corpus(name)
        grade(entries, key)
        m, s = grouping(entries, rubric)
        everything += entries
        mixed += m
        split += s
    return {"entries": everything, "mixed_groups": mixed, "split_sets": split}


def _as_dict(entry: Entry) -> dict:
    return {"corpus": entry.corpus, "part": entry.part, "index": entry.index, "answer": entry.answer,
            "meaning": entry.meaning, "credit": entry.credit, "got_credit": entry.got_credit,
            "expect": entry.expect, "got_option": entry.got_option,
            "concepts": sorted(entry.concepts) if entry.concepts is not None else None,
            "got_concepts": sorted(entry.got_concepts) if entry.got_concepts is not None else None,
            "kind": entry.got_kind, "problems": list(entry.problems), "open_question": entry.open_question}


def mismatches(result: dict | None = None) -> list[dict]:
    """Every entry whose credit, option read or refusal message differs from the TA's
    (concept-only differences, which do not change the credit, are left out)."""
    result = result or measure()
    return [_as_dict(e) for e in result["entries"] if set(e.problems) - {"concepts"}]


def _share(entries) -> str:
    ok = sum(1 for e in entries if not set(e.problems) - {"concepts", "message"})
    return f"{ok}/{len(entries)} ({100 * ok / len(entries):.1f}%)" if entries else "-"


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    result = measure()
    entries = result["entries"]
    parts = sorted({(e.corpus, e.part) for e in entries})
    print("share matching (credit, and for choices the option read):")
    print(f"  overall: {_share(entries)}")
    for corpus, part in parts:
        these = [e for e in entries if (e.corpus, e.part) == (corpus, part)]
        counts = Counter(p for e in these for p in e.problems)
        print(f"  {corpus} {part}: {_share(these)}  too_much={counts['too_much']} too_little={counts['too_little']}"
              f" wrong_option={counts['wrong_option']} message={counts['message']} concepts={counts['concepts']}")
    totals = Counter(p for e in entries for p in e.problems)
    print(f"totals: too_much={totals['too_much']} too_little={totals['too_little']}"
          f" wrong_option={totals['wrong_option']} message={totals['message']} concepts(info)={totals['concepts']}")
    zero = [e for e in entries if "too_much" in e.problems and e.credit == 0]
    print(f"  of too_much, credit for an answer a TA gives 0 (opposite meaning, wrong matrix, off-topic): {len(zero)}")
    opened = [e for e in entries if set(e.problems) - {"concepts", "message"} and e.open_question]
    print(f"  mismatches on entries with an open_question: {len(opened)}")
    for problem in ("too_much", "too_little", "wrong_option", "message") + (("concepts",) if verbose else ()):
        these = [e for e in entries if problem in e.problems]
        if not these:
            continue
        print(f"\n== {problem} ({len(these)}) ==")
        for e in these:
            if e.expect is not None:
                what = f"TA {e.expect} {e.credit} / engine {e.got_option} {e.got_credit}"
            else:
                what = (f"TA {e.credit} {sorted(e.concepts)} / engine {e.got_credit} {sorted(e.got_concepts)}")
            flag = " [open]" if e.open_question else ""
            print(f"  {e.label} [{e.meaning}]{flag} {what}: {e.answer!r}")
            if problem == "message":
                print(f"      message: {e.feedback!r}")
    print(f"\n== review groups mixing meanings ({len(result['mixed_groups'])}) ==")
    for g in result["mixed_groups"]:
        where = "" if g["reviewed"] else " (choice part: not in review.csv)"
        print(f"  {g['corpus']}:{g['part']}{where} meanings={g['meanings']} credits={g['credits']}")
        for meaning, credit, answer in g["answers"]:
            print(f"      [{meaning} {credit}] {answer!r}")
    print(f"\n== near-identical sets split across groups ({len(result['split_sets'])}) ==")
    for s in result["split_sets"]:
        where = "" if s["reviewed"] else " (choice part: not in review.csv)"
        print(f"  {s['corpus']}:{s['part']} {s['group']}{where}: {s['pieces']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
