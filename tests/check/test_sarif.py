"""`roledoctor check --format sarif`: structure, suppressions, and the official
SARIF 2.1.0 schema (from the npm package @microsoft/jest-sarif in tests/node)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from roledoctor.cli import main

HERE = Path(__file__).resolve().parent
SCHEMA = HERE.parent / "node" / "node_modules" / "@microsoft" / "jest-sarif" / "lib" / "schemas" / \
    "sarif-2.1.0-rtm.5.json"


def sarif_of(path: str, capsys, *extra) -> tuple[dict, int]:
    code = main(["check", path, "--format", "sarif", *extra])
    return json.loads(capsys.readouterr().out), code


@pytest.fixture(autouse=True)
def in_here(monkeypatch):
    monkeypatch.chdir(HERE)


def test_structure(capsys):
    log, code = sarif_of("fixtures/insecure", capsys)
    assert code == 1
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    run, = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids))
    for r in run["results"]:
        assert ids[r["ruleIndex"]] == r["ruleId"]
        assert r["level"] in ("error", "warning", "note")
        loc = r["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"].startswith("fixtures/insecure/")
        assert loc["region"]["startLine"] >= 1
    by_rule = {r["id"]: r for r in rules}
    assert "CKV_AWS_60" in by_rule["TRUST_WILDCARD_PRINCIPAL"]["properties"]["tags"]
    assert by_rule["EXTERNAL_ID_MISMATCH"]["properties"]["kind"] == "blocker"
    assert run["properties"]["summary"]["by_kind"] == {"blocker": 3, "input": 6, "hardening": 9}
    assert run["invocations"][0]["exitCode"] == 1
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert any("non-local source" in n["message"]["text"] for n in notes)


def test_suppressions_in_sarif(capsys):
    log, code = sarif_of("fixtures/suppressed", capsys)
    run, = log["runs"]
    sup = [r for r in run["results"] if r.get("suppressions")]
    assert len(sup) == 2
    for r in sup:
        s, = r["suppressions"]
        assert s["kind"] == "inSource" and s["justification"]
    assert {r["suppressions"][0]["justification"] for r in sup} == {
        "break-glass role owned by security", "ops assumes roles in every member account"}
    invalid = [r for r in run["results"] if r["ruleId"] == "SUPPRESSION_INVALID"]
    assert len(invalid) == 1 and invalid[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 27
    active = [r for r in run["results"] if not r.get("suppressions") and r["ruleId"] != "SUPPRESSION_INVALID"]
    assert [r["ruleId"] for r in active] == ["TRUST_ACCOUNT_ROOT_PRINCIPAL"]
    assert run["properties"]["summary"]["suppressed"] == 2


def test_output_file(tmp_path, capsys):
    out = tmp_path / "roledoctor.sarif"
    assert main(["check", "fixtures/plan/tfplan.json", "--format", "sarif", "-o", str(out)]) == 1
    assert capsys.readouterr().out == ""
    log = json.loads(out.read_text())
    assert {r["ruleId"] for r in log["runs"][0]["results"]} >= {"EXTERNAL_ID_MISMATCH", "OIDC_SUBJECT_WILDCARD"}


@pytest.mark.parametrize("fixture", ["insecure", "suppressed", "clean", "plan/tfplan.json"])
def test_official_schema(fixture, capsys):
    """Required: the lead adds @microsoft/jest-sarif to tests/node/package.json."""
    import jsonschema

    path = Path(os.environ.get("SARIF_SCHEMA") or SCHEMA)
    assert path.exists(), (f"the official SARIF 2.1.0 schema is missing at {path}: install the test npm packages "
                           "(`npm ci` in tests/node, or `python build.py test`)")
    schema = json.loads(path.read_text(encoding="utf-8"))
    log, _ = sarif_of(f"fixtures/{fixture}", capsys)
    jsonschema.validate(log, schema)
