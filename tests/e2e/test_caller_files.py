"""The page's box for where the caller comes from: a GitHub workflow and a trust
policy opened together land in their boxes, and the diagnosis names the
missing `id-token: write` (scenario s84), with the workflow's line as evidence."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from e2e.pagekit import open_page
from helpers import ROOT

S84 = ROOT / "tests" / "scenarios" / "s84-github-no-id-token"


@pytest.mark.parametrize("boot", ["snapshot", "normal"])  # ruamel.yaml is in the snapshot and in the lock
def test_workflow_goes_to_the_caller_box_and_is_diagnosed(context, site, tmp_path, boot):
    paths = []
    for name in ("deploy.yml", "trust-policy.json"):
        (tmp_path / name).write_text((S84 / name).read_text())
        paths.append(tmp_path / name)
    where = site if boot == "snapshot" else SimpleNamespace(url=site.url + ("&" if "?" in site.url else "?")
                                                            + "boot=normal")
    page = open_page(context, where)
    with page.expect_file_chooser() as fc:
        page.get_by_role("button", name="Open files").click()
    fc.value.set_files(paths)
    expect(page.get_by_role("status").filter(has_text="Placed:")).to_be_visible(timeout=30_000)
    assert "configure-aws-credentials" in page.get_by_label("Where the caller comes from", exact=True).input_value()
    assert "tf-deploy" not in page.get_by_label("Provider configuration", exact=True).input_value()
    expect(page.locator("#diagnosis-body")).to_contain_text("OIDC_TOKEN_NOT_ISSUED", timeout=60_000)
