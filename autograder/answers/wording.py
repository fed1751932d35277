"""Student prose as words: the one tokeniser behind concepts, choices, review groups and TA decisions.

A text is prepared once (look-alike characters unified by the shared
reader, then NFKC, contractions spelt out, abbreviations such as "w.r.t."
made single words) and cut into tokens: runs of letters and digits, each
CJK character on its own (Chinese has no spaces between words), and the
few symbols that carry meaning in an answer (= / + - ^ ∘ ≠). Punctuation
is not a token; it ends a clause (, : ( ) and a spaced dash) or a sentence
(. ! ? ; and a new line), and words such as "because" or "so" start a new
clause. Negation, hedges and the subject of a claim are all read within
these bounds (see claims.py).

NFKC folding for matching lives here, not in reading.unify_characters,
which the number readers share and which keeps to look-alike characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from autograder.answers.reading import unify_characters

# Characters NFKC would fold into something else, or leave as a non-word, mapped first.
_BEFORE_NFKC = str.maketrans({
    "\u1d40": "^T",           # ᵀ: NFKC makes it a plain T, and Bᵀ would read as "BT"
    "\u2019": "'", "\u2018": "'", "\u02bc": "'",
    "\u00b0": " degrees ",     # 180° and 180 degrees read alike
    "\u03c0": " pi ",          # π
    "\u2192": " , ", "\u21d2": " , ",   # → and ⇒ join two clauses
})
# Each rewrite with a character its pattern cannot match without (None: tried on every text): most
# answers hold no backslash, ">" or apostrophe, and skip those rewrites.
_REWRITES = tuple((re.compile(pattern, re.IGNORECASE), replacement, needs) for pattern, replacement, needs in (
    (r"\^\s*(?:\{\s*\\circ\s*\}|\\circ)", " degrees ", "\\"),   # 180^\circ, 180^{\circ}
    (r"\\pi(?![a-z])", " pi ", "\\"),
    (r"\\(?:mathrm|text|operatorname|textrm|mathit|left|right)(?![a-z])|\\[,;: !]", " ", "\\"),
    (r"-+>|=>", " , ", ">"),                                   # -> and => join two clauses
    (r"\bw\.\s?r\.\s?t\.?", "wrt", "."),
    (r"\bi\.\s?e\.?(?=\W|$)", " ie ", "."),
    (r"\be\.\s?g\.?(?=\W|$)", " eg ", "."),
    (r"\b(vs|etc|resp|approx)\.", r"\1", "."),
    (r"\bwon't\b", "will not", "'"),
    (r"\bcan'?t\b", "can not", None),
    (r"\bshan't\b", "shall not", "'"),
    (r"\bcannot\b", "can not", None),
    (r"n't\b", " not", "'"),
    (r"\b(do|does|did|is|are|was|were|has|have|had|could|would|should|must|need)nt\b", r"\1 not", None),   # doesnt
    (r"\b(it|that|what|there|here|he|she|this)'s\b", r"\1 is", "'"),
    (r"'re\b", " are", "'"),
    (r"'m\b", " am", "'"),
    (r"'ll\b", " will", "'"),
    (r"'ve\b", " have", "'"),
    (r"'d\b", " would", "'"),
    (r"'s\b", "", "'"),                                        # PyTorch's layer: the possessive adds nothing
))

SYMBOLS = frozenset("=/+-^∘≠≈≡<>*")
# A word behind one of these denies the word: "asymmetric", "non-learnable", "incorrect".
NEGATING_PREFIXES = ("anti", "skew", "non", "dis", "un", "in", "im", "il", "ir", "an", "a")
# Words that open a new clause: a negation or a subject before them does not reach past them.
CLAUSE_WORDS = frozenset({
    "because", "since", "so", "but", "while", "whereas", "although", "though", "however", "therefore",
    "thus", "hence", "which", "ie", "if", "when", "whether", "then", "unless", "eg",
})
_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_TOKEN = re.compile(rf"[{_CJK}]|\d+(?:\.\d+)+(?![^\W_])|[^\W_{_CJK}]+|[{re.escape(''.join(sorted(SYMBOLS)))}]|[.!?;\n]|[,:()\[\]{{}}\"]|_")
_SENTENCE_ENDS = frozenset(".!?;\n")
_CLAUSE_ENDS = frozenset(",:()\"")


@dataclass(frozen=True)
class Token:
    """One word (or meaningful symbol) of an answer, with where it stands."""

    text: str            # as written (case kept: "A" the matrix, "a" the article)
    word: str            # folded for matching: NFKC, lower case, British spelling made American
    start: int           # offsets into the prepared text
    end: int
    sentence: int
    clause: int
    joined: bool = False  # written joined to the next token by a hyphen or underscore: centro-symmetric
    after: str = ""       # the punctuation right after it, if any: "?" in "Convolution? No"
    before: str = ""      # the punctuation right before it, if any: "(" in "(A)"


@dataclass(frozen=True)
class Words:
    """A prepared text and its tokens."""

    text: str
    tokens: tuple[Token, ...]

    def excerpt(self, start: int, end: int, limit: int = 60) -> str:
        """The words tokens[start:end] as written, shortened to `limit` characters."""
        if start >= end:
            return ""
        piece = " ".join(self.text[self.tokens[start].start:self.tokens[end - 1].end].split())
        return piece if len(piece) <= limit else piece[: limit - 1] + "…"


def prepare(text: str) -> str:
    """The text a student wrote, with look-alikes, width, contractions and abbreviations made plain."""
    text = unicodedata.normalize("NFKC", unify_characters(text.translate(_BEFORE_NFKC)))
    for pattern, replacement, needs in _REWRITES:
        if needs is None or needs in text:
            text = pattern.sub(replacement, text)
    return text


def words(text: str) -> Words:
    """Cut a text into tokens, numbering its sentences and clauses."""
    prepared = prepare(text)
    tokens: list[Token] = []
    sentence = clause = 0
    pending = ""          # punctuation seen since the last token
    joined_next = False
    for match in _TOKEN.finditer(prepared):
        piece = match.group()
        if piece in _SENTENCE_ENDS and not _inside_word(prepared, match.start()):
            if tokens and not pending:
                tokens[-1] = _with(tokens[-1], after=piece)
            pending += piece
            sentence, clause = sentence + 1, clause + 1
            continue
        if piece in _CLAUSE_ENDS or piece in "[]{}" or piece == "_" or piece in _SENTENCE_ENDS:
            if piece == "_" and _between_words(prepared, match.start()):
                joined_next = True
                continue
            if piece in _CLAUSE_ENDS:
                if tokens and not pending:
                    tokens[-1] = _with(tokens[-1], after=piece)
                clause += 1
            pending += piece
            continue
        if piece == "-":
            if _between_words(prepared, match.start()):
                joined_next = True      # centro-symmetric, 2-i: one compound, kept as two tokens
                continue
            if _spaced(prepared, match.start()):
                clause += 1             # "Convolution? No - cross-correlation": a dash between clauses
                pending += piece
                continue
        if joined_next and tokens:
            tokens[-1] = _with(tokens[-1], joined=True)
        joined_next = False
        folded = fold(piece)
        if folded in CLAUSE_WORDS and tokens and tokens[-1].clause == clause:
            clause += 1
        tokens.append(Token(piece, folded, match.start(), match.end(), sentence, clause, before=pending[-1:]))
        pending = ""
    return Words(prepared, tuple(tokens))


def _with(token: Token, **changes) -> Token:
    return Token(**{**token.__dict__, **changes})


def _inside_word(text: str, index: int) -> bool:
    """A full stop inside a name or a number (nn.Linear, 3.5) ends no sentence."""
    return (text[index] == "." and 0 < index < len(text) - 1
            and text[index - 1].isalnum() and text[index + 1].isalnum())


def _between_words(text: str, index: int) -> bool:
    return 0 < index < len(text) - 1 and text[index - 1].isalnum() and text[index + 1].isalnum()


def _spaced(text: str, index: int) -> bool:
    return (index == 0 or text[index - 1].isspace()) and (index == len(text) - 1 or text[index + 1].isspace())


# British spellings read as American ones, so a phrase is written once.
_BRITISH = tuple((re.compile(pattern), replacement) for pattern, replacement in (
    (r"^(\w{3,})tre$", r"\1ter"),                        # centre, metre
    (r"^(\w{3,}[^aeiou])is(e|ed|es|ing|ation|ations)$", r"\1iz\2"),   # optimise, normalisation
    (r"^learnt$", "learned"),
))


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """A word as matching sees it: lower case, British spelling made American."""
    word = word.casefold()
    for pattern, replacement in _BRITISH:
        word = pattern.sub(replacement, word)
    return word


def wording_key(text: str) -> str:
    """The normalised wording of an answer: what a TA decision is keyed by.

    Case, punctuation, spacing, width and contractions do not count; every
    word and every symbol does, in order ("B = -Bᵀ" is not "B = Bᵀ", "not"
    is never dropped), so two answers with one key say the same thing."""
    return " ".join(token.text.casefold() for token in words(text).tokens)


def one_typo_apart(a: str, b: str) -> bool:
    """At most one letter added, dropped, changed, or two neighbours swapped."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        differ = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
        return len(differ) == 1 or (len(differ) == 2 and differ[1] == differ[0] + 1
                                    and a[differ[0]] == b[differ[1]] and a[differ[1]] == b[differ[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1:]


def antonyms(a: str, b: str) -> bool:
    """Whether one word is the other (or a typo of it) behind a negating prefix: symmetric / asymmetric."""
    for word, other in ((a, b), (b, a)):
        for prefix in NEGATING_PREFIXES:
            if word.startswith(prefix) and one_typo_apart(word[len(prefix):], other):
                return True
    return False


# ---------------------------------------------------------------- near-identical answers

# Words that change nothing a review group needs: "B is symmetric", "B must be symmetric".
FILLERS = frozenset({"the", "is", "are", "was", "were", "be", "been", "being", "should", "must", "shall", "will",
                     "would", "its"})
TYPO_MIN_LETTERS = 5          # "now" is not "not"; "kernal" is "kernel"
NEGATIONS = frozenset({"not", "no", "never", "neither", "nor", "none", "nothing", "without"})


def base_words(text: str) -> tuple[str, ...]:
    """An answer's words for grouping: folded, fillers dropped, hyphenated compounds joined (centro-symmetric)."""
    found: list[str] = []
    joining = False
    for token in words(text).tokens:
        if joining:
            found[-1] += token.word
        elif token.word not in FILLERS:
            found.append(token.word)
        joining = token.joined and (joining or token.word not in FILLERS)
    return tuple(found)


def near_identical(texts: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Each text -> the words that stand for it: texts with the same words are near-identical.

    Beyond case, punctuation, spacing and fillers, a word may differ by one
    typo (kernal, symetric) from a more frequent spelling among these texts,
    and two words may be written as one when the texts hold that compound
    (cross correlation / cross-correlation). A typo never bridges a
    negation or a negating prefix ("asymmetric" stays apart from "symmetric"),
    nor a number or a one-letter name (A is not B)."""
    texts = list(dict.fromkeys(texts))
    bases = {text: base_words(text) for text in texts}
    counts = Counter(word for base in bases.values() for word in set(base))
    canon = _spellings(counts)

    def spelt(word: str) -> str:
        return canon.get(word, word)

    result = {}
    for text, base in bases.items():
        joined: list[str] = []
        for word in (spelt(word) for word in base):
            if joined and _compound(joined[-1], word):
                compound = spelt(joined[-1] + word)
                if compound in counts:
                    joined[-1] = compound
                    continue
            joined.append(word)
        result[text] = tuple(joined)
    return result


def _compound(first: str, second: str) -> bool:
    return (first.isalpha() and second.isalpha() and len(first) > 1 and first not in NEGATING_PREFIXES
            and first not in NEGATIONS and second not in NEGATIONS)


def _spellings(counts: Counter) -> dict[str, str]:
    """Each word that is a typo of a more frequent one -> that one (ties: alphabetical)."""
    index: dict[str, list[str]] = {}
    canon: dict[str, str] = {}
    for word in sorted(counts, key=lambda word: (-counts[word], word)):
        if not word.isalpha() or len(word) < TYPO_MIN_LETTERS or word in NEGATIONS:
            continue
        keys = [word] + [word[:i] + word[i + 1:] for i in range(len(word))]
        candidates = {other for key in keys for other in index.get(key, ())}
        ranked = sorted(candidates, key=lambda other: (-counts[other], other))
        match = next((other for other in ranked if one_typo_apart(word, other) and not antonyms(word, other)), None)
        if match is not None:
            canon[word] = match
            continue
        for key in keys:
            index.setdefault(key, []).append(word)
    return canon
