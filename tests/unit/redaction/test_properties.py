"""Hypothesis: restore(redact(x)) == x, nothing secret survives, and no
placeholder collides with text already in the input."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unit.redaction.redaction_corpus import secret_samples, self_identifying_secrets

from roledoctor.redaction import Redactor

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
SECRETS = sorted({s for sample in secret_samples() for s in sample.secrets if "\n" not in s})
TOKENS = self_identifying_secrets()
LOOKALIKES = ["ACCOUNT_1", "account_2", "SECRET_1", "<PASSWORD_1>", "EMAIL_10", "IP_1", "PRIVATE_IP_1",
              "x_ACCOUNT_1", "ACCESS_KEY_ID_1", "[[SECRET_2]]", "Account_3", "EXTERNAL_ID_1", "REDACTED_1"]
GLUE = ["", " ", "\n", '"', "'", ":", "=", " = ", ": ", ", ", "/", "@", "arn:aws:iam::", ":role/x", "password=",
        '"secret": "', "token: ", "external_id = ", "account ", "_", "1", "<", ">", "`"]

fragment = st.one_of(
    st.sampled_from(SECRETS),
    st.sampled_from(TOKENS).map(lambda t: f" {t} "),
    st.sampled_from(LOOKALIKES),
    st.sampled_from(GLUE),
    st.text(alphabet="ACOUNTSERDPIacountsecrdpi_0123456789 :=\"'<>[]{}@./-\n", max_size=12),
    st.text(max_size=8),
)
mixed = st.lists(fragment, max_size=25).map("".join)


def no_collision(red: Redactor, *texts: str) -> None:
    for text in texts:
        low = text.translate(LOWER)
        for placeholder in red.mapping:
            assert placeholder.lower() not in low, (placeholder, text)


@SETTINGS
@given(st.text(max_size=300))
def test_roundtrip_arbitrary_text(text):
    red = Redactor()
    result = red.redact(text)
    assert red.restore(result.text) == text
    no_collision(red, text)


@SETTINGS
@given(mixed)
def test_roundtrip_mixed_secrets(text):
    red = Redactor()
    result = red.redact(text)
    assert red.restore(result.text) == text
    no_collision(red, text)
    for secret in TOKENS:
        if f" {secret} " in text:
            assert secret not in result.text


@SETTINGS
@given(st.lists(mixed, min_size=1, max_size=4))
def test_roundtrip_several_texts_one_map(texts):
    red = Redactor()
    results = red.redact_all(texts)
    for text, result in zip(texts, results, strict=False):
        assert red.restore(result.text) == text
    no_collision(red, *texts)
    # the map survives JSON
    again = Redactor.from_json(red.to_json())
    for text, result in zip(texts, results, strict=False):
        assert again.restore(result.text) == text
