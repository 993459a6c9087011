"""One condition operator: a name, a family, a per-value test, and whether it is negated.

A negated operator ("StringNotEquals", "NotIpAddress"…) is true when the
context value matches *none* of the policy values; the engine applies that,
so each test below is the positive comparison only.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Operator:
    name: str
    family: str
    test: Callable[[str, str], bool]  # (context value, policy value) -> positive match
    negated: bool = False
    pattern: bool = False  # policy values are wildcard patterns (policy variables escape * and ?)
