"""Table-driven scenarios (one folder per failure scenario and finding code; see docs/findings.md).

Each folder holds the pasted inputs, a README.md and expected.json with:
verdict; blockers (exactly these blocker codes); input_codes and
hardening_includes (at least these); verdict_after (of the proposed fixes);
alternatives (the inputs that alternative fixes edit); placeholder (what the user must replace);
fixed_trust_policy_principal; caller (the --caller value);
evidence_inputs (code -> the inputs of its one finding's evidence, in order); missing (what
INPUT_MISSING must name).
"""

from __future__ import annotations

import json

import pytest

from roledoctor.diagnosis.diagnose import diagnose
from roledoctor.diagnosis.facts import prepare
from roledoctor.findings import load_catalogue, to_json_obj
from roledoctor.inputs import read_all
from scenarios.scenario_io import SEED, folders, load

FOLDERS = folders()


def run(folder):
    raw, slots, paths, expected = load(folder)
    d = diagnose(raw, slots, caller=expected.get("caller"), filenames=paths)
    return d, to_json_obj(d.report), expected


def test_enough_scenarios():
    assert len(FOLDERS) >= 35


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_scenario(folder):
    d, obj, expected = run(folder)
    codes = [f["code"] for f in obj["findings"]]
    assert obj["verdict"] == expected["verdict"], (codes, obj["trace"])
    blockers = sorted({f["code"] for f in obj["findings"] if f["kind"] == "blocker"})
    if "blockers" in expected:
        assert blockers == sorted(expected["blockers"]), codes
    for code in expected.get("input_codes", []) + expected.get("hardening_includes", []):
        assert code in codes, codes
    for f in obj["findings"]:
        for e in f["evidence"]:
            assert e["line"] >= 0
    if obj["verdict"] == "undetermined":  # no prevention for a fault not yet known
        assert "prevention" not in obj
    missing = [f.get("details", {}).get("missing") for f in obj["findings"] if f["code"] == "INPUT_MISSING"]
    for what in expected.get("missing", []):  # an undetermined verdict names the input that could change it
        assert what in missing, missing
    for code, inputs in expected.get("evidence_inputs", {}).items():  # one finding per cause, every input's line
        found = [f for f in obj["findings"] if f["code"] == code]
        assert len(found) == 1, codes
        assert [e["input"] for e in found[0]["evidence"]] == inputs, found[0]["evidence"]
    if "verdict_after" in expected:
        assert obj["fixes"], f"no fix proposed; findings {codes}"
        for name, fix in obj["fixes"].items():
            assert fix["verdict_after"] == expected["verdict_after"], name
    else:
        assert all(fx.get("verdict_after") == "allowed" for fx in obj["fixes"].values())
    if "alternatives" in expected:  # the inputs an alternative fix edits, each proven
        alts = [f for f in d.fixes if f.alternative]
        assert sorted({f.raw for f in alts}) == sorted(expected["alternatives"]), [f.name for f in d.fixes]
        assert all(f.verdict_after == "allowed" and f.replaces for f in alts)
    if "placeholder" in expected:  # a value only the user knows: written as a placeholder, and said so
        assert any(expected["placeholder"] in f.after for f in d.fixes)
        assert any(expected["placeholder"] in (x.get("fix") or "") for x in obj["findings"])
    # every fixed file parses again, with no problems
    for fx in d.fixes:  # (a box of several documents is split as the diagnosis splits it)
        res = prepare({fx.raw: fx.after}, {fx.raw: d.case.prepared.slots.get(fx.raw, "auto")}).inputs
        assert not res.problems, (fx.name, res.problems)
        assert fx.diff.startswith("--- a/")
    if "fixed_trust_policy_principal" in expected:
        fixed = next(f for f in d.fixes if f.name == "trust_policy")
        assert expected["fixed_trust_policy_principal"] in fixed.after
        res = read_all({"trust_policy": fixed.after})
        pols = [x.policy for x in res.documents] + [r.trust for r in res.roles] + [p.policy for p in res.policies]
        principals = [v for p in pols if p for s in p.statements for v in (s.principal or {}).get("AWS", [])]
        assert expected["fixed_trust_policy_principal"] in principals
    json.dumps(obj)


def test_every_catalogue_code_is_covered():
    seen = set()
    for folder in FOLDERS:
        _, obj, _ = run(folder)
        seen |= {f["code"] for f in obj["findings"]}
    cat = load_catalogue()
    planned = {c for c, e in cat.entries.items() if e.planned}
    # SUPPRESSION_INVALID belongs to `roledoctor check` (tests/check), not to diagnoses
    assert set(cat.entries) - seen - planned - {"SUPPRESSION_INVALID"} == set()
    # a planned code loses the flag with the rule that reports it
    assert planned & seen == set()


def test_seed_example_exactly():
    raw = {"error": (SEED / "error.txt").read_text(), "provider": (SEED / "provider.tf").read_text(),
           "trust_policy": (SEED / "trust-policy.json").read_text(),
           "caller_policy": (SEED / "caller-policy.json").read_text()}
    expected = json.loads((SEED / "expected.json").read_text())
    d = diagnose(raw, {k: k for k in raw})
    obj = to_json_obj(d.report)
    assert obj["verdict"] == expected["verdict"]
    assert [f["code"] for f in obj["findings"] if f["kind"] == "blocker"] == expected["blockers"]
    hard = [f["code"] for f in obj["findings"] if f["kind"] == "hardening"]
    assert set(expected["hardening_includes"]) <= set(hard)
    trust = obj["fixes"]["trust_policy"]
    assert trust["verdict_after"] == expected["verdict_after"]
    assert '"AWS": "' + expected["fixed_trust_policy_principal"] + '"' in trust["after"]
    # minimal edits, user's form: only the principal line changes in the trust policy
    changed = [ln for ln in trust["diff"].splitlines() if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]
    assert len(changed) == 2
    # least privilege: the caller policy narrows sts:* on * to the exact role
    caller = json.loads(obj["fixes"]["caller_policy"]["after"])
    assert caller["Statement"][0] == {"Effect": "Allow", "Action": "sts:AssumeRole",
                                      "Resource": "arn:aws:iam::987654321098:role/terraform-deploy-role"}
    # the ExternalId condition is kept; both sides are offered
    assert "sts:ExternalId" in trust["after"]
    mismatch = next(f for f in obj["findings"] if f["code"] == "EXTERNAL_ID_MISMATCH")
    assert {o["change"] for o in mismatch["details"]["options"]} == {"provider", "trust_policy"}
    assert "prevention" in obj and "preflight" in obj["prevention"]
