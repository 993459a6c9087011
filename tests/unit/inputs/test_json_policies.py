"""JSON policies (kinds told apart by elements), the span-tracking parser, plans, malformed input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from roledoctor.inputs import INPUT_UNPARSEABLE, POLICY_INVALID, classify, read, read_all
from roledoctor.inputs import jsonspan

SEED = str(Path(__file__).resolve().parents[3] / "examples" / "seed-cross-account") + "/"


def facts(name, text, kind):
    out = [r.facts for r in read(name, text) if r.kind == kind]
    assert out, [(r.kind, r.facts) for r in read(name, text)]
    return out[0]


def problems(name, text):
    return [r.facts for r in read(name, text) if r.kind == "problem"]


def test_seed_trust_policy_spans():
    text = open(SEED + "trust-policy.json", encoding="utf-8").read()
    doc = facts("pasted", text, "policy-json")
    assert doc.kind == "trust"
    span = doc.policy.spans[("Statement", 0, "Condition", "StringEquals", "sts:ExternalId")]
    assert text[span.start:span.end] == '"acme-ci-7f2a"' and (span.line, span.col) == (12, 29)
    k = doc.policy.key_spans[("Statement", 0, "Principal", "AWS")]
    assert text[k.start:k.end] == '"AWS"'


ID_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::1:role/x"}]}
SCP = {"Version": "2012-10-17", "Statement": [
    {"Sid": "FullAWSAccess", "Effect": "Allow", "Action": "*", "Resource": "*"},
    {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*",
     "Condition": {"StringNotEquals": {"aws:ResourceOrgID": "o-abc"}}}]}
SCP_NOTACTION = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "Resource": "*",
     "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}}]}
RCP = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Principal": "*", "Action": "sts:*", "Resource": "*",
     "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}, "Bool": {"aws:PrincipalIsAWSService": "false"}}}]}
BUCKET = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}
OIDC_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"},
     "Action": "sts:AssumeRoleWithWebIdentity",
     "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                   "StringLike": {"token.actions.githubusercontent.com:sub": "repo:Org/Repo:*"}}}]}


@pytest.mark.parametrize("name,obj,kind", [
    ("pasted", ID_POLICY, "identity"),
    ("pasted", SCP, "scp"),
    ("pasted", SCP_NOTACTION, "scp"),
    ("pasted", RCP, "rcp"),
    ("pasted", BUCKET, "resource"),
    ("pasted", OIDC_TRUST, "trust"),
    ("boundary.json", ID_POLICY, "boundary"),  # a boundary looks like an identity policy: the name decides
    ("org/scp-deny.json", ID_POLICY, "scp"),
])
def test_policy_kinds_by_elements(name, obj, kind):
    doc = facts(name, json.dumps(obj, indent=2), "policy-json")
    assert doc.kind == kind, doc.reasons
    assert doc.reasons


def test_oidc_trust_conditions_read():
    doc = facts("t", json.dumps(OIDC_TRUST), "policy-json")
    keys = {c.key: (c.operator, c.values) for c in doc.policy.statements[0].conditions}
    assert keys["token.actions.githubusercontent.com:sub"] == ("StringLike", ["repo:Org/Repo:*"])


@pytest.mark.parametrize("text,line,col,snippet", [
    ('{\n  "Version": "2012-10-17"\n  "Statement": []\n}', 3, 3, '"Statement": []'),     # missing comma
    ('{\n  "Statement": [\n    {"Effect": "Allow",}\n  ]\n}', 3, 23, '{"Effect": "Allow",}'),  # trailing comma
    ('{\n  "Version": "2012-10-17",\n  "Statement": [\n', 4, 1, ""),                         # truncated
    ("{\n  'Version': '2012-10-17'\n}", 2, 3, "'Version': '2012-10-17'"),                    # single quotes
    ('{"Statement": "unterminated\n}', 1, 15, '{"Statement": "unterminated'),
])
def test_malformed_json_line_and_column(text, line, col, snippet):
    (p,) = problems("bad.json", text)
    assert p.code == INPUT_UNPARSEABLE
    assert (p.span.line, p.span.col) == (line, col), p.message
    assert snippet in p.text and f"line {line}, column {col}" in p.message


@pytest.mark.parametrize("obj,path,words", [
    ({"Version": "2012-10-17", "Statement": [{"Effect": "Permit", "Action": "sts:AssumeRole"}]}, ("Statement", 0, "Effect"), "Effect"),
    ({"Version": "2012-10-17", "Statement": [{"effect": "Allow", "Action": "sts:AssumeRole"}]}, ("Statement", 0, "effect"), "did you mean Effect"),
    ({"Version": "2012-10-18", "Statement": [{"Effect": "Allow", "Action": "x:y"}]}, ("Version",), "Version"),
    ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]}, ("Statement", 0), "Action or NotAction"),
    ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Aws": "*"}, "Action": "sts:AssumeRole"}]},
     ("Statement", 0, "Principal", "Aws"), "unknown type"),
])
def test_invalid_policy_names_the_element(obj, path, words):
    text = json.dumps(obj, indent=2)
    (p,) = problems("trust.json", text)
    assert p.code == POLICY_INVALID and words in p.message
    assert p.path == path and p.span is not None
    assert p.text and p.text in text


def test_invalid_hcl_policy_points_into_hcl():
    text = 'resource "aws_iam_role" "r" {\n  assume_role_policy = jsonencode({\n    Version = "2012-10-17"\n    Statement = [{ Effect = "allow", Action = "sts:AssumeRole" }]\n  })\n}\n'
    recs = read("main.tf", text)
    (p,) = [r.facts for r in recs if r.kind == "problem"]
    assert p.code == POLICY_INVALID and p.text == '"allow"' and p.span.line == 4
    assert [r.kind for r in recs].count("role") == 1  # the role is still reported, without a trust


@pytest.mark.parametrize("text,line", [
    ('provider "aws" {\n  region = "us-east-1"\n  assume_role {\n    role_arn = \n  }\n}\n', 4),
    ('provider "aws" {\n  region = "us-east-1"\n', 3),
    ('resource "aws_iam_role" "r" {\n  name = "x" "y"\n}\n', 2),
])
def test_malformed_hcl_line_and_column(text, line):
    (p,) = problems("main.tf", text)
    assert p.code == INPUT_UNPARSEABLE and p.span.line == line, p.message
    assert "invalid HCL" in p.message and p.span.col >= 1


def test_jsonspan_exact_offsets_and_escapes():
    text = '{"a": [1, -2.5e3, true, null], "b\\u00e9": {"c": "x\\"y"}}'
    doc = jsonspan.parse(text)
    assert doc.value == json.loads(text)
    s, e = doc.spans[("a", 1)]
    assert text[s:e] == "-2.5e3"
    s, e = doc.key_spans[("bé",)]
    assert text[s:e] == '"b\\u00e9"'
    s, e = doc.spans[("bé", "c")]
    assert text[s:e] == '"x\\"y"'
    value, offs = jsonspan.string_offsets(text, text.index('"x'))
    assert value == 'x"y' and text[offs[1]:offs[2]] == '\\"'


def test_jsonspan_deep_nesting_is_an_error_not_a_crash():
    with pytest.raises(jsonspan.JSONSyntaxError):
        jsonspan.parse("[" * 5000 + "]" * 5000)
    (p,) = problems("deep.json", "[" * 5000 + "]" * 5000)
    assert p.code == INPUT_UNPARSEABLE and "too deep" in p.message


PLAN = {
    "format_version": "1.2", "terraform_version": "1.9.5",
    "planned_values": {"root_module": {"resources": [
        {"address": "aws_iam_role.deploy", "mode": "managed", "type": "aws_iam_role", "name": "deploy",
         "values": {"name": "tf-deploy", "max_session_duration": 3600,
                    "assume_role_policy": json.dumps({"Version": "2012-10-17", "Statement": [
                        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:role/ci"}, "Action": "sts:AssumeRole"}]})}},
        {"address": "aws_iam_role_policy_attachment.a", "mode": "managed", "type": "aws_iam_role_policy_attachment",
         "name": "a", "values": {"role": "tf-deploy", "policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}}]}},
    "configuration": {"provider_config": {"aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws",
        "expressions": {"region": {"constant_value": "us-east-1"},
                        "assume_role": [{"role_arn": {"constant_value": "arn:aws:iam::111111111111:role/tf-deploy"},
                                         "external_id": {"references": ["var.external_id"]}}]}}}},
}


def test_plan_json():
    text = json.dumps(PLAN, indent=2)
    assert classify(text) == ["plan"]
    res = read_all({"plan.json": text})
    assert res.recognised[0].kind == "plan"
    p = res.providers[0]
    assert p.region.value == "us-east-1" and p.assume_role[0].role_arn.value == "arn:aws:iam::111111111111:role/tf-deploy"
    assert p.assume_role[0].external_id.symbolic and p.assume_role[0].external_id.refs == ["var.external_id"]
    r = res.roles[0]
    assert r.max_session_duration.value == 3600
    assert r.trust.statements[0].principal == {"AWS": ["arn:aws:iam::222222222222:role/ci"]}
    sp = r.trust.spans[("Statement", 0, "Principal", "AWS")]
    assert text[sp.start:sp.end] == '\\"arn:aws:iam::222222222222:role/ci\\"'  # inside the JSON string, escapes and all
    assert res.attachments[0].policy_arn.value == "arn:aws:iam::aws:policy/ReadOnlyAccess"


def test_aws_cli_get_role_output():
    text = json.dumps({"Role": {"RoleName": "tf-deploy", "Arn": "arn:aws:iam::111111111111:role/tf-deploy",
                                "MaxSessionDuration": 7200, "AssumeRolePolicyDocument": OIDC_TRUST}}, indent=2)
    r = facts("get-role.json", text, "role")
    assert r.address == "arn:aws:iam::111111111111:role/tf-deploy" and r.max_session_duration.value == 7200
    sp = r.trust.spans[("Statement", 0, "Action")]
    assert text[sp.start:sp.end] == '"sts:AssumeRoleWithWebIdentity"'


@pytest.mark.parametrize("text,kinds", [
    ('{"Version":"2012-10-17","Statement":[]}', ["policy-json"]),
    ('provider "aws" {}\n', ["hcl"]),
    ('region = "us-east-1"\n', ["hcl"]),
    ("api error AccessDenied: User: arn:aws:iam::1:user/a is not authorized to perform: sts:AssumeRole", ["error"]),
    ('{"foo": 1}', ["json"]),
    ("hello world", ["unknown"]),
    ("", ["unknown"]),
])
def test_classify(text, kinds):
    assert classify(text) == kinds


def test_unrecognised_and_empty_inputs_are_problems():
    for text in ("hello world", "", "   \n", '{"foo": 1}'):
        (p,) = problems("x", text)
        assert p.code == INPUT_UNPARSEABLE and p.message
