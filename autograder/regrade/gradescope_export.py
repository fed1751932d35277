"""Gradescope's "Export Submissions" download -> the submissions to regrade.

Two layouts are read, zipped or not:

- Gradescope's export of a programming assignment. What a real one holds
  (gradescope.md §6, checked on a whole export of 38 submissions): one
  folder `assignment_<id>_export/` (some tools see it unwrapped) with a
  folder per submission (`submission_217362225/`, files at any depth,
  `.DS_Store` junk) and `submission_metadata.yml`, a YAML mapping keyed by
  those folder names with Ruby-style `:keys:`. A real entry has exactly
  `:submitters:` (`{:name:, :sid:, :email:}` each; `:sid:` quoted with
  leading zeros, or null), `:created_at:` (UTC, nine fraction digits:
  `2023-12-04 05:26:26.899837000 Z`), `:score:`, `:status:`, `:results:`
  (the results.json the autograder wrote, plain keys, nulls empty) and
  `:history:` (earlier submissions: `:submitters: []`, `:created_at:`,
  `:score:`, `:status:`, `:results:`, `:id:`). No due date and no extension
  appear anywhere: `recorded_due` finds the one the container used in the
  results it wrote. Other tools report several YAML documents (`---`,
  `...`) and PDF-type exports (`submission_123.pdf` keys with
  `:original_filename:`); both are read, neither is relied on, and every
  field beyond the names and the submitters is optional.
- A plain folder of per-student folders, each holding the student's files, or
  laid out like /autograder (`submission/` and an optional
  `submission_metadata.json`), as `submissions_samples/` is.

The export is read like student input. A zip is checked against the limits
before anything is written; a member whose name is absolute or climbs out
with `..`, a symbolic link or a duplicate is never extracted, and one that
cannot be decompressed is skipped: each is listed, against its submission
when it has one. The YAML is read event by event, keeping only the fields
the late policy and the tables need, as plain text: tags are not
constructed and aliases not followed, so nothing in it can run or expand;
the number of entries, the values read from each and the length of a name
are bounded (limits.py), and a name that cannot be a folder costs only its
entry.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import yaml

from autograder.base import limits
from autograder.base.text_enum import TextEnum
from autograder.grading.late import DueSource, KnownDue, parse_moment, read_metadata
from autograder.grading.submission import _EventParser  # the answer files' YAML event parser: libyaml's when there

METADATA_YAML = "submission_metadata.yml"
METADATA_JSON = "submission_metadata.json"
_JUNK_FOLDERS = {"__macosx"}
# What is read of an entry of submission_metadata.yml (None: the whole node; a
# mapping: only the keys it names, in a list of each item): who submitted and
# when, any due dates in the container's submission_metadata.json shape (no
# real export has them), whether it is a PDF submission, and of the results
# the autograder wrote (`:results:`, and each earlier submission's in
# `:history:`) only the late details: the due date the container used. The
# rest of those results is most of the file and is skipped unread.
_LATE_DETAILS = {"extra_data": {"late": None}}
_KEPT = {"submitters": None, "created_at": None, "assignment": None, "original_filename": None,
         "results": _LATE_DETAILS, "history": {"created_at": None, "results": _LATE_DETAILS}}
# A YAML 1.2 document end ("..." alone on its line, perhaps with a comment): PyYAML reads YAML 1.1, where
# the next document must then start with "---", so the reader adds one.
_DOCUMENT_END = re.compile(rb"\.\.\.[ \t]*(?:#[^\r\n]*)?\r?\n?")


class Layout(TextEnum):
    """How an export is laid out."""

    GRADESCOPE = "gradescope"    # submission_metadata.yml beside a folder per submission
    FOLDERS = "folders"          # a folder per student, each the student's files or laid out like /autograder


class ExportError(Exception):
    """The export as a whole cannot be read; the message says why and what to give instead."""


@dataclass(frozen=True)
class Submitter:
    """One student of a submission, as the export names them."""

    name: str
    sid: str
    email: str


@dataclass(frozen=True)
class ExportedSubmission:
    """One submission as the export holds it, ready to grade like /autograder."""

    submission_id: str                    # the folder name in the export
    files: Path                           # what /autograder/submission would hold
    submitters: tuple[Submitter, ...]
    metadata: Mapping | None = None       # submission_metadata.json's content, built from the export's YAML
    metadata_file: Path | None = None     # or the export's own submission_metadata.json
    problems: tuple[str, ...] = ()        # what the export could not give for this submission
    recorded_due: KnownDue | None = None  # the due date the container used, recorded in the results it wrote


@dataclass(frozen=True)
class Export:
    """An export read: its submissions and the problems with it as a whole."""

    source: Path
    layout: Layout
    submissions: tuple[ExportedSubmission, ...]
    problems: tuple[str, ...] = ()        # export-wide: refused members of no submission, links, impossible names


def read_export(source: str | Path, workdir: Path) -> Export:
    """The submissions of an export folder or zip; a zip is extracted into workdir (which must not exist)."""
    source = Path(source)
    if source.is_dir():
        return _read_layout(source, _export_root(source, inside_zip=False), {})
    if not source.is_file():
        raise ExportError(f"{source}: no such folder or zip file")
    if not zipfile.is_zipfile(source):
        raise ExportError(f"{source}: not a folder and not a zip file; give Gradescope's Export Submissions download")
    refused = _extract_zip(source, workdir)
    root = _export_root(workdir, inside_zip=True)
    return _read_layout(source, root, _by_submission(refused, root.relative_to(workdir).parts))


# ---------------------------------------------------------------- layouts

def _read_layout(source: Path, root: Path, refused: Mapping[str | None, list[str]]) -> Export:
    links = [f"{entry.name}: a symbolic link, not followed" for entry in _visible(root) if entry.is_symlink()]
    if (root / METADATA_YAML).is_file():
        layout = Layout.GRADESCOPE
        submissions, problems = _gradescope_submissions(root, refused)
    else:
        layout, problems = Layout.FOLDERS, []
        submissions = tuple(_plain_submission(folder, refused.get(folder.name, ())) for folder in _submission_folders(root))
    problems = links + problems
    if not submissions:
        raise ExportError(f"{source}: neither {METADATA_YAML} nor any submission folder found")
    graded = {submission.submission_id for submission in submissions}
    problems += [problem for folder, listed in refused.items() if folder not in graded for problem in listed]
    return Export(source, layout, submissions, tuple(problems))


def _export_root(folder: Path, inside_zip: bool) -> Path:
    """Where the export starts: the folder itself, or the one folder inside that holds the metadata.

    A zip usually wraps everything in one folder (`assignment_123_export/`);
    so does a zipped plain folder, hence the last rule for zips only."""
    if (folder / METADATA_YAML).is_file():
        return folder
    entries = _visible(folder)
    if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
        if (entries[0] / METADATA_YAML).is_file() or inside_zip:
            return entries[0]
    return folder


def _visible(folder: Path) -> list[Path]:
    return sorted(entry for entry in folder.iterdir()
                  if not entry.name.startswith(".") and entry.name.lower() not in _JUNK_FOLDERS)


def _submission_folders(root: Path) -> list[Path]:
    return [entry for entry in _visible(root) if entry.is_dir() and not entry.is_symlink()]


def _gradescope_submissions(root: Path, refused: Mapping[str | None, list[str]]
                            ) -> tuple[tuple[ExportedSubmission, ...], list[str]]:
    entries, notes = _read_metadata_yaml(root / METADATA_YAML)
    on_disk = {folder.name for folder in _submission_folders(root)}
    documents = sorted(name for name, entry in entries.items() if _is_document(root, name, entry))
    problems = [_documents_problem(documents)] if documents else []
    if documents and not on_disk:
        raise ExportError(f"{root}: {problems[0]}")
    submissions = []
    for name in sorted(set(entries).difference(documents) | on_disk):
        if not _is_folder_name(name):  # only the YAML can name such a folder, and it must not become a path
            problems.append(f"{METADATA_YAML}: {name!r} cannot be a submission folder's name; not graded")
            continue
        listed = tuple(refused.get(name, ())) + tuple(notes.get(name, ()))
        if name not in entries:
            listed += (f"not in {METADATA_YAML}: graded without submitters or submission time",)
            submissions.append(ExportedSubmission(name, root / name, (), problems=listed))
            continue
        metadata = container_metadata(entries[name])
        submissions.append(ExportedSubmission(name, root / name, submitters_of(metadata), metadata, problems=listed,
                                              recorded_due=recorded_due(entries[name])))
    return tuple(submissions), problems


def _plain_submission(folder: Path, problems: Sequence[str]) -> ExportedSubmission:
    anonymous = (Submitter(folder.name, "", ""),)
    if not (folder / "submission").is_dir():
        return ExportedSubmission(folder.name, folder, anonymous, problems=tuple(problems))
    metadata_file = folder / METADATA_JSON
    if not metadata_file.is_file():
        return ExportedSubmission(folder.name, folder / "submission", anonymous, problems=tuple(problems))
    metadata, note = read_metadata(metadata_file)
    return ExportedSubmission(folder.name, folder / "submission", submitters_of(metadata) or anonymous, None,
                              metadata_file, tuple(problems) + ((f"{METADATA_JSON}: {note}",) if note else ()))


def _is_folder_name(name: str) -> bool:
    return (bool(name) and name not in (".", "..") and not name.startswith(".") and not set(name) & {"/", "\\", "\0"}
            and len(name.encode("utf-8", "surrogateescape")) <= limits.MAX_EXPORT_NAME_BYTES)


def _is_document(root: Path, name: str, entry: Mapping) -> bool:
    """Whether an entry is a PDF or online assignment's submission: a document, not a folder of answer files."""
    return "original_filename" in entry or (_is_folder_name(name) and (root / name).is_file())


