"""`autograder template`: the answers file students fill in, generated from the rubric.

Every part gets its key in the canonical nested form that `grading/readings.py` matches
(`q1a:` then `  layer1_output:`), left empty, under a comment with the
part's title, points and the expected form from its answer type. So the
template always matches the rubric, and an unfilled one reads as every part
missing, never as unreadable.
"""

from __future__ import annotations

from autograder.answers.reading import show_number
from autograder.grading.rubric import Part, Rubric



def answers_template(rubric: Rubric) -> str:
    """The answers.yaml students fill in: every part's key, empty, under a comment with its title, points and form."""
    file_name = f"{rubric.answer_file}.yaml"
    lines = [
        f"# {_one_line(rubric.title)} ({_points(rubric.total_points)})",
        "#",
        f"# Write each answer after its key, save this file as {file_name} and upload it.",
        "# Keep the keys as they are; a key left empty scores 0 for that part only.",
        "# Text answers go on the indented lines under their key. An answer that",
        '# starts with { or holds ": " or " #" must be put in "double quotes".',
    ]
    question = None
    for part in rubric.parts:
        question_id, part_key = part.id.split(".", 1)
        if question_id != question:
            question = question_id
            lines += ["", f"# {_one_line(part.question_title)}", f"{question_id}:"]
        lines.append(f"  # {_one_line(part.title)} ({_points(part.points)}). Expected: {_form(part)}.")
        # Free text often holds ": ", which ends a plain YAML value and makes the whole file
        # unreadable; a folded block (">-", the text on the indented lines below) reads any sentence.
        lines.append(f"  {part_key}: >-" if part.review else f"  {part_key}:")
    return "\n".join(lines) + "\n"


def _form(part: Part) -> str:
    form = part.answer_type.expected_form
    return f"{form}, on the indented lines below" if part.review else form


def _points(points) -> str:
    return f"{show_number(points)} point{'' if points == 1 else 's'}"


def _one_line(text: str) -> str:
    return " ".join(text.split())
