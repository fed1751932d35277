"""Syntax slips in answer files: repaired where one reading is obvious, explained where not.

Students write YAML and JSON by hand, with tabs, a Chinese input method, Word
and LaTeX habits. A slip with one obvious repair at the spot where the parser
stops (a tab used for indentation, a full-width colon after a key, ": " or a
leading "*" in an unquoted answer, "\\l" inside double quotes, text on the
same line as ">-", a row indented one space less in a "|" block) is repaired,
and the student is told what was read and what to change. A file whose
structure cannot be known (an unclosed bracket) is explained in the
student's terms, pointing at the line to fix. Repairs only ever apply to a
file that does not parse, and each one re-parses the file, so their number is
bounded (limits.MAX_SYNTAX_REPAIRS).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass

import yaml


@dataclass(frozen=True)
class Repair:
    """The file's text with one slip repaired, and what the student is told about it."""

    text: str
    note: str


def _line_no(index: int) -> str:
    return f"Line {index + 1}"


# ---------------------------------------------------------------- before parsing

# A key followed by a full-width colon, as a Chinese input method types it: "layer1_output：8x64x64"
# (only where the rest of the line holds no ":", so no key or text with a "：" in it is split).
_FULL_WIDTH_COLON_KEY = re.compile(r"^([ \t]*)([^\s:：#'\"\[\]{},|>\-][^:：#\n]{0,60}?)[ \t]*：[ \t]*(?=[^:\n]*$)")


_TAB_AFTER_KEY = re.compile(r"[ \t]*[^\s#:][^#:\n]{0,60}:\t")


def prepare_yaml(text: str) -> tuple[str, list[str]]:
    """Slips YAML reads silently the wrong way, made right before parsing."""
    notes = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    colons = [i for i, line in enumerate(lines) if "：" in line and _FULL_WIDTH_COLON_KEY.match(line)]
    if colons:
        notes.append(f"{lines_named(colons)}: the full-width colon '：' (from a Chinese input method) after a key was "
                     "read as ':'. Type ':' followed by a space.")
        for index in colons:
            lines[index] = _FULL_WIDTH_COLON_KEY.sub(lambda m: f"{m.group(1)}{m.group(2)}: ", lines[index], count=1)
    text = "\n".join(lines)
    tabbed = [i for i, line in enumerate(lines) if "\t" in line and _TAB_AFTER_KEY.match(line)]
    if tabbed:
        notes.append(f"{lines_named(tabbed)}: a tab after the key's ':' was read as a space; some YAML readers refuse "
                     "tabs, so type a space there.")
    return text, notes


def lines_named(indexes: list[int]) -> str:
    """"Line 3" or "Lines 2, 5, 9" for 0-based line indexes."""
    shown = [str(i + 1) for i in indexes[:6]] + (["…"] if len(indexes) > 6 else [])
    return ("Line " if len(indexes) == 1 else "Lines ") + ", ".join(shown)


# ---------------------------------------------------------------- repairing a parse error

_KEY_LINE = re.compile(r"^(?P<lead>[ \t]*(?:-[ \t]+)?)(?P<key>(?:[^:#\n\"'\[{]|:(?=\S))+?)[ \t]*:(?P<gap>[ \t]+)(?P<value>\S.*)$")
_BLOCK_HEADER = re.compile(r":[ \t]*[|>][-+0-9]*[ \t]*(?:#.*)?$")
_TEXT_AFTER_INDICATOR = re.compile(r"^(?P<head>[ \t]*(?:-[ \t]+)?[^\n]*?:[ \t]*[|>][-+0-9]*)[ \t]+(?P<text>[^#\s].*)$")
_FULL_WIDTH_PUNCTUATION = re.compile("[，：［］｛｝；]")


