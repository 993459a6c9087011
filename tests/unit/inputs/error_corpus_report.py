"""Per family: how many corpus entries the reader reads fully (every expected field right).

    .venv/bin/python tests/unit/inputs/error_corpus_report.py [--misses]

The corpus is tests/fixtures/errors/ (see its README.md); test_error_corpus.py asserts
the same readings entry by entry.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "tests" / "fixtures" / "errors"
FIELDS = ("caller", "role", "action", "error_code", "cause")

# Readers without ErrorFacts.cause: the cause their kind or denial gate implies.
_KIND_CAUSE = {"expired-token": "BASE_CREDENTIALS_INVALID", "invalid-client-token": "BASE_CREDENTIALS_INVALID",
               "no-credentials": "BASE_CREDENTIALS_INVALID", "oidc-provider-missing": "OIDC_PROVIDER_NOT_REGISTERED",
               "oidc-invalid-token": "WEB_IDENTITY_TOKEN_INVALID", "region-disabled": "STS_REGION_DISABLED",
               "duration-chain-limit": "DURATION_EXCEEDS_CHAIN_LIMIT",
               "duration-exceeds-max": "DURATION_EXCEEDS_MAX_SESSION",
               "s3-backend-block-syntax": "S3_BACKEND_ASSUME_ROLE_SYNTAX"}
_GATE_CAUSE = {"scp": "SCP_BLOCKS", "rcp": "RCP_BLOCKS", "boundary": "BOUNDARY_BLOCKS",
               "session": "SESSION_POLICY_BLOCKS", "identity": "CALLER_POLICY_NO_ALLOW"}


def entries() -> list[dict]:
    return json.loads((CORPUS / "corpus.json").read_text(encoding="utf-8"))["entries"]


def primary(facts: list):
    """The failure a reader reports first: the first error that is not only wrapper text."""
    known = [e for e in facts if e.kind != "unknown"]
    return (known or facts or [None])[0]


def reading(text: str, name: str = "error.txt") -> dict:
    from roledoctor.inputs import read
    facts = [r.facts for r in read(name, text) if r.kind == "error"]
    e = primary(facts)
    if e is None:
        return dict.fromkeys(FIELDS)
    if hasattr(e, "cause"):
        cause = e.cause
    else:
        cause = _KIND_CAUSE.get(e.kind)
        if cause is None and e.denial is not None and e.denial.gate:
            cause = _GATE_CAUSE.get(e.denial.gate)
        if cause is None and e.kind == "field-validation" and e.details.get("field") == "roleSessionName":
            cause = "SESSION_NAME_INVALID"
    return {"caller": e.caller, "role": e.role, "action": e.action, "error_code": e.error_code, "cause": cause}


def report(show_misses: bool = False) -> tuple[Counter, Counter]:
    total, full = Counter(), Counter()
    for ent in entries():
        text = (CORPUS / ent["file"]).read_text(encoding="utf-8")
        got = reading(text, ent["file"])
        total[ent["family"]] += 1
        if got == ent["expect"]:
            full[ent["family"]] += 1
        elif show_misses:
            diff = {k: (ent["expect"][k], got[k]) for k in FIELDS if ent["expect"][k] != got[k]}
            print(f"MISS {ent['file']}: {diff}")
    return total, full


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT / "py"))
    total, full = report("--misses" in argv)
    print(f"{'family':28} {'entries':>7} {'fully read':>10}")
    for fam in sorted(total):
        print(f"{fam:28} {total[fam]:7} {full[fam]:10}")
    print(f"{'TOTAL':28} {sum(total.values()):7} {sum(full.values()):10}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
