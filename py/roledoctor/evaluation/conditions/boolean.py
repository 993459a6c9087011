"""Bool: "true"/"false", case-insensitive.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Boolean
"""

from __future__ import annotations

from roledoctor.evaluation.conditions.base import Operator


def _bool(c: str, p: str) -> bool:
    return c.strip().lower() == p.strip().lower() and c.strip().lower() in ("true", "false")


OPERATORS = {"Bool": Operator("Bool", "bool", _bool)}
