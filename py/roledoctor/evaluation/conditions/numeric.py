"""Numeric operators; a value that is not a number never matches.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Numeric
"""

from __future__ import annotations

import operator as op

from roledoctor.evaluation.conditions.base import Operator


def _num(text: str) -> float | None:
    try:
        n = float(text.strip())
    except ValueError:
        return None
    return n if n == n else None  # drop NaN


def _cmp(fn):
    def test(c: str, p: str) -> bool:
        a, b = _num(c), _num(p)
        return a is not None and b is not None and fn(a, b)
    return test


OPERATORS = {
    "NumericEquals": Operator("NumericEquals", "numeric", _cmp(op.eq)),
    "NumericNotEquals": Operator("NumericNotEquals", "numeric", _cmp(op.eq), negated=True),
    "NumericLessThan": Operator("NumericLessThan", "numeric", _cmp(op.lt)),
    "NumericLessThanEquals": Operator("NumericLessThanEquals", "numeric", _cmp(op.le)),
    "NumericGreaterThan": Operator("NumericGreaterThan", "numeric", _cmp(op.gt)),
    "NumericGreaterThanEquals": Operator("NumericGreaterThanEquals", "numeric", _cmp(op.ge)),
}
