"""Which variant of the pool a submission is graded on: the course secret, the e-mail, overrides, groups.

A rubric with `draw:` is compiled into a pool of checked variants (the key
file holds each one's parameters and key). A student's variant is

    HMAC-SHA256(secret, normalised e-mail) as a big-endian integer, mod the pool size

where the e-mail is Gradescope's (`submission_metadata.json`'s `users`, the
export's `:submitters:`, the roster), stripped and lower-cased. The secret
is a setting, never in the rubric students could see: the environment
variable AUTOGRADER_VARIANT_SECRET when it is set, else the file
`<rubric>.secret` beside the rubric (which `build` ships in the zip). The
same secret seeds the drawing of the pool, so a pool is reproducible from
the rubric and the secret alone.

`<rubric>.overrides.csv` beside the rubric (columns `email,variant`, the
variant a number of the pool or `base`) moves one student, whatever the
hash says.

A group submission is graded on one variant for every member: an override
of a member wins (of several, the one of the e-mail that sorts first);
else the variant of the member whose normalised e-mail sorts first. Both
rules ignore the order Gradescope lists the members in. A submission that
comes with no e-mail at all (a local run without metadata) is graded on the
base variant, the numbers printed in the homework, and says so.

Grading tier: the standard library only (hmac, hashlib, csv).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from autograder.base.text_enum import TextEnum
from autograder.grading.expressions import show_value

SECRET_VARIABLE = "AUTOGRADER_VARIANT_SECRET"
SECRET_SUFFIX = ".secret"
OVERRIDES_SUFFIX = ".overrides.csv"
BASE = "base"                  # the base variant (parameters:), as overrides and results name it
MIN_SECRET_CHARS = 16          # shorter secrets can be guessed from a few students' variants


class VariantRule(TextEnum):
    """Why a submission was graded on its variant."""

    EMAIL = "e-mail"            # the hash of the one submitter's e-mail
    GROUP = "group"             # the hash of the group member's e-mail that sorts first
    OVERRIDE = "override"       # the overrides file names it
    NO_EMAIL = "no e-mail"      # no e-mail came with the submission: the base variant


class SecretError(Exception):
    """No usable course secret; the message says where one is looked for."""


@dataclass(frozen=True)
class Secret:
    """The course secret and where it came from (for messages: never the value itself)."""

    value: bytes
    source: str                 # "$AUTOGRADER_VARIANT_SECRET" or the file's path

    def mac(self, message: str) -> bytes:
        """HMAC-SHA256 of a message under this secret."""
        return hmac.new(self.value, message.encode("utf-8"), hashlib.sha256).digest()

    def pool_id(self, rubric_sha256: str) -> str:
        """A short public name of this secret for this rubric: the key cache records it, so a key drawn
        with another secret is never used; the secret cannot be had from it."""
        return self.mac(f"pool id\0{rubric_sha256}").hex()[:16]


def secret_path(rubric_path: str | Path) -> Path:
    """Where the secret file of a rubric is: beside it, <rubric>.secret."""
    return Path(rubric_path).with_suffix(SECRET_SUFFIX)


def overrides_path(rubric_path: str | Path) -> Path:
    """Where the overrides of a rubric are: beside it, <rubric>.overrides.csv."""
    return Path(rubric_path).with_suffix(OVERRIDES_SUFFIX)


def read_secret(rubric_path: str | Path) -> Secret:
    """The course secret: $AUTOGRADER_VARIANT_SECRET when set, else the file beside the rubric."""
    value = os.environ.get(SECRET_VARIABLE)
    source = f"${SECRET_VARIABLE}"
    if value is None:
        path = secret_path(rubric_path)
        try:
            value = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise SecretError(f"no course secret for {rubric_path}: set {SECRET_VARIABLE} or write one to {path} "
                              f"({exc.strerror}); make one with "
                              "python3 -c 'import secrets; print(secrets.token_hex(32))'") from None
        source = str(path)
    value = value.strip()
    if len(value) < MIN_SECRET_CHARS:
        raise SecretError(f"the course secret in {source} has {len(value)} characters; give at least "
                          f"{MIN_SECRET_CHARS} (python3 -c 'import secrets; print(secrets.token_hex(32))')")
    return Secret(value.encode("utf-8"), source)


def normalise_email(email: str) -> str:
    """An e-mail address as it is hashed: surrounding spaces dropped, lower case."""
    return email.strip().lower()


def hashed_variant(secret: Secret, email: str, pool_size: int) -> int:
    """The variant the hash gives an e-mail: HMAC-SHA256(secret, normalised e-mail) mod pool size."""
    return int.from_bytes(secret.mac(normalise_email(email)), "big") % pool_size


@dataclass(frozen=True)
class Overrides:
    """Students moved to another variant: normalised e-mail -> variant (a number, or None for the base)."""

    variants: Mapping[str, int | None]
    problems: tuple[str, ...] = ()    # lines that could not be used, said in the file's terms

    def get(self, email: str) -> tuple[bool, int | None]:
        """(whether this e-mail is overridden, the variant it is moved to)."""
        key = normalise_email(email)
        return key in self.variants, self.variants.get(key)


def read_overrides(rubric_path: str | Path, pool_size: int) -> Overrides:
    """The overrides file beside the rubric (none: no overrides); a bad line is left out and listed."""
    path = overrides_path(rubric_path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return Overrides({})
    except OSError as exc:
        return Overrides({}, (f"{path}: cannot be read ({exc.strerror})",))
    variants: dict[str, int | None] = {}
    problems = []
    rows = csv.reader(io.StringIO(text))
    for number, row in enumerate(rows, 1):
        cells = [cell.strip() for cell in row]
        if not any(cells) or cells[0].startswith("#") or cells[0].lower() in ("email", "e-mail"):
            continue
        if len(cells) != 2 or "@" not in cells[0]:
            problems.append(f"{path}:{number}: expected two columns, email,variant; got {','.join(row)!r}")
            continue
        email, variant = normalise_email(cells[0]), cells[1].lower()
        if variant == BASE:
            chosen = None
        elif variant.isdigit() and int(variant) < pool_size:
            chosen = int(variant)
        else:
            problems.append(f"{path}:{number}: variant {cells[1]!r} for {cells[0]}: give a number from 0 to "
                            f"{pool_size - 1} or {BASE}")
            continue
        if email in variants and variants[email] != chosen:
            problems.append(f"{path}:{number}: {cells[0]} is moved twice; the first line counts")
            continue
        variants[email] = chosen
    return Overrides(variants, tuple(problems))


@dataclass(frozen=True)
class VariantChoice:
    """The variant a submission is graded on (None: the base variant) and why."""

    index: int | None
    rule: VariantRule
    email: str | None = None          # the e-mail the rule used, normalised
    note: str = ""                    # for the staff log: e.g. members' overrides that disagreed

    @property
    def label(self) -> str:
        """The variant as results and tables name it: its number, or "base"."""
        return BASE if self.index is None else str(self.index)


@dataclass(frozen=True)
class GradedVariant:
    """What grading on a variant adds to a result: the variant and its rule, the pool, the student's
    numbers as shown to them, and (staff only) wrong answers that are another variant's correct one."""

    choice: VariantChoice
    pool_id: str
    numbers: tuple[str, ...]                       # the drawn parameters, `name = value`
    fits: Mapping[str, tuple[str, ...]]            # part id -> labels of the other variants it is right for