def repair_yaml(text: str, error: yaml.MarkedYAMLError) -> Repair | None:
    """The one obvious repair of the slip the parser stopped at, or None."""
    lines = text.split("\n")
    problem = (error.problem or "").lower()
    context = (error.context or "").lower()
    at = error.problem_mark.line if error.problem_mark else 0
    start = error.context_mark.line if error.context_mark else at
    if "tab" in problem or ("cannot start any token" in problem and _char_at(text, error.problem_mark) == "\t"):
        return _expand_tabs(lines)
    if "escape" in problem and error.context_mark is not None:
        return _requote_double(text, error.context_mark.index, start)
    if "block scalar" in context and "line break" in problem:
        return _text_after_indicator(lines, start)
    if "expected ',' or" in problem or "expected ':'" in problem:
        for index in (at, start):
            if 0 <= index < len(lines) and _FULL_WIDTH_PUNCTUATION.search(lines[index]):
                lines[index] = _FULL_WIDTH_PUNCTUATION.sub(lambda m: unicodedata.normalize("NFKC", m.group()), lines[index])
                return Repair("\n".join(lines), f"{_line_no(index)}: full-width punctuation (，［］) inside brackets "
                                                "was read as ',' '[' ']'. Type them with an English keyboard layout.")
        return None
    if "expected key" in problem or "block end" in problem:
        return _reindent(lines, at)
    if any(slip in problem for slip in ("mapping values", "alphabetic or numeric", "cannot start any token")):
        for index in (at, start):
            repair = _quote_value(lines, index)
            if repair is not None:
                return repair
    return None


def _char_at(text: str, mark) -> str:
    return text[mark.index] if mark is not None and 0 <= mark.index < len(text) else ""


def _expand_tabs(lines: list[str]) -> Repair | None:
    tabbed = [i for i, line in enumerate(lines) if "\t" in line[: len(line) - len(line.lstrip())]]
    if not tabbed:
        return None
    for index in tabbed:
        stripped = lines[index].lstrip(" \t")
        lines[index] = lines[index][: len(lines[index]) - len(stripped)].expandtabs(4) + stripped
    return Repair("\n".join(lines), f"{lines_named(tabbed)}: indented with a tab, read as 4 spaces. "
                                    "YAML needs spaces for indentation: replace each tab with spaces.")


def _requote_double(text: str, quote_index: int, line: int) -> Repair | None:
    """A double-quoted answer with a backslash YAML cannot read ("\\left"): its text as typed, single-quoted."""
    if text[quote_index:quote_index + 1] != '"':
        return None
    close = _closing_quote(text, quote_index)
    if close is None:
        return None
    raw = text[quote_index + 1:close]
    escape = re.search(r"\\[^\"\\0abtnvfre N_LPxuU/ ]", raw)
    shown = escape.group() if escape else "\\"
    return Repair(text[:quote_index] + "'" + raw.replace('\\"', '"').replace("'", "''") + "'" + text[close + 1:],
                  f"{_line_no(line)}: inside double quotes a backslash starts an escape, and '{shown}' is none; "
                  "the answer was read as you typed it (LaTeX). Put LaTeX in single quotes: '...'.")


def _closing_quote(text: str, open_index: int) -> int | None:
    index = open_index + 1
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == '"':
            return index
        index += 1
    return None


def _text_after_indicator(lines: list[str], index: int) -> Repair | None:
    match = _TEXT_AFTER_INDICATOR.match(lines[index]) if 0 <= index < len(lines) else None
    if match is None:
        return None
    own = _indent(lines[index])
    following = next((line for line in lines[index + 1:] if line.strip()), "")
    indent = _indent(following) if _indent(following) > own else own + 2
    lines[index:index + 1] = [match.group("head"), " " * indent + match.group("text")]
    return Repair("\n".join(lines), f"{_line_no(index)}: the answer starts on the same line as "
                                    f"'{match.group('head').split(':')[-1].strip()}'; it was read as the answer's first line. "
                                    "Start the answer on the next line, indented.")


