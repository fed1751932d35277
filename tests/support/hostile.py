"""Hostile inputs for the robustness tests and bench/fuzz.py: Hypothesis settings,
text fragments, mutations of the sample submissions, and the check every
results.json must pass.

A mutation is a list of `Edit`s, plain data, so that Hypothesis can draw and
shrink them (tests/test_fuzz.py) and a seeded `random.Random` can draw them
by the hundred thousand (bench/fuzz.py) through the same `apply_edits`.
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass
from pathlib import Path

import jsonschema
from hypothesis import HealthCheck, settings

from autograder.grading.rubric import Rubric
from support.paths import REPO, SAMPLES
from support.grading import RESULTS_SCHEMA as SCHEMA

# --- Hypothesis -----------------------------------------------------------

# "ci" is what `pytest` runs (both Pythons, twice per CI run): reproducible
# (derandomize), no example database, small. "long" draws 50 times as many
# examples at random: AUTOGRADER_HYPOTHESIS_PROFILE=long python -m pytest tests/test_properties.py
PROFILE = os.environ.get("AUTOGRADER_HYPOTHESIS_PROFILE", "ci")
_SCALE = {"ci": 1, "long": 50}[PROFILE]
settings.register_profile("ci", derandomize=True, database=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("long", database=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# The set time per part: reading one answer, however hostile, takes well
# under a millisecond; a second means something grows without bound.
PART_DEADLINE_MS = 1000
# Grading one whole submission, files written and read back included.
SUBMISSION_DEADLINE_MS = 5000


def examples(count: int, deadline_ms: int = PART_DEADLINE_MS) -> settings:
    """Settings for one property: `count` examples in CI, more in the long profile."""
    return settings(settings.get_profile(PROFILE), max_examples=count * _SCALE, deadline=deadline_ms)


# --- Text fragments ---------------------------------------------------------

# Characters that look like digits or a minus sign but are not ASCII.
LOOKALIKE_DIGITS = {
    "3": ["３", "٣", "۳", "३", "𝟑", "𝟯", "³", "₃", "③", "Ⅲ", "❸"],
    "0": ["０", "٠", "۰", "०", "𝟎", "⁰", "₀", "⓪", "O", "o"],
    "1": ["１", "١", "۱", "१", "𝟏", "¹", "₁", "①", "l", "I", "Ⅰ"],
}
# Every dash that stands for a minus sign: each must read as one.
MINUS_SIGNS = ["-", "\u2212", "\u2013", "\u2012", "\ufe63", "\uff0d", "\u2010", "\u2011", "\u2014", "\u2015",
               "\ufe58", "\u207b", "\u208b", "\u02d7", "\u2796"]
LATEX = ["$", "$$", "\\(", "\\)", "\\[", "\\]", "\\times", "\\cdot", "\\,", "\\;", "\\!", "\\quad", "\\left(", "\\right)",
         "\\left[", "\\right]", "\\text{", "\\mathrm{", "\\frac{", "\\phantom{-}", "{", "}", "^", "_", "&", "\\\\",
         "\\begin{bmatrix}", "\\end{bmatrix}", "\\begin{pmatrix}", "\\end{pmatrix}", "\\begin{array}{cc}", "\\end{array}",
         "\\hline", "\\begin", "\\end"]
NUMBERISH = ["0", "1", "7", "9", "12", "3512", "-", "+", ".", ",", " ", "_", "\u2009", "\u00a0", "e", "E", "e-", "/",
             "x", "X", "×", "*", "⋅", " by ", "=", "(", ")", "[", "]", ";", "|", "\n", "\t", "\r\n", "inf", "nan",
             "NaN", "Infinity", "1e309", "9" * 45, "np.array(", "params", "parameters", "total"]
MARKUP = ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>", "[click](javascript:alert(1))",
          "![x](http://evil.example/x.png)", "**bold**", "<b>", "&amp;", "{{ key }}", "{0.__class__}", "${HOME}",
          "%(correct)s", "\u202e", "\u2066", "\x1b[31m", "\x00", "\x07"]
FRAGMENTS = sorted({c for table in LOOKALIKE_DIGITS.values() for c in table}) + MINUS_SIGNS \
    + LATEX + NUMBERISH + MARKUP

# --- Mutations of the sample submissions ------------------------------------

# Bytes inserted or written as a value: each one a way a file or an answer goes wrong.
PIECES = [
    b"[", b"]", b"{", b"}", b":", b": ", b"\n", b"\r\n", b"  ", b"\t", b"- ", b"-", b",", b"'", b'"', b"#", b"?",
    b"&a ", b"*a", b"<<: *a\n", b"!!python/object/apply:os.system ['id'] ", b"!!binary ", b"!foo ", b"%YAML 1.1\n",
    b"---\n", b"...\n", b"|\n", b">-\n", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\xe2\x88\x92", b"\xef\xbc\x93",
    b"\xd9\xa3", b"\xe2\x80\xae", b"\xed\xa0\x80", b"\x1b[31m", b"\\ud800", b'"\\ud800"', b"NaN", b"Infinity",
    b"-Infinity", b".inf", b"1e309", b"9" * 60, b"-" + b"9" * 45, b"0x1F", b"1_000", b"no", b"~", b"null",
    b"[" * 50, b"{a: " * 20, b"- " * 30, b"\\begin{bmatrix}", b"\\end{bmatrix}", b"$", b"\\times",
    b"<script>alert(1)</script>", b"[x](javascript:alert(1))", b"{{ key }}",
]
VALUES = [
    b"3512", b"-3512", b"3,512", b"\xe2\x88\x923512", b"8x64x64", b"[8, 64, 64]", b"[[1, 2], [3, 4]]",
    b"cross-correlation", b"convolution", b"", b"~", b"[]", b"{}", b"{a: 1}", b"[{a: 1}]", b"[[[]]]",
    b"1" * 41, b"1" * 5000, b"x" * 5000, b"1 " * 300, b"[" + b"1, " * 500 + b"1]", b"[[1]" + b", [1]" * 450 + b"]",
    b"NaN", b".nan", b"-.inf", b"1e999", b"1/0", b"0/0", b"3512.0", b"3512.5", b"7/3", b"1e-40", b"1e40",
    b'"\\ud800"', b'"\\u202e5"', b"\xef\xbc\x93\xef\xbc\x95\xef\xbc\x91\xef\xbc\x92", b"\xd9\xa3\xd9\xa5",
    b"!!python/name:os.system", b"*alias", b"&anchor 5", b"'{{ rubric }}'", b"<img src=x onerror=alert(1)>",
    b"$8 \\times 64 \\times 64$", b"\\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix}", b"answer", b"mistakes",
]
NAMES = ["answers.yaml", "answers.yml", "ANSWERS.JSON", "answers.json", "Answers.Yaml", "hw5.yaml", "answers.txt",
         "answers.yaml.bak", "answers .yaml", "sub/answers.yaml", "a/b/c/answers.yml", ".answers.yaml",
         "__MACOSX/answers.yaml", "\udcff.yaml", "answers\u202e.yaml", "<b>x</b>.yaml"]
ENCODINGS = ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "utf-32", "latin-1", "cp1252", "ascii"]
EXTRA_FILES = [
    ("part2.yaml", b"q1a: {total_params: 1}\n"), ("scan.pdf", b"%PDF-1.4\n\x00\x01"), ("notes.txt", b"hello"),
    ("__MACOSX/._answers.yaml", b"\x00\x05\x16\x07"), (".hidden.yaml", b"q1a: 1\n"), ("deep/answers.yaml", b"q3: {answer: x}\n"),
    ("answers.yaml", Path("/etc/passwd")), ("rubric.yaml", REPO / "rubric" / "hw5.yaml"),
    ("key.json", REPO / "rubric" / "hw5.key.json"), ("up", Path("..")), ("dangling.yaml", Path("missing.yaml")),
    ("loop", Path("loop")), ("answers.json", b"{" * 300 + b"}" * 300), ("huge.yaml", b"q: " + b"1" * 300_000),
]
METADATA = [
    None, b"", b"not json", b"[]", b"{" * 5000, b'{"created_at": "2025-05-06T10:15:00+08:00", "users": 5}',
    b'{"created_at": "2025-05-06T10:15:00+08:00"}', b'{"created_at": "2025-05-30T10:15:00+08:00"}',
    b'{"created_at": "2025-05-06T10:15:00+08:00", "users": [{"assignment": {"due_date": "0001-01-01T00:00:00+14:00"}}]}',
    b'{"created_at": "9999-12-31T23:59:59-14:00", "assignment": {"due_date": "9999-12-31T23:59:59-14:00"}}',
    b'{"created_at": "0001-01-01T00:00:00+14:00"}', b'{"created_at": "2025-05-06T10:15:00", "users": [null, 1, "x"]}',
]
EDIT_KINDS = ("flip", "byte", "insert", "delete", "truncate", "drop_line", "duplicate_line", "swap_values",
              "set_value", "nest", "rename", "reencode", "add_file", "metadata")


@dataclass(frozen=True)
class Edit:
    """One change to a submission: `at` picks the place, `pick` the piece, file, name or encoding."""

    kind: str
    at: int
    pick: int


@dataclass(frozen=True)
class Upload:
    """A submission folder as data: relative path -> bytes, or a Path for a symlink's target."""

    files: dict
    metadata: bytes | None


