"""BinaryEquals: base64 values compared as bytes.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_BinaryEquals
"""

from __future__ import annotations

import base64
import binascii

from roledoctor.evaluation.conditions.base import Operator


def _bytes(text: str) -> bytes | None:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None


def _bin(c: str, p: str) -> bool:
    a, b = _bytes(c), _bytes(p)
    return a == b if a is not None and b is not None else c == p


OPERATORS = {"BinaryEquals": Operator("BinaryEquals", "binary", _bin)}