def _reindent(lines: list[str], index: int) -> Repair | None:
    """A line indented unlike its neighbours: a row of a "|" block, or a key under the same question."""
    if not 0 <= index < len(lines) or not lines[index].strip():
        return None
    own = _indent(lines[index])
    header = index - 1
    while header >= 0 and (not lines[header].strip() or _indent(lines[header]) > own):
        header -= 1
    if header >= 0 and _BLOCK_HEADER.search(lines[header]) and header + 1 < index:
        content = _indent(lines[header + 1])
        if _indent(lines[header]) < own < content:
            lines[index] = " " * content + lines[index].lstrip()
            return Repair("\n".join(lines), f"{_line_no(index)}: this row is indented less than the first row of its "
                                            "'|' block; it was read as part of the block. Indent every row the same.")
    previous = next((i for i in range(index - 1, -1, -1) if lines[i].strip()), None)
    if previous is not None and _KEY_LINE.match(lines[index]) and _indent(lines[previous]) > own \
            and _KEY_LINE.match(lines[previous]) and not _BLOCK_HEADER.search(lines[previous]):
        lines[index] = " " * _indent(lines[previous]) + lines[index].lstrip()
        return Repair("\n".join(lines), f"{_line_no(index)} is indented differently from line {previous + 1} above it; "
                                        "it was read as a key beside it. Keys under one question need the same indentation.")
    return None


def _quote_value(lines: list[str], index: int) -> Repair | None:
    """An unquoted answer YAML reads as syntax (": " inside it, a leading "*", "&" or "`"): its text, quoted."""
    match = _KEY_LINE.match(lines[index]) if 0 <= index < len(lines) else None
    if match is None or match.group("value")[0] in "'\"[{|>":
        return None
    own = _indent(lines[index])
    last = index
    while last + 1 < len(lines) and lines[last + 1].strip() and _indent(lines[last + 1]) > own \
            and not _KEY_LINE.match(lines[last + 1]):
        last += 1
    value = "\n".join([match.group("value")] + lines[index + 1:last + 1])
    value = re.sub(r"[ \t]+#[^\n]*$", "", value)  # a comment after the answer stays a comment
    head = lines[index][: match.start("value")]
    lines[index:last + 1] = (head + "'" + value.replace("'", "''") + "'").split("\n")
    first = match.group("value")[0]
    slip = ("holds ': ', which YAML reads as the start of a new key" if re.search(r":\s", match.group("value"))
            else f"starts with '{first}', which YAML reads as {_INDICATORS.get(first, 'syntax')}")
    return Repair("\n".join(lines), f"{_line_no(index)}: the answer to '{match.group('key').strip()}' {slip}; it was "
                                    "read as text. Put such an answer in quotes.")


_INDICATORS = {"*": "an alias", "&": "an anchor", "`": "a reserved character", "@": "a reserved character",
               "!": "a tag", "%": "a directive"}


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


# ---------------------------------------------------------------- explaining what cannot be repaired

def explain_yaml(text: str, error: yaml.MarkedYAMLError) -> str:
    """A YAML syntax error in the student's terms, pointing at the line to change."""
    mark = error.problem_mark or error.context_mark
    line = mark.line if mark else 0
    column = mark.column + 1 if mark else 1
    lines = text.split("\n")
    problem = (error.problem or "").lower()
    context = (error.context or "").lower()
    for index in (line - 1, line):
        if 0 <= index < len(lines) and "：" in lines[index]:
            return (f"{_line_no(index)} has a full-width colon '：' (from a Chinese input method) where YAML needs ':'. "
                    "Type ':' followed by a space.")
    if "tab" in problem or _char_at(text, mark) == "\t":
        return f"{_line_no(line)} has a tab where YAML needs spaces. Indent with spaces only (two per level)."
    if "escape" in problem:
        return (f"{_line_no(line)}: inside double quotes a backslash starts an escape (\\n, \\t ...). For LaTeX, "
                "put the answer in single quotes: key: '$8 \\times 64$'.")
    if "flow" in context or "expected ','" in problem:
        opened = error.context_mark.line + 1 if error.context_mark else line + 1
        return (f"Line {opened}: a '[' or '{{' opened here is not closed where YAML expects it (it stops at line {line + 1}, "
                f"column {column}). Close every bracket on the line it is opened, or put the answer in quotes.")
    if "quoted scalar" in context or "end of stream" in problem:
        opened = error.context_mark.line + 1 if error.context_mark else line + 1
        return f"Line {opened}: a quote opened here is never closed. Close it on the same line."
    if "mapping values" in problem:
        return (f"{_line_no(line)}: ': ' inside an answer makes YAML read a new key. Put the answer in quotes "
                "or under '>-' on the next lines.")
    if "expected key" in problem or "block end" in problem or "expected ':'" in problem:
        return (f"{_line_no(line)} is indented differently from the lines around it, or is missing 'key: '. "
                "Keys under one question need the same indentation, and each answer is written as key: answer.")
    if "cannot start any token" in problem:
        return (f"{_line_no(line)}: an answer cannot start with '{_char_at(text, mark)}' in YAML. "
                "Put the answer in quotes.")
    return (f"YAML syntax error on line {line + 1}, column {column}: {error.problem or error.context}. "
            "Check that line's indentation, colons and quotes against the template.")


