"""`autograder handout`: each student's homework text, answers file and PDF, with their own numbers.

The homework's text is a Markdown template beside the rubric (`handout:` in
the rubric, else the rubric's file name with `.md`): `{conv1.pad}`,
`{input_shape:shape}`, `{A:matrix}`... (grading/expressions.py) are filled
with the student's variant's parameters, the variant grading will use for
them (grading/variants.py: the hash of their e-mail, or the overrides file).

For a roster (Gradescope's roster CSV, or any CSV with an e-mail column),
each student gets `<name>.md`, `<name>.pdf` and `<name>-answers.yaml` (the
answers template with their numbers in its header comments). The PDF is
made by fpdf2 from the Markdown rendered by markdown-it-py, both pure
Python (the `handout` extra), in DejaVu fonts as matplotlib ships them, so
×, −, ° and the like print on any machine without a browser.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from autograder.authoring.template import answers_template
from autograder.base.atomic import write_text_atomic
from autograder.grading.expressions import ExpressionError, render
from autograder.grading.key import AnswerKey
from autograder.grading.variants import (
    BASE, VariantChoice, VariantRule, choose_variant, normalise_email, parameter_lines, read_overrides, read_secret,
)


class HandoutError(Exception):
    """The handout cannot be made (no template, a placeholder that fails, a roster without e-mails)."""


@dataclass(frozen=True)
class StudentNumbers:
    """One student's variant and its parameters, under the rubric's names."""

    email: str
    choice: VariantChoice
    parameters: Mapping[str, Any]

    def to_json(self) -> dict:
        """What `handout --json` prints: {"variant": 17 (or "base"), "parameters": {...}}."""
        return {"variant": BASE if self.choice.index is None else self.choice.index,
                "parameters": dict(self.parameters)}


def numbers_for(key: AnswerKey, email: str) -> StudentNumbers:
    """The numbers grading will use for this student (alone, not in a group)."""
    rubric = key.rubric
    if key.pool is None:
        return StudentNumbers(normalise_email(email), VariantChoice(None, VariantRule.EMAIL), rubric.parameters)
    overrides = read_overrides(rubric.path, len(key.pool))
    choice = choose_variant([email], read_secret(rubric.path), len(key.pool), overrides)
    return StudentNumbers(normalise_email(email), choice, key.for_variant(choice.index).rubric.parameters)


def template_path(key: AnswerKey) -> Path:
    """The Markdown template of the homework: `handout:` relative to the rubric, else <rubric>.md."""
    rubric_path = Path(key.rubric.path)
    return rubric_path.parent / key.rubric.handout if key.rubric.handout else rubric_path.with_suffix(".md")


def handout_markdown(key: AnswerKey, numbers: StudentNumbers) -> str:
    """The homework's text with the student's numbers."""
    path = template_path(key)
    try:
        template = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise HandoutError(f"no handout template {path} ({exc.strerror}): write the homework's text there "
                           "in Markdown, with {parameter} placeholders, or name it in the rubric's handout:") from None
    try:
        return render(template, numbers.parameters, formats=True)
    except ExpressionError as exc:
        raise HandoutError(f"{path}: {exc} (write {{{{ and }}}} for a brace)") from None


def handout_answers(key: AnswerKey, numbers: StudentNumbers) -> str:
    """The answers template, its header listing the student's numbers."""
    template = answers_template(key.rubric)
    header, rest = template.split("\n\n", 1)
    names = key.rubric.draw.top_level if key.rubric.draw else tuple(key.rubric.parameters)
    variant = "the homework's numbers" if numbers.choice.index is None else f"variant {numbers.choice.label}"
    lines = [f"# Your numbers ({variant}), as in your handout; Gradescope's submission check shows them too:",
             *(f"#   {line}" for line in parameter_lines(numbers.parameters, names))]
    return "\n".join([header, "#", *lines]) + "\n\n" + rest


