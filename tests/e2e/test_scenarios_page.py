"""End-to-end flows on the page for scenarios beyond the example,
driven by accessible names only: paste each scenario's files into the boxes,
diagnose, and read the verdict, the blocker codes and the proven fixes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import save_screenshot
from e2e.pagekit import open_page

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
BOX = {"error": "Error output", "provider": "Provider configuration", "trust-policy": "Trust policy",
       "caller-policy": "Caller permissions policy", "scp": "Organization policies",
       "boundary": "Organization policies", "org-policies": "Organization policies"}
WORD = {"denied": "Denied", "allowed": "Allowed", "undetermined": "Undetermined"}

CASES = ["s06-scp-deny", "s09-boundary-gap", "s20-recreated-principal", "s30-chain-hop-not-trusted",
         "s37-role-arn-mismatch", "s40-policy-invalid", "s47-policy-document-trust"]


def fill(page, folder: Path):
    boxes: dict[str, str] = {}
    for f in sorted(folder.iterdir()):
        if f.stem in BOX:
            label = BOX[f.stem]
            boxes[label] = (boxes[label] + "\n\n" if label in boxes else "") + f.read_text()
    for label, text in boxes.items():
        page.get_by_label(label, exact=True).fill(text)


@pytest.mark.parametrize("name", CASES)
def test_scenario_on_the_page(context, site, name):
    folder = SCENARIOS / name
    expected = json.loads((folder / "expected.json").read_text())
    page = open_page(context, site, width=1440)
    fill(page, folder)
    page.get_by_role("button", name="Diagnose").click()
    region = page.get_by_role("region", name="Diagnosis")
    word = WORD[expected["verdict"]]
    region.locator(".verdict-word").filter(has_text=word).wait_for(timeout=60_000)
    text = region.inner_text()
    for code in expected.get("blockers", []) + expected.get("input_codes", []) + expected.get("hardening_includes", []):
        assert code in text, f"{code} not shown for {name}"
    if expected.get("verdict_after") == "allowed" and expected.get("blockers"):
        assert "verified: allowed after this fix" in text
    assert not page.errors
    save_screenshot(page, f"scenario-{name}-1440")
    if name == CASES[0]:
        page.set_viewport_size({"width": 375, "height": 800})
        save_screenshot(page, f"scenario-{name}-375")
