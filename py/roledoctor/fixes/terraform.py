"""The Terraform alternative to a fix of AWS output: when the trust printed by
`aws iam get-role` (or found in the authorization details) is also defined by an
`aws_iam_role` in the pasted code, the same edit of the code is offered beside
the document and its `aws iam update-assume-role-policy` command, since the next
`terraform apply` would otherwise put the old trust back.

The code's edit is proven as the state after `terraform apply`: the role's trust
in AWS equals the code's, so the proof runs with both edited (the AWS document's
edit is the primary fix already, so only the code's edit is shown as the
alternative). Offered only when both documents say the same thing now, so that
the same edit means the same change.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from roledoctor.fixes.model import Source
from roledoctor.policy import Policy

CODE_FORMS = ("json", "jsonencode", "heredoc", "policy_document")


def _meaning(p: Policy) -> list[tuple]:
    return [(s.effect, sorted((k, tuple(v)) for k, v in (s.principal or {}).items()),
             tuple(s.action or ()), tuple(s.not_action or ()), tuple(s.resource or ()),
             sorted((c.operator, c.key.lower(), tuple(c.values)) for c in s.conditions), tuple(s.path))
            for s in p.statements]


def twin(case: Any, src: Source) -> Source | None:
    """The trust of a pasted `aws_iam_role` that defines the same role as `src` (AWS output), if any."""
    k = case.aws
    if k is None or src.label not in k.refs or src is not case.trust:
        return None
    for other, role in case._trusts:
        if other is src or role is None or other.form not in CODE_FORMS or other.input == src.input:
            continue
        if not getattr(role, "address", "").startswith("aws_iam_role."):
            continue
        if _meaning(other.policy) == _meaning(src.policy):
            return other
    return None


def alternatives(case: Any, findings: list[Any]) -> None:
    """Add the code's edit as an alternative to each repair of an AWS-printed trust."""
    for f in findings:
        for r in list(f.repairs):
            if r.alternative or not isinstance(r.source, Source):
                continue
            other = twin(case, r.source)
            if other is None:
                continue
            alt = replace(r, source=other, target="trust_policy", alternative=True, also=(r,))
            if alt not in f.repairs:
                f.repairs.append(alt)
