"""Gaps found by measuring the redactor against gitleaks' and detect-secrets'
own samples; each case here is our own text in the
shape that exposed the gap."""

from __future__ import annotations

import pytest

from roledoctor.redaction import Redactor


@pytest.mark.parametrize("text, secret, kind", [
    # terraform fmt aligns the `=` of neighbouring attributes
    ('  username       = "admin"\n  password       = "Tq7rootPw2"\n', "Tq7rootPw2", "PASSWORD"),
    # a password in a URL is a password, and the host stays readable
    ("postgres://app:Xk29dLmQ4pWz@db.example.com:5432/app", "Xk29dLmQ4pWz", "PASSWORD"),
    # a JWT without its signature part
    ("token: eyJhbGciOiJub25lIn0.eyJzdWIiOiJjaS1ydW5uZXIiLCJyb2xlIjoiZGVwbG95In0", "eyJhbGciOiJub25lIn0", "JWT"),
    # more Authorization schemes
    ("Authorization: Api-Token 7f3c9a1d2b8e4f60a5c7d9e1b3f5a7c9", "7f3c9a1d2b8e4f60a5c7d9e1b3f5a7c9", "AUTH_HEADER"),
])
def test_found(text, secret, kind):
    result = Redactor().redact(text)
    assert secret not in result.text
    assert kind in {r.type for r in result.replacements}


@pytest.mark.parametrize("text", [
    '"SecretArn": "arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbCdEf"',  # an ARN, not a secret
    '"PasswordLastUsed": "2024-05-01T10:00:00Z"',  # a timestamp
    "password: ENC[AES256_GCM,data:Zm9v,iv:YmFy,tag:YmF6,type:str]",  # SOPS-encrypted, already protected
    "credentialsId: 'deploy-creds'",  # a Jenkins credential's name
    "slack channel xoxb-my-bot-token-name in the docs",  # not a token: no digits where Slack puts them
])
def test_not_a_secret(text):
    result = Redactor().redact(text)
    secret_types = {r.type for r in result.replacements} - {"ACCOUNT", "EMAIL", "IP", "PRIVATE_IP"}
    assert secret_types == set(), result.text
