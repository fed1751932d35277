"""Stage 3: a submission folder -> the student's answers as raw text trees.

The folder is hostile: symlinks are never followed, only regular files are
opened (O_NOFOLLOW), sizes, counts and depths are bounded, YAML is read with
every scalar as text and no tags or aliases, JSON numbers stay text too.
Nothing here recurses on the input: YAML is built from the parser's event
stream with an explicit stack (libyaml's own composer recurses in C, and a
file of 100,000 "[" crashed the process), and folders are walked with a
queue. Names and text that cannot be encoded (lone surrogates) never reach
the results, which must be valid UTF-8 JSON. Problems
with the file as a whole become a `Submission.problem` the student can act
on; problems inside one value become a `Refused` in its place, so that only
that part is lost.
"""

from __future__ import annotations

import codecs
import itertools
import json
import os
import re
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from autograder.base import limits
from autograder.answers.base import SourceText
from autograder.grading import answer_syntax
from autograder.grading.outcomes import Outcome

EXTENSIONS = (".yaml", ".yml", ".json")
_SKIPPED_DIRS = {"__macosx", ".git", "__pycache__"}
_ALLOWED_TAGS = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}


@dataclass(frozen=True)
class Refused:
    """A value the reader would not construct (e.g. a YAML tag); its part is unreadable."""

    reason: str


@dataclass(frozen=True)
class Submission:
    """The answer file chosen in a submission folder, flattened to (key path, raw value) entries."""

    file: str | None                      # the answer file used, relative to the submission folder
    problem: str | None = None            # why no answers could be read at all
    problem_kind: Outcome | None = None   # MISSING (no file, or nothing in it) or UNREADABLE (the file is unusable)
    entries: tuple = ()                   # ((key, key, ...), raw value) for every leaf, in file order
    notes: tuple[str, ...] = field(default=())


def read_submission(folder: str | Path, answer_stem: str = "answers") -> Submission:
    """Find the answer file under `folder` and read it safely; never raises for anything a student uploads."""
    folder = Path(folder)
    files, notes = _list_files(folder)
    chosen, problem = _choose(files, answer_stem)
    if chosen is None:
        return Submission(file=None, problem=problem, problem_kind=Outcome.MISSING, notes=tuple(notes))
    if len(chosen) > 1:
        return _read_one_of(folder, chosen, answer_stem, notes)
    return _read_file(folder, chosen[0], answer_stem, notes)


def _read_file(folder: Path, chosen: Path, answer_stem: str, notes: list[str]) -> Submission:
    relative = _shown(chosen.relative_to(folder).as_posix())
    notes = list(notes)
    if chosen.name.lower().endswith(".txt"):
        notes.append(f"{relative} was read as {chosen.name[:-4]}: its name ends in .txt (which Windows and macOS "
                     f"may hide). Rename it to {answer_stem}.yaml.")
    try:
        data, encoding_note = _read_text(chosen)
        if encoding_note:
            notes.append(encoding_note)
        if not data.strip():
            return Submission(relative, f"{relative} is empty.", Outcome.MISSING, notes=tuple(notes))
        parse = _parse_json if _format(chosen) == ".json" else _parse_yaml
        tree, parse_notes = parse(data)
        notes.extend(parse_notes)
    except _FileProblem as exc:
        return Submission(relative, f"Could not read {relative}: {exc}", Outcome.UNREADABLE, notes=tuple(notes))
    if tree is None or tree == "":
        return Submission(relative, f"{relative} holds no answers.", Outcome.MISSING, notes=tuple(notes))
    tree = _merge_items(tree)
    if not isinstance(tree, list) or (tree and not isinstance(tree[0], _Pair)):
        return Submission(
            relative,
            f"Could not read {relative}: expected keys with answers (like the template's q1a: ...), found "
            + ("text without any 'key: answer' lines." if isinstance(tree, str) else "a list of values."),
            Outcome.UNREADABLE, notes=tuple(notes),
        )
    return Submission(relative, entries=tuple(_leaves(tree, ())), notes=tuple(notes))


