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
    out = set()
    for f in findings:
        if f.code == STATIC_CREDENTIALS:
            out.update(m.group(1) for e in f.evidence for m in _QUOTED.finditer(e.text))
    return out


def mask_finding(f, known):
    return replace(f, message=mask_secrets(f.message, known), fix=mask_secrets(f.fix, known),
                   evidence=[replace(e, text=mask_secrets(e.text, known)) for e in f.evidence],
                   details=mask_data(f.details, known))


def mask_report(report):
    known = known_secrets(report.findings)
    m = lambda text: mask_secrets(text, known)  # noqa: E731
    return replace(
        report,
        findings=[mask_finding(f, known) for f in report.findings],
        fixes={k: replace(fx, before=m(fx.before), after=m(fx.after), diff=m(fx.diff))
               for k, fx in report.fixes.items()},
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
