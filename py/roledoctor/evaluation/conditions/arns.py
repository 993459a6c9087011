"""ARN operators. ArnEquals and ArnLike behave alike: each of the six
colon-separated parts is matched on its own, with `*`/`?` allowed, so a
wildcard never spans a colon of the first five parts.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
"""

from __future__ import annotations

from roledoctor.evaluation.conditions.base import Operator
from roledoctor.evaluation.wildcard import match


def _arn(c: str, p: str) -> bool:
    cp, pp = c.split(":", 5), p.split(":", 5)
    if len(cp) != 6 or len(pp) != 6:
        return False
    return all(match(x, y) for x, y in zip(pp, cp, strict=False))


OPERATORS = {
    "ArnEquals": Operator("ArnEquals", "arn", _arn, pattern=True),
    "ArnLike": Operator("ArnLike", "arn", _arn, pattern=True),
    "ArnNotEquals": Operator("ArnNotEquals", "arn", _arn, negated=True, pattern=True),
    "ArnNotLike": Operator("ArnNotLike", "arn", _arn, negated=True, pattern=True),
}
