"""Hand-written IAM wildcard matching (reference_policies_elements_action.html: `*` and `?`)."""

from __future__ import annotations

import pytest

from roledoctor.evaluation.wildcard import LIT_STAR, match


@pytest.mark.parametrize("pattern,text,ok", [
    ("sts:AssumeRole", "sts:AssumeRole", True),
    ("sts:Assume*", "sts:AssumeRoleWithWebIdentity", True),
    ("sts:Assume????", "sts:AssumeRole", True),
    ("sts:Assume???", "sts:AssumeRole", False),
    ("*", "", True),
    ("a*b*c", "abc", True),
    ("a*b*c", "acb", False),
    ("*role/*", "arn:aws:iam::1:role/x", True),
    ("ab*ab", "ab", False),
    ("a?c*", "abcdef", True),
])
def test_glob(pattern, text, ok):
    assert match(pattern, text) is ok


def test_case_insensitive_only_when_asked():
    assert match("STS:ASSUMEROLE", "sts:AssumeRole", ignore_case=True)
    assert not match("STS:ASSUMEROLE", "sts:AssumeRole")


def test_literal_star_from_policy_variable():
    # ${*} is a literal asterisk (reference_policies_variables.html#policy-vars-specialchars)
    assert match("a" + LIT_STAR, "a*")
    assert not match("a" + LIT_STAR, "ab")


def test_adversarial_input_does_not_match():
    # its growth with the input's size: tests/hostile/test_linear_time.py
    text = "a" * 100_000
    for pattern in ("*a*a*a*a*a*b", "*" + "a?" * 200 + "b*", "a*" * 50 + "c"):
        assert not match(pattern, text)
