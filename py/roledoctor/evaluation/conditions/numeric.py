"""Numeric operators; a value that is not a number never matches.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Numeric
"""

from __future__ import annotations

from roledoctor.evaluation.conditions.base import ordered


def _num(text: str) -> float | None:
    try:
        n = float(text.strip())
    except ValueError:
        return None
    return n if n == n else None  # drop NaN


OPERATORS = ordered("Numeric", "numeric", _num)
