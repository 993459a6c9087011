"""Every catalogue code says whether a text edit of a pasted file fixes it
(py/roledoctor/fixes/remedies.toml); every code marked "edit" has a scenario folder
that reports it and checks `verdict_after`, and the fixed files, diagnosed again,
no longer report it."""

from __future__ import annotations

import pytest

from roledoctor.diagnosis import diagnose as diagnose_module
from roledoctor.diagnosis.diagnose import diagnose
from roledoctor.evaluation import ALLOWED
from roledoctor.findings import load_catalogue
from roledoctor.fixes.remedies import load as load_remedies, parse
from scenarios.scenario_io import folders, load

FOLDERS = folders()
REMEDIES = load_remedies()
EDIT = sorted(c for c, r in REMEDIES.items() if r.fix == "edit")


def _listed(expected: dict) -> set[str]:
    return set(expected.get("blockers", []) + expected.get("input_codes", []) + expected.get("hardening_includes", []))


def _proving(code: str) -> list:
    out = []
    for f in FOLDERS:
        _, _, _, expected = load(f)
        if expected.get("verdict_after") == "allowed" and code in _listed(expected):
            out.append(f)
    return out


def test_every_catalogue_code_has_a_remedy_entry():
    assert set(REMEDIES) == set(load_catalogue().entries)


def test_a_bad_entry_is_refused():
    with pytest.raises(ValueError, match="X: fix must be one of"):
        parse({"X": {"fix": "maybe", "reason": "r"}})
    with pytest.raises(ValueError, match="X: needs exactly"):
        parse({"X": {"fix": "edit"}})


@pytest.mark.parametrize("code", EDIT)
def test_an_edit_remedy_is_proven_by_a_scenario(code, monkeypatch):
    found = _proving(code)
    assert found, f"{code} is marked fix = \"edit\": add a scenario folder that reports it with verdict_after"
    folder = found[0]
    raw, slots, paths, expected = load(folder)
    d = diagnose(raw, slots, caller=expected.get("caller"), filenames=paths)
    assert code in {i.code for i in d.issues}, folder.name
    primary = [f for f in d.fixes if not f.alternative]
    assert primary and all(f.verdict_after == "allowed" for f in primary), folder.name
    fixed = dict(raw)
    for f in primary:
        fixed[f.raw] = f.after
    # Diagnosed again as the proof does: the error text is history, its stated denial no longer decides
    run = diagnose_module._run
    monkeypatch.setattr(diagnose_module, "_run", lambda r, s, c, verify=False: run(r, s, c, verify=True))
    again = diagnose(fixed, slots, caller=expected.get("caller"))
    errors = {e.input for e in again.case.inputs.errors}
    left = {i.code for i in again.issues if not i.where or any(w.input not in errors for w in i.where)}
    assert again.evaluation is not None and again.evaluation.verdict == ALLOWED, (folder.name, sorted(left))
    assert code not in left, f"{folder.name}: the fix leaves {code}"
