"""A model's proposed change is checked by the engine: an answer that makes
the role assumable by opening it to everyone is not reported as plainly
Allowed."""

from __future__ import annotations

import json

from helpers import EXAMPLE
from roledoctor import webapi


def example_inputs() -> dict[str, str]:
    files = {"error": "error.txt", "provider": "provider.tf", "trust_policy": "trust-policy.json",
             "caller_policy": "caller-policy.json"}
    return {box: (EXAMPLE / name).read_text() for box, name in files.items()}


def review(policy: dict) -> dict:
    answer = f"Try this:\n\n```json\n{json.dumps(policy, indent=2)}\n```\n"
    reply = json.loads(webapi.handle("review_answer", json.dumps({"answer": answer, "inputs": example_inputs()})))
    assert reply["ok"], reply
    return reply["result"]["verdict"]


def test_wildcard_principal_answer_is_allowed_but_unsafe():
    verdict = review({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]})
    assert verdict["word"] == "Allowed, but unsafe"
    codes = {f["code"]: f["severity"] for f in verdict["unsafe"]}
    assert codes.get("TRUST_WILDCARD_PRINCIPAL") == "critical"
    assert set(codes.values()) <= {"critical", "high"}
    assert all(f["title"] and f["message"] for f in verdict["unsafe"])


def test_narrow_answer_stays_allowed():
    verdict = review({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/ci-runner"},
        "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "acme-ci-7f3a"}}}]})
    assert verdict["word"] == "Allowed" and verdict["unsafe"] == []
