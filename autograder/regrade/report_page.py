"""The regrade's report.html: how a whole class did, for the course staff.

One self-contained page that opens offline: plots are PNG `data:` URIs,
there is no script and no external resource (its Content-Security-Policy
forbids both, so even a string that escaped escaping could not run). It
shows the score distribution, each part's mean and outcome shares, the late
policy's effect, the wrong answers the rubric does not recognise (with a
mistake entry to paste where a variation of the solver call reproduces one),
for a rubric with per-student numbers how fair the variants were
(regrade/fairness.py) and, apart from all grades, groups of submissions
sharing rare wrong answers and submissions whose wrong answers are another
variant's right ones.

Everything is read from the results.json written for each submission, so
the page describes exactly what students were given; every text in it goes
through `neutralise.html_text`, so a bidirectional override or a control
character in a name, an SID or an answer shows as \\uXXXX instead of
reordering the row. Students' names appear only in that last section. matplotlib and the solvers (sympy) are imported
here only, never on the grading path. Everything is sorted, so two runs can be diffed.
"""

from __future__ import annotations

import base64
import io
import itertools
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Mapping, Sequence


from autograder.base.atomic import write_text_atomic
from autograder.base.neutralise import html_text
from autograder.grading.key import AnswerKey
from autograder.grading.outcomes import Outcome
from autograder.grading.results_json import WrittenPart
from autograder.grading.rubric import Part, Rubric
from autograder.regrade.fairness import ALPHA, PERMUTATIONS, Fairness, GroupFigures, fairness, other_variant_leads
from autograder.regrade.graded import GradedSubmission
from autograder.regrade.suggest import suggest_mistakes

# A wrong answer is "rare" when at most this many submissions give it: few
# enough that several shared ones are unlikely to be coincidence, and enough
# to catch a group of three, the usual size of a copying ring.
RARE_AT_MOST = 3
# Submissions are grouped when they share this many rare wrong answers, each
# on a different part: one shared slip happens; three is a pattern.
SHARED_AT_LEAST = 3
ANSWERS_LISTED = 10      # most frequent unrecognised answers shown per part

OUTCOME_COLOURS = {      # the page's CSS uses none of these, so a screenshot can find the plots
    Outcome.CORRECT: "#2e7d32", Outcome.ECF: "#81c784", Outcome.MISTAKE: "#f9a825",
    Outcome.WRONG: "#c62828", Outcome.UNREADABLE: "#6a1b9a", Outcome.MISSING: "#9e9e9e",
}
SCORE_COLOUR = "#3b6ea5"
_PAGE_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


# ---------------------------------------------------------------- the analysis

def graded_ok(submission: GradedSubmission) -> bool:
    """False for a submission whose grading crashed (rubric or engine error): it has no real score."""
    return submission.result.failure is None


@dataclass(frozen=True)
class ClassResults:
    """The graded submissions (crashed ones left out), sorted, with each one's outcomes read once."""

    submissions: tuple[GradedSubmission, ...]
    outcomes: tuple[Mapping[str, WrittenPart], ...]

    @classmethod
    def of(cls, graded: Sequence[GradedSubmission]) -> ClassResults:
        """The submissions whose grading did not crash, sorted by id, with their parts."""
        scored = sorted((s for s in graded if graded_ok(s)), key=lambda submission: submission.submission_id)
        return cls(tuple(scored), tuple(submission.result.parts for submission in scored))


@dataclass(frozen=True)
class PartSummary:
    """One part across the class: how many answered, the mean points and each outcome's count."""

    part: Part
    submissions: int
    mean_points: float
    counts: tuple[tuple[str, int], ...]   # outcome label ("correct", "mistake pad0", ...) -> submissions


def part_summaries(rubric: Rubric, graded: ClassResults) -> list[PartSummary]:
    """Each part's summary, outcomes in a fixed order (declared mistakes in rubric order)."""
    per_part: dict[str, list[WrittenPart]] = defaultdict(list)
    for submission_outcomes in graded.outcomes:
        for part_id, outcome in submission_outcomes.items():
            per_part[part_id].append(outcome)
    summaries = []
    for part in rubric.parts:
        found = per_part.get(part.id, [])
        counts = Counter(_label(outcome) for outcome in found)
        order = [Outcome.CORRECT, Outcome.ECF, *(f"mistake {m.id}" for m in part.mistakes),
                 Outcome.WRONG, Outcome.UNREADABLE, Outcome.MISSING]
        order += sorted(set(counts) - set(order))  # e.g. a mistake this rubric no longer declares
        summaries.append(PartSummary(
            part, len(found), statistics.fmean(o.points or 0.0 for o in found) if found else 0.0,
            tuple((label, counts[label]) for label in order if counts[label]),
        ))
    return summaries


