"""The blocker rules table (roledoctor.diagnosis.rules.RULES): every rule emits only the
codes it is registered with, over every scenario; every registered code is a blocker of
the catalogue with a gate. Rules build no repair: they leave facts, and the planner of
the code in fixes/ makes the repairs."""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path

from roledoctor.diagnosis import rules
from roledoctor.diagnosis.diagnose import diagnose
from roledoctor.findings import load_catalogue
from roledoctor.fixes import plan
from scenarios.scenario_io import folders, load


def test_registered_codes_are_catalogue_blockers_with_a_gate():
    cat = load_catalogue()
    for r in rules.RULES:
        for code in r.codes:
            assert code in cat, (r.name, code)
            assert cat[code].kind == "blocker" and cat[code].gate, (r.name, code)


def test_each_rule_emits_only_its_registered_codes(monkeypatch):
    emitted: dict[str, set[str]] = {r.name: set() for r in rules.RULES}
    with_facts: set[str] = set()

    def recording(r):
        def run(case, ev):
            out = r.run(case, ev)
            emitted[r.name] |= {i.code for i in out}
            assert not any(i.repairs for i in out), r.name  # repairs are planned in fixes/, from the facts
            with_facts.update(i.code for i in out if i.facts)
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

    plan._load()
    assert with_facts and with_facts <= set(plan.PLANNERS), with_facts - set(plan.PLANNERS)


def test_rule_modules_build_no_repair():
    """Fix planning lives with the edit engine: no module of diagnosis/rules/ names `Repair`
    or a repair-building helper."""
    folder = Path(rules.__file__).parent
    seen = []
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
            if isinstance(node, ast.ImportFrom):
                seen += [(path.name, a.name) for a in node.names if a.name in ("Repair", "set_or_add")]
            elif name in ("Repair", "set_or_add"):
                seen.append((path.name, name))
    assert len(list(folder.glob("*.py"))) >= 6
    assert not seen
