"""Dropped files go to the page's boxes by the kinds table (inputs/kinds.py): each kind's
box, the content-based choices its row names (a policy by what it is, caller identity as
AWS output), then, for JSON no kind reads and text nobody recognises, the file's name.
Samples follow the formats of `terraform show -json`
(https://developer.hashicorp.com/terraform/internals/json-format), `aws sts
get-caller-identity` (https://docs.aws.amazon.com/cli/latest/reference/sts/get-caller-identity.html)
and IAM JSON policies (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html)."""

from __future__ import annotations

import pytest

from roledoctor.pageapi.routing import route_one

PLAN = '{"format_version": "1.2", "planned_values": {"root_module": {}}}'
TRUST = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": '
         '"arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}]}')
PERMISSIONS = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", '
               '"Resource": "arn:aws:iam::111122223333:role/x"}]}')
SCP = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*", '
       '"Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}}]}')
IDENTITY = '{"UserId": "AIDAEXAMPLE", "Account": "111122223333", "Arn": "arn:aws:iam::111122223333:user/jane"}'
OTHER_JSON = '{"StartAt": "a", "States": {}}'  # a Step Functions definition: JSON, no policy
ERROR = ("Error: error configuring Terraform AWS Provider: IAM Role (arn:aws:iam::111122223333:role/x) cannot be "
         "assumed.\n\nAccessDenied: User: arn:aws:iam::111122223333:user/jane is not authorized to perform: "
         "sts:AssumeRole on resource: arn:aws:iam::111122223333:role/x\n")
HCL = 'provider "aws" {\n  region = "eu-west-1"\n  assume_role {\n    role_arn = "arn:aws:iam::111122223333:role/x"\n  }\n}\n'
EVIDENCE = "$ aws sts get-caller-identity\n" + IDENTITY + "\n"
BY_NAME = "not recognised as a policy: placed by its file name"
UNKNOWN = "not recognised: error output, Terraform or a JSON policy"

CASES = [
    ("plan.json", PLAN, ["plan"], [("provider", "plan")], ""),
    ("plan.tf", PLAN, ["plan"], [("provider", "plan")], ""),
    ("plan.txt", PLAN, ["plan"], [("error", "error output")], ""),  # a .txt/.log name sends a plan to the error box
    ("a.json", TRUST, ["policy-json"], [("trust_policy", "policy")], ""),
    ("a.txt", TRUST, ["policy-json"], [("trust_policy", "policy")], ""),
    ("p.json", PERMISSIONS, ["policy-json"], [("caller_policy", "policy")], ""),
    ("scp.json", SCP, ["policy-json"], [("org_policies", "policy")], ""),
    ("id.json", IDENTITY, ["json"], [("aws_evidence", "AWS output")], ""),
    ("sfn.json", OTHER_JSON, ["json"], [("caller_policy", "JSON")], BY_NAME),
    ("trust-sfn.json", OTHER_JSON, ["json"], [("trust_policy", "JSON")], BY_NAME),
    ("sfn.txt", OTHER_JSON, ["json"], [("error", "error output")], ""),
    ("sfn.tf", OTHER_JSON, ["json"], [("provider", "Terraform")], ""),
    ("sfn", OTHER_JSON, ["json"], [], UNKNOWN),
    ("e.json", ERROR, ["error"], [("error", "error output")], ""),
    ("main.tf", HCL, ["hcl"], [("provider", 'provider "aws"')], ""),
    ("h.txt", HCL, ["hcl"], [("provider", 'provider "aws"')], ""),
    ("notes.txt", "hello", ["unknown"], [("error", "error output")], ""),
    ("notes.log", "hello", ["unknown"], [("error", "error output")], ""),
    ("notes.tfvars", "hello", ["unknown"], [("provider", "Terraform")], ""),
    ("notes.json", "hello", ["unknown"], [("caller_policy", "JSON")], BY_NAME),
    ("notes", "hello", ["unknown"], [], UNKNOWN),
    ("mix.txt", ERROR + "\n" + HCL, ["hcl", "error"], [("error", "error output")], ""),  # error output wins
    ("ev.txt", EVIDENCE, ["aws-evidence"], [("aws_evidence", "AWS output")], ""),
    ("ev-hcl.txt", EVIDENCE + "\n" + HCL, ["aws-evidence", "hcl"], [("aws_evidence", "AWS output")], ""),
    ("ev-err.txt", EVIDENCE + "\n" + ERROR, ["aws-evidence", "error"], [("error", "error output")], ""),
    ("config", "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/x\nsource_profile = b\n", ["aws-config"],
     [("caller_files", "AWS config, credentials or environment")], ""),
]


@pytest.mark.parametrize(("name", "text", "kinds", "parts", "note"), CASES, ids=[c[0] for c in CASES])
def test_a_dropped_file_goes_to_its_kinds_box(name, text, kinds, parts, note):
    r = route_one(name, text)
    assert (r["kinds"], [(p["input"], p["what"]) for p in r["parts"]], r["note"]) == (kinds, parts, note)
    assert all(p["text"] for p in r["parts"])


def test_the_router_reads_the_box_from_the_table(monkeypatch):
    """A kind's box is one field of its row: change it and the file goes elsewhere."""
    import dataclasses

    from roledoctor.inputs import kinds
    rows = tuple(dataclasses.replace(k, box="org_policies") if k.name == "plan" else k for k in kinds.KINDS)
    monkeypatch.setattr(kinds, "KINDS", rows)
    assert [p["input"] for p in route_one("plan.json", PLAN)["parts"]] == ["org_policies"]
