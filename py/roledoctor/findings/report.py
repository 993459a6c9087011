"""The diagnosis as plain data, and its JSON form (the output contract in docs/findings.md).

The engine and the fixers fill a Report; every front end (JSON, text,
Markdown, HTML, SARIF) reads the same object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from roledoctor.findings.model import Evidence, Finding, sort_key

VERDICTS = ("denied", "allowed", "undetermined")
GATES = ("scp", "rcp", "identity", "boundary", "session", "trust")
RESULTS = ("allow", "deny", "implicit-deny", "not-evaluated")
FIX_TARGETS = ("trust_policy", "provider", "caller_policy")  # contract order


@dataclass
class Request:
    action: str = "sts:AssumeRole"
    caller: str | None = None
    role: str | None = None


@dataclass
class TraceStep:
    gate: str  # one of GATES
    result: str  # one of RESULTS
    statement: str = ""  # the deciding statement, e.g. 'trust_policy Statement[0] (Sid "Ci")', or why not evaluated


@dataclass
class Fix:
    before: str
    after: str
    diff: str = ""  # unified diff of before -> after; filled by the fixer (fixes.edits.unified_diff)
    verdict_after: str | None = None  # engine verdict with this fix applied; set on the fix that proves it
    # Additive: when the fixed text is AWS output (get-role, describe-policy): the corrected
    # document to save and the command that applies it (fixes/evidence.py).
    command: str | None = None
    document: str | None = None
    filename: str | None = None


@dataclass
class Report:
    verdict: str  # one of VERDICTS
    request: Request = field(default_factory=Request)
    trace: list[TraceStep] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    fixes: dict[str, Fix] = field(default_factory=dict)  # keys from FIX_TARGETS
    # Not part of the JSON contract: input name -> file name as given to the CLI
    # (SARIF artifact locations, diff headers).
    sources: dict[str, str] = field(default_factory=dict)
    # Additive to the contract: {"preflight": {filename, language, text}, "rego": {...},
    # "checkov": [{id, title, checks}]}; omitted from the JSON when empty.
    prevention: dict = field(default_factory=dict)
    # Additive: read-only AWS CLI commands that fetch what is missing ([{"command", "why"}])
    # and the smallest IAM policy they need (diagnosis/next_commands.py); omitted when empty.
    next_commands: list[dict] = field(default_factory=list)
    next_commands_policy: dict | None = None

    def ordered_findings(self) -> list[Finding]:
        return sorted(self.findings, key=sort_key)  # stable: engine order within a rank

    def ordered_fixes(self) -> list[tuple[str, Fix]]:
        rank = {k: i for i, k in enumerate(FIX_TARGETS)}
        return sorted(self.fixes.items(), key=lambda kv: rank.get(kv[0], len(rank)))


def _check(value, allowed, what):
    if value not in allowed:
        raise ValueError(f"{what} must be one of {allowed}, not {value!r}")


def evidence_obj(ev: Evidence) -> dict:
    out = {"input": ev.input, "line": ev.line, "text": ev.text}
    # Optional keys only when known: additive to the contract's three.
    for name in ("column", "end_line", "end_column"):
        value = getattr(ev, name)
        if value is not None:
            out[name] = value
    return out


def finding_obj(f: Finding) -> dict:
    out: dict[str, Any] = {
        "code": f.code, "kind": f.kind, "severity": f.severity, "title": f.title,
        "message": f.message,
        "evidence": [evidence_obj(e) for e in f.evidence],
        "fix": f.fix,
    }
    if f.uncertain:
        out["uncertain"] = True
    if f.details:
        out["details"] = f.details
    return out


def to_json_obj(report: Report) -> dict:
    """The contract's JSON object (json.dumps-able); raises ValueError on values outside it."""
    _check(report.verdict, VERDICTS, "verdict")
    trace = []
    for step in report.trace:
        _check(step.gate, GATES, "trace gate")
        _check(step.result, RESULTS, "trace result")
        trace.append({"gate": step.gate, "result": step.result, "statement": step.statement})
    fixes = {}
    for name, fix in report.ordered_fixes():
        obj = {"before": fix.before, "after": fix.after, "diff": fix.diff}
        if fix.verdict_after is not None:
            _check(fix.verdict_after, VERDICTS, "verdict_after")
            obj["verdict_after"] = fix.verdict_after
        for key in ("command", "document", "filename"):
            if getattr(fix, key) is not None:
                obj[key] = getattr(fix, key)
        fixes[name] = obj
    req = report.request
    out = {
        "verdict": report.verdict,
        "request": {"action": req.action, "caller": req.caller, "role": req.role},
        "trace": trace,
        "assumptions": list(report.assumptions),
        "findings": [finding_obj(f) for f in report.ordered_findings()],
        "fixes": fixes,
    }
    if report.prevention:
        out["prevention"] = report.prevention
    if report.next_commands:
        out["next_commands"] = [dict(c) for c in report.next_commands]
        if report.next_commands_policy:
            out["next_commands_policy"] = report.next_commands_policy
    return out
