"""`aws sts get-caller-identity` output names the caller when there is no error
text (API_GetCallerIdentity: UserId, Account, Arn)."""

from __future__ import annotations

import json

import pytest

from roledoctor.inputs import read_all

OUTPUT = json.dumps({"UserId": "AROAEXAMPLEROLEID123:s", "Account": "222222222222",
                     "Arn": "arn:aws:sts::222222222222:assumed-role/ci/s"}, indent=4)


def test_get_caller_identity_output_is_recognised():
    inputs = read_all({"whoami.json": OUTPUT})
    assert not inputs.problems
    (who,) = inputs.identities
    assert who.arn == "arn:aws:sts::222222222222:assumed-role/ci/s"
    assert who.account == "222222222222" and who.user_id.startswith("AROA")
    assert (who.span.line, who.span.end_line) == (1, 5)


@pytest.mark.parametrize("value", [
    {"UserId": "x", "Account": "1", "Arn": "not-an-arn"},
    {"UserId": "x", "Account": "1", "Arn": "arn:aws:iam::1:user/a", "Statement": []},
    {"Arn": 5},
])
def test_lookalikes_are_not_identities(value):
    inputs = read_all({"x.json": json.dumps(value)})
    assert inputs.identities == []
