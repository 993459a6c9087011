"""The error corpus (tests/fixtures/errors, real pastes with their URL): the reader's
readings against what a careful reader takes from each text."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from roledoctor.diagnosis.diagnose import diagnose
from roledoctor.findings import to_json_obj

_SPEC = importlib.util.spec_from_file_location("error_corpus_report", Path(__file__).with_name("error_corpus_report.py"))
report = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(report)

ENTRIES = report.entries()


def test_corpus_is_large_and_every_entry_has_its_source():
    assert len(ENTRIES) >= 120
    for ent in ENTRIES:
        assert ent["source"].startswith("https://"), ent["file"]
        assert (report.CORPUS / ent["file"]).is_file(), ent["file"]
        assert set(ent["expect"]) == set(report.FIELDS), ent["file"]


@pytest.mark.parametrize("ent", ENTRIES, ids=[e["file"] for e in ENTRIES])
def test_reading(ent):
    text = (report.CORPUS / ent["file"]).read_text(encoding="utf-8")
    assert report.reading(text, ent["file"]) == ent["expect"]


@pytest.mark.parametrize("ent", [e for e in ENTRIES if e["expect"]["caller"] or e["expect"]["role"]],
                         ids=lambda e: e["file"])
def test_a_named_caller_or_role_is_never_asked_for(ent):
    text = (report.CORPUS / ent["file"]).read_text(encoding="utf-8")
    obj = to_json_obj(diagnose({"error": text}, {"error": "error"}).report)
    missing = [f["details"].get("missing") for f in obj["findings"] if f["code"] == "INPUT_MISSING"]
    if ent["expect"]["caller"]:
        assert "the identity that runs Terraform" not in missing
        assert obj["request"]["caller"] == ent["expect"]["caller"]
    if ent["expect"]["role"]:
        assert "the role ARN" not in missing
        assert obj["request"]["role"] == ent["expect"]["role"]


def test_report_prints_every_family(capsys):
    report.main([])
    out = capsys.readouterr().out
    assert "TOTAL" in out and all(e["family"] in out for e in ENTRIES)
