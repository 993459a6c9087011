"""Date operators: ISO 8601 (UTC when no zone is given) or epoch seconds.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date
"""

from __future__ import annotations

import operator as op
from datetime import datetime, timezone

from roledoctor.evaluation.conditions.base import Operator


def parse_date(text: str) -> float | None:
    t = text.strip()
    if t.isdigit():
        return float(t)
    if t.endswith(("Z", "z")):
        t = t[:-1] + "+00:00"
    try:
        d = datetime.fromisoformat(t)
    except ValueError:
        return None
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)
    return d.timestamp()


def _cmp(fn):
    def test(c: str, p: str) -> bool:
        a, b = parse_date(c), parse_date(p)
        return a is not None and b is not None and fn(a, b)
    return test


OPERATORS = {
    "DateEquals": Operator("DateEquals", "date", _cmp(op.eq)),
    "DateNotEquals": Operator("DateNotEquals", "date", _cmp(op.eq), negated=True),
    "DateLessThan": Operator("DateLessThan", "date", _cmp(op.lt)),
    "DateLessThanEquals": Operator("DateLessThanEquals", "date", _cmp(op.le)),
    "DateGreaterThan": Operator("DateGreaterThan", "date", _cmp(op.gt)),
    "DateGreaterThanEquals": Operator("DateGreaterThanEquals", "date", _cmp(op.ge)),
}
