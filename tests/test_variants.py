"""Per-student numbers: expressions and placeholders, the seeding and group rules, the secret, the
overrides, and the pool of HW5-random (every variant sound, deterministic, drawn slot by slot)."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import hmac
import shutil

import pytest

from autograder.authoring.check import ERROR, variant_problems
from autograder.authoring.compile import cached_or_compiled
from autograder.authoring.pool import draw_parameters, grouped_reasons
from autograder.grading.expressions import ExpressionError, parse_expression, render
from autograder.grading.key import Rejection, cached_key, write_cache
from autograder.grading.rubric import load_rubric
from autograder.grading.variants import (
    SECRET_VARIABLE, Overrides, Secret, SecretError, VariantRule, choose_variant, emails_of, hashed_variant,
    normalise_email, read_overrides, read_secret,
)
from support.paths import REPO

HW5_RANDOM = REPO / "rubric" / "hw5-random.yaml"
PARAMETERS = {"conv1": {"kernel": 3, "pad": 1, "stride": 1}, "input_shape": [4, 64, 64], "P": 1,
              "B": [[3, 1, -2], [-2, 2, 4], [1, 3, -3]]}

# (template, what it renders to; or the start of the error it must give)
TEMPLATES = [
    ("pad = {conv1.pad}", "pad = 1"),
    ("W = {input_shape.1}", "W = 64"),
    ("{(input_shape.1 + 2*conv1.pad - conv1.kernel)//conv1.stride + 1}", "64"),
    ("{input_shape.1 / 3} {input_shape.1 / 4} {7 / 4}", "64/3 16 1.75"),  # exact, shown as answers are
    ("{7/2} {-conv1.pad} {max(conv1.kernel, 5)} {abs(-2)}", "3.5 -1 5 2"),
    ("{B != rot180(B)} {B != transpose(B)} {B.1.2}", "true true 4"),
    ("{{literal}} and {{{P}}}", "{literal} and {1}"),
    ("no placeholder at all", "no placeholder at all"),
    ("{conv1.padding}", "error: there is no parameter 'conv1.padding'"),
    ("{__import__('os')}", "error: __import__('os'): the functions are"),
    ("{conv1.pad ** 2}", "error: conv1.pad ** 2: pow is not allowed"),
    ("{1.5}", "error: 1.5: only whole numbers"),
    ("{(1).real}", "error: (1).real: only a parameter has fields"),
    ("{input_shape[0:2]}", "error: input_shape[0:2]: an item is chosen by its number"),
    ("{lambda: 1}", "error: lambda: 1: lambda is not allowed"),
    ("{conv1.pad / 0}", "error: conv1.pad / 0: ZeroDivisionError"),
    ("{}", "error: an empty expression"),
]


@pytest.mark.parametrize("template, expected", TEMPLATES, ids=[t for t, _ in TEMPLATES])
def test_a_template_renders_or_says_why_not(template, expected):
    if expected.startswith("error: "):
        with pytest.raises(ExpressionError) as raised:
            render(template, PARAMETERS)
        assert str(raised.value).startswith(expected[len("error: "):]), str(raised.value)
    else:
        assert render(template, PARAMETERS) == expected


def test_handout_formats_and_feedback_answers():
    assert render("{input_shape:shape}", PARAMETERS, formats=True) == "4 × 64 × 64"
    assert render("{B:matrix}", PARAMETERS, formats=True) == "[  3  1 -2 ]\n[ -2  2  4 ]\n[  1  3 -3 ]"
    assert render("{answer}, yours {@q1a.layer1_output}", PARAMETERS, lambda: "8 x 64 x 64",
                  lambda part: f"({part})") == "8 x 64 x 64, yours (q1a.layer1_output)"
    with pytest.raises(ExpressionError):
        render("{B:bmatrix}", PARAMETERS, formats=True)
    with pytest.raises(ExpressionError):
        render("{answer}", PARAMETERS)  # a handout has no answer to show


def test_an_expression_names_its_paths():
    assert parse_expression("conv1.out_channels * input_shape.0 + max(A.0.1, P)").paths == (
        "conv1.out_channels", "input_shape.0", "A.0.1", "P")


SECRET = Secret(b"a secret for the tests, long enough", "test")


def test_the_variant_is_the_hmac_of_the_normalised_email_mod_the_pool_size():
    digest = hmac.new(b"a secret for the tests, long enough", b"alice@example.edu", hashlib.sha256).digest()
    assert hashed_variant(SECRET, " Alice@Example.EDU\t", 64) == int.from_bytes(digest, "big") % 64
    assert normalise_email(" Alice@Example.EDU\t") == "alice@example.edu"


def test_hw5_random_gives_alice_variant_8_on_every_machine():
    """Golden: the repository's test secret and e-mail give the same variant on any Python, as the samples assume."""
    assert hashed_variant(read_secret(HW5_RANDOM), "alice@example.edu", 64) == 8


