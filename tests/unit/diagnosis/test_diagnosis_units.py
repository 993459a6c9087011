"""Small units of roledoctor.diagnosis: document splitting, ARN checks, OIDC subjects, edits per form."""

from __future__ import annotations


import pytest

from roledoctor.diagnosis.diagnose import diagnose
from roledoctor.diagnosis.facts import prepare
from roledoctor.inputs.documents import split_documents
from roledoctor.diagnosis.hardening import unsafe_subject
from roledoctor.diagnosis.input_checks import input_checks, role_arn_problem
from roledoctor.inputs import read_all


def test_split_documents():
    a, b = '{"Statement": [{"a": "}"}]}', '{"Statement": []}'
    assert split_documents(a) == []
    for text in (a + "\n" + b, a + ",\n" + b, "[" + a + ", " + b + "]", "# scp\n" + a + "\n---\n// boundary\n" + b):
        parts = split_documents(text)
        assert [text[x:y] for x, y in parts] == [a, b]
    assert split_documents('provider "aws" {}\n{}') == []
    assert split_documents("{" * 10000) == []


def test_prepare_keeps_lines_of_split_documents():
    text = '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "sts:*", "Resource": "*", ' \
           '"Condition": {"StringNotEquals": {"aws:PrincipalAccount": "1"}}}]}\n\n' \
           '{"Version": "2012-10-17",\n "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}\n'
    p = prepare({"org_policies": text}, {"org_policies": "org_policies"})
    assert not p.inputs.problems
    assert len(p.inputs.documents) == 2
    second = p.inputs.documents[1].policy
    assert second.statements[0].span.line == 4 and p.origin[p.inputs.documents[1].input] == "org_policies"


@pytest.mark.parametrize("arn,valid", [
    ("arn:aws:iam::111111111111:role/x", None),
    ("arn:aws:iam::111111111111:role/team/x", None),
    ("arn:aws:iam:eu-west-1:111111111111:role/x", "arn:aws:iam::111111111111:role/x"),
    (" arn:aws:iam::111111111111:role/x", "arn:aws:iam::111111111111:role/x"),
    ("arn:aws:sts::111111111111:assumed-role/x/s", "arn:aws:iam::111111111111:role/x"),
    ("arn:aws:iam::1111:role/x", None),
])
def test_role_arn_problem(arn, valid):
    bad = role_arn_problem(arn)
    if arn == "arn:aws:iam::111111111111:role/x" or arn.endswith(":role/team/x"):
        assert bad is None
    else:
        assert bad is not None and bad[1] == valid


@pytest.mark.parametrize("sub,unsafe", [("*", True), ("repo", True), ("repo:*", True), ("ref:refs/heads/main", True),
                                        ("repo:acme*", True), ("repo:acme/infra:*", False),
                                        ("repo:acme/infra:ref:refs/heads/main", False)])
def test_unsafe_subject_mirrors_checkov(sub, unsafe):
    assert unsafe_subject(sub) is unsafe


def test_input_checks_on_inputs_alone():
    res = read_all({"main.tf": 'provider "aws" {\n  assume_role {\n    role_arn = ""\n    duration = "13h"\n'
                               '    session_name = "a b"\n  }\n}\n'})
    codes = {i.code for i in input_checks(res)}
    assert codes == {"PROVIDER_ROLE_ARN_MISSING", "DURATION_OUT_OF_RANGE", "SESSION_NAME_INVALID"}


TRUST_DOC = '''data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::222222222222:root"]
    }
  }
}
'''

CALLER_DOC = '''data "aws_iam_policy_document" "caller" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }
}
'''


def test_policy_document_caller_gets_a_statement_block():
    raw = {"trust_policy": TRUST_DOC, "caller_policy": CALLER_DOC,
           "provider": 'provider "aws" {\n  assume_role {\n    role_arn = "arn:aws:iam::111111111111:role/x"\n  }\n}\n'}
    d = diagnose(raw, {k: k for k in raw}, caller="arn:aws:iam::222222222222:role/ci")
    assert d.verdict == "denied"
    fix = next(f for f in d.fixes if f.name == "caller_policy")
    assert "statement {" in fix.after.split("s3:GetObject")[1] and 'resources = ["' in fix.after
    assert not read_all({"x.tf": fix.after}).problems


def test_never_widens():
    """No fix introduces a wildcard principal, sts:* or drops an ExternalId condition."""
    from scenarios.scenario_io import folders, load
    for folder in folders():
        raw, slots, _, expected = load(folder)
        d = diagnose(raw, slots, caller=expected.get("caller"))
        for f in d.fixes:
            added = [ln for ln in f.diff.splitlines() if ln.startswith("+") and not ln.startswith("+++")]
            assert not any('"*"' in ln or "sts:*" in ln for ln in added), (folder.name, f.diff)
            assert f.before.count("sts:ExternalId") <= f.after.count("sts:ExternalId"), folder.name