def _documents_problem(names: Sequence[str]) -> str:
    example = names[0] if len(names) == 1 else f"{names[0]} and {len(names) - 1} more"
    return (f"{METADATA_YAML} lists the submissions of a PDF or online assignment ({example}: a document, with "
            ":original_filename:), not folders of answer files; these are not graded. Export the programming "
            "assignment to which students uploaded their answer file instead")


# ---------------------------------------------------------------- submission_metadata.yml

def container_metadata(entry: Mapping) -> dict:
    """An export entry (colons stripped) -> what the container's submission_metadata.json holds for late.py."""
    metadata: dict[str, Any] = {}
    if isinstance(entry.get("created_at"), str):
        metadata["created_at"] = iso_timestamp(entry["created_at"])
    if isinstance(entry.get("assignment"), dict):
        metadata["assignment"] = _dates_as_iso(entry["assignment"])
    users = []
    for submitter in entry.get("submitters") or ():
        if not isinstance(submitter, dict):
            continue
        user = {field_name: _text(submitter.get(field_name)) for field_name in ("name", "sid", "email")}
        if isinstance(submitter.get("assignment"), dict):
            user["assignment"] = _dates_as_iso(submitter["assignment"])
        users.append(user)
    metadata["users"] = users
    return metadata


def recorded_due(entry: Mapping) -> KnownDue | None:
    """The due date the container held this student to, from the results Gradescope kept in the export.

    This submission's results first, else the newest earlier submission's in
    `:history:` with one (a crash leaves none): an extension applies to all of a
    student's submissions. Results written before due dates were recorded, or
    by another autograder, have none."""
    found = _due_in(entry.get("results"), "the export: the results the autograder wrote for this submission")
    history = [earlier for earlier in entry.get("history") or () if isinstance(earlier, dict)]
    history.sort(key=lambda earlier: parse_moment(earlier.get("created_at"), dt.timezone.utc) or _LONG_AGO, reverse=True)
    for earlier in history:
        if found is not None:
            break
        found = _due_in(earlier.get("results"), "the export: the results the autograder wrote for the earlier "
                                                f"submission of {_text(earlier.get('created_at'))} (:history:)")
    return found