def markdown_pdf(markdown: str) -> bytes:
    """A PDF of the Markdown (headings, paragraphs, lists, code blocks, emphasis), in DejaVu fonts."""
    from fpdf import FPDF
    from fpdf.html import DEFAULT_TAG_STYLES
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark", {"html": False}).render(markdown)
    pdf = FPDF(format="A4")
    pdf.set_creation_date(dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc))  # the same text gives the same bytes
    fonts = _font_folder()
    for family, stem in (("DejaVu", "DejaVuSans"), ("DejaVuMono", "DejaVuSansMono")):
        for style, suffix in (("", ""), ("B", "-Bold"), ("I", "-Oblique"), ("BI", "-BoldOblique")):
            pdf.add_font(family, style, fonts / f"{stem}{suffix}.ttf")
    pdf.set_margins(20, 18, 20)
    pdf.add_page()
    mono = {"pre": DEFAULT_TAG_STYLES["pre"].replace(font_family="DejaVuMono"),
            "code": DEFAULT_TAG_STYLES["code"].replace(family="DejaVuMono")}
    pdf.write_html(html, font_family="DejaVu", tag_styles=mono)
    return bytes(pdf.output())


def _font_folder() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@dataclass(frozen=True)
class Student:
    """A roster row: the name to show and the e-mail that chooses the variant."""

    name: str
    email: str


def read_roster(path: str | Path) -> tuple[list[Student], list[str]]:
    """The students of a roster CSV (Gradescope's: First Name, Last Name, SID, Email, Role...; any CSV with
    an e-mail column), and the rows left out, said why (no e-mail, a role other than Student, a repeat)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise HandoutError(f"cannot read the roster {path}: {exc}") from None
    rows = list(csv.DictReader(io.StringIO(text)))
    columns = {re.sub(r"[^a-z]", "", name.lower()): name for name in (rows[0].keys() if rows else ())}
    email_column = columns.get("email") or columns.get("emailaddress")
    if email_column is None:
        raise HandoutError(f"{path}: no Email column (the columns are {', '.join(columns.values()) or 'none'})")
    students, skipped, seen = [], [], set()
    for number, row in enumerate(rows, 2):
        email = normalise_email(row.get(email_column) or "")
        role = (row.get(columns.get("role", "")) or "student").strip().lower()
        name = " ".join(filter(None, (row.get(columns.get(c, "")) or "" for c in ("firstname", "lastname")))).strip()
        name = name or (row.get(columns.get("name", "")) or row.get(columns.get("fullname", "")) or email).strip()
        if not email:
            skipped.append(f"row {number}: no e-mail")
        elif role != "student":
            skipped.append(f"row {number}: {email} has the role {role}")
        elif email in seen:
            skipped.append(f"row {number}: {email} is listed again")
        else:
            seen.add(email)
            students.append(Student(name, email))
    return students, skipped


@dataclass(frozen=True)
class RosterReport:
    """What `handout --roster` wrote; `summary()` is what the command prints."""

    out_dir: Path
    written: tuple[tuple[Student, StudentNumbers], ...]
    skipped: tuple[str, ...]
    exit_code = 0

    def summary(self) -> str:
        """How many handouts were written where, which variants they have, and the rows left out."""
        variants = {numbers.choice.label for _, numbers in self.written}
        lines = [f"wrote the handouts of {len(self.written)} students to {self.out_dir} (for each: .md, .pdf and "
                 f"-answers.yaml), on {len(variants)} different variants"]
        lines += [f"  left out: {reason}" for reason in self.skipped]
        return "\n".join(lines)


def file_stem(email: str) -> str:
    """A file name for a student's handout from their e-mail: alice_at_example.edu."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", normalise_email(email).replace("@", "_at_"))


def write_roster_handouts(key: AnswerKey, roster: str | Path, out_dir: str | Path) -> RosterReport:
    """Every student's handout (Markdown and PDF) and answers file, in out_dir."""
    students, skipped = read_roster(roster)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for student in students:
        numbers = numbers_for(key, student.email)
        markdown = handout_markdown(key, numbers)
        stem = out_dir / file_stem(student.email)
        write_text_atomic(stem.with_name(stem.name + ".md"), markdown)
        write_text_atomic(stem.with_name(stem.name + "-answers.yaml"), handout_answers(key, numbers))
        stem.with_name(stem.name + ".pdf").write_bytes(markdown_pdf(markdown))
        written.append((student, numbers))
    return RosterReport(out_dir, tuple(written), tuple(skipped))