def _label(written: WrittenPart) -> str:
    if written.decision is not None:
        return written.rule  # a TA's decision set the points, whatever the engine read
    return f"mistake {written.mistake}" if written.outcome is Outcome.MISTAKE else str(written.outcome or "")


@dataclass(frozen=True)
class LateSummary:
    """What the late policy did to the class."""

    time_unknown: int                            # no submission metadata: no penalty applied
    on_time: int
    late_by_days: tuple[tuple[int, int, str], ...]  # (started days late, submissions, late factor)
    refused: int                                 # later than the policy accepts: scored 0
    extensions: int                              # graded against their own (extended) due date
    late_with_extension: int
    mean_factor: float | None                    # over submissions whose time is known
    points_lost: float                           # to the late policy, over the whole class


def late_summary(rubric: Rubric, graded: ClassResults) -> LateSummary:
    """The late policy's effect on the class, from each results.json's late details."""
    max_days = rubric.late_policy.max_days_late if rubric.late_policy else None
    unknown = on_time = refused = extensions = late_extended = 0
    by_days: dict[int, list[str]] = defaultdict(list)
    factors: list[Fraction] = []
    lost = 0.0
    for submission in graded.submissions:
        result = submission.result
        lost += (result.score_before_late_policy or 0.0) - result.score
        if not result.submitted:
            unknown += 1
            continue
        factor = result.late_factor or "1"
        factors.append(Fraction(factor))
        days = result.days_late
        extended = result.due_source is not None and result.due_source.personal
        extensions += int(extended)
        late_extended += int(extended and days > 0)
        if days == 0:
            on_time += 1
        elif max_days is not None and days > max_days:
            refused += 1
        else:
            by_days[days].append(factor)
    return LateSummary(
        unknown, on_time,
        tuple((days, len(found), " or ".join(sorted(set(found)))) for days, found in sorted(by_days.items())),
        refused, extensions, late_extended,
        float(sum(factors) / len(factors)) if factors else None, round(lost, 4),
    )


@dataclass(frozen=True)
class UnrecognisedAnswer:
    """A wrong answer no declared mistake explains, with how many gave it."""

    part_id: str
    read_as: str                   # the answer type's canonical display: "16x60x60" and "(16, 60, 60)" agree
    submissions: int
    suggestions: tuple[str, ...]   # ready-to-paste YAML mistake entries that reproduce it


@dataclass(frozen=True)
class UnrecognisedPart:
    """A part's most frequent unrecognised answers."""

    part: Part
    listed: tuple[UnrecognisedAnswer, ...]
    others: int                    # distinct answers not listed
    others_submissions: int


def unrecognised_answers(key: AnswerKey, graded: ClassResults) -> list[UnrecognisedPart]:
    """Per part, the most frequent wrong answers that matched no declared mistake, with suggested entries."""
    given = _wrong_answers(key.rubric, graded, lambda part: not part.review)
    found = []
    for part in key.rubric.parts:
        counts = {answer: len(holders) for answer, holders in given.get(part.id, {}).items()}
        if not counts:
            continue
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        listed, rest = ranked[:ANSWERS_LISTED], ranked[ANSWERS_LISTED:]
        suggestions = suggest_mistakes(key.rubric, part, [answer for answer, _ in listed])
        found.append(UnrecognisedPart(
            part,
            tuple(UnrecognisedAnswer(part.id, answer, n, suggestions.get(answer, ())) for answer, n in listed),
            len(rest), sum(n for _, n in rest),
        ))
    return found


def _wrong_answers(rubric: Rubric, graded: ClassResults, include) -> dict[str, dict[str, list[int]]]:
    """part id -> answer as read -> indexes of the submissions that gave it, for wrong verdicts on included parts."""
    parts = {part.id: part for part in rubric.parts if include(part)}
    found: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for index, submission_outcomes in enumerate(graded.outcomes):
        for part_id, written in submission_outcomes.items():
            if written.outcome is Outcome.WRONG and written.read_as is not None and part_id in parts:
                found[part_id][written.read_as].append(index)
    return found