def _read_one_of(folder: Path, chosen: list[Path], answer_stem: str, notes: list[str]) -> Submission:
    """Several answer files side by side (answers.yaml and answers.json): one answer if they agree."""
    submissions = [_read_file(folder, path, answer_stem, notes) for path in chosen]
    first = submissions[0]
    if first.problem is None and all(other.entries == first.entries and other.problem is None for other in submissions[1:]):
        others = ", ".join(other.file or "" for other in submissions[1:])
        return Submission(first.file, entries=first.entries,
                          notes=first.notes + (f"{others} holds the same answers as {first.file}; {first.file} was read.",))
    return Submission(None, f"Found several answer files ({_names(chosen)}) with different contents; "
                            f"submit exactly one {answer_stem}.yaml.", Outcome.MISSING, notes=tuple(notes))


def _format(path: Path) -> str:
    """The answer file's format from its name: ".json", ".yaml" or ".yml", also under a hidden ".txt"."""
    name = path.name.lower()
    if name.endswith(".txt"):
        name = name[:-4]
    return Path(name).suffix


class _FileProblem(Exception):
    """The chosen file cannot be read at all; the message is for the student."""


@dataclass(frozen=True)
class _Pair:
    key: str
    value: Any


def _list_files(folder: Path) -> tuple[list[Path], list[str]]:
    """Regular files under folder, shallowest first, never through a symlink, junk skipped.

    Every entry looked at counts towards MAX_FILES_SCANNED and folders deeper
    than MAX_FOLDER_DEPTH are not opened, so no upload makes this slow. An
    entry that disappears while it is looked at is skipped, not an error.
    """
    found: list[Path] = []
    links: list[Path] = []
    notes: list[str] = []
    if not folder.is_dir() or folder.is_symlink():
        return found, notes
    budget = limits.MAX_FILES_SCANNED
    too_deep = False
    pending = deque([(folder, 0)])
    while pending:
        directory, depth = pending.popleft()
        try:
            with os.scandir(directory) as listing:
                entries = sorted(itertools.islice(listing, budget + 1), key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in entries:
            if budget == 0:
                notes.append(f"Only the first {limits.MAX_FILES_SCANNED} files and folders were looked at.")
                pending.clear()
                break
            budget -= 1
            if entry.name.startswith("."):
                continue
            try:
                if entry.is_symlink():
                    links.append(Path(entry.path))
                elif entry.is_dir(follow_symlinks=False):
                    if entry.name.lower() in _SKIPPED_DIRS:
                        continue
                    if depth < limits.MAX_FOLDER_DEPTH:
                        pending.append((Path(entry.path), depth + 1))
                    elif not too_deep:
                        too_deep = True
                        notes.append(f"Folders more than {limits.MAX_FOLDER_DEPTH} levels deep were not looked into.")
                elif entry.is_file(follow_symlinks=False):
                    found.append(Path(entry.path))
            except OSError:
                continue
    if links:
        notes.insert(0, f"Ignored {_names(links)}: links are not followed; upload the files themselves.")
    return found, notes


def _choose(files: list[Path], stem: str) -> tuple[list[Path] | None, str | None]:
    wanted = [f"{stem}{ext}" for ext in EXTENSIONS]
    wanted += [f"{name}.txt" for name in wanted]  # "answers.yaml.txt": an editor's hidden extension
    named = [path for path in files if path.name.lower() in wanted]
    if named:
        shallowest = min(len(path.parts) for path in named)
        top = [path for path in named if len(path.parts) == shallowest]
        return top, None
    candidates = [path for path in files if _format(path) in EXTENSIONS]
    if len(candidates) == 1:
        return candidates, None
    if candidates:
        return None, (f"Found several YAML/JSON files ({_names(candidates)}) and none named {stem}.yaml: "
                      f"submit one file named {stem}.yaml.")
    found = f"found {_names(files)}" if files else "the submission is empty"
    return None, f"No answer file: expected {stem}.yaml (or {stem}.yml / {stem}.json); {found}."


def _names(paths: list[Path], most: int = 8) -> str:
    shown = ", ".join(_shown(path.name) for path in paths[:most])
    return shown + (f" and {len(paths) - most} more" if len(paths) > most else "")


_SURROGATES = re.compile("[\ud800-\udfff]")


def _shown(name: str) -> str:
    """A file name or key as text: bytes that are not UTF-8 (surrogates in a str) become "?"."""
    return _SURROGATES.sub("?", name)


def _read_text(path: Path) -> tuple[str, str | None]:
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise _FileProblem(f"the file could not be opened ({exc.strerror}).") from None
    with os.fdopen(descriptor, "rb") as stream:
        data = stream.read(limits.MAX_ANSWER_FILE_BYTES + 1)
    if len(data) > limits.MAX_ANSWER_FILE_BYTES:
        raise _FileProblem(f"the file is larger than {limits.MAX_ANSWER_FILE_BYTES // 1024} KB; an answer file is a few lines.")
    for bom, encoding in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                          (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding), None
            except UnicodeDecodeError:
                raise _FileProblem(f"the file starts like {encoding.upper()} text but is not valid {encoding.upper()}.") from None
    for magic, kind in _BINARY_FORMATS:
        if data.startswith(magic):
            raise _FileProblem(f"it is {kind}, not a text file. Write your answers in a plain text editor (Notepad, "
                               "TextEdit in plain-text mode, VS Code) and save them as answers.yaml.")
    if b"\x00" in data:
        raise _FileProblem("this is not a text file. Save your answers as plain text (UTF-8).")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    # A Chinese Windows editor's default encoding (GBK) writes every non-ASCII character as two
    # high bytes; Windows-1252 text has single ones ("symm\xe9tric"), which GB18030 would misread.
    if _DOUBLE_BYTE_ONLY.fullmatch(data):
        try:
            return data.decode("gb18030"), "The file is not UTF-8; it was read as GBK (Chinese) text. Save it as UTF-8."
        except UnicodeDecodeError:
            pass
    return data.decode("cp1252", errors="replace"), "The file is not UTF-8; it was read as Windows-1252 text."


_DOUBLE_BYTE_ONLY = re.compile(rb"(?:[\x00-\x7f]|[\xa1-\xf7][\xa1-\xfe])*")
_BINARY_FORMATS = ((b"PK\x03\x04", "a Word document or another zip file"), (b"%PDF", "a PDF"),
                   (b"{\\rtf", "a rich-text (RTF) document"), (b"\xd0\xcf\x11\xe0", "an old Word document"))


def _parse_json(text: str) -> tuple[Any, list[str]]:
    try:
        return _parse_strict_json(text), []
    except json.JSONDecodeError as strict:
        repaired, fixes = answer_syntax.lenient_json(text)
        try:
            tree = _parse_strict_json(repaired)
        except json.JSONDecodeError:
            raise _FileProblem(answer_syntax.explain_json(text, strict)) from None
        return tree, [f"The file is not strict JSON ({', '.join(fixes)}); it was read leniently. "
                      "Save it as plain JSON, or as YAML."]


def _parse_strict_json(text: str) -> Any:
    try:
        data = json.loads(text, parse_int=str, parse_float=str, parse_constant=lambda name: Refused(f"{name} is not a number"),
                          object_pairs_hook=lambda pairs: [_Pair(_shown(k), v) for k, v in pairs])
    except RecursionError:
        raise _FileProblem(_too_deep()) from None
    count = itertools.count(1)

    def checked(node: Any, depth: int) -> Any:
        # Recursion is safe here: the depth is checked before going deeper.
        if depth > limits.MAX_TREE_DEPTH:
            raise _FileProblem(_too_deep())
        if next(count) > limits.MAX_YAML_NODES:
            raise _FileProblem(_too_many())
        if isinstance(node, list):
            return [checked(item, depth + 1) for item in node]
        if isinstance(node, _Pair):
            return _Pair(node.key, checked(node.value, depth))
        return _text(node) if isinstance(node, str) else node

    return checked(data, 0)


def _too_deep() -> str:
    return f"the answers are nested more than {limits.MAX_TREE_DEPTH} levels deep."


def _too_many() -> str:
    return f"the file has more than {limits.MAX_YAML_NODES} values."


def _text(value: str) -> str | Refused:
    # JSON's "\ud800" escape (and the pure-Python YAML parser's) can make a
    # lone surrogate, which is no character and cannot be written to UTF-8.
    if _SURROGATES.search(value):
        return Refused("it holds an escape (like \\ud800) that is not a character")
    return value


class _PythonEventParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's pure-Python parser, for a PyYAML built without libyaml; iterative too."""

    def __init__(self, stream):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


# libyaml parses in C, iteratively: fast on any input. PyYAML does not
# export its CParser at the top level: it is in yaml.cyaml.
_EventParser = yaml.cyaml.CParser if yaml.__with_libyaml__ else _PythonEventParser


def _parse_yaml(text: str) -> tuple[Any, list[str]]:
    text, notes = answer_syntax.prepare_yaml(text)
    for _ in range(limits.MAX_SYNTAX_REPAIRS + 1):
        parser = _EventParser(text)
        try:
            built = _Builder(text)
            return built.build(parser), notes + built.notes()
        except yaml.MarkedYAMLError as exc:
            repair = answer_syntax.repair_yaml(text, exc)
            if repair is None:
                raise _FileProblem(answer_syntax.explain_yaml(text, exc)) from None
            text = repair.text
            notes.append(repair.note)
        except yaml.YAMLError as exc:
            raise _FileProblem(f"YAML error: {exc}.") from None
        finally:
            parser.dispose()
    raise _FileProblem(f"it has more than {limits.MAX_SYNTAX_REPAIRS} syntax slips. " + notes[-1])


class _Open:
    """A YAML sequence or mapping whose end event has not come yet."""

    def __init__(self, event: yaml.CollectionStartEvent):
        self.start = event
        self.items: list = []
        self.key: Any = _NO_KEY

    def add(self, value: Any, line: int) -> None:
        if not isinstance(self.start, yaml.MappingStartEvent):
            self.items.append(value)
        elif self.key is _NO_KEY:
            if not isinstance(value, str):
                raise _FileProblem(f"line {line}: a key must be plain text.")
            self.key = value
        else:
            self.items.append(_Pair(self.key, value))
            self.key = _NO_KEY


_NO_KEY = object()
# A LaTeX command that YAML reads as an escape in double quotes: \times as a tab and "imes",
# \begin as a backspace and "egin"... (the backslash not itself escaped). A command starting
# with any other letter (\left, \cdot) makes YAML fail instead, and is repaired (answer_syntax).
_LATEX_COMMAND = re.compile(
    r"(?<!\\)(?:\\\\)*\\(?:times|to|top|text\w*|tfrac|theta|tau|tilde|triangle|begin|beta|bar|boldsymbol|"
    r"big\w*|frac|forall|end|epsilon|equiv|eta|exp|neq|nabla|ne|nu|not|newline|right\w*|rho|rfloor|rceil|"
    r"rangle|alpha|approx|ast|angle|vec|varepsilon|vdots|vert|vee|xi|underline|upsilon)(?![A-Za-z])")


class _Builder:
    """Events -> str / list / [_Pair]: tags refused, aliases, depth and size bounded, never recursing.

    Scalars are taken as the student typed them where YAML would change them:
    a double-quoted answer holding LaTeX keeps its backslashes, a plain answer
    over several lines keeps its line breaks (matrix rows), and "{16 \\times 62}"
    is the braces' text, not a mapping."""

    def __init__(self, source: str):
        self.source = source
        self.latex_lines: list[int] = []

    def notes(self) -> list[str]:
        if not self.latex_lines:
            return []
        return [f"{answer_syntax.lines_named(self.latex_lines)}: the double-quoted answer holds LaTeX, where YAML would read "
                "\\t, \\b, \\f, \\n... as escapes; it was read as you typed it. Put LaTeX in single quotes: '...'."]

    def build(self, parser) -> Any:
        root: Any = None
        documents = values = 0
        open_collections: list[_Open] = []
        while parser.check_event():
            event = parser.get_event()
            line = event.start_mark.line + 1
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise _FileProblem(f"line {line}: a second document starts here (---); an answer file holds one. "
                                       "Remove the second '---' line.")
                continue
            if isinstance(event, yaml.AliasEvent):
                raise _FileProblem(f"YAML aliases (*name, line {line}) are not allowed in answer files.")
            if isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)):
                values += 1
                if values > limits.MAX_YAML_NODES:
                    raise _FileProblem(_too_many())
                if len(open_collections) > limits.MAX_TREE_DEPTH:
                    raise _FileProblem(_too_deep())
                if isinstance(event, yaml.CollectionStartEvent):
                    open_collections.append(_Open(event))
                    continue
                value = self._scalar(event) if _allowed(event.tag) else _refused_tag(event.tag)
            elif isinstance(event, yaml.CollectionEndEvent):
                finished = open_collections.pop()
                value, line = self._collection(finished, event), finished.start.start_mark.line + 1
            else:
                continue  # the stream's and the document's start and end
            if open_collections:
                open_collections[-1].add(value, line)
            else:
                root = value
        return root

    def _scalar(self, event: yaml.ScalarEvent) -> str | Refused:
        value = _text(event.value)
        start, end = event.start_mark, event.end_mark
        if isinstance(value, Refused):
            return value
        if event.style == '"':
            raw = self.source[start.index + 1:end.index - 1]
            if _LATEX_COMMAND.search(raw):
                self.latex_lines.append(start.line)
                return SourceText(value, raw.replace('\\"', '"'))
        elif not event.style and start.line != end.line:
            # YAML folds a plain answer's lines into one; the rows of a matrix are in the source.
            return SourceText(value, "\n".join(line.strip() for line in self.source[start.index:end.index].split("\n")))
        return value

    def _collection(self, finished: _Open, end: yaml.CollectionEndEvent) -> Any:
        if not _allowed(finished.start.tag):
            return _refused_tag(finished.start.tag)
        start = finished.start
        if isinstance(start, yaml.MappingStartEvent) and start.flow_style and len(finished.items) == 1 \
                and finished.items[0].value == "" and finished.key is _NO_KEY:
            braces = self.source[start.start_mark.index:end.end_mark.index]
            if ":" not in braces and len(braces) <= limits.MAX_ANSWER_CHARS:
                return _text(braces)  # "{16 \\times 62 \\times 62}": LaTeX braces, not a mapping
        return finished.items


