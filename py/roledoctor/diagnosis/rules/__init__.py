"""The blocker rules, one module per gate, registered in one table with the codes each may emit.

    errortext.py     what the error text states on its own (region, credentials, MFA, clock, tokens)
    (evidence_rules) what only AWS output shows (a role that does not exist, OIDC providers, CloudTrail)
    trust.py         the role's trust policy: action, principal, conditions, self-assumption, chain hops
    identity.py      the caller's identity policies
    organization.py  SCPs, RCPs, the permissions boundary, the caller's session policy
    session.py       sts:TagSession, sts:SetSourceIdentity, the requested duration

Each rule is `rule(case, ev) -> list[Issue]`; a test runs every scenario and
checks that a rule emits only the codes registered here. Add a rule: write
its module, add a row to RULES, give its codes a `gate` in catalogue.toml.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from roledoctor.diagnosis import evidence_rules
from roledoctor.diagnosis.facts import Case
from roledoctor.diagnosis.model import Issue
from roledoctor.diagnosis.rules import errortext, identity, organization, session, trust
from roledoctor.diagnosis.rules.common import principal_value
from roledoctor.diagnosis.rules.errortext import ERROR_BLOCKERS, STATED_BLOCKERS
from roledoctor.evaluation import Evaluation

__all__ = ["ERROR_BLOCKERS", "RULES", "Rule", "STATED_BLOCKERS", "blockers", "principal_value"]


@dataclass(frozen=True)
class Rule:
    name: str
    run: Callable[[Case, Evaluation | None], list[Issue]]
    codes: frozenset[str]
    needs_evaluation: bool = True  # False: reads only what the texts state


RULES: tuple[Rule, ...] = (
    Rule("error text", errortext.rule, frozenset(ERROR_BLOCKERS.values()) | frozenset(STATED_BLOCKERS) | {
        "SELF_ASSUME_NOT_TRUSTED", "TAG_SESSION_NOT_ALLOWED", "SOURCE_IDENTITY_NOT_ALLOWED"}, False),
    Rule("aws output", evidence_rules.blockers, frozenset(evidence_rules.DECISIVE) | {"ROLE_NOT_YET_PROPAGATED"},
         False),
    Rule("trust", trust.rule, frozenset({
        "TRUST_EXPLICIT_DENY", "TRUST_PRINCIPAL_MISSING", "TRUST_PRINCIPAL_UNIQUE_ID", "TRUST_PRINCIPAL_SESSION_ARN",
        "TRUST_PRINCIPAL_PATH_MISMATCH", "TRUST_ACTION_MISMATCH", "TRUST_CONDITION_UNMET", "SELF_ASSUME_NOT_TRUSTED",
        "CHAIN_HOP_NOT_TRUSTED", "OIDC_PROVIDER_MISMATCH", "EXTERNAL_ID_MISSING", "EXTERNAL_ID_MISMATCH",
        "OIDC_AUDIENCE_MISMATCH", "OIDC_SUBJECT_MISMATCH"})),
    Rule("identity", identity.rule, frozenset({"CALLER_EXPLICIT_DENY", "CALLER_POLICY_NO_ALLOW",
                                               "CALLER_POLICY_WRONG_RESOURCE"})),
    Rule("organization", organization.rule, frozenset({"SCP_BLOCKS", "RCP_BLOCKS", "BOUNDARY_BLOCKS",
                                                       "SESSION_POLICY_BLOCKS"})),
    Rule("session", session.rule, frozenset({"TAG_SESSION_NOT_ALLOWED", "SOURCE_IDENTITY_NOT_ALLOWED",
                                             "DURATION_EXCEEDS_CHAIN_LIMIT", "DURATION_EXCEEDS_MAX_SESSION"})),
)


def blockers(case: Case, ev: Evaluation | None) -> list[Issue]:
    """Every blocker: what the texts state first; the engine's gates only when nothing stated decides alone."""
    out: list[Issue] = []
    for r in RULES:
        if not r.needs_evaluation:
            out += r.run(case, ev)
    if any(i.code in evidence_rules.DECISIVE for i in out):
        return [i for i in out if i.code in evidence_rules.DECISIVE or i.code in STATED_BLOCKERS]
    if ev is None or any(i.code in STATED_BLOCKERS and i.code != "BASE_CREDENTIALS_INVALID" for i in out):
        return out  # the error states why; no policy pasted can say otherwise
    for r in RULES:
        if r.needs_evaluation:
            out += r.run(case, ev)
    return out