# ------------------------------------------------- shared rare wrong answers

@dataclass(frozen=True)
class SharedAnswer:
    """A rare wrong answer, and the submissions of a group that gave it."""

    part_id: str
    read_as: str
    submission_ids: tuple[str, ...]


@dataclass(frozen=True)
class SharedGroup:
    """Submissions linked by the rare wrong answers they share."""

    members: tuple[GradedSubmission, ...]
    answers: tuple[SharedAnswer, ...]


def shared_rare_answers(rubric: Rubric, graded: ClassResults) -> list[SharedGroup]:
    """Groups of submissions linked by sharing ≥ SHARED_AT_LEAST rare wrong answers, each on another part.

    Only "wrong" answers count: a declared mistake is a common, explained
    slip that many make independently. Free-text and choice parts are left
    out: their answers are a few concepts or options, so agreeing says little."""
    given = _wrong_answers(rubric, graded, lambda part: not part.answer_type.literal_key)
    rare = {(part_id, answer): holders for part_id, answers in given.items()
            for answer, holders in answers.items() if 2 <= len(holders) <= RARE_AT_MOST}
    shared = Counter(pair for holders in rare.values() for pair in itertools.combinations(sorted(holders), 2))
    linked = {index: index for pair, count in shared.items() if count >= SHARED_AT_LEAST for index in pair}

    def root(index: int) -> int:
        while linked[index] != index:
            index = linked[index]
        return index

    for (first, second), count in sorted(shared.items()):
        if count >= SHARED_AT_LEAST:
            linked[root(second)] = root(first)
    groups: dict[int, list[int]] = defaultdict(list)
    for index in linked:
        groups[root(index)].append(index)
    order = {part.id: position for position, part in enumerate(rubric.parts)}
    submissions = graded.submissions
    found = []
    for members in groups.values():
        inside = set(members)
        answers = sorted(
            (order[part_id], answer, sorted(submissions[i].submission_id for i in holders if i in inside), part_id)
            for (part_id, answer), holders in rare.items() if len(inside.intersection(holders)) >= 2
        )
        found.append(SharedGroup(
            tuple(sorted((submissions[i] for i in members), key=lambda s: s.submission_id)),
            tuple(SharedAnswer(part_id, answer, tuple(ids)) for _, answer, ids, part_id in answers),
        ))
    return sorted(found, key=lambda g: (-len(g.answers), -len(g.members), g.members[0].submission_id))


# ---------------------------------------------------------------- the page

class _Html(str):
    """A fragment already built from escaped parts; anything else put in the page is escaped."""


def _text(value: Any) -> str:
    return value if isinstance(value, _Html) else html_text(value)


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> _Html:
    head = "".join(f"<th>{_text(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_text(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return _Html(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def _section(anchor: str, title: str, *content: str) -> _Html:
    return _Html(f'<section id="{anchor}"><h2>{_text(title)}</h2>' + "".join(_text(c) for c in content) + "</section>")


def _p(text: Any) -> _Html:
    return _Html(f"<p>{_text(text)}</p>")


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _share(count: int, total: int) -> str:
    return f"{100 * count / total:.1f}%" if total else "-"


def _part_name(part: Part) -> str:
    return f"{part.number} {part.title}"


def write_report(key: AnswerKey, graded: Sequence[GradedSubmission], path: Path) -> None:
    """Write report.html for a regraded class."""
    write_text_atomic(path, render_report(key, graded))


def render_report(key: AnswerKey, graded: Sequence[GradedSubmission]) -> str:
    """report.html's text."""
    rubric = key.rubric
    ordered = sorted(graded, key=lambda submission: submission.submission_id)
    scored = ClassResults.of(graded)
    body = [
        _Html(f"<h1>Regrade report: {_text(rubric.title)}</h1>"),
        _overview(rubric, ordered, scored),
        _scores_section(rubric, scored),
        _parts_section(part_summaries(rubric, scored)),
        _late_section(rubric, scored),
        _unrecognised_section(rubric, unrecognised_answers(key, scored), pooled=key.pool is not None),
        *([_fairness_section(rubric, fairness(key, scored.submissions))] if key.pool is not None else []),
        _Html("<hr>"),
        _shared_section(rubric, shared_rare_answers(rubric, scored), len(scored.submissions)),
        *([_other_variant_section(rubric, scored)] if key.pool is not None else []),
    ]
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{_PAGE_POLICY}">'
        f"<title>Regrade report: {_text(rubric.name)}</title><style>{_STYLE}</style></head>\n<body>\n"
        + "\n".join(body) + "\n</body></html>\n"
    )


