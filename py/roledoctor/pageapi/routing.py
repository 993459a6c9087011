"""Dropped files to the page's boxes, by content (roledoctor.inputs.classify),
then by file name."""

from __future__ import annotations

from roledoctor.inputs.kinds import row
from roledoctor.pageapi.split import split_hcl


def policy_box(name: str, text: str) -> str | None:
    from roledoctor.inputs import read

    for rec in read(name, text):
        if rec.kind == "role":
            return "trust_policy"
        if rec.kind == "policy-json":
            return {"trust": "trust_policy", "resource": "trust_policy", "identity": "caller_policy",
                    "session": "caller_policy"}.get(rec.facts.kind, "org_policies")
    return None


def _caller_identity_output(text: str) -> bool:
    """`aws sts get-caller-identity` output: AWS evidence, not a policy."""
    from roledoctor.inputs import read
    return any(r.kind == "caller-identity" for r in read("route", text))


def route_one(name: str, text: str) -> dict:
    from roledoctor.inputs import classify
    from roledoctor.limits import check_text

    too_large = check_text(text)
    if too_large:
        return {"name": name, "kinds": [], "parts": [], "note": f"not read: {too_large}"}
    kinds = classify(text)
    lname = name.lower()
    first = row(kinds[0]) if kinds else None
    if first is not None and first.box == "caller_files":  # by content (the kinds table): CI files, profiles, tokens
        return {"name": name, "kinds": kinds, "parts": [{"input": first.box, "text": text, "what": first.what}],
                "note": ""}
    if ("aws-evidence" in kinds and "error" not in kinds) or (kinds == ["json"] and _caller_identity_output(text)):
        return {"name": name, "kinds": kinds, "parts": [{"input": "aws_evidence", "text": text, "what": "AWS output"}],
                "note": ""}
    if "error" in kinds or (lname.endswith((".log", ".txt")) and "hcl" not in kinds and "policy-json" not in kinds):
        return {"name": name, "kinds": kinds, "parts": [{"input": "error", "text": text, "what": "error output"}],
                "note": ""}
    if "policy-json" in kinds:
        box = policy_box(name, text) or "trust_policy"
        return {"name": name, "kinds": kinds, "parts": [{"input": box, "text": text, "what": "policy"}], "note": ""}
    if "plan" in kinds:
        return {"name": name, "kinds": kinds, "parts": [{"input": "provider", "text": text, "what": "plan"}], "note": ""}
    if "hcl" in kinds or lname.endswith((".tf", ".tfvars")):
        parts = split_hcl(text) or [{"input": "provider", "text": text, "what": "Terraform"}]
        return {"name": name, "kinds": kinds, "parts": parts, "note": ""}
    if lname.endswith(".json"):
        box = "trust_policy" if "trust" in lname else "caller_policy"
        return {"name": name, "kinds": kinds, "parts": [{"input": box, "text": text, "what": "JSON"}],
                "note": "not recognised as a policy: placed by its file name"}
    return {"name": name, "kinds": kinds, "parts": [], "note": "not recognised: error output, Terraform or a JSON policy"}


def route(args: dict) -> dict:
    """Method `route` {files: [{name, text}]} -> {files: [{name, kinds, parts: [{input, text, what}], note}]}."""
    files = args.get("files") or []
    return {"files": [route_one(str(f.get("name", "")), str(f.get("text", ""))) for f in files]}