_LONG_AGO = dt.datetime.min.replace(tzinfo=dt.timezone.utc)


def _due_in(results: Any, found_in: str) -> KnownDue | None:
    late = results.get("extra_data") if isinstance(results, dict) else None
    late = late.get("late") if isinstance(late, dict) else None
    if not isinstance(late, dict):
        return None
    moment = parse_moment(late.get("due"))
    source = late.get("due_source")
    if moment is None or source not in tuple(DueSource):
        return None
    return KnownDue(moment, DueSource(source), found_in)


def submitters_of(metadata: Mapping | None) -> tuple[Submitter, ...]:
    """The submitters listed in submission_metadata.json's `users`."""
    users = metadata.get("users") if isinstance(metadata, dict) else None
    if not isinstance(users, list):
        return ()
    return tuple(Submitter(_text(user.get("name")), _text(user.get("sid")), _text(user.get("email")))
                 for user in users if isinstance(user, dict))


def iso_timestamp(text: str) -> str:
    """Ruby's "2025-05-06 10:15:00.000000000 +08:00" -> "2025-05-06T10:15:00.000000+08:00", as the container gets it.

    A time without an offset is UTC, as YAML reads it. Text that is no
    timestamp is kept: the late policy then says the time is unknown."""
    moment = parse_moment(text, dt.timezone.utc)
    return moment.isoformat(timespec="microseconds") if moment else text


