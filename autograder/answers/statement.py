"""Which one value a student's text states as the answer.

Students rarely type a bare value. They write a caption first ("Answer:",
"Layer 2:", "输出："), working ("(64+2-3)/1+1 = 64, so 8x64x64"), a remark or
a breakdown after it ("3512 (288+8+3200+16)"), units ("pixels", "个"), prose.
The rule is a TA's: find every candidate value in the text; remarks in
brackets, struck-out or negated values ("not 16x64x64") and restatements of
the same value are no second answer; working is superseded by what follows
"=" or a marker ("so", "total", "→"); when two different candidates remain,
the answer is ambiguous and refused, quoting both. A number glued to letters
("conv1", "3.5k") or joined to them by an operator ("2*pi") is part of a
name or a formula, never the answer.

An answer type supplies how candidates look in its tokens; everything else
(remarks, chains, markers, the decision) is shared here. Every pass is linear
in the number of tokens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from autograder.answers.base import quote
from autograder.answers.reading import Kind, NotRead, Token

# Words (lower case) that mark the value after them as the final one: "so 8x64x64", "total = 3512", "→ 16x31x31".
_FINAL_BEFORE = frozenset(
    "so thus therefore hence total totals answer answers result results final finally get gives giving "
    "overall altogether output 共 总共 一共 合计 总计 共计 答案 结果 所以 因此 为".split())
# ... and after it: "3512 in total", "3512 overall".
_FINAL_AFTER = frozenset("total overall altogether 总共 共计 合计".split())
_NEGATIONS = frozenset("not isn't isnt never instead 不是 而非".split())
_ALTERNATIVES = frozenset("or either 或 或者".split())
_APPROXIMATE = frozenset("about approx approximately around roughly ca ~ ≈ 约 大约".split())
# Symbols that cannot touch a value ("1#2", "2 \\", "5==5"): no TA would read such text as one number.
_STRAY = frozenset(["\\", "#", "@", "&", "|", "<", ">", "_", "'", "==", ">=", "<=", "!=", "≠", "±", "+-", "-+"])
_STRAY_EVEN_SPACED = frozenset(["\\", "==", ">=", "<=", "!=", "≠", "±", "+-", "-+"])


@dataclass
class Candidate:
    """A value the text could be stating, with where it is (token indexes) and what surrounds it."""

    value: Any
    start: int
    end: int                     # one past its last token
    text: str                    # as written, for messages
    problem: str | None = None   # why it cannot be the answer (a formula, glued to letters...)
    marked: bool = False         # a marker says it is the final value
    negated: bool = False
    approximate: bool = False
    in_chain_of: int | None = None  # index of the chain it belongs to
    notes: frozenset = field(default_factory=frozenset)


@dataclass(frozen=True)
class Groups:
    """The text's tokens with bracketed remarks and calls taken out of the main line."""

    main: list[Token]
    remarks: list[list[Token]]


def split_groups(tokens: Sequence[Token]) -> Groups:
    """Top-level bracket groups: a call ("sqrt(16)", "Out[7]") becomes one word; a remark after a
    value or holding words ("(288+8+3200+16)", "(weights + biases)") is set aside; brackets
    that are arithmetic or hold the answer stay in the main line."""
    main: list[Token] = []
    remarks: list[list[Token]] = []
    pairs = bracket_pairs(tokens)
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.kind != Kind.OPEN:
            main.append(token)
            index += 1
            continue
        close = pairs.get(index)
        if close is None:
            main.append(token)
            index += 1
            continue
        inside = list(tokens[index + 1:close])
        before = main[-1] if main else None
        after = tokens[close + 1] if close + 1 < len(tokens) else None
        if before is not None and before.kind in (Kind.WORD, Kind.CLOSE) and not token.spaced:
            main.append(Token(Kind.WORD, f"{before.text}(...)", token.start, tokens[close].end, False))
        elif before is not None and before.kind == Kind.OPERATOR:
            main.extend(tokens[index:close + 1])
        elif before is not None and before.kind in (Kind.NUMBER, Kind.CLOSE):
            remarks.append(inside)
        elif (after is not None and after.kind == Kind.OPERATOR) or not any(t.kind == Kind.WORD for t in inside):
            main.extend(tokens[index:close + 1])
        else:
            remarks.append(inside)
        index = close + 1
    return Groups(main, remarks)


