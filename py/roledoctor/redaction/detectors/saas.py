"""Stripe, npm, PyPI, OpenAI and Anthropic keys."""

from __future__ import annotations

from roledoctor.redaction.rules import Rule

RULES = (
    Rule(
        id="stripe-key",
        type="STRIPE_KEY",
        # gitleaks stripe-access-token (publishable pk_ keys are public)
        pattern=r"\b(?:sk|rk)_(?:test|live|prod)_[A-Za-z0-9]{10,247}+\b",
        keywords=("sk_", "rk_"),
        entropy=2.0,
        source="gitleaks stripe-access-token",
        tp=('STRIPE_SECRET_KEY=sk_live_wd1iaeOV4qBkdfQ1y3GQsMpS', "stripe_key: 'rk_test_scDlkrCaqx9vJupc94tnwlav'"),
        fp=('pk_live_wd1iaeOV4qBkdfQ1y3GQsMpS', 'sk_live_'),
    ),
    Rule(
        id="stripe-webhook-secret",
        type="STRIPE_KEY",
        pattern=r"\bwhsec_[A-Za-z0-9]{24,64}+\b",
        keywords=("whsec_",),
        entropy=3.0,
        source="trufflehog stripe (webhook secret format)",
        tp=('STRIPE_WEBHOOK_SECRET=whsec_yfErGPmpGXafq0fjzLczbttOofL9H2Wj',),
        fp=('whsec_', 'whsec_aaaaaaaaaaaaaaaaaaaaaaaaaaaa'),
    ),
    Rule(
        id="npm-token",
        type="NPM_TOKEN",
        pattern=r"\bnpm_[A-Za-z0-9]{36}\b",
        keywords=("npm_",),
        entropy=3.0,
        source="gitleaks npm-access-token; detect-secrets NpmDetector",
        tp=('//registry.npmjs.org/:_authToken=npm_yf5TNS05kOY2oNzN2m1ElKncz8HkywhjpU05',),
        fp=('npm_config_cache=/tmp/npm', 'npm_package_version'),
    ),
    Rule(
        id="pypi-token",
        type="PYPI_TOKEN",
        # detect-secrets PypiTokenDetector: base64 of the "pypi.org" / "test.pypi.org" macaroon id
        pattern=r"\bpypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,1000}+",
        keywords=("pypi-ageichlwas5vcmc", "pypi-agendgvzdc5wexbplm9yzw"),
        entropy=3.0,
        source="detect-secrets PypiTokenDetector; gitleaks pypi-upload-token",
        tp=('password = pypi-AgEIcHlwaS5vcmcyfePpX6N1NF2XV54wca_7E56w8ZniqT3Ul4ffqkOkgWrdioyq_KvCiSGuPJ6sG9AHEOVezxZuJPWvHog',),
        fp=('pypi-AgEIcHlwaS5vcmc',),
    ),
    Rule(
        id="openai-key",
        type="OPENAI_KEY",
        # gitleaks openai-api-key: project/service-account/admin keys and the legacy
        # form with the "T3BlbkFJ" (base64 "OpenAI") marker
        pattern=r"\bsk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,300}+|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}\b|[A-Za-z0-9]{48}\b)",
        keywords=("sk-",),
        entropy=3.0,
        source="gitleaks openai-api-key; detect-secrets OpenAIDetector",
        tp=(
            'OPENAI_API_KEY=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',
            '"api_key": "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"',
        ),
        fp=('sk-proj-short', 'risk-assessment-framework-for-the-organisation-2024-v2'),
    ),
    Rule(
        id="anthropic-key",
        type="ANTHROPIC_KEY",
        # gitleaks anthropic-api-key / anthropic-admin-api-key
        pattern=r"\bsk-ant-(?:api|admin|oat)\d{2}-[A-Za-z0-9_-]{32,200}+",
        keywords=("sk-ant-",),
        entropy=3.0,
        source="gitleaks anthropic-api-key, anthropic-admin-api-key",
        tp=('ANTHROPIC_API_KEY=sk-ant-api03-K9mqmALOR2HcSGKgVP8Kd0d3mS8gBlKv3azKgaS_m_x-SHuKBD-vok_nPTmZYl2dVAMH2vWD6qeSPt5Pv74GDqQ7EyIMtAA',),
        fp=('sk-ant-api03-', 'sk-ant-api03-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'),
    ),
)
