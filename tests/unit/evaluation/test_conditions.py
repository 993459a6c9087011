"""Condition operators, one family at a time.

Doc: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
and .../reference_policies_condition-single-vs-multi-valued-context-keys.html
"""

from __future__ import annotations

import pytest

from roledoctor.evaluation.conditions import OPERATORS, evaluate_condition
from roledoctor.evaluation.context import Context
from roledoctor.policy import Condition


def ev(op, key, values, ctx=None, complete=True, variables=True):
    c = Context(values={k.lower(): (v if isinstance(v, list) else [v]) for k, v in (ctx or {}).items()},
                complete=complete)
    vals = values if isinstance(values, list) else [values]
    return evaluate_condition(Condition(op, key, vals), c, variables).result


def test_operator_table_covers_every_family():
    fams = {o.family for o in OPERATORS.values()}
    assert fams == {"string", "arn", "numeric", "date", "bool", "binary", "ip"}
    assert len(OPERATORS) == 6 + 4 + 6 + 6 + 1 + 1 + 2


# condition_operators.html#Conditions_String
@pytest.mark.parametrize("op,policy,value,ok", [
    ("StringEquals", "abc", "abc", True),
    ("StringEquals", "abc", "ABC", False),  # case-sensitive values
    ("StringEqualsIgnoreCase", "abc", "ABC", True),
    ("StringNotEquals", "abc", "abd", True),
    ("StringNotEqualsIgnoreCase", "abc", "ABC", False),
    ("StringLike", "repo:Org/*", "repo:Org/x:ref:refs/heads/main", True),
    ("StringLike", "repo:org/*", "repo:Org/x", False),
    ("StringNotLike", "repo:Org/*", "repo:Other/x", True),
    ("StringEquals", ["a", "b"], "b", True),  # several values: OR
    ("StringNotEquals", ["a", "b"], "b", False),  # negated: must match none
])
def test_string_operators(op, policy, value, ok):
    assert ev(op, "sts:ExternalId", policy, {"sts:ExternalId": value}) is ok


def test_keys_are_case_insensitive():
    # reference_policies_elements_condition.html: "Condition key names are not case-sensitive"
    assert ev("StringEquals", "STS:EXTERNALID", "x", {"sts:ExternalId": "x"}) is True


# condition_operators.html: absent key -> false, except negated operators, IfExists and Null
@pytest.mark.parametrize("op,ok", [
    ("StringEquals", False), ("StringNotEquals", True), ("StringLike", False), ("StringNotLike", True),
    ("StringEqualsIfExists", True), ("StringNotEqualsIfExists", True), ("ArnNotLike", True),
    ("NumericLessThan", False), ("NotIpAddress", True), ("IpAddress", False), ("Bool", False),
    ("BoolIfExists", True), ("ForAnyValue:StringEquals", False), ("ForAllValues:StringEquals", True),
    ("ForAnyValue:StringNotEquals", False), ("ForAllValues:StringNotLike", True),
])
def test_absent_key(op, ok):
    assert ev(op, "sts:ExternalId", "x", {}) is ok


def test_unknown_key_is_unknown_not_false():
    assert ev("StringEquals", "aws:SourceIp", "x", {}, complete=False) is None
    assert ev("StringNotEquals", "aws:SourceIp", "x", {}, complete=False) is None


# condition_operators.html#Conditions_Null
def test_null():
    assert ev("Null", "sts:ExternalId", "true", {}) is True
    assert ev("Null", "sts:ExternalId", "false", {}) is False
    assert ev("Null", "sts:ExternalId", "false", {"sts:ExternalId": "x"}) is True


# condition_operators.html#Conditions_ARN: each of the six parts matched separately
@pytest.mark.parametrize("op,policy,value,ok", [
    ("ArnLike", "arn:aws:iam::111111111111:role/*", "arn:aws:iam::111111111111:role/team/ci", True),
    ("ArnEquals", "arn:aws:iam::*:role/ci", "arn:aws:iam::222222222222:role/ci", True),
    ("ArnLike", "arn:aws:iam::*", "arn:aws:iam::222222222222:role/ci", False),  # * does not span colons
    ("ArnLike", "arn:aws:iam::111111111111:role/ci", "arn:aws:iam::111111111111:role/team/ci", False),
    ("ArnNotLike", "arn:aws:iam::111111111111:role/ci", "arn:aws:iam::111111111111:role/team/ci", True),
    ("ArnLike", "arn:aws:iam::111111111111:role/*ci", "arn:aws:iam::111111111111:role/team/ci", True),
])
def test_arn_operators(op, policy, value, ok):
    assert ev(op, "aws:PrincipalArn", policy, {"aws:PrincipalArn": value}) is ok