def bracket_pairs(tokens: Sequence[Token]) -> dict[int, int]:
    """Index of each opening bracket token -> index of the one closing it, in one pass (unclosed ones left out)."""
    pairs: dict[int, int] = {}
    opened: list[int] = []
    for index, token in enumerate(tokens):
        if token.kind == Kind.OPEN:
            opened.append(index)
        elif token.kind == Kind.CLOSE and opened:
            pairs[opened.pop()] = index
    return pairs


def words_before(tokens: Sequence[Token], index: int, stop: int, most: int = 6) -> list[str]:
    """Lower-cased words (and arrows) between `stop` and `index`, nearest last."""
    found = []
    for token in tokens[max(stop, index - most):index]:
        if token.kind in (Kind.WORD, Kind.ARROW, Kind.SYMBOL, Kind.OPERATOR):
            found.append(token.text.lower())
    return found


def annotate(tokens: Sequence[Token], candidates: list[Candidate]) -> None:
    """Marks, negations, approximations and equation chains, from the words around each candidate.

    A marker after a value ("3512 in total: 296 for conv1 ...") belongs to it, not to the next."""
    consumed_until = 0
    for number, candidate in enumerate(candidates):
        following = candidates[number + 1].start if number + 1 < len(candidates) else len(tokens)
        after_end = min(following, candidate.end + 3)
        if any(t.kind == Kind.WORD and t.text.lower() in _FINAL_AFTER for t in tokens[candidate.end:after_end]):
            candidate.marked = True
            consumed = candidate.end
            while consumed < after_end and tokens[consumed].kind in (Kind.WORD, Kind.COLON):
                consumed += 1
        else:
            consumed = candidate.end
        start = max(consumed_until, 0)
        before = words_before(tokens, candidate.start, start)
        if any(word in _FINAL_BEFORE for word in before) or any(
                tokens[i].kind == Kind.ARROW for i in range(start, candidate.start)):
            candidate.marked = True
        near = before[-2:]
        if any(word in _NEGATIONS for word in near):
            candidate.negated = True
        if any(word in _APPROXIMATE for word in near):
            candidate.approximate = True
        consumed_until = consumed
    _chain(tokens, candidates)


def _chain(tokens: Sequence[Token], candidates: list[Candidate]) -> None:
    """Candidates joined only by "=" ("296 + 3216 = 3512") form a chain: one statement."""
    chain = 0
    for number, candidate in enumerate(candidates):
        if number and candidate.in_chain_of is None:
            between = tokens[candidates[number - 1].end:candidate.start]
            if between and all(t.kind == Kind.EQUALS for t in between):
                candidate.in_chain_of = candidates[number - 1].in_chain_of
                continue
        chain += 1
        candidate.in_chain_of = chain


def alternatives_between(tokens: Sequence[Token], first: Candidate, second: Candidate) -> bool:
    """Whether "or" or a slash stands between two candidates ("8x64x64 or 8x62x62", "... / ...")."""
    between = tokens[first.end:second.start]
    return any(t.text.lower() in _ALTERNATIVES or (t.kind == Kind.OPERATOR and t.text == "/") for t in between)


def choose(tokens: Sequence[Token], candidates: list[Candidate], same: Callable[[Any, Any], bool],
           show: Callable[[Any], str], stated: Callable[[list[Candidate]], Candidate]) -> Candidate:
    """The one candidate the text states, or NotRead saying why there is none or which compete.

    `stated` picks a chain's value (a chain "296 + 3216 = 3512" states its last plain value)."""
    severe = [c for c in candidates if isinstance(c.problem, Severe)]
    if severe:
        raise NotRead(severe[0].problem)
    chains: dict[int, list[Candidate]] = {}
    for candidate in candidates:
        if not candidate.negated:
            chains.setdefault(candidate.in_chain_of, []).append(candidate)
    statements = []
    for members in chains.values():
        if any(c.problem is None for c in members):
            statements.append(stated(members))
    if not statements:
        problems = [c for c in candidates if c.problem]
        if problems:
            raise NotRead(problems[-1].problem)
        raise NotRead("there is no answer in it")
    final = statements[-1]
    if final.problem is not None:
        raise NotRead(final.problem)
    exact = [s for s in statements if not s.approximate] or statements
    distinct = _distinct(exact, same)
    if len(distinct) == 1:
        return exact[-1]
    for first, second in zip(exact, exact[1:]):
        if alternatives_between(tokens, first, second) and not same(first.value, second.value):
            raise NotRead(f"it gives two different answers, {_shown(first, show)} and {_shown(second, show)}; "
                          "keep only the one you mean")
    marked = [s for s in exact if s.marked]
    if marked:
        return marked[-1]
    listed = ", ".join(_shown(c, show) for c in distinct[:3]) + (", …" if len(distinct) > 3 else "")
    raise NotRead(f"it has {len(distinct)} different values in it ({listed}); write only the answer, "
                  'or mark it, e.g. "total = ..." or "so ..."')


