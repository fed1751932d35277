"""Stage 3: a submission folder -> the student's answers as raw text trees.

The folder is hostile: symlinks are never followed, only regular files are
opened (O_NOFOLLOW), sizes and counts are bounded, YAML is read with every
scalar as text and no tags or aliases, JSON numbers stay text too. Problems
with the file as a whole become a `Submission.problem` the student can act
on; problems inside one value become a `Refused` in its place, so that only
that part is lost.
"""

from __future__ import annotations

import codecs
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from autograder import limits

EXTENSIONS = (".yaml", ".yml", ".json")
_SKIPPED_DIRS = {"__macosx", ".git", "__pycache__"}
_ALLOWED_TAGS = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}


@dataclass(frozen=True)
class Refused:
    """A value the reader would not construct (e.g. a YAML tag); its part is unreadable."""

    reason: str


@dataclass(frozen=True)
class Submission:
    file: str | None                      # the answer file used, relative to the submission folder
    problem: str | None = None            # why no answers could be read at all
    problem_kind: str | None = None       # "missing" (no file chosen) or "unreadable" (file unusable)
    entries: tuple = ()                   # ((key, key, ...), raw value) for every leaf, in file order
    notes: tuple[str, ...] = field(default=())


def read_submission(folder: str | Path, answer_stem: str = "answers") -> Submission:
    folder = Path(folder)
    files, notes = _list_files(folder)
    chosen, problem = _choose(files, answer_stem)
    if chosen is None:
        return Submission(file=None, problem=problem, problem_kind="missing", notes=tuple(notes))
    relative = chosen.relative_to(folder).as_posix()
    try:
        data, encoding_note = _read_text(chosen)
        if encoding_note:
            notes.append(encoding_note)
        if not data.strip():
            return Submission(relative, f"{relative} is empty.", "missing", notes=tuple(notes))
        tree = _parse_json(data) if chosen.suffix.lower() == ".json" else _parse_yaml(data)
    except _FileProblem as exc:
        return Submission(relative, f"Could not read {relative}: {exc}", "unreadable", notes=tuple(notes))
    if tree is None or tree == "":
        return Submission(relative, f"{relative} holds no answers.", "missing", notes=tuple(notes))
    if not isinstance(tree, list) or (tree and not isinstance(tree[0], _Pair)):
        return Submission(
            relative,
            f"Could not read {relative}: expected keys with answers (like the template's q1a: ...), found a single value.",
            "unreadable", notes=tuple(notes),
        )
    return Submission(relative, entries=tuple(_leaves(tree, ())), notes=tuple(notes))


class _FileProblem(Exception):
    """The chosen file cannot be read at all; the message is for the student."""


@dataclass(frozen=True)
class _Pair:
    key: str
    value: Any


def _list_files(folder: Path) -> tuple[list[Path], list[str]]:
    """Regular files under folder, never through a symlink, junk skipped, count bounded."""
    found: list[Path] = []
    notes: list[str] = []
    if not folder.is_dir() or folder.is_symlink():
        return found, notes
    for root, dirs, names in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d.lower() not in _SKIPPED_DIRS and not d.startswith("."))
        for name in sorted(names):
            if name.startswith("."):
                continue
            path = Path(root) / name
            mode = os.lstat(path).st_mode
            if stat.S_ISLNK(mode):
                notes.append(f"Ignored {path.relative_to(folder).as_posix()}: links are not followed; upload the file itself.")
            elif stat.S_ISREG(mode):
                found.append(path)
            if len(found) >= limits.MAX_FILES_SCANNED:
                notes.append(f"Only the first {limits.MAX_FILES_SCANNED} files were looked at.")
                return found, notes
    return found, notes


def _choose(files: list[Path], stem: str) -> tuple[Path | None, str | None]:
    wanted = [f"{stem}{ext}" for ext in EXTENSIONS]
    named = [path for path in files if path.name.lower() in wanted]
    if named:
        shallowest = min(len(path.parts) for path in named)
        top = [path for path in named if len(path.parts) == shallowest]
        if len(top) == 1:
            return top[0], None
        return None, f"Found several answer files ({_names(top)}); submit exactly one {stem}.yaml."
    candidates = [path for path in files if path.suffix.lower() in EXTENSIONS]
    if len(candidates) == 1:
        return candidates[0], None
    if candidates:
        return None, (f"Found several YAML/JSON files ({_names(candidates)}) and none named {stem}.yaml: "
                      f"submit one file named {stem}.yaml.")
    found = f"found {_names(files)}" if files else "the submission is empty"
    return None, f"No answer file: expected {stem}.yaml (or {stem}.yml / {stem}.json); {found}."


