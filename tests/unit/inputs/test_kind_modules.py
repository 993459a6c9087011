"""Each input kind's module reads its own texts (the row's `read`, and `read_json` for a
JSON kind): a text of one kind alone reads the same through its module as through the
dispatcher (inputs/reader.py), which adds only the mixed pastes: error output quoting
the documents it is about, each piece read by its kind's module.
Formats: `terraform show -json` (https://developer.hashicorp.com/terraform/internals/json-format),
`aws sts get-caller-identity` (https://docs.aws.amazon.com/cli/latest/reference/sts/get-caller-identity.html),
IAM JSON policies (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html)."""

from __future__ import annotations

import pytest

from roledoctor.inputs import classify, kinds, read
from roledoctor.source import LineIndex

TRUST = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": '
         '"arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}]}')
# The Properties of a CloudFormation AWS::IAM::Role (RoleName, MaxSessionDuration, AssumeRolePolicyDocument):
# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-iam-role.html
ROLE_TRUST = '{"RoleName": "deploy", "MaxSessionDuration": 7200, "AssumeRolePolicyDocument": ' + TRUST + '}'
PLAN = ('{"format_version": "1.2", "terraform_version": "1.9.0", "configuration": {"provider_config": {"aws": '
        '{"name": "aws", "expressions": {"region": {"constant_value": "eu-west-1"}, "assume_role": [{"role_arn": '
        '{"constant_value": "arn:aws:iam::111122223333:role/deploy"}}]}}}}, "planned_values": {"root_module": {}}}')
IDENTITY = '{"UserId": "AIDAEXAMPLE", "Account": "111122223333", "Arn": "arn:aws:iam::111122223333:user/jane"}'
ERROR = ("Error: error configuring Terraform AWS Provider: IAM Role (arn:aws:iam::111122223333:role/deploy) cannot "
         "be assumed.\n\nAccessDenied: User: arn:aws:iam::111122223333:user/jane is not authorized to perform: "
         "sts:AssumeRole on resource: arn:aws:iam::111122223333:role/deploy\n")
HCL = ('provider "aws" {\n  region = "eu-west-1"\n  assume_role {\n    role_arn = '
       '"arn:aws:iam::111122223333:role/deploy"\n  }\n}\n')

SAMPLES = [("policy-json", "trust.json", TRUST, ["policy-json"]),
           ("policy-json", "role.json", ROLE_TRUST, ["role"]),
           ("plan", "plan.json", PLAN, ["plan", "provider"]),
           ("json", "id.json", IDENTITY, ["caller-identity"]),
           ("json", "sfn.json", '{"StartAt": "a"}', ["problem"]),
           ("hcl", "main.tf", HCL, ["provider"]),
           ("error", "error.txt", ERROR, ["error"])]


def _facts(records):
    return [(r.kind, r.span) for r in records]


@pytest.mark.parametrize(("kind", "name", "text", "expected"), SAMPLES, ids=[s[1] for s in SAMPLES])
def test_a_kinds_module_reads_its_text_as_the_dispatcher_does(kind, name, text, expected):
    assert classify(text) == [kind]
    row = kinds.row(kind)
    assert row is not None
    alone = row.reader()(name, text, LineIndex(text))
    assert [r.kind for r in alone] == expected
    assert _facts(alone) == _facts(read(name, text))


def test_a_json_kind_reads_the_document_parsed_once():
    from roledoctor.inputs import jsonspan
    row = kinds.row("plan")
    doc = jsonspan.parse(PLAN)
    got = row.json_reader()("plan.json", PLAN, LineIndex(PLAN), doc)
    assert [r.kind for r in got] == ["plan", "provider"]
    assert got[1].facts.assume_role[0].role_arn.value == "arn:aws:iam::111122223333:role/deploy"


def test_broken_json_says_where():
    text = '{"Version": "2012-10-17",\n "Statement": [}'
    got = kinds.row("policy-json").reader()("p.json", text, LineIndex(text))
    assert [r.kind for r in got] == ["problem"]
    assert got[0].facts.span.line == 2 and "invalid JSON" in got[0].facts.message


def test_error_output_quoting_a_policy_and_hcl_is_read_piece_by_piece():
    paste = ERROR + "\nThe trust policy:\n" + TRUST + "\n\nand the provider:\n" + HCL
    alone = kinds.row("error").reader()("paste.txt", paste, LineIndex(paste))
    assert [r.kind for r in alone] == ["error"]  # the module reads the failures only
    got = read("paste.txt", paste)
    assert [r.kind for r in got] == ["error", "policy-json", "provider"]
    policy = got[1]
    assert paste[policy.span.start:policy.span.end] == TRUST  # offsets are those of the paste
    assert got[2].facts.assume_role[0].role_arn.value == "arn:aws:iam::111122223333:role/deploy"


def test_segments_skip_braces_inside_hcl_templates():
    """A quote inside `${ }` does not end an HCL string (the one string scan, source.quoted_end):
    the block's braces are matched around it."""
    from roledoctor.inputs.documents import segments
    text = ('Error: failed\n'
            'resource "aws_iam_role" "r" {\n  name = "${lookup(var.m, "}")}"\n}\n'
            'trailing log line }\n')
    (start, end, kind), = segments(text)
    assert kind == "hcl" and text[start:end].endswith('"\n}')


def test_segments_string_left_open_ends_with_its_line():
    from roledoctor.inputs.documents import segments
    text = '{\n  "a": "cut off\n}\nmore\n'
    (start, end, kind), = segments(text)
    assert (kind, text[start:end]) == ("json", '{\n  "a": "cut off\n}')
