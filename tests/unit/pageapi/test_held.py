"""Large AWS evidence files held by the page's worker (roledoctor.pageapi.held): over the 5 MB of a
box, recognised by content through the kinds table, used by the diagnosis as the CLI uses the same
file, and never sent whole to the LLM or shown whole in the redaction preview.
The output's shape: https://docs.aws.amazon.com/cli/latest/reference/iam/get-account-authorization-details.html"""

from __future__ import annotations

import json
import sys

import pytest

from roledoctor import webapi
from roledoctor.diagnosis.diagnose import diagnose
from roledoctor.limits import MAX_INPUT_BYTES
from roledoctor.pageapi import held

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[2]))
from bench import big_authorization_details  # noqa: E402  (tests/bench.py: the one generator)

ACCOUNT = "210987654321"


def call(method: str, args: dict) -> dict:
    reply = json.loads(webapi.handle(method, json.dumps(args)))
    assert reply["ok"], reply
    return reply["result"]


def hold(name: str, text: str, size: int | None = None) -> dict:
    reply = json.loads(webapi.hold_file(name, text, len(text.encode()) if size is None else size))
    assert reply["ok"], reply
    return reply["result"]


@pytest.fixture(scope="module")
def big():
    text = big_authorization_details(6_000_000, ACCOUNT)
    assert len(text) > MAX_INPUT_BYTES
    n = text.count('"RoleName"') // 2
    error = (f"api error AccessDenied: User: arn:aws:iam::{ACCOUNT}:user/user-{n - 1} is not authorized to "
             f"perform: sts:AssumeRole on resource: arn:aws:iam::{ACCOUNT}:role/role-{n - 2}\n")
    return {"text": text, "error": error, "caller": f"user-{n - 1}", "roles": len(json.loads(text)["RoleDetailList"])}


def codes(report: dict) -> list[str]:
    return sorted(f["code"] for f in report["findings"])


def test_held_file_is_named_counted_and_diagnosed_as_the_cli_does(big) -> None:
    got = hold("error", big["text"])  # a file named like a box keeps the box apart
    try:
        assert got["input"] == "error (2)"
        assert got["title"] == f"authorization details of account {ACCOUNT}"
        assert f"{big['roles']} roles" in got["facts"][0]
        page = call("diagnose", {"inputs": {"error": big["error"], "held": [got["input"]]}})
        cli = diagnose({"error.txt": big["error"], "auth.json": big["text"]}, {"error.txt": "auto", "auth.json": "auto"})
        from roledoctor.findings import to_json_obj
        assert codes(page["report"]) == codes(to_json_obj(cli.report))
        assert page["report"]["verdict"] == cli.verdict != "undetermined"
        shown = {i["input"]: i["recognised"] for i in page["inputs"]}
        assert shown["error (2)"].startswith(f"authorization details of account {ACCOUNT}")
        # the page object stays small: no copy of the file in the fixes
        assert len(json.dumps(page)) < 1_000_000
    finally:
        call("release_file", {"input": got["input"]})
    from roledoctor.inputs.evidence import authdetails
    from roledoctor.source import LineIndex
    assert not authdetails._LAST.get("recent") and not LineIndex._recent  # no copy kept after a release
    # released: a request naming it no longer gets its text
    page = call("diagnose", {"inputs": {"error": big["error"], "held": [got["input"]]}})
    assert "error (2)" not in {i["input"] for i in page["inputs"]}


def test_prompt_and_preview_summarise_and_redact_never_the_whole_file(big) -> None:
    got = hold("authorization-details.json", big["text"])
    try:
        inputs = {"error": big["error"], "held": [got["input"]]}
        page = call("diagnose", {"inputs": inputs})
        call("reset_redaction", {})
        prompt = call("prompt", {"inputs": inputs, "report": page})
        user = prompt["user"]
        assert "Not included in full" in user
        assert len(user) < 100_000
        assert f'"UserName": "{big["caller"]}"' in user  # the caller's entry is quoted
        assert '"UserName": "user-0"' not in user  # an entry nobody asked about is not
        assert "PolicyVersionList" not in user
        assert ACCOUNT not in user and "ACCOUNT_1" in user  # redacted like every box
        assert any(s["original"] == ACCOUNT for s in prompt["spans"])
        preview = call("redact", {"inputs": inputs})["texts"]
        assert set(preview) == {"error", got["input"]}
        assert ACCOUNT not in preview[got["input"]]["text"]
        assert len(preview[got["input"]]["text"]) < 10_000
    finally:
        call("release_file", {"input": got["input"]})


def test_large_files_that_are_not_evidence_or_too_large_are_refused_by_name() -> None:
    plain = "x" * (MAX_INPUT_BYTES + 1_000_000)
    assert hold("big.log", plain)["error"] == (
        "big.log: not read, too large (6 MB, the limit is 5 MB): only AWS evidence such as "
        "get-account-authorization-details output is read up to 100 MB")
    assert hold("huge.json", '{"UserDetailList": []}', 101_000_000)["error"] == \
        "huge.json: not read, too large (101 MB; AWS evidence files are read up to 100 MB)"
    broken = '{"UserDetailList": [' + " " * MAX_INPUT_BYTES + "oops]}"
    message = hold("broken.json", broken)["error"]
    assert message.startswith("broken.json: not read: ") and "line 1, column" in message
    assert not any(held.is_held(n) for n in ("big.log", "huge.json", "broken.json"))


def test_a_box_keeps_its_5_mb_limit(big) -> None:
    """Only a held file passes the 5 MB: the same text pasted into a box is refused."""
    page = call("diagnose", {"inputs": {"aws_evidence": big["text"]}})
    assert page["verdict_word"] == "Undetermined"
    assert "input too large" in page["verdict_sentence"]


def test_a_hostile_file_name_is_made_plain(big) -> None:
    """The name reaches the report, the exports and the prompt: no control characters, no line
    breaks that would start a CI command, no endless name."""
    got = hold("a\x1b[31m\n::add-mask::x\r\u202e" + "n" * 500 + ".json", big["text"])
    try:
        assert got["input"].isprintable() and "\n" not in got["input"]
        assert len(got["input"]) <= 120
        assert got["input"].startswith("a?[31m?::add-mask::x??")
    finally:
        call("release_file", {"input": got["input"]})


def test_a_large_text_is_indexed_and_walked_once_per_text(big) -> None:
    """A diagnosis of a held file, its fix's verification (an edited copy) and the next diagnosis:
    the file's line index and its walk are built once; an equal text that is another object, or a
    short text, gets its own index, and every index answers the same."""
    from roledoctor.inputs.evidence import authdetails
    from roledoctor.source import LineIndex

    text = big["text"]
    first = LineIndex(text)
    assert LineIndex(text) is first
    copy = "".join([text[:10], text[10:]])
    assert copy is not text and LineIndex(copy) is not first
    assert LineIndex(copy).starts == first.starts
    at = text.index('"RoleDetailList"')
    assert first.position(at) == (text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at))
    assert LineIndex("a\nb") is not LineIndex("a\nb")
    given = authdetails.walk(text)
    edited = text.replace('"user-0"', '"user-X"', 1)
    assert authdetails.walk(edited) is not given
    assert authdetails.walk(text) is given  # the output as given: not walked again after the edit
