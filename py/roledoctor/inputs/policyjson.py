"""A policy pasted as JSON: a bare policy, or AWS CLI output that holds one
(get-role Role.AssumeRolePolicyDocument, get-policy-version PolicyVersion.Document).
IAM JSON policy reference: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
"""

from __future__ import annotations

from typing import Any

from roledoctor.inputs import jsonspan
from roledoctor.inputs.model import Recognised
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


def read(name: str, text: str, lines: LineIndex) -> list[Recognised]:
    from roledoctor.inputs.reader import read as read_any
    return read_any(name, text)
