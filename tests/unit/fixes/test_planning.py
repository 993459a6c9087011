"""The fix planners of fixes/ on small inputs: the table, the backend "s3" move, the
exemption from a Deny, URL-encoded documents."""

from __future__ import annotations

import json
from urllib.parse import quote, unquote

import pytest

from roledoctor.diagnosis.diagnose import diagnose
from roledoctor.fixes import plan
from roledoctor.fixes.apply import edits_for
from roledoctor.fixes.edits import apply_edits
from roledoctor.fixes.errors import FixError
from roledoctor.fixes.model import Repair, Source
from roledoctor.fixes.string_policy import decode
from roledoctor.inputs import read_all

CALLER = "arn:aws:iam::222222222222:role/ci"
ROLE = "arn:aws:iam::111111111111:role/tf-deploy"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": CALLER}, "Action": "sts:AssumeRole"}]}, indent=2)
PROVIDER = f'provider "aws" {{\n  assume_role {{\n    role_arn = "{ROLE}"\n  }}\n}}\n'
CALLER_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": ROLE}]}, indent=2)


def _fix(raw: dict[str, str], slots: dict[str, str]):
    d = diagnose(raw, slots, caller=CALLER)
    return d, {f.raw: f for f in d.fixes if not f.alternative}


def test_a_code_gets_one_planner():
    plan._load()
    with pytest.raises(ValueError, match="SCP_BLOCKS: two planners"):
        plan.planner("SCP_BLOCKS")(lambda case, ev, f: [])


def test_backend_top_level_arguments_move_into_assume_role_keeping_expressions():
    backend = ('terraform {\n  backend "s3" {\n    bucket       = "b"\n    role_arn     = var.role_arn\n'
               '    external_id  = "ext-1"  # agreed\n  }\n}\n')
    raw = {"provider": backend, "trust_policy": TRUST, "caller_policy": CALLER_POLICY,
           "vars.tfvars": f'role_arn = "{ROLE}"\n'}
    d = diagnose(raw, {"provider": "provider", "trust_policy": "trust_policy", "caller_policy": "caller_policy"},
                 caller=CALLER)
    repairs = [r for i in d.issues for r in i.repairs if r.op == "s3_nest_assume_role"]
    assert repairs, [i.code for i in d.issues]
    after = apply_edits(backend, edits_for(repairs[0], backend))
    assert ("    assume_role = {\n      role_arn    = var.role_arn\n      external_id = \"ext-1\"  # agreed\n    }\n"
            in after), after
    assert after.count("role_arn =") == 0 and after.count("role_arn ") == 1  # moved, not copied


def test_backend_move_refuses_arguments_sharing_a_line():
    backend = 'terraform {\n  backend "s3" {\n    bucket = "b"\n    /* old */ role_arn = "' + ROLE + '"\n  }\n}\n'
    res = read_all({"provider": backend})
    b = res.backends[0]
    with pytest.raises(FixError, match="shares its line"):
        edits_for(Repair("provider", "s3_nest_assume_role", b), backend)


def test_backend_session_name_is_fixed_inside_the_attribute_object():
    backend = ('terraform {\n  backend "s3" {\n    bucket = "b"\n    assume_role = {\n'
               f'      role_arn     = "{ROLE}"\n      session_name = "a b"\n    }}\n  }}\n}}\n')
    raw = {"provider": backend, "trust_policy": TRUST, "caller_policy": CALLER_POLICY}
    d, fixes = _fix(raw, {k: k for k in raw})
    assert "SESSION_NAME_INVALID" in {i.code for i in d.issues}
    assert fixes["provider"].verdict_after == "allowed"
    assert 'session_name = "a-b"' in fixes["provider"].after


def _scp(deny: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}, deny]}, indent=2)


def test_scp_deny_with_the_orgs_own_exemption_gets_the_callers_account():
    scp = _scp({"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*",
                "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalAccount": ["333333333333"]}}})
    raw = {"provider": PROVIDER, "trust_policy": TRUST, "caller_policy": CALLER_POLICY, "scp": scp}
    d, fixes = _fix(raw, {k: k for k in raw})
    assert "SCP_BLOCKS" in {i.code for i in d.issues}
    after = json.loads(fixes["scp"].after)
    assert after["Statement"][1]["Condition"] == {
        "StringNotEqualsIfExists": {"aws:PrincipalAccount": ["333333333333", "222222222222"]}}
    assert fixes["scp"].verdict_after == "allowed"


