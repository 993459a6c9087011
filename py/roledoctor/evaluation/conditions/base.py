"""One condition operator: a name, a family, a per-value test, and whether it is negated.

A negated operator ("StringNotEquals", "NotIpAddress"…) is true when the
context value matches *none* of the policy values; the engine applies that,
so each test below is the positive comparison only.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
"""

from __future__ import annotations

import operator as op
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Operator:
    name: str
    family: str
    test: Callable[[str, str], bool]  # (context value, policy value) -> positive match
    negated: bool = False
    pattern: bool = False  # policy values are wildcard patterns (policy variables escape * and ?)


def ordered(prefix: str, family: str, parse: Callable[[str], float | None]) -> dict[str, Operator]:
    """The six comparisons of an ordered family (Numeric…, Date…): both sides
    must parse (a value that does not never matches), then compare;
    `…NotEquals` is `…Equals` negated."""

    def compare(fn):
        def test(c: str, p: str) -> bool:
            a, b = parse(c), parse(p)
            return a is not None and b is not None and fn(a, b)
        return test

    tests = {"Equals": op.eq, "LessThan": op.lt, "LessThanEquals": op.le,
             "GreaterThan": op.gt, "GreaterThanEquals": op.ge}
    out = {prefix + name: Operator(prefix + name, family, compare(fn)) for name, fn in tests.items()}
    out[prefix + "NotEquals"] = Operator(prefix + "NotEquals", family, compare(op.eq), negated=True)
    return out
