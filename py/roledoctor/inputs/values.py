"""Checked access to parsed JSON and YAML values: a reader expects an object or a
list at a key, and takes an empty one when the user's text holds anything else."""

from __future__ import annotations

from typing import Any


def as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else []
