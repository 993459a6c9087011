"""Plain data shared by the diagnosis modules.

An `Issue` is a finding in the making: its catalogue code, a message, where
it shows in the user's text, the facts its rule found (for the code's planner in
fixes/plan.py) and the `Repair`s that would fix it (intents, not text: fixes/
plans them and turns them into minimal edits in the user's own form).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from roledoctor.fixes.model import Repair, Source  # noqa: F401  (the fix intents live with the edit engine)


@dataclass
class Where:
    """A place in the user's text to show as evidence."""

    input: str
    span: Any  # roledoctor.source.Span or None (then line 0)


@dataclass
class Issue:
    code: str
    message: str | None = None
    where: list[Where] = field(default_factory=list)
    details: dict = field(default_factory=dict)
    repairs: list[Repair] = field(default_factory=list)
    uncertain: bool = False
    fix: str | None = None  # overrides the catalogue's fix text
    # what the rule found, for the code's planner (fixes/plan.py): one record per place (the
    # document, the path, the value it wants); merged issues keep every record; not in the report
    facts: list[dict[str, Any]] = field(default_factory=list)