def _dates_as_iso(mapping: dict) -> dict:
    return {key: iso_timestamp(value) if key.endswith("date") and isinstance(value, str) else value
            for key, value in mapping.items()}


def _text(value: Any) -> str:
    return str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""


def _read_metadata_yaml(path: Path) -> tuple[dict[str, dict], dict[str, list[str]]]:
    """Folder name -> entry (the wanted fields, keys without their colon), and notes per folder."""
    size = path.stat().st_size
    if size > limits.MAX_EXPORT_METADATA_BYTES:
        raise ExportError(f"{path}: {size} bytes, more than the {limits.MAX_EXPORT_METADATA_BYTES} a "
                          f"{METADATA_YAML} may have")
    with open(path, "rb") as stream:
        parser = _EventParser(_ExplicitDocuments(stream))
        try:
            return _metadata_entries(parser)
        except yaml.YAMLError as exc:
            raise ExportError(f"{path}: not valid YAML: {exc}") from None
        finally:
            parser.dispose()


class _ExplicitDocuments:
    """A binary stream read line by line, with "---" added after each "..." so that a bare document may follow.

    Every document of the file is then one PyYAML reads; an empty one (two
    markers in a row, or one at the end) is skipped by the reader."""

    def __init__(self, stream):
        self.lines = iter(stream)
        self.pending = bytearray()

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self.pending) < size:
            line = next(self.lines, None)
            if line is None:
                break
            self.pending += line
            if _DOCUMENT_END.fullmatch(line):
                self.pending += b"\n---\n" if not line.endswith(b"\n") else b"---\n"
        taken = bytes(self.pending if size < 0 else self.pending[:size])
        del self.pending[:len(taken)]
        return taken