# condition_operators.html#Conditions_Numeric
@pytest.mark.parametrize("op,policy,value,ok", [
    ("NumericLessThan", "3600", "900", True), ("NumericLessThanEquals", "900", "900", True),
    ("NumericGreaterThan", "10", "9", False), ("NumericEquals", "10", "10.0", True),
    ("NumericNotEquals", "10", "11", True), ("NumericEquals", "ten", "10", False),
    ("NumericGreaterThanEquals", "1", "1", True),
])
def test_numeric(op, policy, value, ok):
    assert ev(op, "sts:DurationSeconds", policy, {"sts:DurationSeconds": value}) is ok


# condition_operators.html#Conditions_Date: ISO 8601 or epoch
@pytest.mark.parametrize("op,policy,value,ok", [
    ("DateLessThan", "2030-01-01T00:00:00Z", "2026-05-01T12:00:00Z", True),
    ("DateGreaterThan", "2030-01-01T00:00:00Z", "2026-05-01T12:00:00Z", False),
    ("DateEquals", "1700000000", "2023-11-14T22:13:20Z", True),
    ("DateNotEquals", "2020-01-01", "2020-01-01T00:00:00Z", False),
    ("DateLessThanEquals", "2020-01-01T00:00:00+02:00", "2019-12-31T22:00:00Z", True),
    ("DateGreaterThanEquals", "garbage", "2020-01-01", False),
])
def test_date(op, policy, value, ok):
    assert ev(op, "aws:CurrentTime", policy, {"aws:CurrentTime": value}) is ok


# condition_operators.html#Conditions_Boolean
def test_bool():
    assert ev("Bool", "aws:MultiFactorAuthPresent", "true", {"aws:MultiFactorAuthPresent": "TRUE"}) is True
    assert ev("Bool", "aws:MultiFactorAuthPresent", "true", {"aws:MultiFactorAuthPresent": "false"}) is False
    assert ev("BoolIfExists", "aws:MultiFactorAuthPresent", "false", {}) is True


# condition_operators.html#Conditions_IPAddress
def test_ip():
    assert ev("IpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:SourceIp": "203.0.113.7"}) is True
    assert ev("IpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:SourceIp": "198.51.100.1"}) is False
    assert ev("NotIpAddress", "aws:SourceIp", ["203.0.113.0/24", "2001:db8::/32"], {"aws:SourceIp": "2001:db8::1"}) is False
    assert ev("IpAddress", "aws:SourceIp", "2001:db8::/32", {"aws:SourceIp": "203.0.113.7"}) is False


# condition_operators.html#Conditions_BinaryEquals
def test_binary():
    assert ev("BinaryEquals", "k", "QmluYXJ5VmFsdWU=", {"k": "QmluYXJ5VmFsdWU="}) is True
    assert ev("BinaryEquals", "k", "QmluYXJ5VmFsdWU=", {"k": "QmluYXJ5"}) is False


# single-vs-multi-valued-context-keys.html: ForAllValues / ForAnyValue
def test_set_operators():
    tags = {"aws:TagKeys": ["team", "env"]}
    assert ev("ForAllValues:StringEquals", "aws:TagKeys", ["team", "env", "x"], tags) is True
    assert ev("ForAllValues:StringEquals", "aws:TagKeys", ["team"], tags) is False
    assert ev("ForAnyValue:StringEquals", "aws:TagKeys", ["env"], tags) is True
    assert ev("ForAnyValue:StringLike", "aws:TagKeys", ["x*"], tags) is False
    assert ev("ForAllValues:StringNotEquals", "aws:TagKeys", ["secret"], tags) is True
    assert ev("ForAnyValue:StringNotEquals", "aws:TagKeys", ["team"], tags) is True  # "env" is not "team"
    assert ev("ForAllValues:StringEquals", "aws:TagKeys", ["x"], {"aws:TagKeys": []}) is True


# reference_policies_variables.html: variables only with Version 2012-10-17, defaults, ${*}
def test_policy_variables():
    ctx = {"aws:username": "alice", "aws:PrincipalTag/team": "blue"}
    assert ev("StringEquals", "sts:RoleSessionName", "${aws:username}", {**ctx, "sts:RoleSessionName": "alice"}) is True
    assert ev("StringEquals", "sts:RoleSessionName", "${aws:username}", {**ctx, "sts:RoleSessionName": "alice"},
              variables=False) is False
    assert ev("StringLike", "sts:RoleSessionName", "${aws:PrincipalTag/team}-*", {**ctx, "sts:RoleSessionName": "blue-1"}) is True
    assert ev("StringEquals", "sts:RoleSessionName", "${aws:PrincipalTag/none, 'dflt'}", {**ctx, "sts:RoleSessionName": "dflt"}) is True
    assert ev("StringLike", "sts:RoleSessionName", "a${*}", {"sts:RoleSessionName": "ab"}) is False
    assert ev("StringLike", "sts:RoleSessionName", "a${*}", {"sts:RoleSessionName": "a*"}) is True
    assert ev("StringEquals", "sts:RoleSessionName", "${aws:SourceIp}", {"sts:RoleSessionName": "x"}, complete=False) is None


def test_unknown_operator_is_unknown():
    assert ev("StringSortOf", "sts:ExternalId", "x", {"sts:ExternalId": "x"}) is None
