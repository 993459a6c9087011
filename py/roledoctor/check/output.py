"""`roledoctor check` output: text, JSON and SARIF 2.1.0.

SARIF: one rule per finding code (from the catalogue, as `diagnose` writes
them), one result per finding; suppressed findings are results with
`suppressions: [{kind: "inSource", justification}]`; a suppression comment
without a reason is a result of rule SUPPRESSION_INVALID.
"""

from __future__ import annotations

import json
from typing import Any

from roledoctor import __version__
from roledoctor.check.run import CheckResult
from roledoctor.check.suppress import INVALID_CODE, Suppression
from roledoctor.findings import Finding
from roledoctor.findings.report import finding_obj
from roledoctor.render.inline import ci_safe, escape_name, json_safe, one_line
from roledoctor.render.sarif import LEVELS, SARIF_SCHEMA, SARIF_VERSION, _location, _rule, artifact_uri

FORMATS = ("text", "json", "sarif")
INVALID_RULE = {
    "id": INVALID_CODE,
    "name": "SuppressionInvalid",
    "shortDescription": {"text": "A roledoctor:ignore comment without a reason or with an unknown code"},
    "fullDescription": {"text": "Inline suppressions must name catalogue codes and give a reason "
                                "(`# roledoctor:ignore CODE reason: why`). This one suppresses nothing."},
    "help": {"text": "Add `reason: …` after the code, or fix the code's spelling."},
    "defaultConfiguration": {"level": "warning"},
    "properties": {"kind": "input", "severity": "medium", "tags": ["roledoctor", "suppression"]},
}


def summary(result: CheckResult, fail_on: str) -> dict:
    return {"files": len(result.files), "modules": len(result.units), "findings": len(result.findings),
            "by_kind": result.counts(), "suppressed": len(result.suppressed),
            "invalid_suppressions": len(result.invalid_suppressions), "fail_on": fail_on,
            "failing": result.failing(fail_on), "failed": result.failed(fail_on)}


def _suppression_obj(s: Suppression) -> dict:
    out = {"input": s.input, "line": s.line, "codes": list(s.codes), "text": s.text}
    if s.reason:
        out["reason"] = s.reason
    if s.problem:
        out["problem"] = s.problem
    return out


def to_json_obj(result: CheckResult, fail_on: str) -> dict:
    return {
        "tool": "roledoctor", "version": __version__, "command": "check",
        "summary": summary(result, fail_on),
        "findings": [finding_obj(f) for f in result.findings],
        "suppressed": [dict(finding_obj(x.finding), suppression=_suppression_obj(x.suppression))
                       for x in result.suppressed],
        "invalid_suppressions": [_suppression_obj(s) for s in result.invalid_suppressions],
        "unused_suppressions": [_suppression_obj(s) for s in result.unused_suppressions],
        "notes": list(result.notes),
        "files": list(result.files),
    }


def _place(f: Finding) -> str:
    e = next((e for e in f.evidence if e.line), f.evidence[0] if f.evidence else None)
    if e is None:
        return "-"
    name = escape_name(e.input)
    return f"{name}:{e.line}:{e.column or 1}" if e.line else name


def to_text(result: CheckResult, fail_on: str) -> str:
    """`file:line:col: CODE …` lines. Every field from the input is one line
    without controls and file names are escaped; ci_safe then neutralises what
    a CI runner would still read as a command (a file named `::warning …`)."""
    lines = []
    for f in result.findings:
        lines.append(f"{_place(f)}: {f.code} [{f.kind}, {f.severity}] {one_line(f.message)}")
        lines.append(f"    fix: {one_line(f.fix)}")
    for s in result.invalid_suppressions:
        lines.append(f"{escape_name(s.input)}:{s.line}:1: {INVALID_CODE} [input] {one_line(s.problem)}; "
                     f"it suppresses nothing: {one_line(s.text)}")
    for x in result.suppressed:
        lines.append(f"{_place(x.finding)}: {x.finding.code} suppressed: {one_line(x.suppression.reason)}")
    for n in result.notes:
        lines.append(f"note: {escape_name(n)}")
    c = result.counts()
    sm = summary(result, fail_on)
    lines.append(f"roledoctor check: {sm['files']} file(s) in {sm['modules']} module(s)/plan(s); "
                 f"{c['blocker']} blocker, {c['input']} input, {c['hardening']} hardening finding(s); "
                 f"{sm['suppressed']} suppressed; --fail-on {fail_on}: "
                 + (f"FAIL ({sm['failing']} at or above)" if sm["failed"] else "pass"))
    return ci_safe("\n".join(lines) + "\n")


