"""Shared steps for the page's end-to-end tests. Tests drive
the page by accessible names; the only exception is `ensure_diagnosis`, which
renders the contract fixture through the page's own module when this build
has no diagnosis engine yet (roledoctor.pageapi.view), so that the UI is
still exercised end to end."""

from __future__ import annotations

import json
import re
from pathlib import Path

from helpers import wait_ready

FIXTURE = Path(__file__).parent / "fixtures" / "seed_page.json"
SECRETS = ("123456789012", "987654321098", "acme-ci-7f3a", "acme-ci-7f2a")


def open_page(context, site, width=1440, height=900):
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(site.url)
    wait_ready(page)
    page.errors = errors  # type: ignore[attr-defined]
    return page


def load_example(page):
    page.get_by_role("button", name="Load example").click()
    page.wait_for_function(
        "() => document.querySelector('textarea[data-input=provider]').value.includes('assume_role')")


def first_verdict(page) -> str:
    """Load the example and wait for the real verdict; the diagnosis as text."""
    page.get_by_role("button", name="Load example").click()
    region = page.get_by_role("region", name="Diagnosis")
    region.get_by_text("TRUST_PRINCIPAL_MISSING").first.wait_for(timeout=60_000)
    return region.inner_text()


def boot_mode(page) -> str:
    page.wait_for_function("() => document.body.dataset.boot !== undefined", timeout=120_000)
    return page.evaluate("() => document.body.dataset.boot")


def ensure_diagnosis(page) -> bool:
    """Wait for the diagnosis of what is in the boxes; True when the real engine
    answered, False when the fixture had to be shown instead."""
    region = page.get_by_role("region", name="Diagnosis")
    region.locator(".verdict-word").first.wait_for(timeout=60_000)
    if "not in this build yet" not in region.inner_text():
        return True
    page.evaluate("async (r) => (await import('./app.mjs')).showDiagnosis(r)", json.loads(FIXTURE.read_text()))
    region.get_by_text("TRUST_PRINCIPAL_MISSING").first.wait_for()
    return False


def tab_to(page, locator, limit=120):
    """Press Tab until `locator` has the focus (keyboard-only navigation)."""
    for _ in range(limit):
        if locator.evaluate("e => e === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"could not reach {locator} with Tab")


def described_by(locator) -> str:
    return locator.evaluate(
        "e => (e.getAttribute('aria-describedby') || '').split(' ')"
        ".map(id => document.getElementById(id)?.textContent || '').join(' ')")


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text)