_STYLE = """
body { font-family: sans-serif; margin: 2em auto; max-width: 70em; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
pre { margin: 0; font-size: 0.9em; white-space: pre-wrap; }
pre + pre { margin-top: 0.8em; }
td { overflow-wrap: anywhere; }
img { max-width: 100%; }
.note { background: #fff8e1; border-left: 4px solid #ccc; padding: 0.5em 1em; }
hr { margin: 3em 0; }
"""


def _overview(rubric: Rubric, ordered: Sequence[GradedSubmission], scored: ClassResults) -> _Html:
    lines = [f"Rubric {rubric.name} (SHA-256 {rubric.sha256[:12]}), {_number(float(rubric.total_points))} points; "
             f"{len(ordered)} submissions, {len(scored.submissions)} graded."]
    crashed = [s.submission_id for s in ordered if not graded_ok(s)]
    if crashed:
        lines.append(f"{len(crashed)} could not be graded (a rubric or engine error; they are left out below): "
                     + ", ".join(crashed))
    other_rubric = sum(1 for s in ordered if s.result.rubric_sha256 != rubric.sha256)
    if other_rubric:
        lines.append(f"Warning: {other_rubric} results were not written with this rubric (another SHA-256).")
    return _Html("".join(_p(line) for line in lines))


def _scores_section(rubric: Rubric, scored: ClassResults) -> _Html:
    finals = [s.result.score for s in scored.submissions]
    if not finals:
        return _section("scores", "Score distribution", _p("No submission was graded."))
    before = [s.result.score_before_late_policy or 0.0 for s in scored.submissions]
    rows = [(name, _number(fn(finals)), _number(fn(before))) for name, fn in (
        ("mean", statistics.fmean), ("median", statistics.median), ("standard deviation", statistics.pstdev),
        ("lowest", min), ("highest", max))]
    return _section(
        "scores", "Score distribution",
        _p(f"Final scores of {len(finals)} graded submissions, out of {_number(float(rubric.total_points))}."),
        _table(("", "final score", "before the late policy"), rows),
        _Html(f'<img alt="Histogram of the final scores" src="{_score_plot(finals, before, float(rubric.total_points))}">'),
    )


def _parts_section(summaries: Sequence[PartSummary]) -> _Html:
    rows = []
    for summary in summaries:
        points = float(summary.part.points)
        shares = "; ".join(f"{label} {_share(count, summary.submissions)} ({count})" for label, count in summary.counts)
        rows.append((_part_name(summary.part), _number(points), _number(summary.mean_points),
                     _share(summary.mean_points, points) if points else "-", shares))
    return _section(
        "parts", "Parts: mean and outcomes",
        _table(("part", "points", "mean", "mean %", "outcomes: share of submissions (count)"), rows),
        _Html(f'<img alt="Share of each outcome per part" src="{_outcome_plot(summaries)}">'),
    )


def _late_section(rubric: Rubric, scored: ClassResults) -> _Html:
    summary = late_summary(rubric, scored)
    rows = [("on time", summary.on_time)]
    rows += [(f"{days} started day{'s' if days > 1 else ''} late (late factor {factor})", count)
             for days, count, factor in summary.late_by_days]
    refused = f"more than {rubric.late_policy.max_days_late} days late: refused, score 0" if rubric.late_policy else "refused"
    rows += [(refused, summary.refused), ("submission time unknown (no penalty applied)", summary.time_unknown)]
    mean = "-" if summary.mean_factor is None else f"{summary.mean_factor:.3f}"
    return _section(
        "late", "Late submissions",
        _table(("", "submissions"), rows),
        _p(f"Mean late factor (submissions with a known time): {mean}. Points lost to the late policy, "
           f"whole class: {_number(summary.points_lost)}. Graded against an extended due date: "
           f"{summary.extensions} ({summary.late_with_extension} of them still late)."),
    )