def _invalid_result(s: Suppression, index: int) -> dict:
    return {
        "ruleId": INVALID_CODE, "ruleIndex": index, "level": "warning",
        "message": {"text": f"roledoctor:ignore comment: {s.problem}; it suppresses nothing."},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(s.input)},
                                            "region": {"startLine": s.line, "snippet": {"text": s.text}}}}],
        "properties": {"kind": "input", "severity": "medium"},
    }


def _result(f: Finding, index: int, sources: dict[str, str]) -> dict:
    locs = [loc for loc in (_location(e, sources) for e in f.evidence) if loc]
    out: dict[str, Any] = {"ruleId": f.code, "ruleIndex": index, "level": LEVELS[f.severity],
           "message": {"text": f"{f.title}. {f.message} Fix: {f.fix}"},
           "properties": {"kind": f.kind, "severity": f.severity}}
    if f.uncertain:
        out["properties"]["uncertain"] = True
    if f.details:
        out["properties"]["details"] = f.details
    if locs:
        out["locations"] = locs[:1]
        if len(locs) > 1:
            out["relatedLocations"] = [dict(loc, id=i) for i, loc in enumerate(locs[1:], 1)]
    return out


def to_sarif(result: CheckResult, fail_on: str, exit_code: int | None = None) -> dict:
    everything = list(result.findings) + [x.finding for x in result.suppressed]
    codes = list(dict.fromkeys(f.code for f in everything))
    rules = [_rule(c) for c in codes]
    if result.invalid_suppressions:
        codes.append(INVALID_CODE)
        rules.append(INVALID_RULE)
    index = {c: i for i, c in enumerate(codes)}
    sources = {name: name for name in result.files}
    results = [_result(f, index[f.code], sources) for f in result.findings]
    for x in result.suppressed:
        r = _result(x.finding, index[x.finding.code], sources)
        r["suppressions"] = [{"kind": "inSource", "status": "accepted",
                              "justification": x.suppression.reason,
                              "location": {"physicalLocation": {
                                  "artifactLocation": {"uri": artifact_uri(x.suppression.input)},
                                  "region": {"startLine": x.suppression.line}}}}]
        results.append(r)
    results += [_invalid_result(s, index[INVALID_CODE]) for s in result.invalid_suppressions]
    invocation = {"executionSuccessful": True,
                  "toolExecutionNotifications": [{"level": "note", "message": {"text": n}} for n in result.notes]}
    if exit_code is not None:
        invocation["exitCode"] = exit_code
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": {"name": "roledoctor", "version": __version__, "semanticVersion": __version__,
                                "rules": rules}},
            "invocations": [invocation],
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": {"command": "check", "summary": summary(result, fail_on)},
        }],
    }


def render(result: CheckResult, fmt: str, fail_on: str, exit_code: int | None = None) -> str:
    """Secret values are masked in every format (render.masking)."""
    from roledoctor.render.masking import mask_check

    result = mask_check(result)
    if fmt == "json":
        return json_safe(json.dumps(to_json_obj(result, fail_on), indent=2, ensure_ascii=False)) + "\n"
    if fmt == "sarif":
        return json_safe(json.dumps(to_sarif(result, fail_on, exit_code), indent=2, ensure_ascii=False)) + "\n"
    if fmt == "text":
        return to_text(result, fail_on)
    raise ValueError(f"format must be one of {FORMATS}")


__all__ = ["render", "to_json_obj", "to_sarif", "to_text", "summary", "FORMATS"]
