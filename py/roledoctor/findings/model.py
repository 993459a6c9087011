"""One small Finding type, built from the catalogue by `make_finding`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from roledoctor.findings import catalogue

_EVIDENCE_TEXT_MAX = 240  # one recognisable line, not a whole document


@dataclass
class Evidence:
    input: str  # input name: "provider", "trust_policy", "caller_policy", "error", "scp", ...
    line: int  # 1-based; 0 when the input has no useful line (e.g. a missing input)
    text: str  # the user's own line (or the span's text), stripped
    column: int | None = None  # 1-based
    end_line: int | None = None
    end_column: int | None = None

    @classmethod
    def from_span(cls, input: str, span, source: str) -> Evidence:
        """Evidence for a roledoctor.source.Span of `source`: the line where it
        starts. A span that opens with a bracket alone on its line (a whole
        policy statement) is shown by its first line with content, such as
        `"Sid": …` or `"Effect": "Deny",`: "line 4: {" would say nothing."""
        starts = source.rfind("\n", 0, span.start) + 1
        stop = source.find("\n", span.start)
        line = source[starts : stop if stop >= 0 else len(source)].strip()
        number, column = span.line, span.col  # of the line shown
        n = span.line
        while line in ("{", "[") and stop >= 0 and n < span.end_line:
            starts, stop = stop + 1, source.find("\n", stop + 1)
            text = source[starts : stop if stop >= 0 else len(source)]
            n += 1
            if text.strip():
                line, number, column = text.strip(), n, len(text) - len(text.lstrip()) + 1
        if len(line) > _EVIDENCE_TEXT_MAX:
            line = line[: _EVIDENCE_TEXT_MAX - 1] + "…"
        return cls(input=input, line=number, text=line, column=column,
                   end_line=span.end_line, end_column=span.end_col)


@dataclass
class Finding:
    code: str
    kind: str  # blocker | input | hardening
    severity: str  # critical | high | medium | low | info
    title: str
    message: str  # the explanation for this case (the catalogue's generic one by default)
    evidence: list[Evidence] = field(default_factory=list)
    fix: str = ""
    uncertain: bool = False  # the engine's answer rests on a disputed rule (e.g. boundaries)
    details: dict[str, Any] = field(default_factory=dict)  # JSON-able extras (key, expected, actual...)

    @property
    def checkov(self) -> tuple[str, ...]:
        return catalogue.load()[self.code].checkov


class UnknownFindingCode(KeyError):
    pass


def make_finding(code: str, message: str | None = None, evidence=(), *, fix: str | None = None,
                 uncertain: bool = False, details: dict | None = None,
                 severity: str | None = None) -> Finding:
    """A Finding for a catalogue code; kind, title and default texts come from the data file."""
    cat = catalogue.load()
    if code not in cat:
        raise UnknownFindingCode(f"unknown finding code {code!r} (not in the catalogue)")
    entry = cat[code]
    if severity is not None and severity not in catalogue.SEVERITIES:
        raise ValueError(f"severity must be one of {catalogue.SEVERITIES}")
    return Finding(
        code=code,
        kind=entry.kind,
        severity=severity or entry.severity,
        title=entry.title,
        message=message or entry.explanation,
        evidence=list(evidence),
        fix=fix or entry.fix,
        uncertain=uncertain,
        details=dict(details or {}),
    )


_KIND_ORDER = {k: i for i, k in enumerate(catalogue.KINDS)}
_SEVERITY_ORDER = {s: i for i, s in enumerate(catalogue.SEVERITIES)}


def sort_key(f: Finding):
    """Blockers first (they are why it fails), then input, then hardening; severe first within."""
    return (_KIND_ORDER.get(f.kind, 9), _SEVERITY_ORDER.get(f.severity, 9))
