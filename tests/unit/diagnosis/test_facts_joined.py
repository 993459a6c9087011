"""Facts joined across inputs, and a verdict decided when no unknown can change it
(roledoctor.diagnosis.joined, roledoctor.diagnosis.any_caller). The scenarios
s142-s145 show the same end to end; these pin the edges."""

from __future__ import annotations

import json

from roledoctor.diagnosis.diagnose import diagnose
from roledoctor.diagnosis.joined import definitions
from roledoctor.findings import to_json_obj
from roledoctor.inputs import read_all

ROLE = "arn:aws:iam::111111111111:role/tf-deploy"
PROVIDER = f'provider "aws" {{\n  assume_role {{\n    role_arn = "{ROLE}"\n    duration = "DURATION"\n  }}\n}}\n'
ALLOW = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": ROLE}]})


def _trust(condition: dict | None = None) -> str:
    st = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
    if condition:
        st["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [st]})


def _run(trust: str, duration: str = "1h", caller_policy: str = ALLOW) -> dict:
    raw = {"provider": PROVIDER.replace("DURATION", duration), "trust_policy": trust, "caller_policy": caller_policy}
    return to_json_obj(diagnose(raw, {k: k for k in raw}).report)


def _missing(obj: dict) -> list:
    return [f["details"].get("missing") for f in obj["findings"] if f["code"] == "INPUT_MISSING"]


def test_open_trust_with_the_callers_policy_is_decided():
    obj = _run(_trust())
    assert obj["verdict"] == "allowed"
    assert obj["request"]["caller"] is None  # no invented caller in the report
    assert any("the caller is not known" in a for a in obj["assumptions"])


def test_a_condition_on_the_principal_keeps_it_undetermined():
    # no representative caller matches this ARN, yet the real caller may be it
    obj = _run(_trust({"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/ci"}}))
    assert obj["verdict"] == "undetermined"
    assert "the identity that runs Terraform" in _missing(obj)


def test_the_chaining_limit_tells_users_from_role_sessions():
    # 2 h: a role session is capped at 1 h (role chaining), a user is not: the caller matters
    obj = _run(_trust(), duration="2h")
    assert obj["verdict"] == "undetermined"
    assert "prevention" not in obj


def test_a_role_definition_gives_its_path_and_account():
    hcl = ('resource "aws_iam_role" "a" {\n  name = "deployer"\n  path = "/deploy/"\n}\n'
           'resource "aws_iam_role" "b" {\n  name = "other"\n}\n')
    defs = {d.name: d for d in definitions(read_all({"roles.tf": hcl}).roles)}
    assert defs["deployer"].path == "/deploy/" and defs["deployer"].span.line == 3
    assert defs["other"].path == "/" and defs["other"].account is None


def test_a_symbolic_path_says_nothing():
    hcl = 'resource "aws_iam_role" "a" {\n  name = "deployer"\n  path = var.path\n}\n'
    assert definitions(read_all({"roles.tf": hcl}).roles) == []


def test_another_identity_printed_elsewhere_is_said_not_chosen():
    from pathlib import Path
    folder = Path(__file__).resolve().parents[2] / "scenarios" / "s01-trust-omits-caller"
    error = (folder / "error.txt").read_text(encoding="utf-8")
    # get-caller-identity output, https://docs.aws.amazon.com/cli/latest/reference/sts/get-caller-identity.html
    who = json.dumps({"UserId": "AIDAEXAMPLEUSERID1234", "Account": "222222222222",
                      "Arn": "arn:aws:iam::222222222222:user/base"}, indent=4)
    same = json.dumps({"UserId": "AROAEXAMPLEROLEID1234:x", "Account": "222222222222",
                       "Arn": "arn:aws:sts::222222222222:assumed-role/ci/other-session"}, indent=4)
    for printed, said in ((who, True), (same, False)):
        raw = {"error": error, "aws_evidence": printed}
        obj = to_json_obj(diagnose(raw, {k: k for k in raw}).report)
        assert obj["request"]["caller"] == "arn:aws:sts::222222222222:assumed-role/ci/gha-run-17"
        assert any("arn:aws:iam::222222222222:user/base" in a for a in obj["assumptions"]) is said


def test_a_role_in_a_plan_gives_its_path_and_account():
    # `terraform show -json` output, https://developer.hashicorp.com/terraform/internals/json-format
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    plan = json.dumps({"format_version": "1.2", "terraform_version": "1.9.0", "planned_values": {"root_module": {
        "resources": [{"address": "aws_iam_role.deployer", "mode": "managed", "type": "aws_iam_role",
                       "name": "deployer", "values": {
                           "name": "deployer", "path": "/deploy/", "assume_role_policy": trust,
                           "arn": "arn:aws:iam::111111111111:role/deploy/deployer"}}]}}}, indent=2)
    res = read_all({"tfplan.json": plan})
    assert not res.problems, res.problems
    (d,) = definitions(res.roles)
    assert (d.name, d.path, d.account) == ("deployer", "/deploy/", "111111111111")