# ---------------------------------------------------------------- JSON as students paste it

# Strings in any quotes (also curly and Python's single ones), comments, and everything else.
_JSON_TOKEN = re.compile(
    r'(?P<string>"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|“[^”\n]*”|‘[^’\n]*’)'
    r"|(?P<comment>//[^\n]*|/\*.*?\*/|#[^\n]*)"
    r"|(?P<word>\b(?:True|False|None)\b)"
    r"|(?P<paren>[()])"
    r"|(?P<comma>,(?=\s*(?://[^\n]*\s*|#[^\n]*\s*)*[\]})]))"
    r"|(?P<other>[^\"'“‘/#()TFN,]+|.)",
    re.DOTALL,
)
_PYTHON_WORDS = {"True": "true", "False": "false", "None": "null"}


def lenient_json(text: str) -> tuple[str, list[str]]:
    """JSON rewritten strictly, and what was changed: comments dropped, trailing commas dropped,
    single, curly and Python quotes made double, tuples made lists, True/False/None made JSON."""
    out: list[str] = []
    fixes: set[str] = set()
    for match in _JSON_TOKEN.finditer(text):
        kind, token = match.lastgroup, match.group()
        if kind == "string":
            if token[0] == '"':
                out.append(token)
            else:
                fixes.add("curly quotes" if token[0] in "“‘" else "single quotes")
                inner = token[1:-1]
                if token[0] == "'":
                    inner = inner.replace("\\'", "'")
                out.append(json.dumps(inner, ensure_ascii=False).replace("\\\\", "\\"))
        elif kind == "comment":
            fixes.add("comments")
        elif kind == "word":
            fixes.add("Python's True/False/None")
            out.append(_PYTHON_WORDS[token])
        elif kind == "paren":
            fixes.add("round brackets")
            out.append("[" if token == "(" else "]")
        elif kind == "comma":
            fixes.add("a comma before a closing bracket")
        else:
            out.append(token)
    return "".join(out), sorted(fixes)


def explain_json(text: str, error: json.JSONDecodeError) -> str:
    """A JSON syntax error in the student's terms."""
    where = f"Line {error.lineno}, column {error.colno}"
    message = error.msg.lower()
    if "expecting ',' delimiter" in message or "expecting value" in message and error.pos >= len(text.rstrip()):
        opened = text.count("{") - text.count("}")
        if opened > 0 or text.count("[") > text.count("]"):
            return (f"{where}: the file ends before every '{{' or '[' is closed; add the missing '}}' or ']' "
                    "at the end.")
    if "property name" in message:
        return (f"{where}: JSON needs each key in double quotes (\"q1a\"), and no comma before '}}'.")
    if "extra data" in message:
        return f"{where}: there is text after the end of the JSON object; the file must hold one {{...}}."
    return f"{where}: JSON syntax error ({error.msg}). Check the commas, quotes and brackets near there."
