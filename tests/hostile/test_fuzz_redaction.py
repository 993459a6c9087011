"""restore(redact(x)) == x on mutated real inputs and hostile text; never a
hang; a refused (too large) input gives no text at all."""

from __future__ import annotations

import random

from hypothesis import given, strategies as st

from hostile.conftest import HOSTILE_PIECES, fuzz_settings, guard, mutate, real_inputs

from roledoctor.redaction import Redactor, redact, restore

TEXTS = [t for _, _, t in real_inputs()]


def roundtrip(*texts: str) -> None:
    red = Redactor()
    with guard("redact_all"):
        results = red.redact_all(list(texts))
    for text, res in zip(texts, results, strict=False):
        assert res.problem is None
        with guard("restore"):
            assert red.restore(res.text) == text
    saved = red.to_json()
    for text, res in zip(texts, results, strict=False):
        assert restore(res.text, saved) == text


@fuzz_settings(300)
@given(st.sampled_from(TEXTS), st.integers(0, 2**32 - 1))
def test_roundtrip_mutated_real_inputs(text, seed):
    roundtrip(mutate(text, random.Random(seed)))


@fuzz_settings(80)
@given(st.lists(st.tuples(st.sampled_from(TEXTS), st.integers(0, 2**32 - 1)), min_size=2, max_size=4))
def test_roundtrip_several_mutated_inputs_share_one_map(parts):
    roundtrip(*[mutate(t, random.Random(s)) for t, s in parts])


@fuzz_settings(150)
@given(st.lists(st.one_of(st.sampled_from(HOSTILE_PIECES), st.text(max_size=10)), max_size=40).map("".join))
def test_roundtrip_hostile_text(text):
    with guard("redact"):
        res = redact(text)
    red = Redactor()
    assert red.restore(red.redact(text).text) == text
    assert isinstance(res.text, str)