def _distinct(candidates: list[Candidate], same: Callable[[Any, Any], bool]) -> list[Candidate]:
    """The candidates with different values, first of each; values are hashable and `same` is equality of them."""
    seen: dict[Any, Candidate] = {}
    for candidate in candidates:
        seen.setdefault(tuple(candidate.value) if isinstance(candidate.value, tuple) else candidate.value, candidate)
    return list(seen.values())


def _shown(candidate: Candidate, show: Callable[[Any], str]) -> str:
    return quote(candidate.text) if candidate.text else show(candidate.value)


def check_remarks(remark_candidates: list[list[Candidate]], answer: Candidate, consistent: Callable[[Any, Any], bool],
                  show: Callable[[Any], str]) -> None:
    """A remark in brackets may restate or break down the answer, or name a rejected value; a
    different value in it is a second answer ("3512 (or 3488 without bias)")."""
    for candidates in remark_candidates:
        for candidate in candidates:
            if candidate.problem is None and not candidate.negated and not candidate.approximate \
                    and not consistent(candidate.value, answer.value):
                raise NotRead(f"it gives two different answers, {_shown(answer, show)} and "
                              f"{_shown(candidate, show)} in brackets; keep only the one you mean")


def text_of(text: str, tokens: Sequence[Token], start: int, end: int) -> str:
    """The source text of tokens[start:end], as written."""
    if start >= end:
        return ""
    return text[tokens[start].start:tokens[end - 1].end]


def stray_symbol_touching(tokens: Sequence[Token], start: int, end: int) -> str | None:
    """A symbol that cannot touch a value ("1#2", "2 \\", "5==5"), right next to tokens[start:end]."""
    for index, touching in ((start - 1, start), (end, end - 1)):
        if 0 <= index < len(tokens):
            token = tokens[index]
            glued = not (tokens[max(index, touching)].spaced)
            if token.kind == Kind.SYMBOL and token.text in _STRAY and (glued or token.text in _STRAY_EVEN_SPACED):
                if token.text == "#" and index < start and tokens[index + 1].spaced:
                    continue  # "# params = 3512": a number sign before words
                return token.text
    return None


ZERO_WORDS = re.compile(
    r"^(?:none|zero|nil|nothing(?: to learn)?|no (?:learnable |trainable )?(?:parameters?|params|weights))\b"
    r"|\bno (?:learnable |trainable )?(?:parameters?|params|weights)\b|\bnothing to learn\b|无参数|没有参数|没有可学习参数",
    re.IGNORECASE)


# ---------------------------------------------------------------- numbers-only arithmetic in prose

class Severe(str):
    """A problem that makes the whole answer unreadable ("4 2/3", "1#2", "52%"), not just one
    piece of working: the text holds a malformed number, and guessing around it could misread it."""


_RUN_KINDS = (Kind.NUMBER, Kind.OPERATOR, Kind.OPEN, Kind.CLOSE)


def number_candidates(text: str, tokens: Sequence[Token]) -> list[Candidate]:
    """Each maximal run of numbers-only arithmetic in the tokens, evaluated, with its problem if any."""
    from autograder.answers.reading import evaluate  # same tier; kept local to show the one use

    candidates = []
    index = 0
    while index < len(tokens):
        if tokens[index].kind not in _RUN_KINDS:
            index += 1
            continue
        start = index
        while index < len(tokens) and tokens[index].kind in _RUN_KINDS:
            index += 1
        end = index
        if not any(t.kind == Kind.NUMBER for t in tokens[start:end]):
            continue
        candidate = _number_candidate(text, tokens, start, end, evaluate)
        if candidate is not None:
            candidates.append(candidate)
    return candidates


