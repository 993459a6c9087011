"""Action / NotAction and Resource / NotResource.

Action names compare case-insensitively, resources (ARNs) case-sensitively;
both take `*` and `?`.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
"""

from __future__ import annotations

from roledoctor.evaluation.arns import parse_arn
from roledoctor.evaluation.context import UNRESOLVED, Context, substitute
from roledoctor.evaluation.wildcard import match
from roledoctor.policy import Statement


def match_action(st: Statement, action: str) -> tuple[bool, str | None]:
    """-> (statement covers the action, the Action pattern that matched)."""
    if st.action is not None:
        for pat in st.action:
            if match(pat, action, ignore_case=True):
                return True, pat
        return False, None
    hit = next((p for p in st.not_action or [] if match(p, action, ignore_case=True)), None)
    return hit is None, None


def _resource_match(pattern: str, arn: str) -> bool:
    # Resource ARNs match part by part, like ArnLike: `*` does not cross the first five colons.
    if pattern == "*":
        return True
    pp, ap = pattern.split(":", 5), arn.split(":", 5)
    if len(pp) != 6 or len(ap) != 6:
        return match(pattern, arn)
    return all(match(p, a) for p, a in zip(pp, ap, strict=False))


def match_resource(st: Statement, resource: str, ctx: Context, variables: bool) -> tuple[bool | None, str | None]:
    """-> (statement covers the role ARN, the pattern that matched). No Resource element
    (trust policies) covers the role itself. None: a policy variable's value is unknown."""
    pats = st.resource if st.resource is not None else st.not_resource
    if pats is None:
        return True, None
    unknown = False
    hit = None
    for pat in pats:
        p = substitute(pat, ctx, True) if variables else pat
        if p is None:
            unknown = True
            continue
        if p == UNRESOLVED:  # the statement is invalid for this request, whatever its effect
            return False, None
        if _resource_match(p, resource):
            hit = pat
            break
    if st.resource is not None:
        if hit is not None:
            return True, hit
        return (None if unknown else False), None
    if hit is not None:
        return False, None
    return (None if unknown else True), None


def same_partition(a: str, b: str) -> bool:
    x, y = parse_arn(a), parse_arn(b)
    return x is not None and y is not None and x.partition == y.partition
