"""SARIF 2.1.0 (plain dicts) for code scanning: one rule per finding code,
one result per finding, located on the lines of the input files as named on
the command line.

Spec: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
"""

from __future__ import annotations

from pathlib import PurePosixPath, PureWindowsPath
from urllib.parse import quote

from roledoctor import __version__
from roledoctor.findings import catalogue

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
# GitHub code scanning ranks security results by this number (0.0-10.0, as a string).
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}


def artifact_uri(name: str) -> str:
    """A URI reference for a file name as the user typed it (relative stays relative)."""
    if PureWindowsPath(name).drive:  # C:\\x\\y.tf
        return "file:///" + quote(PureWindowsPath(name).as_posix(), safe="/:")
    path = name.replace("\\", "/")
    if PurePosixPath(path).is_absolute():
        return "file://" + quote(path, safe="/")
    return quote(path, safe="/")


def _rule(code: str) -> dict:
    entry = catalogue.load()[code]
    tags = ["security", "iam", "terraform", entry.kind] + list(entry.checkov)
    return {
        "id": code,
        "name": "".join(w.capitalize() for w in code.split("_")),
        "shortDescription": {"text": entry.title},
        "fullDescription": {"text": entry.explanation},
        "help": {"text": entry.fix},
        "defaultConfiguration": {"level": LEVELS[entry.severity]},
        "properties": {"kind": entry.kind, "severity": entry.severity, "tags": tags,
                       "security-severity": SECURITY_SEVERITY[entry.severity]},
    }


def _location(ev, sources: dict[str, str]) -> dict | None:
    name = sources.get(ev.input)
    if not name or name == "-":  # pasted or stdin: nothing to point at
        return None
    phys: dict = {"artifactLocation": {"uri": artifact_uri(name)}}
    if ev.line and ev.line > 0:
        region = {"startLine": ev.line}
        if ev.column:
            region["startColumn"] = ev.column
        if ev.end_line:
            region["endLine"] = ev.end_line
            if ev.end_column:
                region["endColumn"] = ev.end_column
        if ev.text:
            region["snippet"] = {"text": ev.text}
        phys["region"] = region
    return {"physicalLocation": phys}


def to_sarif(report, tool_version: str = __version__) -> dict:
    findings = report.ordered_findings()
    codes = list(dict.fromkeys(f.code for f in findings))
    index = {c: i for i, c in enumerate(codes)}
    results = []
    for f in findings:
        locs = [loc for loc in (_location(e, report.sources) for e in f.evidence) if loc]
        result = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": LEVELS[f.severity],
            "message": {"text": f"{f.title}. {f.message} Fix: {f.fix}"},
            "properties": {"kind": f.kind, "severity": f.severity},
        }
        if f.uncertain:
            result["properties"]["uncertain"] = True
        if locs:
            result["locations"] = locs[:1]
            if len(locs) > 1:
                result["relatedLocations"] = [dict(loc, id=i) for i, loc in enumerate(locs[1:], 1)]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": {"name": "roledoctor", "version": tool_version,
                                "semanticVersion": tool_version,
                                "rules": [_rule(c) for c in codes]}},
            "columnKind": "unicodeCodePoints",  # our columns count Python characters
            "results": results,
            "properties": {"verdict": report.verdict},
        }],
    }
