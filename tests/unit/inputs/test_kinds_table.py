"""One table of input kinds (roledoctor.inputs.kinds): the classifier, the reader, the page's
router and `inspect` all ask it, so a kind is added with a module and a row."""

from __future__ import annotations

import json
import sys
import types

import pytest

from roledoctor import webapi
from roledoctor.inputs import classify, kinds, read
from roledoctor.inputs.model import Recognised


@pytest.fixture
def extra_kinds(monkeypatch):
    """Two kinds nobody ships: a JSON one and a text one, each a module and a row."""
    mod = types.ModuleType("roledoctor_test_kind")

    def recognise(text: str) -> bool:
        return text.startswith("WIDGET ")

    def recognise_json(text: str, parsed) -> bool:
        return isinstance(parsed(), dict) and parsed().get("widget") is True

    def read_(name: str, text: str, lines) -> list[Recognised]:
        return [Recognised(name, "widget", {"length": len(text)}, lines.span(0, len(text)))]

    mod.recognise, mod.recognise_json, mod.read = recognise, recognise_json, read_
    monkeypatch.setitem(sys.modules, "roledoctor_test_kind", mod)
    rows = list(kinds.KINDS)
    rows.insert(rows.index(kinds.row("plan")), kinds.Kind("widget-json", "roledoctor_test_kind", "json",
                                                          "caller_files", "a widget (JSON)",
                                                          recognise="recognise_json"))
    rows.insert(rows.index(kinds.row("hcl")), kinds.Kind("widget", "roledoctor_test_kind", "text",
                                                         "caller_files", "a widget"))
    monkeypatch.setattr(kinds, "KINDS", tuple(rows))


def test_a_row_and_a_module_add_a_kind(extra_kinds):
    assert classify('{"widget": true}') == ["widget-json"]
    assert classify("WIDGET 42") == ["widget"]
    assert [r.kind for r in read("w.json", '{"widget": true}')] == ["widget"]
    assert [(r.kind, r.facts) for r in read("w.txt", "WIDGET 42")] == [("widget", {"length": 9})]
    routed = json.loads(webapi.handle("route", json.dumps({"files": [{"name": "w.txt", "text": "WIDGET 42"}]})))
    assert routed["result"]["files"][0]["parts"][0]["input"] == "caller_files"
    assert routed["result"]["files"][0]["parts"][0]["what"] == "a widget"


def test_without_the_row_the_kind_is_unknown():
    assert classify('{"widget": true}') == ["json"]
    assert classify("WIDGET 42") == ["unknown"]


def test_every_row_names_a_module_with_its_functions():
    for k in kinds.KINDS:
        assert k.stage in kinds.STAGES, k
        assert callable(k.recogniser()) and callable(k.reader()), k
        if k.stage != "aws-output":
            assert k.what, k


def test_the_page_names_the_caller_kinds_from_the_table():
    from roledoctor.pageapi.boxes import CALLER_KINDS
    assert CALLER_KINDS == {k.name: k.what for k in kinds.KINDS if k.box == "caller_files"}
    assert set(CALLER_KINDS) == {"oidc-token", "pod-identity", "aws-config", "ci-file", "terragrunt"}


def test_aws_outputs_are_rows_of_the_table():
    from roledoctor.inputs import evidence
    assert [k for k, _, _ in evidence.json_readers()] == [k.name for k in kinds.rows("aws-output")]
    assert evidence.recognise({"Role": {"RoleName": "r", "Arn": "arn:aws:iam::111122223333:role/r",
                                        "AssumeRolePolicyDocument": {"Statement": []}}}) == "get-role"
