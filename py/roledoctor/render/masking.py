"""Every front end renders a masked copy of the report or check result:
secret values (roledoctor.redaction.mask) never reach JSON, SARIF, text,
Markdown or HTML, whether in evidence, messages, fixes or diffs."""

from __future__ import annotations

import re
from dataclasses import replace

from roledoctor.redaction.mask import mask_data, mask_secrets

# The values STATIC_CREDENTIALS_IN_CONFIG points at are secrets whatever the
# rules think of them (short or low-entropy test keys): masked everywhere.
STATIC_CREDENTIALS = "STATIC_CREDENTIALS_IN_CONFIG"
_QUOTED = re.compile(r'=[ \t]*+"((?:[^"\\\n]|\\.){1,512}+)"')


def known_secrets(findings) -> set[str]:
    out: set[str] = set()
    for f in findings:
        if f.code == STATIC_CREDENTIALS:
            out.update(m.group(1) for e in f.evidence for m in _QUOTED.finditer(e.text))
    return out


class _Masker:
    """mask_secrets with the known values, once per distinct text: findings
    repeat the same messages and evidence lines many times."""

    def __init__(self, known: set[str]):
        self.known: set[str] = known
        self.done: dict[str, str] = {}

    def __call__(self, text):
        if not isinstance(text, str):
            return text
        if text not in self.done:
            self.done[text] = mask_secrets(text, self.known)
        return self.done[text]


def mask_finding(f, known, m=None):
    m = m or _Masker(known)
    return replace(f, message=m(f.message), fix=m(f.fix),
                   evidence=[replace(e, text=m(e.text)) for e in f.evidence],
                   details=mask_data(f.details, known))


def _mask_fix(fx, m, diff_only: bool):
    if diff_only:  # what the text templates show: the diff, or the new text when there is none
        return replace(fx, before="", after="" if fx.diff else m(fx.after), diff=m(fx.diff))
    return replace(fx, before=m(fx.before), after=m(fx.after), diff=m(fx.diff))


def mask_report(report, diff_only: bool = False):
    """A copy of `report` with secret values masked. `diff_only`: for the text,
    Markdown and HTML templates, which show a fix's diff only; the whole files
    before and after (megabytes for a large main.tf) are dropped, not scanned."""
    known = known_secrets(report.findings)
    m = _Masker(known)
    return replace(
        report,
        findings=[mask_finding(f, known, m) for f in report.findings],
        fixes={k: _mask_fix(fx, m, diff_only) for k, fx in report.fixes.items()},
        trace=[replace(s, statement=m(s.statement)) for s in report.trace],
        assumptions=[m(a) for a in report.assumptions],
        prevention=mask_data(report.prevention, known),
    )


def mask_check(result):
    everything = list(result.findings) + [x.finding for x in result.suppressed]
    known = known_secrets(everything)
    return replace(
        result,
        findings=[mask_finding(f, known) for f in result.findings],
        suppressed=[replace(x, finding=mask_finding(x.finding, known)) for x in result.suppressed],
        invalid_suppressions=[replace(s, text=mask_secrets(s.text, known)) for s in result.invalid_suppressions],
        unused_suppressions=[replace(s, text=mask_secrets(s.text, known)) for s in result.unused_suppressions],
    )