def _names(paths: list[Path], most: int = 8) -> str:
    shown = ", ".join(path.name for path in paths[:most])
    return shown + (f" and {len(paths) - most} more" if len(paths) > most else "")


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
    if b"\x00" in data:
        raise _FileProblem("this is not a text file. Save your answers as plain text (UTF-8).")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "The file is not UTF-8; it was read as Windows-1252 text."


def _parse_json(text: str) -> Any:
    try:
        data = json.loads(text, parse_int=str, parse_float=str, parse_constant=lambda name: Refused(f"{name} is not a number"),
                          object_pairs_hook=lambda pairs: [_Pair(str(k), v) for k, v in pairs])
    except json.JSONDecodeError as exc:
        raise _FileProblem(f"JSON syntax error on line {exc.lineno}, column {exc.colno}: {exc.msg}.") from None
    except RecursionError:
        raise _FileProblem("the JSON is nested too deeply.") from None
    return _check_depth(data)


def _check_depth(tree: Any) -> Any:
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limits.MAX_TREE_DEPTH:
            raise _FileProblem(f"the answers are nested more than {limits.MAX_TREE_DEPTH} levels deep.")
        if isinstance(node, list):
            stack.extend((item.value if isinstance(item, _Pair) else item, depth + 1) for item in node)
    return tree


class _TextResolver(yaml.resolver.BaseResolver):
    """No implicit resolvers: `no`, `1_000`, `0x1F`, `3.0` all stay the text the student typed."""


_Parser = getattr(yaml, "CParser", None)

if _Parser is not None:
    class _TextLoader(_Parser, _TextResolver):  # libyaml composes nodes in C: fast on any input
        def __init__(self, stream):
            _Parser.__init__(self, stream)
            _TextResolver.__init__(self)
else:  # PyYAML built without libyaml
    class _TextLoader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer,
                      _TextResolver):
        def __init__(self, stream):
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            _TextResolver.__init__(self)


def _parse_yaml(text: str) -> Any:
    loader = _TextLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" on line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise _FileProblem(f"YAML syntax error{where}: {exc.problem or exc.context}.") from None
    except yaml.YAMLError as exc:
        raise _FileProblem(f"YAML error: {exc}.") from None
    finally:
        loader.dispose()
    return _construct(node) if node is not None else None


def _construct(root: yaml.Node) -> Any:
    """Nodes -> str / list / [_Pair], refusing tags; aliases and depth are bounded, never expanded."""
    seen: set[int] = set()

    def build(node: yaml.Node, depth: int) -> Any:
        if depth > limits.MAX_TREE_DEPTH:
            raise _FileProblem(f"the answers are nested more than {limits.MAX_TREE_DEPTH} levels deep.")
        if id(node) in seen:
            raise _FileProblem(f"YAML aliases (*name, line {node.start_mark.line + 1}) are not allowed in answer files.")
        seen.add(id(node))
        if len(seen) > limits.MAX_YAML_NODES:
            raise _FileProblem(f"the file has more than {limits.MAX_YAML_NODES} values.")
        if node.tag not in _ALLOWED_TAGS:
            return Refused(f"YAML tags like {node.tag.replace('tag:yaml.org,2002:', '!!')} are not allowed")
        if isinstance(node, yaml.MappingNode):
            pairs = []
            for key_node, value_node in node.value:
                key = build(key_node, depth + 1)
                if not isinstance(key, str):
                    raise _FileProblem(f"line {key_node.start_mark.line + 1}: a key must be plain text.")
                pairs.append(_Pair(key, build(value_node, depth + 1)))
            return pairs
        if isinstance(node, yaml.SequenceNode):
            return [build(item, depth + 1) for item in node.value]
        return node.value

    return build(root, 0)


def _leaves(pairs: list, path: tuple) -> list:
    """Flatten nested mappings into (key path, value); lists and scalars are values."""
    leaves = []
    for pair in pairs:
        value = pair.value
        if isinstance(value, list) and value and all(isinstance(item, _Pair) for item in value):
            leaves.extend(_leaves(value, path + (pair.key,)))
        else:
            leaves.append((path + (pair.key,), value))
    return leaves