def _unrecognised_section(rubric: Rubric, found: Sequence[UnrecognisedPart], pooled: bool = False) -> _Html:
    content = [_p(
        "Wrong answers that matched no declared mistake, grouped as the answer type reads them "
        "(\"16x60x60\" and \"(16, 60, 60)\" are both 16 x 60 x 60), most frequent first. Where a single change "
        "of the part's solver call reproduces one (a problem parameter changed to 0, ±1, ±2, doubled or halved; "
        "a solver argument flipped; another solver), a mistake entry for the rubric is suggested (several when "
        "several changes give the same answer: keep the one that explains it): paste it under the part's "
        "mistakes:, then set its credit and feedback.")]
    if pooled:
        content.append(_p("Students had different numbers: answers from every variant are counted together, and "
                          "the suggested entries are worked out on the base numbers (the rubric's parameters:)."))
    review = [part.number for part in rubric.parts if part.review]
    if review:
        content.append(_p(f"Free-text parts ({', '.join(review)}) are left out: a TA reads those answers."))
    if not found:
        content.append(_p("Every wrong answer matched a declared mistake."))
    for entry in found:
        rows = [(answer.read_as, answer.submissions,
                 _Html("".join(f"<pre>{_text(s)}</pre>" for s in answer.suggestions)) if answer.suggestions else "")
                for answer in entry.listed]
        content.append(_Html(f"<h3>{_text(_part_name(entry.part))}</h3>"))
        content.append(_table(("answer, as read", "submissions", "suggested mistake entry"), rows))
        if entry.others:
            content.append(_p(f"{entry.others} more distinct answers, given by {entry.others_submissions} "
                              "submissions, are not listed."))
    return _section("unrecognised", "Answers the rubric does not recognise", *content)


def _shared_section(rubric: Rubric, groups: Sequence[SharedGroup], class_size: int) -> _Html:
    content = [
        _Html(f'<p class="note">{_text(_SHARED_NOTE)}</p>'),
        _p(f"Threshold: a wrong answer (one that matched no declared mistake) is rare when at most {RARE_AT_MOST} "
           f"of the {class_size} graded submissions give it; submissions are grouped when they share at least "
           f"{SHARED_AT_LEAST} rare wrong answers, each on a different part. Free-text and choice parts are "
           "not counted."),
    ]
    if not groups:
        content.append(_p("No group of submissions reaches the threshold."))
    for number, group in enumerate(groups, 1):
        people = [(s.submission_id, "; ".join(f"{p.name} ({p.sid})" for p in s.submitters) or "-") for s in group.members]
        answers = [(_part_name(rubric.part(a.part_id)), a.read_as, ", ".join(a.submission_ids)) for a in group.answers]
        content += [
            _Html(f"<h3>Group {number}: {len(group.members)} submissions, {len(group.answers)} shared rare answers</h3>"),
            _table(("submission", "submitted by (SID)"), people),
            _table(("part", "shared answer, as read", "given by"), answers),
        ]
    return _section("shared-answers", "Submissions sharing rare wrong answers (not part of any grade)", *content)


def _fairness_section(rubric: Rubric, figures: Fairness) -> _Html:
    content = [_p(
        f"Each student was graded on their own variant of the numbers. Mean score before the late policy, per "
        f"variant and per value of each drawn parameter, against the class mean of {_number(figures.class_mean)} "
        f"({figures.scored} submissions); for each part, the share of full credit (correct or carried forward) / "
        f"a declared mistake / anything else. A group is flagged when its mean differs beyond chance: a two-sided "
        f"permutation test of its mean against {PERMUTATIONS:,} random groups of the same size drawn from the "
        f"class (seeded), p-values corrected by Holm's method within each table, flagged below {ALPHA}. Groups of "
        "one submission are not tested. With a few submissions per variant only large differences can show; "
        "the tables per parameter value pool many variants and say more.")]
    if figures.other_pool:
        content.append(_p(f"Warning: {figures.other_pool} results were graded with another pool of variants "
                          "(another secret, or a pool drawn again): their variant numbers name other numbers."))
    parts = rubric.parts
    content.append(_Html("<h3>Per variant</h3>"))
    content.append(_group_table("variant", figures.variants, parts))
    for path, groups in figures.parameters:
        content.append(_Html(f"<h3>Per value of {_text(path)}</h3>"))
        content.append(_group_table(path, groups, parts))
    return _section("fairness", "Fairness of the variants", *content)


