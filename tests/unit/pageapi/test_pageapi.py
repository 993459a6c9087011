"""The page adapter (roledoctor.pageapi) behind the worker's one entry point
(roledoctor.webapi.handle): the method table, the one box table, one describe."""

from __future__ import annotations

import json

from roledoctor import webapi
from roledoctor.inputs import read_all
from roledoctor.pageapi import boxes, view

METHODS = {"about", "bench", "inspect", "summary", "diagnose", "export", "route", "split", "redact", "unredact",
           "redact_more", "prompt", "restore", "review_answer", "reset_redaction", "release_file"}


def call(method: str, args: dict) -> dict:
    reply = json.loads(webapi.handle(method, json.dumps(args)))
    assert reply["ok"], reply
    return reply["result"]


def test_the_method_names_are_the_pages() -> None:
    assert set(webapi.METHODS) == METHODS
    for name in ("build_caches", "install_cache", "warm_up", "hold_file"):  # the worker's and the build's entry points
        assert callable(getattr(webapi, name))


def test_one_box_table() -> None:
    assert boxes.BOXES == ("error", "provider", "trust_policy", "caller_policy", "org_policies", "caller_files",
                           "aws_evidence")
    assert boxes.SLOT_BOXES == tuple(b for b in boxes.BOXES if b != "caller_files")
    assert set(boxes.BOX_TITLES) == set(boxes.BOXES)


def test_the_prompt_takes_caller_files() -> None:
    """Every box has a title in the prompt: caller files once made `prompt` fail (KeyError)."""
    call("reset_redaction", {})
    out = call("prompt", {"inputs": {"caller_files": "[profile ci]\nrole_arn = arn:aws:iam::111122223333:role/ci\n"
                                                     "source_profile = base\n"}})
    assert "## Where the caller comes from" in out["user"]
    assert "111122223333" not in out["user"]  # redacted like every other box


def test_inspect_and_diagnose_describe_a_box_alike() -> None:
    """One describe: the readers' fallback (`inspect`) and the diagnosis name a box's contents the same way."""
    trust = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": '
             '{"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}]}')
    provider = 'provider "aws" {\n  assume_role {\n    role_arn = "arn:aws:iam::444455556666:role/x"\n  }\n}\n'
    inputs = {"trust_policy": trust, "provider": provider}
    inspected = {i["input"]: i["recognised"] for i in call("inspect", {"inputs": inputs})["inputs"]}
    diagnosed = {i["input"]: i["recognised"] for i in call("diagnose", {"inputs": inputs})["inputs"]}
    assert inspected == diagnosed
    assert inspected["trust_policy"] == "trust policy (1 statement)"
    assert inspected["provider"] == 'provider "aws" with 1 assume_role block'


def test_describe_without_a_case_names_attachments() -> None:
    text = 'resource "aws_iam_role_policy_attachment" "a" {\n  role = "r"\n  policy_arn = "arn:aws:iam::aws:policy/X"\n}\n'
    res = read_all({"provider": text})
    recs = [r for r in res.recognised if r.input == "provider"]
    assert "aws_iam_role_policy_attachment" in view.describe(None, "provider", recs)