def test_scp_deny_with_another_condition_gets_a_principal_arn_exemption_beside_it():
    scp = _scp({"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "true"}}})
    raw = {"provider": PROVIDER, "trust_policy": TRUST, "caller_policy": CALLER_POLICY, "scp": scp}
    d, fixes = _fix(raw, {k: k for k in raw})
    cond = json.loads(fixes["scp"].after)["Statement"][1]["Condition"]
    assert cond == {"Bool": {"aws:SecureTransport": "true"}, "ArnNotLike": {"aws:PrincipalArn": CALLER}}


def test_url_encoded_document_is_edited_decoded_and_encoded_back():
    doc = json.dumps(json.loads(TRUST), separators=(",", ":")).replace(CALLER, "arn:aws:iam::222222222222:role/old")
    text = json.dumps({"Role": {"RoleName": "tf-deploy", "Arn": ROLE, "AssumeRolePolicyDocument": quote(doc, safe="")}},
                      indent=4)
    res = read_all({"get-role.json": text})
    role = res.evidence[0].principals[0] if res.evidence and res.evidence[0].principals else None
    assert role is not None and role.trust is not None and role.trust.form == "urlencoded"
    src = Source("get-role.json", role.trust.policy, "urlencoded", "trust")
    path = ("Statement", 0, "Principal", "AWS")
    after = apply_edits(text, edits_for(Repair("trust_policy", "set_string", src, path, CALLER), text))
    value = json.loads(after)["Role"]["AssumeRolePolicyDocument"]
    assert "%" in value and "{" not in value  # still URL-encoded
    assert json.loads(unquote(value))["Statement"][0]["Principal"]["AWS"] == CALLER
    start = after.index('"%7B')
    assert json.loads(decode(after[start:], "urlencoded")) == json.loads(unquote(value))


DOC = '''data "aws_iam_policy_document" "p" {
  statement {
    effect  = "Deny"
    actions = ["sts:AssumeRole"]
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}
'''


@pytest.mark.parametrize("path,key,value", [
    (("Statement", 0), "Condition", {"ArnNotLike": {"aws:PrincipalArn": CALLER}}),
    (("Statement", 0, "Condition"), "ArnNotLike", {"aws:PrincipalArn": CALLER}),
    (("Statement", 0, "Condition", "ArnNotLike"), "aws:PrincipalArn", CALLER),
])
def test_a_condition_added_to_a_policy_document_is_a_condition_block(path, key, value):
    res = read_all({"scp": DOC})
    pol = res.policies[0].policy
    src = Source("scp", pol, "policy_document", "scp")
    after = apply_edits(DOC, edits_for(Repair("scp", "add_key", src, path, value, key=key), DOC))
    assert ('    condition {\n      test     = "ArnNotLike"\n      variable = "aws:PrincipalArn"\n'
            f'      values   = ["{CALLER}"]\n    }}\n  }}\n}}\n') in after, after
    again = read_all({"scp": after}).policies[0].policy
    assert {(c.operator, c.key) for c in again.statements[0].conditions} == {
        ("Bool", "aws:SecureTransport"), ("ArnNotLike", "aws:PrincipalArn")}


SCP_TF = '''data "aws_iam_policy_document" "deny_foreign_roles" {
  statement {
    sid       = "DenyForeignRoles"
    effect    = "Deny"
    actions   = ["sts:AssumeRole"]
    resources = ["arn:aws:iam::111111111111:role/*"]
  }
}

resource "aws_organizations_policy" "deny_foreign_roles" {
  name    = "deny-foreign-roles"
  type    = "SERVICE_CONTROL_POLICY"
  content = data.aws_iam_policy_document.deny_foreign_roles.json
}
'''


def test_an_scp_in_terraform_is_fixed_in_its_own_form_and_proven():
    """An SCP as aws_iam_policy_document feeding aws_organizations_policy
    (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/organizations_policy),
    given as the SCP (the CLI's --scp): the exemption is a condition block, proven."""
    raw = {"provider": PROVIDER, "trust_policy": TRUST, "caller_policy": CALLER_POLICY, "scp": SCP_TF}
    d, fixes = _fix(raw, {k: k for k in raw})
    assert "SCP_BLOCKS" in {i.code for i in d.issues}
    assert fixes["scp"].verdict_after == "allowed"
    assert ('    condition {\n      test     = "ArnNotLike"\n      variable = "aws:PrincipalArn"\n'
            f'      values   = ["{CALLER}"]\n    }}\n  }}\n}}\n') in fixes["scp"].after
