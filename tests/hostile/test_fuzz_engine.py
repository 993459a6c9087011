"""Fuzz the engine: random (and malformed) policies and requests. A policy
either builds or is refused with PolicyError; evaluate never raises or hangs."""

from __future__ import annotations

from hypothesis import given, strategies as st

from hostile.conftest import fuzz_settings, guard

from roledoctor.evaluation import Caller, Evaluation, Policies, PolicyLevel, Request, evaluate
from roledoctor.evaluation.conditions import OPERATORS
from roledoctor.policy import PolicyError, policy_from_obj

ACCOUNTS = ["123456789012", "987654321098", "000000000000", "12345", "*", ""]
ARNS = ["arn:aws:iam::123456789012:role/ci", "arn:aws:iam::123456789012:root", "arn:aws:iam::987654321098:user/bob",
        "arn:aws:sts::123456789012:assumed-role/ci/sess", "arn:aws:iam::123456789012:role/a/b/c/ci",
        "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com", "arn:aws:*:*:*:*",
        "arn:aws:iam::*:role/*", "arn:aws-cn:iam::123456789012:role/x", "arn:", "arn:aws:iam:::", "*", "?*?*?*",
        "AROAEXAMPLEID", "ec2.amazonaws.com", "cognito-identity.amazonaws.com", "${aws:username}", "arn:aws:iam::" + "9" * 40 + ":role/x",
        "arn:aws:iam::123456789012:role/" + "*a" * 300]
ACTIONS = ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:TagSession", "sts:SetSourceIdentity", "sts:*",
           "*", "s3:GetObject", "sts:Assume*", "STS:ASSUMEROLE", "sts:?ssumeRole", "", ":", "sts:" + "*" * 200]
KEYS = ["sts:ExternalId", "aws:PrincipalArn", "aws:SourceIp", "aws:MultiFactorAuthPresent", "aws:CurrentTime",
        "aws:PrincipalTag/team", "aws:RequestTag/x", "aws:TagKeys", "sts:RoleSessionName", "sts:SourceIdentity",
        "token.actions.githubusercontent.com:sub", "token.actions.githubusercontent.com:aud", "aws:PrincipalOrgID",
        "aws:username", "aws:SecureTransport", "sts:DurationSeconds", "", "weird key"]
OPS = sorted(OPERATORS) + [f"{o}IfExists" for o in sorted(OPERATORS)[:6]] + [
    "ForAllValues:StringEquals", "ForAnyValue:StringLike", "Null", "StringEqualsBogus", "forallvalues:arnlike", ""]
WEIRD = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True),
                  st.text(max_size=20), st.just({}), st.just([]))
VALUES = st.one_of(st.sampled_from(["true", "false", "1", "3600", "10.0.0.0/8", "::1/128", "2024-01-01T00:00:00Z",
                                    "1700000000", "abc", "*", "repo:org/*:ref:refs/heads/main", "dGVzdA==", "",
                                    "${aws:username}", "${*}", "${?}", "${$}", "a" * 500, "10.0.0.0/33", "1e999"]),
                   st.sampled_from(ARNS), st.sampled_from(ACCOUNTS), WEIRD)


def one_or_many(s):
    return st.one_of(s, st.lists(s, max_size=4))


principal = st.one_of(
    st.just("*"), WEIRD,
    st.dictionaries(st.sampled_from(["AWS", "Service", "Federated", "CanonicalUser", "Bogus"]),
                    one_or_many(st.one_of(st.sampled_from(ARNS + ACCOUNTS), WEIRD)), max_size=3))
condition = st.dictionaries(st.sampled_from(OPS), st.one_of(
    st.dictionaries(st.sampled_from(KEYS), one_or_many(VALUES), max_size=3), WEIRD), max_size=3)