def _group_table(what: str, groups: Sequence[GroupFigures], parts: Sequence[Part]) -> _Html:
    rows = []
    for group in groups:
        shares = [" / ".join(f"{100 * share:.0f}" for share in group.shares[part.id]) if part.id in group.shares else "-"
                  for part in parts]
        p_value = "-" if group.p_value is None else f"{group.p_value:.3f}"
        rows.append((group.label, group.submissions, _number(group.mean), p_value,
                     "DIFFERS" if group.flagged else "", *shares))
    return _table((what, "submissions", "mean", "p (Holm)", "flag",
                   *(f"{part.number} % full / mistake / other" for part in parts)), rows)


def _other_variant_section(rubric: Rubric, scored: ClassResults) -> _Html:
    leads = other_variant_leads(scored.submissions)
    content = [
        _Html(f'<p class="note">{_text(_OTHER_VARIANT_NOTE)}</p>'),
        _p("Wrong answers that are exactly the right answer of another student's variant (or of the base variant, "
           "the numbers printed in the homework). One such part can be chance; several parts fitting the same "
           "other variant hardly are. Submissions with the most parts fitting one variant come first; for each "
           "variant, the submissions graded on it."),
    ]
    if not leads:
        content.append(_p("No wrong answer is another variant's right answer."))
    rows = []
    for lead in leads:
        people = "; ".join(f"{p.name} ({p.sid})" for p in lead.submission.submitters) or "-"
        fitted = "; ".join(f"{rubric.part(part_id).number}: {', '.join(labels)}" for part_id, labels in lead.parts)
        sources = "; ".join(f"{label}: {', '.join(ids) or 'no submission'}" for label, ids in lead.graded_on)
        rows.append((lead.submission.submission_id, people, lead.submission.result.variant or "-", lead.strongest,
                     fitted, sources))
    if rows:
        content.append(_table(("submission", "submitted by (SID)", "own variant", "parts fitting one other variant",
                               "parts: the variants they are right for", "graded on those variants"), rows))
    return _section("other-variants", "Answers that fit another student's numbers (not part of any grade)", *content)


_OTHER_VARIANT_NOTE = (
    "A lead, not evidence: an answer can fit another variant by coincidence, or come from working with a "
    "classmate's numbers to check a method. Nothing here changed any grade, and students never see it. It "
    "names students: keep it to the staff who handle academic integrity."
)

_SHARED_NOTE = (
    "A lead, not evidence. Sharing several rare wrong answers is a stronger sign of copied work than similar "
    "wording, but it can also come from studying together, the same wrong source, or chance. Read the "
    "submissions before acting; nothing here changes any grade. This is the only section that names students: "
    "keep it to the staff who handle academic integrity."
)


# ---------------------------------------------------------------- the plots

def _png(figure) -> str:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})  # no version stamp: runs diff
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _score_plot(finals: Sequence[float], before: Sequence[float], total: float) -> str:
    from matplotlib.figure import Figure

    width = 1.0 if total <= 50 else total / 50
    edges = [i * width for i in range(int(total / width) + 1)]
    if edges[-1] < total:
        edges.append(total)
    figure = Figure(figsize=(8, 3.2), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    axes.hist(finals, bins=edges, color=SCORE_COLOUR, label="final score")
    if list(before) != list(finals):
        axes.hist(before, bins=edges, histtype="step", color="black", label="before the late policy")
    axes.set_xlabel("score")
    axes.set_ylabel("submissions")
    axes.legend(loc="upper left")
    return _png(figure)


def _outcome_plot(summaries: Sequence[PartSummary]) -> str:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 0.45 * len(summaries) + 1.2), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    names = [summary.part.number for summary in summaries]
    left = [0.0] * len(summaries)
    for kind, colour in OUTCOME_COLOURS.items():
        shares = []
        for summary in summaries:
            count = sum(n for label, n in summary.counts if label.split(" ")[0] == kind)
            shares.append(count / summary.submissions if summary.submissions else 0.0)
        axes.barh(names, shares, left=left, color=colour, label=kind)
        left = [a + b for a, b in zip(left, shares)]
    axes.invert_yaxis()
    axes.set_xlim(0, 1)
    axes.set_xlabel("share of graded submissions")
    axes.legend(ncols=len(OUTCOME_COLOURS), loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    return _png(figure)
