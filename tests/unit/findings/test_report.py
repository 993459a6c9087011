"""The Report model and its JSON form (the output contract in docs/findings.md)."""

from __future__ import annotations

import json

import pytest

from roledoctor.findings import Evidence, Fix, Report, Request, TraceStep, make_finding, to_json_obj

CALLER = "arn:aws:iam::123456789012:role/ci-runner"
ROLE = "arn:aws:iam::987654321098:role/terraform-deploy-role"


def sample() -> Report:
    return Report(
        verdict="denied",
        request=Request(caller=CALLER, role=ROLE),
        trace=[TraceStep("identity", "allow", "caller_policy Statement[0]"),
               TraceStep("trust", "implicit-deny", "no statement names the caller")],
        assumptions=["no SCPs pasted: assumed none"],
        findings=[make_finding("CALLER_POLICY_WILDCARD_STS"),
                  make_finding("EXTERNAL_ID_MISMATCH", "differs", [Evidence("provider", 7, 'external_id = "a"')]),
                  make_finding("TRUST_PRINCIPAL_MISSING", uncertain=True, details={"principal": "x"})],
        fixes={"provider": Fix("a", "b", "d"), "trust_policy": Fix("x", "y", "dd", "allowed")},
    )


def test_contract_shape():
    obj = to_json_obj(sample())
    assert list(obj) == ["verdict", "request", "trace", "assumptions", "findings", "fixes"]
    assert obj["request"] == {"action": "sts:AssumeRole", "caller": CALLER, "role": ROLE}
    assert obj["trace"][1] == {"gate": "trust", "result": "implicit-deny", "statement": "no statement names the caller"}
    assert obj["assumptions"] == ["no SCPs pasted: assumed none"]
    f = obj["findings"][0]
    for key in ("code", "kind", "severity", "title", "evidence", "fix"):
        assert key in f
    assert obj["findings"][0]["evidence"] == [{"input": "provider", "line": 7, "text": 'external_id = "a"'}]
    # Contract order of fixes, verdict_after only where it was proven.
    assert list(obj["fixes"]) == ["trust_policy", "provider"]
    assert obj["fixes"]["trust_policy"] == {"before": "x", "after": "y", "diff": "dd", "verdict_after": "allowed"}
    assert "verdict_after" not in obj["fixes"]["provider"]
    json.dumps(obj)  # serialisable


def test_findings_ordered_blockers_first_engine_order_kept():
    codes = [f["code"] for f in to_json_obj(sample())["findings"]]
    assert codes == ["EXTERNAL_ID_MISMATCH", "TRUST_PRINCIPAL_MISSING", "CALLER_POLICY_WILDCARD_STS"]


def test_optional_fields_only_when_set():
    obj = to_json_obj(sample())
    by = {f["code"]: f for f in obj["findings"]}
    assert by["TRUST_PRINCIPAL_MISSING"]["uncertain"] is True
    assert by["TRUST_PRINCIPAL_MISSING"]["details"] == {"principal": "x"}
    assert "uncertain" not in by["EXTERNAL_ID_MISMATCH"] and "details" not in by["EXTERNAL_ID_MISMATCH"]
    r = Report("denied", findings=[make_finding("SCP_BLOCKS", evidence=[Evidence("scp", 3, "t", column=2, end_line=4)])])
    assert to_json_obj(r)["findings"][0]["evidence"][0] == {"input": "scp", "line": 3, "text": "t", "column": 2, "end_line": 4}


@pytest.mark.parametrize("mutate", [
    lambda r: setattr(r, "verdict", "maybe"),
    lambda r: r.trace.append(TraceStep("vpce", "deny")),
    lambda r: r.trace.append(TraceStep("scp", "refused")),
    lambda r: setattr(r.fixes["trust_policy"], "verdict_after", "fine"),
])
def test_values_outside_the_contract_are_refused(mutate):
    r = sample()
    mutate(r)
    with pytest.raises(ValueError):
        to_json_obj(r)


def test_empty_report():
    assert to_json_obj(Report("undetermined")) == {
        "verdict": "undetermined", "request": {"action": "sts:AssumeRole", "caller": None, "role": None},
        "trace": [], "assumptions": [], "findings": [], "fixes": {}}