def test_a_group_is_graded_on_the_variant_of_the_email_that_sorts_first_whatever_the_order():
    members = ["zoe@example.edu", "Bob@example.edu", "mia@example.edu"]
    first = choose_variant(members, SECRET, 64, Overrides({}))
    assert first == choose_variant(list(reversed(members)), SECRET, 64, Overrides({}))
    assert (first.index, first.rule, first.email) == (hashed_variant(SECRET, "bob@example.edu", 64), VariantRule.GROUP,
                                                      "bob@example.edu")
    alone = choose_variant(["bob@example.edu"], SECRET, 64, Overrides({}))
    assert (alone.index, alone.rule) == (first.index, VariantRule.EMAIL)


def test_an_override_moves_a_student_and_their_group():
    overrides = Overrides({"mia@example.edu": 5, "zoe@example.edu": None})
    assert choose_variant(["mia@example.edu"], SECRET, 64, overrides).index == 5
    assert choose_variant(["zoe@example.edu"], SECRET, 64, overrides).label == "base"
    group = choose_variant(["zoe@example.edu", "bob@example.edu", "mia@example.edu"], SECRET, 64, overrides)
    assert (group.index, group.rule, group.email) == (5, VariantRule.OVERRIDE, "mia@example.edu")
    assert "also base" in group.note


def test_no_email_is_graded_on_the_base_variant():
    for metadata in (None, {}, {"users": []}, {"users": [{"email": "  "}, {"name": "no e-mail"}]}, {"users": "x"}):
        choice = choose_variant(emails_of(metadata), SECRET, 64, Overrides({}))
        assert (choice.index, choice.rule, choice.label) == (None, VariantRule.NO_EMAIL, "base")


def test_the_environment_secret_wins_over_the_file(tmp_path, monkeypatch):
    rubric = tmp_path / "course.yaml"
    (tmp_path / "course.secret").write_text("the file's secret, long enough\n")
    monkeypatch.delenv(SECRET_VARIABLE, raising=False)
    assert read_secret(rubric) == Secret(b"the file's secret, long enough", str(tmp_path / "course.secret"))
    monkeypatch.setenv(SECRET_VARIABLE, "  the environment's secret  ")
    assert read_secret(rubric) == Secret(b"the environment's secret", f"${SECRET_VARIABLE}")
    monkeypatch.setenv(SECRET_VARIABLE, "short")
    with pytest.raises(SecretError, match="has 5 characters; give at least 16"):
        read_secret(rubric)
    monkeypatch.delenv(SECRET_VARIABLE)
    with pytest.raises(SecretError, match=f"set {SECRET_VARIABLE} or write one to .*other.secret"):
        read_secret(tmp_path / "other.yaml")


