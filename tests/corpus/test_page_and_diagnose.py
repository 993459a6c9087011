"""The page and `roledoctor diagnose` read the corpus (tests/fixtures/terraform) the same way.

Per module folder of the corpus, its files go
- to `diagnose` as `roledoctor diagnose FILE...` passes them (each file its own input,
  classified by content), and
- to the page as the page sends them: webapi.handle("route", ...) with the dropped files, the
  parts of each box joined as web/app.mjs joins them, then webapi.handle("diagnose", ...).
Both must report the same findings: the same codes on the same source lines (line numbers
differ, since the page splits main.tf into its boxes; the quoted line does not).
"""

from __future__ import annotations

import collections
import json
import os

import pytest

from corpus import harness as H


def _key(f: dict) -> tuple[str, str]:
    ev = [e for e in f.get("evidence", []) if e.get("text")]
    return f["code"], ev[0]["text"].strip() if ev else ""


def _units(repo: str) -> list[dict[str, str]]:
    from roledoctor.check.discover import discover
    found = discover([str(H.CORPUS / repo)], recursive=True)
    return [{os.path.basename(k): v for k, v in u.files.items()} for u in found.units]


def _cli(files: dict[str, str]) -> collections.Counter:
    from roledoctor.diagnosis.diagnose import diagnose
    from roledoctor.findings import to_json_obj
    d = diagnose(dict(files), {k: "auto" for k in files})
    return collections.Counter(_key(f) for f in to_json_obj(d.report)["findings"])


def _page(files: dict[str, str]) -> collections.Counter:
    from roledoctor import webapi

    def call(method: str, args: dict) -> dict:
        out = json.loads(webapi.handle(method, json.dumps(args)))
        assert out.get("ok", True) and "result" in out, out
        return out["result"]

    routed = call("route", {"files": [{"name": k, "text": v} for k, v in files.items()]})
    boxes: dict[str, list[str]] = collections.defaultdict(list)
    for r in routed["files"]:
        for p in r["parts"]:
            boxes[p["input"]].append(p["text"])
    inputs = {b: ("\n# ---- next file\n" if b == "caller_files" else "\n").join(t) for b, t in boxes.items()}
    page = call("diagnose", {"inputs": inputs})
    return collections.Counter(_key(f) for f in page["report"]["findings"])


@pytest.mark.parametrize("repo", H.repos())
def test_page_and_diagnose_agree(repo):
    units = _units(repo)
    assert units
    for files in units:
        cli, page = _cli(files), _page(files)
        assert cli == page, (f"{sorted(files)}: only diagnose {dict(cli - page)}; only the page {dict(page - cli)}")


def test_the_comparison_can_fail():
    """A finding only one side has is seen (the keys compare codes and quoted lines)."""
    assert _key({"code": "A", "evidence": [{"text": " x = 1 "}]}) == ("A", "x = 1")
    assert collections.Counter([("A", "x")]) != collections.Counter([("A", "x"), ("B", "")])


def test_a_resource_policy_document_is_read_by_its_content_on_the_page():
    """A document with principals and no sts:AssumeRole (a queue's or a key's policy) is neither
    the trust nor the caller's policy: the page puts it with the Terraform, read by content."""
    text = ('data "aws_iam_policy_document" "sqs" {\n  statement {\n    actions = ["sqs:SendMessage"]\n'
            '    resources = ["*"]\n    principals {\n      type = "Service"\n'
            '      identifiers = ["s3.amazonaws.com"]\n    }\n  }\n}\n'
            'data "aws_iam_policy_document" "trust" {\n  statement {\n    actions = ["sts:AssumeRole"]\n'
            '    principals {\n      type = "Service"\n      identifiers = ["ec2.amazonaws.com"]\n    }\n  }\n}\n'
            'data "aws_iam_policy_document" "perm" {\n  statement {\n    actions = ["s3:GetObject"]\n'
            '    resources = ["*"]\n  }\n}\n')
    from roledoctor import webapi
    routed = json.loads(webapi.handle("route", json.dumps({"files": [{"name": "main.tf", "text": text}]})))
    parts = {p["what"]: p["input"] for p in routed["result"]["files"][0]["parts"]}
    assert parts == {'data "aws_iam_policy_document" "sqs"': "provider",
                     'data "aws_iam_policy_document" "trust"': "trust_policy",
                     'data "aws_iam_policy_document" "perm"': "caller_policy"}