def samples() -> list[tuple[str, Upload]]:
    found = []
    for folder in sorted(path for path in (SAMPLES / "hw5").iterdir() if (path / "expected.json").is_file()):
        files = {}
        for path in sorted((folder / "submission").rglob("*")):
            relative = path.relative_to(folder / "submission").as_posix()
            if path.is_symlink():
                files[relative] = Path(os.readlink(path))
            elif path.is_file():
                files[relative] = path.read_bytes()
        metadata = folder / "submission_metadata.json"
        found.append((folder.name, Upload(files, metadata.read_bytes() if metadata.exists() else None)))
    return found


def random_edits(rng: random.Random, most: int = 6) -> list[Edit]:
    return [Edit(rng.choice(EDIT_KINDS), rng.randrange(1 << 20), rng.randrange(1 << 20))
            for _ in range(rng.randint(1, most))]


def apply_edits(submission: Upload, edits: list[Edit]) -> Upload:
    files, metadata = dict(submission.files), submission.metadata
    for edit in edits:
        if edit.kind == "metadata":
            metadata = METADATA[edit.pick % len(METADATA)]
            continue
        if edit.kind == "add_file":
            name, content = EXTRA_FILES[edit.pick % len(EXTRA_FILES)]
            files[name] = content
            continue
        texts = sorted(name for name, content in files.items() if isinstance(content, bytes))
        if not texts:
            continue
        name = texts[edit.at % len(texts)]
        if edit.kind == "rename":
            files[NAMES[edit.pick % len(NAMES)]] = files.pop(name)
        else:
            files[name] = _edit_bytes(files[name], edit)
    return Upload(files, metadata)


