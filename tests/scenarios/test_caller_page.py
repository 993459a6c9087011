"""The scenarios about where the caller comes from (CI files, AWS profiles, tokens):
the page, fed as the page feeds itself (files routed by content through webapi
`route`, joined per box), gives the same verdict and blockers as the CLI."""

from __future__ import annotations

import json

import pytest

from roledoctor import webapi
from roledoctor.pageapi.view import diagnose_for_page
from scenarios.scenario_io import folders, load
from scenarios.test_scenarios import run

CALLER = [f for f in folders() if f.name.split("-", 1)[0][1:].isdigit() and 80 <= int(f.name.split("-", 1)[0][1:]) <= 110]


def test_there_are_caller_scenarios():
    assert len(CALLER) >= 15


@pytest.mark.parametrize("folder", CALLER, ids=[f.name for f in CALLER])
def test_page_agrees_with_the_cli(folder):
    raw, slots, paths, expected = load(folder)
    files = [{"name": paths[n].rsplit("/", 1)[-1], "text": t} for n, t in raw.items()]
    routed = json.loads(webapi.handle("route", json.dumps({"files": files})))
    routed = routed.get("result", routed)
    boxes: dict[str, list[str]] = {}
    for r in routed["files"]:
        assert r["parts"], (r["name"], r["note"])
        for p in r["parts"]:
            boxes.setdefault(p["input"], []).append(p["text"])
    from roledoctor.inputs.kinds import FILE_SEPARATOR
    page = diagnose_for_page({k: (f"\n{FILE_SEPARATOR}\n" if k == "caller_files" else "\n").join(v)
                              for k, v in boxes.items()})
    _, obj, _ = run(folder)
    assert page["report"]["verdict"] == obj["verdict"] == expected["verdict"]
    blockers = lambda rep: sorted({f["code"] for f in rep["findings"] if f["kind"] == "blocker"})
    assert blockers(page["report"]) == blockers(obj)
    codes = {f["code"] for f in page["report"]["findings"]}
    for code in expected.get("input_codes", []) + expected.get("hardening_includes", []):
        assert code in codes


def test_caller_kinds_are_routed_to_their_box():
    out = json.loads(webapi.handle("route", json.dumps({"files": [
        {"name": "config", "text": "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/x\nsource_profile = b\n"},
        {"name": "deploy.yml", "text": "on: push\njobs:\n  a:\n    runs-on: x\n    steps: []\n"}]})))
    out = out.get("result", out)
    assert [p["input"] for f in out["files"] for p in f["parts"]] == ["caller_files", "caller_files"]
