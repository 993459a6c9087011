"""The blocker rules table (roledoctor.diagnosis.rules.RULES): every rule emits only the
codes it is registered with, over every scenario; every registered code is a blocker of
the catalogue with a gate."""

from __future__ import annotations

from dataclasses import replace

from roledoctor.diagnosis import rules
from roledoctor.diagnosis.diagnose import diagnose
from roledoctor.findings import load_catalogue
from scenarios.scenario_io import folders, load


def test_registered_codes_are_catalogue_blockers_with_a_gate():
    cat = load_catalogue()
    for r in rules.RULES:
        for code in r.codes:
            assert code in cat, (r.name, code)
            assert cat[code].kind == "blocker" and cat[code].gate, (r.name, code)


def test_each_rule_emits_only_its_registered_codes(monkeypatch):
    emitted: dict[str, set[str]] = {r.name: set() for r in rules.RULES}

    def recording(r):
        def run(case, ev):
            out = r.run(case, ev)
            emitted[r.name] |= {i.code for i in out}
            return out
        return replace(r, run=run)

    monkeypatch.setattr(rules, "RULES", tuple(recording(r) for r in rules.RULES))
    for folder in folders():
        raw, slots, paths, expected = load(folder)
        diagnose(raw, slots, caller=expected.get("caller"), filenames=paths)
    for r in rules.RULES:
        assert emitted[r.name] <= r.codes, (r.name, emitted[r.name] - r.codes)
    # the table is exercised: each rule emitted something over the scenarios
    assert all(emitted.values()), emitted

