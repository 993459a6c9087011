"""Every rule's true- and false-positive samples (gitleaks Validate style)."""

from __future__ import annotations

import re

import pytest

from roledoctor.redaction import RULES, all_patterns, scan

RULE_IDS = [r.id for r in RULES]
TP = [(r, line) for r in RULES for line in r.tp]
FP = [(r, line) for r in RULES for line in r.fp]


def test_rule_ids_unique_and_documented():
    assert len(set(RULE_IDS)) == len(RULE_IDS)
    for rule in RULES:
        assert rule.source, rule.id
        assert rule.tp, f"{rule.id} has no true-positive sample"
        assert rule.fp, f"{rule.id} has no false-positive sample"
        assert re.fullmatch(r"[A-Z][A-Z_]{0,30}", rule.type), rule.id
        assert all(k == k.lower() for k in rule.keywords), rule.id


@pytest.mark.parametrize("rule,line", TP, ids=[f"{r.id}:{i}" for i, (r, _) in enumerate(TP)])
def test_true_positive(rule, line):
    found = scan(line, [rule])
    assert found, f"{rule.id} missed: {line!r}"
    for f in found:
        assert line[f.start : f.end] == f.value


@pytest.mark.parametrize("rule,line", FP, ids=[f"{r.id}:{i}" for i, (r, _) in enumerate(FP)])
def test_false_positive(rule, line):
    assert scan(line, [rule]) == [], f"{rule.id} flagged: {line!r}"


def test_all_patterns_lists_every_rule_regex():
    names = [n for n, _ in all_patterns()]
    assert len(names) == len(set(names))
    for rule in RULES:
        assert f"rule:{rule.id}:0" in names
    assert all(isinstance(rx, re.Pattern) for _, rx in all_patterns())
