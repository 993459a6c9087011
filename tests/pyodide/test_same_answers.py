"""The core gives the same answers in Pyodide (Python 3.14, the page) as on
CPython (the CLI): a representative subset of inputs, read and evaluated in
both, compared as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from roledoctor.inputs import read_all, to_jsonable

ROOT = Path(__file__).resolve().parents[2]
ERRORS = ROOT / "tests" / "unit" / "inputs" / "fixtures" / "errors"
EXAMPLE = ROOT / "examples" / "seed-cross-account"

HCL_SAMPLES = {
    "chain.tf": '''
provider "aws" {
  region = var.region
  assume_role {
    role_arn = "arn:aws:iam::111111111111:role/hop-1"
  }
  assume_role {
    role_arn     = "arn:aws:iam::222222222222:role/team/hop-2"
    external_id  = "ext-${var.env}"
    duration     = "2h"
    tags         = { team = "platform" }
  }
}
variable "region" { default = "eu-west-1" }
variable "env" { default = "prod" }
''',
    "role.tf": '''
resource "aws_iam_role" "deploy" {
  name                 = "deploy"
  max_session_duration = 7200
  assume_role_policy   = data.aws_iam_policy_document.trust.json
}
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::123456789012:role/ci"]
    }
    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = ["abc-123"]
    }
  }
}
''',
    "backend.tf": '''
terraform {
  backend "s3" {
    bucket = "state"
    key    = "k"
    assume_role {
      role_arn = "arn:aws:iam::111111111111:role/state"
    }
  }
}
''',
    "broken.json": '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow",,}\n  ]\n}\n',
}


def cases():
    out = {f"errors/{p.name}": {p.name: p.read_text()} for p in sorted(ERRORS.glob("*.txt"))[:12]}
    out.update({f"hcl/{k}": {k: v} for k, v in HCL_SAMPLES.items()})
    out["example"] = {p.name: p.read_text() for p in sorted(EXAMPLE.iterdir()) if p.suffix in (".txt", ".tf", ".json")
                      and p.name != "expected.json"}
    return out


CASES = cases()


@pytest.mark.parametrize("name", sorted(CASES))
def test_inputs_read_the_same_in_pyodide(pyodide, name):
    texts = CASES[name]
    here = json.loads(json.dumps(to_jsonable(read_all(texts))))
    there = pyodide.json(f"""
        import json
        from roledoctor.inputs import read_all, to_jsonable
        json.dumps(to_jsonable(read_all(json.loads({json.dumps(json.dumps(texts))}))))
    """)
    assert there == here
    assert here  # something was read


EVAL_SNIPPET = """
import json
from roledoctor.evaluation import evaluate, Request, Caller, Policies
from roledoctor.policy import policy_from_obj
trust = policy_from_obj(json.loads(TRUST))
caller = policy_from_obj(json.loads(CALLER))
out = []
for ext in ("acme-ci-7f3a", "acme-ci-7f2a", None):
    for arn in ("arn:aws:sts::123456789012:assumed-role/ci-runner/s", "arn:aws:sts::123456789012:assumed-role/old-ci-runner/s"):
        ev = evaluate(Request(role_arn="arn:aws:iam::987654321098:role/terraform-deploy-role",
                              caller=Caller(arn=arn), external_id=ext),
                      Policies(trust=trust, identity=[caller]))
        out.append([ext, arn, ev.verdict, ev.deciding_gate, [(g.gate, g.result) for g in ev.trace]])
json.dumps(out)
"""


def test_engine_decides_the_same_in_pyodide(pyodide):
    trust = (EXAMPLE / "trust-policy.json").read_text()
    caller = (EXAMPLE / "caller-policy.json").read_text()
    prelude = f"TRUST = {trust!r}\nCALLER = {caller!r}\n"
    ns: dict = {}
    exec(prelude + EVAL_SNIPPET.replace("json.dumps(out)", "RESULT = json.dumps(out)"), ns)
    here = json.loads(ns["RESULT"])
    there = pyodide.json(prelude + EVAL_SNIPPET)
    assert there == here
    verdicts = {(ext, arn.split("/")[1]): v for ext, arn, v, *_ in here}
    assert verdicts[("acme-ci-7f2a", "old-ci-runner")] == "allowed"
    assert verdicts[("acme-ci-7f3a", "ci-runner")] != "allowed"