def _metadata_entries(parser) -> tuple[dict[str, dict], dict[str, list[str]]]:
    """Every document's entries; a document that is empty is skipped, one that is no mapping refused."""
    entries: dict[str, dict] = {}
    notes: dict[str, list[str]] = {}
    parser.get_event()  # StreamStart
    while not parser.check_event(yaml.StreamEndEvent):
        parser.get_event()  # DocumentStart
        if parser.check_event(yaml.MappingStartEvent):
            parser.get_event()
            _document_entries(parser, entries, notes)
            parser.get_event()  # MappingEnd
        else:
            empty = parser.get_event()
            if not (isinstance(empty, yaml.ScalarEvent) and empty.value == "" and empty.tag is None):
                raise ExportError(f"{METADATA_YAML} is not a mapping of submission folders to their details "
                                  f"(a document starts with something else on line {empty.start_mark.line + 1})")
        parser.get_event()  # DocumentEnd
    return entries, notes


def _document_entries(parser, entries: dict[str, dict], notes: dict[str, list[str]]) -> None:
    while not parser.check_event(yaml.MappingEndEvent):
        key = parser.get_event()
        if not isinstance(key, yaml.ScalarEvent):
            _skip_rest(parser, key)
            _skip_node(parser)
            continue
        if key.value not in entries and len(entries) >= limits.MAX_EXPORT_METADATA_ENTRIES:
            raise ExportError(f"{METADATA_YAML} lists more than {limits.MAX_EXPORT_METADATA_ENTRIES} submissions, "
                              "more than an export may have (limits.MAX_EXPORT_METADATA_ENTRIES)")
        budget = _Budget(limits.MAX_EXPORT_METADATA_VALUES)
        if key.value in entries:
            notes.setdefault(key.value, []).append(f"{METADATA_YAML}: listed twice; the later entry was used")
        entries[key.value] = _entry(parser, budget)
        if budget.exceeded:
            notes.setdefault(key.value, []).append(
                f"{METADATA_YAML}: more than {limits.MAX_EXPORT_METADATA_VALUES} values in this entry; the rest was not read")


@dataclass
class _Budget:
    remaining: int
    exceeded: bool = False

    def spend(self) -> bool:
        self.remaining -= 1
        self.exceeded = self.exceeded or self.remaining < 0
        return not self.exceeded


def _entry(parser, budget: _Budget) -> dict:
    if not parser.check_event(yaml.MappingStartEvent):
        _skip_node(parser)
        return {}
    parser.get_event()
    entry = {}
    while not parser.check_event(yaml.MappingEndEvent):
        key = parser.get_event()
        name = key.value.removeprefix(":") if isinstance(key, yaml.ScalarEvent) else None
        if name is None:
            _skip_rest(parser, key)
        if name in _KEPT:
            entry[name] = _read_node(parser, budget, 0, _KEPT[name])
        else:
            _skip_node(parser)
    parser.get_event()
    return entry


def _read_node(parser, budget: _Budget, depth: int, kept: Mapping | None = None) -> Any:
    """One node as str / list / dict (keys without their colon); tags ignored, aliases and excess read as None.

    `kept` names the keys of a mapping to read (and what of each); the others are skipped unread."""
    if depth > limits.MAX_TREE_DEPTH or not budget.spend():
        _skip_node(parser)
        return None
    event = parser.get_event()
    if isinstance(event, yaml.ScalarEvent):
        return event.value
    if isinstance(event, yaml.SequenceStartEvent):
        items = []
        while not parser.check_event(yaml.SequenceEndEvent):
            items.append(_read_node(parser, budget, depth + 1, kept))
        parser.get_event()
        return items
    if isinstance(event, yaml.MappingStartEvent):
        mapping = {}
        while not parser.check_event(yaml.MappingEndEvent):
            key = _read_node(parser, budget, depth + 1)
            name = key.removeprefix(":") if isinstance(key, str) else None
            if kept is not None and name not in kept:
                _skip_node(parser)
                continue
            value = _read_node(parser, budget, depth + 1, kept[name] if kept is not None else None)
            if name is not None:
                mapping[name] = value
        parser.get_event()
        return mapping
    return None  # an alias: never followed


def _skip_node(parser) -> None:
    _skip_rest(parser, parser.get_event())


