"""Fuzz the whole pipeline (diagnose + fixers + renderers) and the page entry
point on mutated scenario and example inputs."""

from __future__ import annotations

import json
import random

from hypothesis import given, strategies as st

from hostile.conftest import fuzz_settings, guard, mutate, real_cases

from roledoctor.diagnosis.diagnose import diagnose
from roledoctor.pageapi.view import diagnose_for_page
from roledoctor.render import render

CASES = real_cases()
SLOTS = {"error": "error", "provider": "provider", "trust_policy": "trust_policy", "caller_policy": "caller_policy",
         "scp": "scp", "boundary": "boundary"}
PAGE_BOXES = {"error": "error", "provider": "provider", "trust_policy": "trust_policy",
              "caller_policy": "caller_policy", "scp": "org_policies", "org_policies": "org_policies"}


def mutated_case(index: int, seed: int, rate: float = 0.7) -> dict[str, str]:
    rnd = random.Random(seed)
    _, boxes = CASES[index % len(CASES)]
    return {box: (mutate(text, rnd) if rnd.random() < rate else text) for box, text in boxes.items()}


@fuzz_settings(250)
@given(st.integers(0, 10_000), st.integers(0, 2**32 - 1))
def test_diagnose_and_render_mutated(index, seed):
    raw = mutated_case(index, seed)
    slots = {k: SLOTS.get(k, "auto") for k in raw}
    with guard("diagnose"):
        d = diagnose(raw, slots)
    assert d.verdict in ("allowed", "denied", "undetermined")
    for fix in d.fixes:  # a fix is proposed only when re-evaluation allows it
        assert fix.verdict_after and isinstance(fix.after, str)
    with guard("render"):
        for fmt in ("json", "text", "markdown", "sarif"):
            assert render(d.report, fmt)


@fuzz_settings(250)
@given(st.integers(0, 10_000), st.integers(0, 2**32 - 1))
def test_page_mutated(index, seed):
    raw = mutated_case(index, seed)
    boxes: dict[str, str] = {}
    for k, v in raw.items():
        box = PAGE_BOXES.get(k, "provider")
        boxes[box] = boxes.get(box, "") + ("\n" if box in boxes else "") + v
    with guard("diagnose_for_page"):
        out = diagnose_for_page(boxes)
    assert out["verdict_word"] in ("Denied", "Allowed", "Undetermined")
    messages = [p["message"] for i in out["inputs"] for p in i["problems"]]
    assert not any(m.startswith("internal error") for m in messages), messages
    json.dumps(out)  # the worker posts it as JSON


@fuzz_settings(60)
@given(st.dictionaries(st.sampled_from(["error", "provider", "trust_policy", "caller_policy", "org_policies"]),
                       st.text(max_size=200), max_size=5))
def test_page_random_text(boxes):
    with guard("diagnose_for_page"):
        out = diagnose_for_page(boxes)
    assert out["verdict_word"] in ("Denied", "Allowed", "Undetermined")
    assert "internal error" not in out["verdict_sentence"]


def test_unmutated_cases_have_no_internal_errors():
    for name, boxes in CASES:
        page = {PAGE_BOXES.get(k, "provider"): v for k, v in boxes.items()}
        with guard(name):
            out = diagnose_for_page(page)
        assert "internal error" not in out["verdict_sentence"], (name, out["verdict_sentence"])
