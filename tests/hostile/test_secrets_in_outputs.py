"""Secrets in what we print and export: a key pasted in the provider block
must not reach JSON, SARIF, text, Markdown or HTML (evidence lines, messages,
fix diffs), and the exports say that identifiers are not redacted."""

from __future__ import annotations

import pytest

from hostile.conftest import ROOT

from roledoctor.check import check
from roledoctor.check.output import render as render_check
from roledoctor.diagnosis.diagnose import diagnose
from roledoctor.pageapi.view import export_for_page
from roledoctor.render import render

EXAMPLE = ROOT / "examples" / "seed-cross-account"
SECRET_KEY = "Zx9kLmP2qRsT4uVwXy7Ab3Cd5Ef8Gh1Ij6Kl0Mn2"
TOKEN = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD6"
SHORT = "notlong1"  # a test key the rules alone would let through: still a secret here


def _provider(secret: str = SECRET_KEY) -> str:
    text = (EXAMPLE / "provider.tf").read_text()
    return text.replace('  region = "us-east-1"\n',
                        f'  region = "us-east-1"\n  access_key = "AKIAQWERTYUIOPASDFGH"\n'
                        f'  secret_key = "{secret}"\n  token = "{TOKEN}"\n')


def _inputs(secret: str = SECRET_KEY) -> dict[str, str]:
    return {"error": (EXAMPLE / "error.txt").read_text(), "provider": _provider(secret),
            "trust_policy": (EXAMPLE / "trust-policy.json").read_text(),
            "caller_policy": (EXAMPLE / "caller-policy.json").read_text()}


def _assert_no_secret(out: str, secret: str = SECRET_KEY) -> None:
    assert secret not in out
    assert TOKEN not in out
    assert "AKIAQWERTYUIOPASDFGH" not in out


@pytest.mark.parametrize("secret", [SECRET_KEY, SHORT])
@pytest.mark.parametrize("fmt", ["json", "sarif", "text", "markdown", "html"])
def test_diagnose_outputs_mask_secrets(fmt, secret):
    d = diagnose(_inputs(secret), {})
    assert any(f.code == "STATIC_CREDENTIALS_IN_CONFIG" for f in d.report.findings)
    assert d.report.fixes, "the provider's fix diff carries the secret lines as context"
    out = render(d.report, fmt)
    _assert_no_secret(out, secret)
    assert "****" in out or fmt == "sarif"  # (SARIF without file names has no snippets)


def test_page_exports_mask_secrets_and_say_what_is_not_redacted():
    for fmt in ("markdown", "html"):  # rendered when the page's export buttons ask
        out = export_for_page(_inputs(), fmt)
        _assert_no_secret(out)
        assert "not redacted" in out


@pytest.mark.parametrize("secret", [SECRET_KEY, SHORT])
@pytest.mark.parametrize("fmt", ["json", "sarif", "text"])
def test_check_outputs_mask_secrets(tmp_path, fmt, secret):
    (tmp_path / "provider.tf").write_text(_provider(secret))
    result = check([str(tmp_path)])
    assert any(f.code == "STATIC_CREDENTIALS_IN_CONFIG" for f in result.findings)
    _assert_no_secret(render_check(result, fmt, "input"), secret)


def test_identifiers_stay():
    out = render(diagnose(_inputs(), {}).report, "json")
    assert "987654321098" in out and "acme-ci-7f3a" in out