def emails_of(metadata: Mapping | None) -> tuple[str, ...]:
    """The submitters' normalised e-mails in Gradescope's metadata (`users`), empty ones left out."""
    users = metadata.get("users") if isinstance(metadata, Mapping) else None
    if not isinstance(users, list):
        return ()
    found = (normalise_email(user["email"]) for user in users
             if isinstance(user, Mapping) and isinstance(user.get("email"), str))
    return tuple(sorted({email for email in found if email}))


def choose_variant(emails: Iterable[str], secret: Secret, pool_size: int, overrides: Overrides) -> VariantChoice:
    """The variant for a submission by these students (see the module's rules)."""
    members = sorted({normalise_email(email) for email in emails if normalise_email(email)})
    if not members:
        return VariantChoice(None, VariantRule.NO_EMAIL)
    moved = [(email, overrides.get(email)[1]) for email in members if overrides.get(email)[0]]
    if moved:
        email, index = moved[0]
        others = sorted({BASE if other is None else str(other) for _, other in moved if other != index})
        note = f"members' overrides disagree (also {', '.join(others)}): {email}'s counts" if others else ""
        return VariantChoice(index, VariantRule.OVERRIDE, email, note)
    rule = VariantRule.EMAIL if len(members) == 1 else VariantRule.GROUP
    return VariantChoice(hashed_variant(secret, members[0], pool_size), rule, members[0])


def describe(choice: VariantChoice, group_size: int) -> str:
    """One line for the staff log: the variant and the rule that chose it."""
    match choice.rule:
        case VariantRule.NO_EMAIL:
            return "variant: base (no e-mail came with the submission: graded on the homework's printed numbers)"
        case VariantRule.OVERRIDE:
            return f"variant: {choice.label} (the overrides file moves {choice.email})" + (
                f"; {choice.note}" if choice.note else "")
        case VariantRule.GROUP:
            return f"variant: {choice.label} (a group of {group_size}: the variant of {choice.email}, whose e-mail sorts first)"
    return f"variant: {choice.label} (from {choice.email})"


def parameter_lines(parameters: Mapping[str, Any], names: Iterable[str]) -> list[str]:
    """Each named parameter on a line, as `name = value` with the rubric's names, for students and staff."""
    return [f"{name} = {show_value(parameters[name])}" for name in names if name in parameters]