def _edit_bytes(data: bytes, edit: Edit) -> bytes:
    at, pick = edit.at % (len(data) + 1), edit.pick
    if edit.kind == "flip" and data:
        at %= len(data)
        return data[:at] + bytes([data[at] ^ (1 << pick % 8)]) + data[at + 1:]
    if edit.kind == "byte" and data:
        at %= len(data)
        return data[:at] + bytes([pick % 256]) + data[at + 1:]
    if edit.kind == "insert":
        return data[:at] + PIECES[pick % len(PIECES)] + data[at:]
    if edit.kind == "delete":
        return data[:at] + data[at + 1 + pick % 64:]
    if edit.kind == "truncate":
        return data[:at]
    if edit.kind == "reencode":
        text = data.decode("utf-8", errors="replace")
        return text.encode(ENCODINGS[pick % len(ENCODINGS)], errors="replace")
    lines = data.split(b"\n")
    keyed = [index for index, line in enumerate(lines) if b":" in line]
    if edit.kind == "drop_line":
        del lines[edit.at % len(lines)]
    elif edit.kind == "duplicate_line":
        index = edit.at % len(lines)
        lines.insert(index, lines[index])
    elif keyed and edit.kind == "swap_values":
        first, second = keyed[edit.at % len(keyed)], keyed[pick % len(keyed)]
        (key1, value1), (key2, value2) = lines[first].split(b":", 1), lines[second].split(b":", 1)
        lines[first], lines[second] = key1 + b":" + value2, key2 + b":" + value1
    elif keyed and edit.kind == "set_value":
        index = keyed[edit.at % len(keyed)]
        key, value = lines[index].split(b":", 1)
        comma = b"," if value.rstrip().endswith(b",") else b""  # keeps a JSON line JSON
        lines[index] = key + b": " + VALUES[pick % len(VALUES)] + comma
    elif keyed and edit.kind == "nest":
        index = keyed[edit.at % len(keyed)]
        key, value = lines[index].split(b":", 1)
        depth = pick % 40
        lines[index] = key + b": " + b"[" * depth + value.strip() + b"]" * depth
    return b"\n".join(lines)


