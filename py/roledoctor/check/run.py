"""`roledoctor check`: every finding that can be judged from the code alone.

    result = check(["infra/"], caller=None, account=None)
    result.findings, result.suppressed, result.invalid_suppressions, result.failed("input")

Rules reused from the diagnosis: input_checks (provider, backend, policy
syntax), hardening's trust_rules / identity_rules / provider_rules, and, for
a provider whose role_arn names a role defined in the same code, the engine
(cross.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from roledoctor.check.cross import cross_checks, match_roles, role_accounts, role_arn_map
from roledoctor.check.discover import Discovery, discover
from roledoctor.check.modules import instance_issues, issue_key
from roledoctor.check.suppress import INVALID_CODE, Suppression, Suppressions
from roledoctor.diagnosis.aws_evidence import aws_trusts
from roledoctor.diagnosis.facts import classify_sources
from roledoctor.diagnosis.hardening import identity_rules, provider_rules, trust_rules, trusts
from roledoctor.diagnosis.input_checks import input_checks
from roledoctor.diagnosis.model import Issue
from roledoctor.findings import Evidence, Finding, make_finding
from roledoctor.findings.catalogue import KINDS
from roledoctor.findings.model import sort_key
from roledoctor.inputs import Inputs, read_all

FAIL_ON = KINDS  # ("blocker", "input", "hardening"): the lowest kind that fails the run
DEFAULT_FAIL_ON = "input"


@dataclass
class Suppressed:
    finding: Finding
    suppression: Suppression


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)  # active, ordered
    suppressed: list[Suppressed] = field(default_factory=list)
    invalid_suppressions: list[Suppression] = field(default_factory=list)
    unused_suppressions: list[Suppression] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)  # plan files given

    def counts(self) -> dict[str, int]:
        out = {k: 0 for k in KINDS}
        for f in self.findings:
            out[f.kind] += 1
        out["input"] += len(self.invalid_suppressions)  # a bad suppression is an input problem
        return out

    def failing(self, fail_on: str = DEFAULT_FAIL_ON) -> int:
        """How many findings are at or above the threshold (blocker > input > hardening)."""
        rank = KINDS.index(fail_on)
        return sum(n for k, n in self.counts().items() if KINDS.index(k) <= rank)

    def failed(self, fail_on: str = DEFAULT_FAIL_ON) -> bool:
        return self.failing(fail_on) > 0


def merge(parts: list[Inputs]) -> Inputs:
    out = Inputs()
    for p in parts:
        for name in ("recognised", "errors", "providers", "backends", "roles", "policies", "attachments",
                     "documents", "problems", "evidence", "modules"):
            getattr(out, name).extend(getattr(p, name))
        out.texts.update(p.texts)
        for k, v in p.variables.items():
            out.variables.setdefault(k, v)
    return out


def static_issues(inputs: Inputs, unit_of: dict[str, int], caller: str | None = None,
                  account: str | None = None) -> list[Issue]:
    issues = input_checks(inputs)
    matched = match_roles(inputs)
    arns = role_arn_map(inputs, matched)
    accounts = role_accounts(inputs, unit_of, arns, account)
    found = classify_sources(inputs)
    seen: set[int] = set()
    for src, role in sorted(trusts(inputs, found["trust"]), key=lambda t: t[1] is None):  # roles first, then loose documents
        if id(src.policy) in seen:
            continue
        seen.add(id(src.policy))
        issues += trust_rules(src, accounts.get(id(role), account) if role is not None else account, None)
    for src, acct in aws_trusts(inputs):  # trusts AWS printed (get-role, authorization details)
        if id(src.policy) not in seen:
            seen.add(id(src.policy))
            issues += trust_rules(src, acct or account, None)
    for src in found["identity"]:
        if id(src.policy) not in seen:
            seen.add(id(src.policy))
            issues += identity_rules(src, None)
    for owner in list(inputs.providers) + list(inputs.backends):
        issues += provider_rules(owner)
    issues += cross_checks(inputs, unit_of, caller, matched, arns)
    return issues


def _evidence(inputs: Inputs, issue: Issue) -> list[Evidence]:
    out = []
    for w in issue.where:
        text = inputs.texts.get(w.input)
        if w.span is None or not isinstance(text, str):
            out.append(Evidence(input=w.input, line=0, text=""))
        else:
            out.append(Evidence.from_span(w.input, w.span, text))
    return out


def _key(f: Finding) -> tuple:
    e = f.evidence[0] if f.evidence else None
    return (f.code, e.input if e else "", e.line if e else 0, e.column if e else 0)


def read_units(found: Discovery, cache: dict | None = None) -> tuple[Inputs, dict[str, int]]:
    parts, unit_of = [], {}
    for i, unit in enumerate(found.units):
        parts.append(read_all(unit.files, cache=cache))
        for name in unit.files:
            unit_of[name] = i
    return merge(parts), unit_of


def check(paths: list[str], caller: str | None = None, account: str | None = None,
          recursive: bool = True) -> CheckResult:
    """Raises check.discover.DiscoveryError when a PATH is unusable (exit 2)."""
    found = discover(paths, recursive=recursive)
    return check_discovered(found, caller, account)


def check_discovered(found: Discovery, caller: str | None = None, account: str | None = None) -> CheckResult:
    parsed: dict = {}  # HCL parsed once, for the modules and for each instance of them
    inputs, unit_of = read_units(found, parsed)
    result = CheckResult(notes=list(found.notes), files=[n for u in found.units for n in u.files],
                         units=[u.path for u in found.units],
                         plans=[u.path for u in found.units if u.kind == "plan"])
    findings: dict[tuple, Finding] = {}
    issues = static_issues(inputs, unit_of, caller, account)
    issues += instance_issues(found, inputs, lambda inst, units: static_issues(inst, units, caller, account),
                              {issue_key(i) for i in issues}, parsed)
    for issue in issues:
        f = make_finding(issue.code, issue.message, _evidence(inputs, issue), fix=issue.fix,
                         uncertain=issue.uncertain, details=issue.details or None)
        findings.setdefault(_key(f), f)
    sup = Suppressions(inputs.texts)
    for f in sorted(findings.values(), key=sort_key):
        e = next((e for e in f.evidence if e.line), None)
        s = sup.match(f.code, e.input, e.line) if e else None
        if s is not None:
            result.suppressed.append(Suppressed(f, s))
        else:
            result.findings.append(f)
    result.invalid_suppressions = sup.invalid
    result.unused_suppressions = sup.unused
    return result


__all__ = ["check", "check_discovered", "CheckResult", "Suppressed", "FAIL_ON", "DEFAULT_FAIL_ON", "INVALID_CODE"]
