"""SARIF 2.1.0 output, checked against the schema's essential required fields.

No schema is fetched at test time: `check_sarif` encodes the required
properties and enums of sarif-schema-2.1.0.json that our output uses.
"""

from __future__ import annotations

import json

from roledoctor import __version__
from roledoctor.findings import Evidence, Report, make_finding
from roledoctor.render import render
from roledoctor.render.sarif import artifact_uri, to_sarif

LEVELS = {"none", "note", "warning", "error"}


def _message(m, where):
    assert isinstance(m, dict) and (isinstance(m.get("text"), str) or isinstance(m.get("id"), str)), where


def _location(loc, where):
    phys = loc.get("physicalLocation")
    assert isinstance(phys, dict), where
    assert isinstance(phys["artifactLocation"]["uri"], str) and phys["artifactLocation"]["uri"], where
    region = phys.get("region")
    if region is not None:
        assert isinstance(region["startLine"], int) and region["startLine"] >= 1, where
        for k in ("startColumn", "endLine", "endColumn"):
            if k in region:
                assert isinstance(region[k], int) and region[k] >= 1, where
        if "endLine" in region:
            assert region["endLine"] >= region["startLine"], where


def check_sarif(log: dict) -> None:
    assert log["version"] == "2.1.0"
    assert isinstance(log.get("$schema", ""), str)
    assert isinstance(log["runs"], list)
    for run in log["runs"]:
        driver = run["tool"]["driver"]
        assert isinstance(driver["name"], str) and driver["name"]
        rules = driver.get("rules", [])
        ids = [r["id"] for r in rules]
        assert len(ids) == len(set(ids))
        for r in rules:
            assert isinstance(r["id"], str)
            for k in ("shortDescription", "fullDescription", "help"):
                if k in r:
                    assert isinstance(r[k]["text"], str), (r["id"], k)  # multiformatMessageString
            if "defaultConfiguration" in r:
                assert r["defaultConfiguration"]["level"] in LEVELS
            tags = r.get("properties", {}).get("tags", [])
            assert len(tags) == len(set(tags)) and all(isinstance(t, str) for t in tags)
        assert run.get("columnKind", "unicodeCodePoints") in ("utf16CodeUnits", "unicodeCodePoints")
        for res in run.get("results", []):
            _message(res["message"], res)
            assert res.get("level", "warning") in LEVELS
            assert res.get("kind", "fail") in {"notApplicable", "pass", "fail", "review", "open", "informational"}
            if "ruleIndex" in res:
                assert 0 <= res["ruleIndex"] < len(rules) and rules[res["ruleIndex"]]["id"] == res["ruleId"]
            for loc in res.get("locations", []) + res.get("relatedLocations", []):
                _location(loc, res)


def sample() -> Report:
    return Report(
        "denied",
        findings=[
            make_finding("TRUST_WILDCARD_PRINCIPAL", evidence=[Evidence("trust_policy", 6, '"AWS": "*"', column=9)]),
            make_finding("EXTERNAL_ID_MISMATCH", "Provider sends `a`",
                         [Evidence("provider", 7, 'external_id = "a"', 5, 7, 24),
                          Evidence("trust_policy", 11, '"sts:ExternalId": "b"')]),
            make_finding("EXTERNAL_ID_MISMATCH", "again", [Evidence("error", 3, "x")]),
            make_finding("INPUT_MISSING", "no caller policy", [Evidence("caller_policy", 0, "")]),
        ],
        sources={"provider": "infra/main.tf", "trust_policy": "trust policy.json", "error": "-"},
    )


def test_sarif_shape_and_required_fields():
    log = to_sarif(sample())
    check_sarif(log)
    json.dumps(log)
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "roledoctor" and driver["version"] == __version__


def test_one_rule_per_code_with_catalogue_texts():
    log = to_sarif(sample())
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["EXTERNAL_ID_MISMATCH", "INPUT_MISSING", "TRUST_WILDCARD_PRINCIPAL"]
    wild = rules[2]
    assert wild["shortDescription"]["text"] == "The trust lets any AWS identity assume the role"
    assert wild["help"]["text"].startswith("Name the caller")
    assert wild["properties"]["kind"] == "hardening" and wild["properties"]["severity"] == "critical"
    assert "CKV_AWS_60" in wild["properties"]["tags"] and "security" in wild["properties"]["tags"]


def test_levels_and_locations():
    results = to_sarif(sample())["runs"][0]["results"]
    first = results[0]
    assert first["ruleId"] == "EXTERNAL_ID_MISMATCH" and first["level"] == "error"
    loc = first["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "infra/main.tf"
    assert loc["region"] == {"startLine": 7, "startColumn": 5, "endLine": 7, "endColumn": 24,
                             "snippet": {"text": 'external_id = "a"'}}
    related = first["relatedLocations"][0]["physicalLocation"]
    assert related["artifactLocation"]["uri"] == "trust%20policy.json"
    assert "locations" not in results[1]  # stdin has no file to point at
    assert "locations" not in results[2]  # input not given at all
    assert results[2]["level"] == "note"
    assert results[3]["level"] == "error"  # critical


def test_render_sarif_is_json():
    check_sarif(json.loads(render(sample(), "sarif")))


def test_artifact_uris():
    assert artifact_uri("main.tf") == "main.tf"
    assert artifact_uri("dir\\sub\\a b.tf") == "dir/sub/a%20b.tf"
    assert artifact_uri("/abs/p.json") == "file:///abs/p.json"
    assert artifact_uri("C:\\x\\y.tf") == "file:///C:/x/y.tf"


def test_optional_official_schema_validation():
    """Validate against the official SARIF 2.1.0 schema, shipped in the npm package
    @microsoft/jest-sarif (installed in tests/node by `python build.py test`)."""
    import os
    from pathlib import Path

    import jsonschema

    default = Path(__file__).resolve().parents[2] / "node" / "node_modules" / "@microsoft" / "jest-sarif" / "lib" / "schemas" / "sarif-2.1.0-rtm.5.json"
    path = os.environ.get("SARIF_SCHEMA") or str(default)
    assert os.path.exists(path), f"SARIF schema not found at {path}: run the tests with `python build.py test`"
    with open(path, encoding="utf-8") as fh:
        jsonschema.validate(to_sarif(sample()), json.load(fh))
