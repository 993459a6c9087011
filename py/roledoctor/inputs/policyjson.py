"""A policy pasted as JSON: a bare policy, or AWS CLI output that holds one
(get-role Role.AssumeRolePolicyDocument, get-policy-version PolicyVersion.Document).
IAM JSON policy reference: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
"""

from __future__ import annotations

from typing import Any

from roledoctor.inputs import jsonkind, jsonspan, policydoc
from roledoctor.inputs.model import Arg, PolicyDocument, PolicySource, Recognised, RoleResource, problem_record
from roledoctor.source import LineIndex

PATHS = (("Role", "AssumeRolePolicyDocument"), ("PolicyVersion", "Document"), ("AssumeRolePolicyDocument",),
         ("PolicyDocument",), ("Document",))


def policy_in(obj: Any) -> tuple | None:
    """The path of the policy object in a JSON paste, () for a bare policy, None when there is none."""
    if not isinstance(obj, dict):
        return None
    if "Statement" in obj:
        return ()
    for path in PATHS:
        node: Any = obj
        for p in path:
            node = node.get(p) if isinstance(node, dict) else None
        if isinstance(node, dict) and "Statement" in node:
            return path
    return None


def recognise_json(text: str, parsed) -> bool:
    return policy_in(parsed()) is not None


def recognise(text: str) -> bool:
    try:
        return policy_in(jsonspan.parse(text, positions=False).value) is not None
    except jsonspan.JSONSyntaxError:
        return False


def _under(raw: dict, prefix: tuple) -> dict:
    """The spans below `prefix`, keyed by their path from it."""
    n = len(prefix)
    return {k[n:]: v for k, v in raw.items() if k[:n] == prefix}


def read_json(name: str, text: str, lines: LineIndex, doc: jsonspan.JSONDoc) -> list[Recognised]:
    """The policy with its spans: a bare policy is a policy-json document (classified trust,
    identity, SCP, ... by policydoc.classify); the trust policy of get-role output is the role's."""
    path = policy_in(doc.value)
    if path is None:
        return []
    obj = doc.value
    for p in path:
        obj = obj[p]
    spans = {k: lines.span(*v) for k, v in _under(doc.spans, path).items()}
    keys = {k: lines.span(*v) for k, v in _under(doc.key_spans, path).items()}
    policy, problems = policydoc.build(obj, spans, keys, lines, name, PolicySource("json", input=name))
    if problems or policy is None:  # build gives a policy or the problems
        return [problem_record(name, p) for p in problems]
    if path[:1] == ("Role",) or path == ("AssumeRolePolicyDocument",):
        role = doc.value.get("Role", doc.value)
        r = RoleResource(name, str(role.get("Arn") or role.get("RoleName") or "role"), trust=policy,
                         trust_source=PolicySource("json", ref="/".join(path), input=name))
        if isinstance(role.get("MaxSessionDuration"), int):
            r.max_session_duration = Arg("MaxSessionDuration", role["MaxSessionDuration"],
                                         str(role["MaxSessionDuration"]))
        return [Recognised(name, "role", r, policy.span)]
    kind, reasons = policydoc.classify(policy, name)
    return [Recognised(name, "policy-json", PolicyDocument(name, kind, reasons, policy), policy.span)]


def read(name: str, text: str, lines: LineIndex) -> list[Recognised]:
    return jsonkind.read_whole(name, text, lines, read_json)


# The page's box for each kind of policy (policydoc.classify); any other is an organization policy.
BOXES = {"trust": "trust_policy", "resource": "trust_policy", "identity": "caller_policy", "session": "caller_policy"}


def box(name: str, text: str) -> str:
    """The kinds table's box_by: a role's trust policy and trust or resource policies go to the
    trust box, identity and session policies to the caller's, SCPs and RCPs to the organization's."""
    from roledoctor.inputs.reader import read as read_any
    for rec in read_any(name, text):
        if rec.kind == "role":
            return "trust_policy"
        if rec.kind == "policy-json":
            return BOXES.get(rec.facts.kind, "org_policies")
    return ""