def _skip_rest(parser, first) -> None:
    """Consume the rest of the node that `first` started."""
    depth = 1 if isinstance(first, yaml.CollectionStartEvent) else 0
    while depth:
        event = parser.get_event()
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


# ---------------------------------------------------------------- zip

def _extract_zip(path: Path, workdir: Path) -> list[tuple[str, str]]:
    """Extract every safe member into workdir; the refused ones as (name, "name: why")."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ExportError(f"{path}: cannot open the zip: {exc}") from None
    with archive:
        members = archive.infolist()
        if len(members) > limits.MAX_EXPORT_MEMBERS:
            raise ExportError(f"{path}: {len(members)} members, more than the {limits.MAX_EXPORT_MEMBERS} "
                              "an export may have")
        declared = sum(member.file_size for member in members)
        if declared > limits.MAX_EXPORT_BYTES:
            raise ExportError(f"{path}: {declared} bytes once unzipped, more than the {limits.MAX_EXPORT_BYTES} "
                              "an export may have")
        workdir.mkdir(parents=True)
        free = shutil.disk_usage(workdir).free
        if declared > free:
            raise ExportError(f"{path}: {declared} bytes once unzipped, but only {free} are free in {workdir}")
        refused = []
        extracted: set[tuple[str, ...]] = set()
        budget = [limits.MAX_EXPORT_BYTES]
        for member in members:
            parts = _name_parts(member.filename)
            problem = _refusal(member, parts, extracted)
            if problem is None:
                extracted.add(parts)
                problem = _extract_member(archive, member, workdir.joinpath(*parts), budget)
            if problem is not None:
                refused.append((member.filename, f"{member.filename}: {problem}"))
    return refused


def _name_parts(name: str) -> tuple[str, ...]:
    # Backslashes are separators too: Windows tools write them, and a name must not hide a ".." behind one.
    return tuple(part for part in name.replace("\\", "/").split("/") if part not in ("", "."))


def _refusal(member: zipfile.ZipInfo, parts: tuple[str, ...], extracted: set) -> str | None:
    name = member.filename.replace("\\", "/")
    if "\0" in name:
        return "refused: a NUL character in the name"
    if name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return "refused: an absolute path"
    if ".." in parts:
        return "refused: the name climbs out of the export with '..'"
    if stat.S_ISLNK(member.external_attr >> 16):
        return "refused: a symbolic link (links are never extracted)"
    if not parts:
        return None if member.is_dir() else "refused: an empty name"
    if parts in extracted:
        return "refused: a second member with the same name"
    return None


def _extract_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path, budget: list[int]) -> str | None:
    """Write one member; a problem with it (not with the whole zip) as text."""
    created = False
    try:
        if member.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            return None
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(member) as source:
            # O_EXCL | O_NOFOLLOW: nothing in workdir is replaced, and no link is written through.
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
            created = True
            with os.fdopen(descriptor, "wb") as sink:
                while chunk := source.read(1 << 20):
                    budget[0] -= len(chunk)
                    if budget[0] < 0:
                        raise ExportError(f"more than {limits.MAX_EXPORT_BYTES} bytes once unzipped")
                    sink.write(chunk)
    except ExportError:
        raise
    except Exception as exc:  # zipfile, zlib, bz2 and lzma each raise their own errors for a corrupt member
        if created:
            target.unlink()
        return f"could not be extracted ({type(exc).__name__}: {exc})"
    return None


def _by_submission(refused: list[tuple[str, str]], root: tuple[str, ...]) -> dict[str | None, list[str]]:
    """Refused members by the submission folder their name is in; None for the rest."""
    grouped: dict[str | None, list[str]] = {}
    for name, problem in refused:
        parts = name.replace("\\", "/").split("/")
        inside = tuple(parts[:len(root)]) == root and len(parts) > len(root) + 1 and _is_folder_name(parts[len(root)])
        grouped.setdefault(parts[len(root)] if inside else None, []).append(problem)
    return grouped