def write_root(root: Path, submission: Upload) -> Path:
    """Lay the submission out like /autograder under root; returns the results path."""
    folder = root / "submission"
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in submission.files.items():
        place(folder, name, content)
    if submission.metadata is not None:
        (root / "submission_metadata.json").write_bytes(submission.metadata)
    return root / "results" / "results.json"


def place(folder: Path, name: str, content: bytes | Path) -> bool:
    """Create folder/name as a file with content, or as a symlink to a Path; False if it cannot be.

    Never through a link: the links these tests make point at the rubric,
    at /etc/passwd and out of the folder, and writing through one of them
    would overwrite it. So nothing is made where a name is taken, or where
    the parent folder resolves outside `folder`.
    """
    path = folder / name
    inside = os.path.realpath(folder)
    if os.path.lexists(path) or not (os.path.realpath(path.parent) + os.sep).startswith(inside + os.sep):
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            path.symlink_to(content)
            return True
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    except OSError:  # e.g. a parent that is a file
        return False
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(content)
    return True


# --- What every results.json must be -------------------------------------------

def visible_text(data: dict) -> str:
    """Everything a student can read in results.json (extra_data is stored, not shown)."""
    return "\n".join([data.get("output", "")] + [f"{test['name']}\n{test.get('output', '')}" for test in data["tests"]])


def results_problems(data: dict, rubric: Rubric, written: Path | None = None) -> list[str]:
    """Why these results are not a valid, complete, in-bounds grading; [] when they are."""
    problems = []
    if written is not None:
        on_disk = json.loads(written.read_bytes().decode("utf-8"))
        if on_disk != data:
            problems.append("results.json on disk differs from what run() returned")
    try:
        jsonschema.validate(data, SCHEMA)
    except jsonschema.ValidationError as exc:
        return problems + [f"not valid against Gradescope's fields: {exc.message} at {list(exc.absolute_path)}"]
    error = data.get("extra_data", {}).get("error")
    if error:
        return problems + [f"grading failed ({error}) instead of grading"]
    parts = [test for test in data["tests"] if "part" in test.get("extra_data", {})]
    if [test["extra_data"]["part"] for test in parts] != [part.id for part in rubric.parts]:
        problems.append("not one test per rubric part, in rubric order")
    for test, part in zip(parts, rubric.parts):
        if not (0 <= test["score"] <= test["max_score"] and test["max_score"] == float(part.points)):
            problems.append(f"{part.id}: {test['score']} of {test['max_score']} is out of [0, {float(part.points)}]")
    if not 0 <= data["score"] <= float(rubric.total_points):
        problems.append(f"score {data['score']} is out of [0, {float(rubric.total_points)}]")
    if "Traceback" in visible_text(data):
        problems.append("a traceback is visible to the student")
    return problems