statement = st.fixed_dictionaries(
    {"Effect": st.sampled_from(["Allow", "Deny", "allow", "Maybe", None])},
    optional={"Sid": st.one_of(st.text(max_size=10), WEIRD),
              "Principal": principal, "NotPrincipal": principal,
              "Action": one_or_many(st.sampled_from(ACTIONS)), "NotAction": one_or_many(st.sampled_from(ACTIONS)),
              "Resource": one_or_many(st.sampled_from(ARNS)), "NotResource": one_or_many(st.sampled_from(ARNS)),
              "Condition": st.one_of(condition, WEIRD), "Bogus": WEIRD})
policy_obj = st.one_of(
    st.fixed_dictionaries({"Statement": st.one_of(st.lists(statement, min_size=1, max_size=4), statement, WEIRD)},
                          optional={"Version": st.sampled_from(["2012-10-17", "2008-10-17", "2020-01-01", None]),
                                    "Id": st.text(max_size=5)}),
    WEIRD)


def build(obj):
    try:
        return policy_from_obj(obj)
    except PolicyError as err:
        assert err.message
        return None


caller = st.builds(
    Caller, arn=st.one_of(st.none(), st.sampled_from(ARNS)), account=st.one_of(st.none(), st.sampled_from(ACCOUNTS)),
    type=st.sampled_from([None, "user", "role", "root", "federated-user", "web-identity", "service", "bogus"]),
    role_arn=st.one_of(st.none(), st.sampled_from(ARNS)), role_path=st.sampled_from([None, "/", "/a/b/", "x"]),
    session_name=st.one_of(st.none(), st.text(max_size=10)), org_id=st.sampled_from([None, "o-abc", ""]),
    in_org=st.sampled_from([None, True, False]),
    tags=st.one_of(st.none(), st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2)),
    provider=st.one_of(st.none(), st.sampled_from(ARNS)))
request = st.builds(
    Request, role_arn=st.sampled_from(ARNS), caller=caller, action=st.sampled_from(ACTIONS),
    session_name=st.one_of(st.none(), st.text(max_size=70)), external_id=st.one_of(st.none(), st.text(max_size=30)),
    source_identity=st.one_of(st.none(), st.text(max_size=10)),
    tags=st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
    transitive_tag_keys=st.lists(st.text(max_size=5), max_size=2),
    duration_seconds=st.one_of(st.none(), st.integers(-10, 2**63)), chained=st.sampled_from([None, True, False]),
    context=st.dictionaries(st.sampled_from(KEYS), one_or_many(st.sampled_from(
        ["true", "1", "10.1.2.3", "2024-01-01T00:00:00Z", "x", "", "::1", "999999999999999999999"])), max_size=3),
    context_complete=st.booleans(),
    reported_denial=st.sampled_from([None, "scp", "rcp", "identity", "boundary", "session", "trust", "bogus"]),
    reported_explicit=st.booleans())


@fuzz_settings(300)
@given(policy_obj)
def test_policy_builds_or_is_refused(obj):
    with guard("policy_from_obj"):
        build(obj)


@fuzz_settings(300)
@given(request, policy_obj, st.lists(policy_obj, max_size=2), policy_obj, policy_obj, policy_obj,
       st.sampled_from([None, 3600, 43200, -1, 0]))
def test_evaluate_never_raises(req, trust, identity, boundary, scp, rcp, max_dur):
    pols = Policies(trust=build(trust), identity=[p for p in map(build, identity) if p] or None,
                    boundary=build(boundary),
                    scps=[PolicyLevel("Root", [p])] if (p := build(scp)) else None,
                    rcps=[PolicyLevel("Root", [p])] if (p := build(rcp)) else None,
                    max_session_duration=max_dur)
    with guard("evaluate"):
        ev = evaluate(req, pols)
    assert isinstance(ev, Evaluation) and ev.verdict


@fuzz_settings(150)
@given(request, st.lists(statement, min_size=1, max_size=3))
def test_evaluate_trust_only(req, statements):
    """Trust policies that build (Principal/Action given), so the condition code runs."""
    pol = build({"Version": "2012-10-17", "Statement": statements})
    with guard("evaluate"):
        ev = evaluate(req, Policies(trust=pol))
    assert isinstance(ev, Evaluation)