def _number_candidate(text, tokens, start, end, evaluate) -> Candidate | None:
    before = tokens[start - 1] if start > 0 else None
    after = tokens[end] if end < len(tokens) else None
    # Operators at either end join the numbers to something else: "2*pi", "x^-1", "0 - pooling".
    while end > start and tokens[end - 1].kind == Kind.OPERATOR:
        end -= 1
    dangling_after = tokens[end] if end < len(tokens) and tokens[end].kind == Kind.OPERATOR else None
    while start < end and tokens[start].kind == Kind.OPERATOR and tokens[start].text not in "+-":
        start += 1
    if start >= end:
        return None
    shown = text_of(text, tokens, start, end)
    problem: str | None = None
    if after is not None and after.kind == Kind.COLON and dangling_after is None:
        return None  # "Layer 1:", "Question 2:": a label
    if before is not None and before.kind == Kind.WORD and not tokens[start].spaced and not is_cjk(before.text):
        problem = f'{quote(before.text + shown)} joins letters and a number; write the number alone'
    elif dangling_after is not None and after is not None:
        follower = tokens[end + 1] if end + 1 < len(tokens) else None
        dash = (dangling_after.text == "-" and dangling_after.spaced and follower is not None
                and follower.spaced and follower.kind == Kind.WORD and len(follower.text) > 1)
        if not dash and (follower is None or follower.kind in (Kind.WORD, Kind.OPEN)):
            problem = f'{quote(text_of(text, tokens, start, end + 2))} is a formula with letters; write the number it comes to'
    if problem is None and before is not None and before.kind == Kind.WORD and len(before.text) == 1 \
            and before.text.isascii() and before.text.isalpha():
        problem = Severe(f'{quote(before.text + " " + shown)} has a letter before the number; write the number alone')
    if problem is None and tokens[start].kind == Kind.OPERATOR and before is not None and (
            before.kind in (Kind.WORD, Kind.CLOSE) and (not tokens[start].spaced or tokens[start + 1].spaced)):
        problem = f'{quote(before.text + " " + shown)} is a formula with letters; write the number it comes to'
    if problem is None and start > 0 and tokens[start - 1].kind == Kind.OPERATOR and tokens[start - 1].text not in "+-":
        problem = f'{quote(text_of(text, tokens, start - 1, end))} is a formula with letters; write the number it comes to'
    if problem is None and end < len(tokens):
        follower = tokens[end]
        if follower.kind == Kind.WORD and not follower.spaced and not is_cjk(follower.text) and follower.text != "°":
            problem = f'{quote(shown + follower.text)} joins a number and letters; write the number alone'
        elif follower.kind == Kind.WORD and len(follower.text) == 1 and follower.text.isascii():
            problem = Severe(f'{quote(shown + " " + follower.text)} has a letter after the number; write the number alone')
        elif follower.text == "%":
            problem = Severe(f'{quote(shown + "%")} is a percentage; write the number itself')
        elif follower.text == "!" and not follower.spaced:
            problem = Severe(f'{quote(shown + "!")} is a factorial; write the number it comes to')
    if problem is None and start > 0 and tokens[start - 1].kind == Kind.COMMA and not tokens[start].spaced:
        problem = Severe(f'{quote(text_of(text, tokens, start - 1, end))} has a comma that is not a thousands separator')
    if problem is None and end < len(tokens) and tokens[end].kind == Kind.COMMA and not tokens[end].spaced \
            and end + 1 < len(tokens) and tokens[end + 1].kind == Kind.NUMBER and not tokens[end + 1].spaced:
        problem = Severe(f'{quote(text_of(text, tokens, start, end + 2))} has a comma that is not a thousands separator '
                         "(a decimal comma, or two numbers)")
    if problem is None:
        stray = stray_symbol_touching(tokens, start, end)
        if stray is not None:
            problem = Severe(f'{quote(shown)} has "{stray}" next to it, which makes it no number')
    value = None
    try:
        value = evaluate(list(tokens[start:end]))
    except NotRead as reason:
        problem = problem or Severe(f'{quote(shown)}: {reason}')
    return Candidate(value, start, end, shown, problem)


def is_cjk(word: str) -> bool:
    """Whether a word is Chinese, Japanese or Korean (which sits next to digits without a space)."""
    return bool(word) and "\u2e80" <= word[0] <= "\ufaff"


def chain_value(members: list[Candidate]) -> Candidate:
    """A chain "8*4*9+8 = 296" or "3512 = 296 + 3216" states its last plain number, else its last value."""
    plain = [m for m in members if m.problem is None and re.fullmatch(r"[-+]?\s*[0-9][0-9.,' eE+-]*", m.text)]
    chosen = plain[-1] if plain else members[-1]
    chosen.marked = any(m.marked for m in members)
    return chosen
