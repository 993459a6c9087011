"""JSON a configuration reads with file() / templatefile() is judged by what it is
(https://developer.hashicorp.com/terraform/language/functions/file,
https://developer.hashicorp.com/terraform/language/functions/templatefile): a Step Functions
definition (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-amazon-states-language.html)
is no policy and no input error; a template is JSON only once rendered, so it is unknown here;
a policy read that way is read and judged as one. `check` and `diagnose` read them alike."""

from __future__ import annotations

from pathlib import Path

from roledoctor.check import check
from roledoctor.inputs import read_all

MAIN = '''resource "aws_sfn_state_machine" "sfn" {
  name       = "x"
  definition = file("${path.module}/sfn.json")
}

resource "aws_iam_role" "r" {
  name               = "r"
  assume_role_policy = templatefile("${path.module}/trust.json.tpl", { account = var.account })
}

resource "aws_iam_role_policy" "p" {
  role   = aws_iam_role.r.id
  policy = file("${path.module}/perm.json")
}
'''
SFN = '{"Comment": "x", "StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}\n'
TRUST = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",\n'
         ' "Principal": {"AWS": ${jsonencode(account)}}}]}\n')
PERM = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:*", "Resource": "*"}]}\n'


def _write(d: Path) -> None:
    for name, text in (("main.tf", MAIN), ("sfn.json", SFN), ("trust.json.tpl", TRUST), ("perm.json", PERM)):
        (d / name).write_text(text)


def test_check_reads_file_json_by_its_content(tmp_path):
    _write(tmp_path)
    (tmp_path / "main.tf").write_text(MAIN.replace("trust.json.tpl", "trust.json"))
    (tmp_path / "trust.json.tpl").rename(tmp_path / "trust.json")
    codes = [(f.code, Path(f.evidence[0].input).name) for f in check([str(tmp_path)]).findings]
    assert codes == [("CALLER_POLICY_WILDCARD_STS", "perm.json")]


def test_the_same_texts_read_directly_are_the_same():
    res = read_all({"main.tf": MAIN.replace("trust.json.tpl", "trust.json"), "sfn.json": SFN,
                    "trust.json": TRUST, "perm.json": PERM})
    assert res.problems == []
    kinds = {r.input: r.kind for r in res.recognised if r.input != "main.tf"}
    assert kinds == {"sfn.json": "json", "trust.json": "template", "perm.json": "policy-json"}
    assert res.roles[0].trust is None  # unknown until rendered


def test_json_nothing_reads_is_still_reported():
    """A pasted JSON that no file() names keeps its clear error: it is neither policy nor plan."""
    res = read_all({"main.tf": 'resource "aws_iam_role" "r" {\n  name = "r"\n}\n', "sfn.json": SFN,
                    "trust.json": TRUST})
    msgs = sorted(p.message.split(":")[0] for p in res.problems)
    assert msgs == ["JSON, but neither an IAM policy (no Statement) nor a `terraform show -json` plan",
                    "invalid JSON"]