def test_overrides_are_read_leniently_and_bad_lines_listed(tmp_path):
    (tmp_path / "course.overrides.csv").write_text(
        "# moved students\nemail,variant\nMia@Example.edu , 5\nzoe@example.edu,BASE\nbad line\n"
        "max@example.edu,64\nmia@example.edu,6\n\n", encoding="utf-8")
    overrides = read_overrides(tmp_path / "course.yaml", 64)
    assert overrides.variants == {"mia@example.edu": 5, "zoe@example.edu": None}
    assert [problem.split(": ", 1)[1] for problem in overrides.problems] == [
        "expected two columns, email,variant; got 'bad line'",
        "variant '64' for max@example.edu: give a number from 0 to 63 or base",
        "mia@example.edu is moved twice; the first line counts",
    ]
    assert read_overrides(tmp_path / "none.yaml", 64) == Overrides({})


@functools.lru_cache(maxsize=1)
def hw5_random_key():
    return cached_or_compiled(load_rubric(HW5_RANDOM))


def test_every_variant_of_the_pool_passes_every_check_that_depends_on_the_numbers():
    key = hw5_random_key()
    assert len(key.pool) == 64 and key.pool.drawn == 64 + len(key.pool.rejected)
    for index in range(len(key.pool)):
        variant = key.for_variant(index)
        assert [p.message for p in variant_problems(variant) if p.severity == ERROR] == [], index
        parameters = variant.rubric.parameters
        assert parameters["B"] != [row[::-1] for row in parameters["B"][::-1]]  # never centrosymmetric
        assert parameters["conv2"]["in_channels"] == parameters["conv1"]["out_channels"]
    assert len({repr(p) for p in key.pool.parameters}) == 64  # no two variants alike


def test_the_pool_is_drawn_from_the_secret_slot_by_slot():
    rubric = load_rubric(HW5_RANDOM)
    secret = read_secret(HW5_RANDOM)
    key = hw5_random_key()
    rejected_slots = {rejection.slot for rejection in key.pool.rejected}
    clean = next(slot for slot in range(64) if slot not in rejected_slots)
    # A slot's first candidate depends on the secret, the rubric's name and the slot only.
    assert draw_parameters(rubric, secret, clean, 0)[0] == key.pool.parameters[clean]
    assert draw_parameters(rubric, secret, clean, 0) == draw_parameters(rubric, secret, clean, 0)
    other = Secret(b"another course's secret, long enough", "test")
    assert draw_parameters(rubric, other, clean, 0)[0] != key.pool.parameters[clean]


def test_a_cached_pool_is_used_only_with_its_secret(tmp_path, monkeypatch):
    for suffix in (".yaml", ".secret"):
        shutil.copy2(HW5_RANDOM.with_suffix(suffix), tmp_path / f"hw5-random{suffix}")
    rubric = load_rubric(tmp_path / "hw5-random.yaml")
    write_cache(dataclasses.replace(hw5_random_key(), rubric=rubric))
    assert cached_key(rubric).pool.id == hw5_random_key().pool.id
    monkeypatch.setenv(SECRET_VARIABLE, "another course's secret, long enough")
    assert cached_key(rubric) is None


def test_rejection_reasons_are_grouped_without_the_values_they_show():
    rejected = [Rejection(0, 0, ("part a, mistake m: gives the correct answer (8 x 64 x 64), so ...",)),
                Rejection(0, 1, ("part a, mistake m: gives the correct answer (8 x 30 x 30), so ...", "constraint c")),
                Rejection(1, 0, ("constraint c",))]
    assert grouped_reasons(rejected) == ["2 x constraint c", "2 x part a, mistake m: gives the correct answer, so ..."]


def test_a_rubric_without_draw_has_no_pool_and_grades_on_its_parameters():
    key = cached_or_compiled(load_rubric(REPO / "rubric" / "hw5.yaml"))
    assert key.pool is None and key.for_variant(3) is key
    assert dataclasses.replace(key).rubric.parameters["P"] == 1