def _allowed(tag: str | None) -> bool:
    # No tag, or the non-specific "!", is plain text / list / mapping: no
    # implicit types, so `no`, `1_000`, `0x1F`, `3.0` stay what the student typed.
    return tag in (None, "!") or tag in _ALLOWED_TAGS


def _refused_tag(tag: str) -> Refused:
    return Refused(f"YAML tags like {_shown(tag).replace('tag:yaml.org,2002:', '!!')} are not allowed")


def _merge_items(tree: Any) -> Any:
    """A list whose items are all "key: answer" mappings (Markdown list items "- q1a: ...") is one mapping."""
    if isinstance(tree, list) and tree and all(_is_mapping(item) for item in tree):
        return [pair for item in tree for pair in item]
    return tree


def _leaves(pairs: list, path: tuple) -> list:
    """Flatten nested mappings into (key path, value); lists and scalars are values."""
    leaves = []
    for pair in pairs:
        value = pair.value
        if _is_mapping(value):
            leaves.extend(_leaves(value, path + (pair.key,)))
        else:
            leaves.append((path + (pair.key,), _answer_value(value)))
    return leaves


def _is_mapping(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, _Pair) for item in value)


def _answer_value(value: Any) -> Any:
    """A mapping inside an answer becomes a dict, which every answer type refuses in words."""
    if _is_mapping(value):
        return {pair.key: _answer_value(pair.value) for pair in value}
    if isinstance(value, list):
        return [_answer_value(item) for item in value]
    return value
