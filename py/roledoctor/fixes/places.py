"""Where a value goes in a policy document: replace a single string (or a one-item
list's item), or add it to a longer list; the statement at a path."""

from __future__ import annotations

from typing import Any

from roledoctor.fixes.model import Repair, Source


def is_list(src: Source, path: tuple) -> bool:
    return (tuple(path) + (0,)) in src.policy.spans


def set_or_add(target: str, src: Source, path: tuple, value: str, replace: bool = True) -> Repair:
    """Replace a single string (or a one-item list's item); add to a longer list."""
    if is_list(src, path):
        if (tuple(path) + (1,)) not in src.policy.spans and replace:
            return Repair(target, "set_string", src, tuple(path) + (0,), value)
        return Repair(target, "add_item", src, tuple(path), value)
    return Repair(target, "set_string" if replace else "add_item", src, tuple(path), value)


def facts_of(f: Any) -> list[dict[str, Any]]:
    """The rule's facts records of a finding (one per place it found the cause; merged findings keep each)."""
    return list(getattr(f, "facts", None) or [])
