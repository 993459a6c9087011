"""String operators: exact, case-insensitive, and `*`/`?` wildcards (…Like).
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
"""

from __future__ import annotations

from roledoctor.evaluation.conditions.base import Operator
from roledoctor.evaluation.wildcard import match


def _eq(c: str, p: str) -> bool:
    return c == p


def _ieq(c: str, p: str) -> bool:
    return c.casefold() == p.casefold()


def _like(c: str, p: str) -> bool:
    return match(p, c)


OPERATORS = {
    "StringEquals": Operator("StringEquals", "string", _eq),
    "StringNotEquals": Operator("StringNotEquals", "string", _eq, negated=True),
    "StringEqualsIgnoreCase": Operator("StringEqualsIgnoreCase", "string", _ieq),
    "StringNotEqualsIgnoreCase": Operator("StringNotEqualsIgnoreCase", "string", _ieq, negated=True),
    "StringLike": Operator("StringLike", "string", _like, pattern=True),
    "StringNotLike": Operator("StringNotLike", "string", _like, negated=True, pattern=True),
}
