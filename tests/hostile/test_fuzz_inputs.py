"""Fuzz the input layer: the classifier, the error parser, the HCL and JSON
readers, read/read_all. Each returns a result or a clear problem, never an
exception, never a hang."""

from __future__ import annotations

import random

from hypothesis import given, strategies as st

from hostile.conftest import examples, fuzz_settings, guard, mutate, real_inputs

from roledoctor.inputs import (
    INPUT_UNPARSEABLE, POLICY_INVALID, ErrorFacts, Inputs, Recognised, classify, errortext, hcl, jsonspan, read,
    read_all,
)

from roledoctor.inputs.kinds import names as kind_names  # noqa: E402 - every kind of the table

KINDS = {"error", "hcl", "policy-json", "plan", "json", "aws-evidence", "unknown"} | set(kind_names())
REAL = real_inputs()
TEXTS = [t for _, _, t in REAL]

# Characters that matter to our parsers, plus anything unicode.
SYNTAX = st.sampled_from(list('{}[]()",:=\n\r\t #/*<-$%\\\x00\ufeff') + [
    "<<EOT\n", "\nEOT\n", "${", "%{", "/*", "*/", "//", "arn:aws:iam::123456789012:role/x", "Error: ",
    "AccessDenied", "is not authorized to perform: ", "sts:AssumeRole", '"Statement"', '"Effect"', '"Allow"',
    '"Principal"', '"Condition"', "provider", '"aws"', "assume_role", "role_arn", "resource", "locals",
    "jsonencode(", "true", "null", "1e309", "-", "9" * 40, "\u2502 ", "\x1b[0m"])
soup = st.lists(st.one_of(SYNTAX, st.text(max_size=5)), max_size=120).map("".join)
anytext = st.text(max_size=400)


def check_read(name: str, text: str) -> None:
    with guard(f"read({name!r})"):
        recs = read(name, text)
    assert isinstance(recs, list) and recs
    for r in recs:
        assert isinstance(r, Recognised)
        if r.kind == "problem":
            assert r.facts.code in (INPUT_UNPARSEABLE, POLICY_INVALID) and r.facts.message


def check_all(text: str) -> None:
    with guard("classify"):
        kinds = classify(text)
    assert kinds and set(kinds) <= KINDS
    with guard("errortext.parse"):
        found = errortext.parse("e", text)
    assert all(isinstance(e, ErrorFacts) for e in found)
    with guard("jsonspan.parse"):
        try:
            jsonspan.parse(text)
        except jsonspan.JSONSyntaxError as err:
            assert err.message and 0 <= err.offset <= len(text)
    with guard("hcl.parse"):
        try:
            hcl.parse(text)
        except hcl.HCLSyntaxError as err:
            assert err.message and 0 <= err.offset <= len(text)
    check_read("x", text)


@fuzz_settings(200)
@given(anytext)
def test_random_text(text):
    check_all(text)


@fuzz_settings(200)
@given(soup)
def test_syntax_soup(text):
    check_all(text)


@fuzz_settings(120)
@given(st.sampled_from(TEXTS), st.integers(0, 2**32 - 1))
def test_mutated_real_inputs(text, seed):
    check_all(mutate(text, random.Random(seed)))


@fuzz_settings(25)
@given(st.lists(st.tuples(st.sampled_from(["error.txt", "main.tf", "trust.json", "x.tfvars", "plan.json"]),
                          st.sampled_from(TEXTS), st.integers(0, 2**32 - 1)), min_size=1, max_size=4))
def test_read_all_mutated(parts):
    texts = {f"{i}-{name}": mutate(text, random.Random(seed)) for i, (name, text, seed) in enumerate(parts)}
    with guard("read_all"):
        res = read_all(texts)
    assert isinstance(res, Inputs)
    assert all(p.message for p in res.problems)


def test_every_real_input_mutated_deterministically():
    """Each scenario/example input, 4 seeded mutants each (no hypothesis: fixed, broad coverage)."""
    rnd = random.Random(9)
    n = 0
    for case, box, text in REAL:
        for _ in range(max(1, examples(4) // 4 if examples(4) > 4 else 4)):
            check_read(f"{case}/{box}", mutate(text, rnd))
            n += 1
    assert n >= len(REAL)
