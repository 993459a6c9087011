"""Principal matching (reference_policies_elements_principal.html)."""

from __future__ import annotations

import pytest

from roledoctor.evaluation.arns import normalise_caller
from roledoctor.evaluation.model import Caller
from roledoctor.evaluation.principal import match_principal

SESSION = "arn:aws:sts::222222222222:assumed-role/ci/s1"


def m(principal, caller, negated=False):
    return match_principal(principal, normalise_caller(caller), negated, ("Statement", 0, "Principal"))


@pytest.mark.parametrize("value,grant", [
    ("222222222222", "account"),
    ("arn:aws:iam::222222222222:root", "account"),
    ("arn:aws:iam::222222222222:role/ci", "role"),
    ("arn:aws:sts::222222222222:assumed-role/ci/s1", "session"),
    ("*", "wildcard"),
])
def test_role_session_caller_matches(value, grant):
    t = m({"AWS": [value]}, Caller(arn=SESSION, role_path="/"))
    assert t.matched is True and t.grant == grant and t.value == value


@pytest.mark.parametrize("value", [
    "333333333333", "arn:aws:iam::222222222222:role/other", "arn:aws:iam::222222222222:user/ci",
    "arn:aws:sts::222222222222:assumed-role/ci/other-session",
    "arn:aws:sts::222222222222:assumed-role/ci/*",  # "a session principal cannot use *"
])
def test_role_session_caller_does_not_match(value):
    assert m({"AWS": [value]}, Caller(arn=SESSION, role_path="/")).matched is False


def test_role_path_must_match_when_known():
    c = Caller(arn=SESSION, role_arn="arn:aws:iam::222222222222:role/team/ci")
    assert m({"AWS": ["arn:aws:iam::222222222222:role/team/ci"]}, c).matched is True
    assert m({"AWS": ["arn:aws:iam::222222222222:role/ci"]}, c).matched is False


def test_role_path_unknown_makes_a_pathed_principal_unknown():
    t = m({"AWS": ["arn:aws:iam::222222222222:role/team/ci"]}, Caller(arn=SESSION))
    assert t.matched is None and "path" in t.reason


def test_user_caller():
    c = Caller(arn="arn:aws:iam::222222222222:user/ops/alice")
    assert m({"AWS": ["arn:aws:iam::222222222222:user/ops/alice"]}, c).grant == "user"
    assert m({"AWS": ["arn:aws:iam::222222222222:user/alice"]}, c).matched is False


# Recreated principals: the trust keeps the old unique ID and matches nothing new.
def test_unique_id_matches_only_the_same_unique_id():
    uid = "AROAEXAMPLEID1234567"
    assert m({"AWS": [uid]}, Caller(arn=SESSION)).matched is False
    assert m({"AWS": [uid]}, Caller(arn=SESSION, unique_id=uid)).grant == "unique-id"
    assert m({"AWS": [uid]}, Caller(arn=SESSION, unique_id="AROAOTHERID123456789")).matched is False


def test_federated_and_service():
    gh = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"
    c = Caller(arn=gh)
    assert m({"Federated": [gh]}, c).grant == "federated"
    assert m({"Federated": ["arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com"]}, c).matched is False
    assert m({"AWS": ["*"]}, c).matched is False  # "AWS": "*" is AWS principals only
    assert m({"*": ["*"]}, c).matched is True
    assert m({"Service": ["ec2.amazonaws.com"]}, Caller(arn="ec2.amazonaws.com")).grant == "service"
    assert m({"Federated": [gh]}, Caller(arn=SESSION)).matched is False


def test_not_principal():
    c = Caller(arn=SESSION, role_path="/")
    assert m({"AWS": ["arn:aws:iam::222222222222:role/ci"]}, c, negated=True).matched is False
    assert m({"AWS": ["arn:aws:iam::333333333333:root"]}, c, negated=True).matched is True


def test_best_grant_wins_when_several_match():
    t = m({"AWS": ["222222222222", "arn:aws:iam::222222222222:role/ci"]}, Caller(arn=SESSION, role_path="/"))
    assert t.grant == "role" and t.path == ("Statement", 0, "Principal", "AWS", 1)
