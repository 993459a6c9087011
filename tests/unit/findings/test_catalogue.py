"""The catalogue data file, and against the original contract (FINDINGS.md beside the
repository, where the project began; the comparison skips when it is absent)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from roledoctor.findings import KINDS, SEVERITIES, Evidence, UnknownFindingCode, load_catalogue, make_finding
from roledoctor.findings import catalogue as catmod

REPO = Path(__file__).resolve().parents[3]
# The original finding contract is not part of the repository: give its path in
# ROLEDOCTOR_CONTRACT to compare the catalogue with it (nothing outside is read otherwise).
CONTRACT = os.environ.get("ROLEDOCTOR_CONTRACT", "")

# A table row of FINDINGS.md: | CODE | kind | meaning | fix |
ROW = re.compile(r"^\| ([A-Z][A-Z0-9_]+) \| (blocker|input|hardening) \|", re.M)


def contract() -> dict[str, str]:
    if not CONTRACT or not Path(CONTRACT).is_file():
        pytest.skip("ROLEDOCTOR_CONTRACT does not name the original finding contract")
    return dict(ROW.findall(Path(CONTRACT).read_text(encoding="utf-8")))


def test_every_contract_code_is_in_the_catalogue_with_its_kind():
    cat = load_catalogue()
    rows = contract()
    assert len(rows) >= 40
    assert {c: cat[c].kind for c in rows if c in cat} == rows
    assert set(rows) - set(cat.entries) == set()


def test_the_catalogue_has_no_code_the_contract_lacks():
    """Except codes marked `extension` (FINDINGS.md: a new code may be added where none fits)."""
    cat = load_catalogue()
    extra = set(cat.entries) - set(contract())
    assert extra == {c for c, e in cat.entries.items() if e.extension}
    assert extra <= {"SUPPRESSION_INVALID"}


def test_entries_are_complete_and_sensible():
    cat = load_catalogue()
    for e in cat.entries.values():
        assert e.kind in KINDS and e.severity in SEVERITIES
        assert e.title and e.explanation and e.fix
        assert e.explanation.count("`") % 2 == 0, e.code  # balanced code marks
        assert e.fix.count("`") % 2 == 0, e.code
        if e.kind == "blocker":
            assert e.severity in ("high", "critical"), e.code


def test_checkov_ids_are_the_researched_ones_only():
    cat = load_catalogue()
    assert cat["TRUST_WILDCARD_PRINCIPAL"].checkov == ("CKV_AWS_60",)
    assert cat["TRUST_ACCOUNT_ROOT_PRINCIPAL"].checkov == ("CKV_AWS_61",)
    assert cat["OIDC_SUBJECT_WILDCARD"].checkov == ("CKV_AWS_358", "CKV_AWS_393")
    used = {cid for e in cat.entries.values() for cid in e.checkov}
    assert used == {"CKV_AWS_60", "CKV_AWS_61", "CKV_AWS_358", "CKV_AWS_393"}
    assert all(cat[c].kind == "hardening" for c in cat.entries if cat[c].checkov)


def test_make_finding_uses_catalogue_defaults():
    f = make_finding("EXTERNAL_ID_MISMATCH")
    entry = load_catalogue()["EXTERNAL_ID_MISMATCH"]
    assert (f.kind, f.severity, f.title, f.message, f.fix) == ("blocker", entry.severity, entry.title,
                                                               entry.explanation, entry.fix)
    assert f.evidence == [] and f.uncertain is False and f.details == {}


def test_make_finding_specific_message_evidence_and_details():
    ev = Evidence("provider", 7, 'external_id = "acme"', column=5)
    f = make_finding("EXTERNAL_ID_MISMATCH", "Provider sends `acme`", [ev], uncertain=True,
                     details={"expected": "acme2"}, fix="Change the provider")
    assert f.message == "Provider sends `acme`" and f.evidence == [ev]
    assert f.uncertain and f.details == {"expected": "acme2"} and f.fix == "Change the provider"


def test_make_finding_refuses_unknown_codes_and_severities():
    with pytest.raises(UnknownFindingCode):
        make_finding("NOT_A_CODE")
    with pytest.raises(ValueError):
        make_finding("SCP_BLOCKS", severity="urgent")


def test_parse_rejects_bad_entries():
    good = {"kind": "blocker", "severity": "high", "title": "t", "explanation": "e", "fix": "f", "gate": "trust"}
    catmod.parse({"finding": {"X": good}})
    no_gate = {k: v for k, v in good.items() if k != "gate"}
    for bad in ({**good, "kind": "fatal"}, {**good, "severity": "huge"}, {**good, "title": " "},
                {**good, "extra": 1}, {**good, "checkov": ["CKV_AWS_1"]}, no_gate, {**good, "gate": "nowhere"},
                {**no_gate, "kind": "input", "gate": "trust"}, {**good, "message": 3}):
        with pytest.raises(ValueError):
            catmod.parse({"finding": {"X": bad}})


def test_message_templates_name_only_fields_their_rules_fill():
    """Each template (and each variant) parses, and its fields are plain names (no attribute or index
    lookups on user values: findings/template.py)."""
    from roledoctor.findings.template import names_in, render
    for e in catmod.load().entries.values():
        for text in [e.message] + [t for _, t in e.messages]:
            fields = names_in(text)
            assert all(f.isidentifier() for f in fields), (e.code, fields)
            if text:
                assert render(text, {f: "X" for f in fields}).count("{") == text.count("{{"), e.code


def test_every_blocker_has_a_gate_and_the_page_rows_read_it():
    from roledoctor.pageapi import view as page
    cat = catmod.load()
    assert all(e.gate in catmod.GATES for e in cat.entries.values() if e.kind == "blocker")
    assert "EXTERNAL_ID_MISMATCH" in page._CONDITION_CODES and "DURATION_EXCEEDS_CHAIN_LIMIT" in page._ROLE_CODES
    assert set(page._CONDITION_CODES) == {c for c, e in cat.entries.items() if e.gate == "conditions"}


def test_evidence_from_span():
    from roledoctor.source import LineIndex

    src = 'provider "aws" {\n  assume_role {\n    external_id = "abc"\n  }\n}\n'
    start = src.index('"abc"')
    ev = Evidence.from_span("provider", LineIndex(src).span(start, start + 5), src)
    assert (ev.line, ev.column, ev.text, ev.end_line) == (3, 19, 'external_id = "abc"', 3)


def test_evidence_for_a_whole_statement_shows_its_first_line_with_content():
    """A statement's span starts at its `{`: the evidence line is its Sid (or
    Effect) line instead, and the range still covers the whole statement."""
    from roledoctor.source import LineIndex

    src = '{\n  "Statement": [\n    {\n\n      "Sid": "DenyForeignRoles",\n      "Effect": "Deny"\n    }\n  ]\n}\n'
    start = src.index("    {") + 4
    end = src.index("    }") + 5
    ev = Evidence.from_span("scp", LineIndex(src).span(start, end), src)
    assert (ev.line, ev.column, ev.text) == (5, 7, '"Sid": "DenyForeignRoles",')
    assert (ev.end_line, ev.end_column) == (7, 6)
    # a one-line statement is shown as it is
    one = '[{"Effect": "Deny"}]'
    ev = Evidence.from_span("scp", LineIndex(one).span(1, len(one) - 1), one)
    assert (ev.line, ev.column, ev.text) == (1, 2, one)
    # a bracket with nothing after it in the span stays as it is, at its own line
    bare = "{\n"
    ev = Evidence.from_span("scp", LineIndex(bare).span(0, 1), bare)
    assert (ev.line, ev.text) == (1, "{")
    blank = "{\n\n\n"
    ev = Evidence.from_span("scp", LineIndex(blank).span(0, 3), blank)
    assert (ev.line, ev.column, ev.text) == (1, 1, "{")


def test_findings_package_does_not_import_jinja2():
    import subprocess
    import sys

    code = "import sys, roledoctor.findings, roledoctor.findings.prevention; print('jinja2' in sys.modules)"
    src = str(REPO / "py")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"PYTHONPATH": src}, check=True)
    assert out.stdout.strip() == "False"
