"""Fix planning: a table from finding code to the planner that turns the finding
into `Repair`s (intents; fixes/apply.py makes them text edits, diagnosis/diagnose.py
proves them by a second engine run).

A planner gets the diagnosis facts (`case`: the inputs, the chosen caller, role,
policies, and the engine's evaluation `ev`) and the finding, and returns the
repairs that would remove that finding, or none. Planners live in small modules
named for what they fix (provider.py, caller.py, org.py, trust.py, …) and register
here. A blocker rule builds no repair: it leaves its facts on the finding (`facts`,
one record per place it found the cause: the document, the path, the value it
wants; never shown in the report), and the planner of the code makes the edit
intents from them.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol

from roledoctor.fixes.model import Repair


class Finding(Protocol):
    """What a planner reads of a finding (diagnosis.model.Issue)."""

    code: str
    where: list[Any]
    details: dict[str, Any]
    repairs: list[Repair]
    facts: list[dict[str, Any]]  # what the rule found, for its planner (one record per place)
    fix: str | None  # the fix text shown, when it must say more than the catalogue's


Planner = Callable[[Any, Any, Finding], list[Repair]]  # (case, evaluation or None, finding) -> repairs

PLANNERS: dict[str, Planner] = {}


def planner(*codes: str) -> Callable[[Planner], Planner]:
    """Register a planner for these finding codes."""
    def register(fn: Planner) -> Planner:
        for code in codes:
            if code in PLANNERS:
                raise ValueError(f"{code}: two planners")
            PLANNERS[code] = fn
        return fn
    return register


def plan(case: Any, ev: Any, findings: list[Any]) -> None:
    """Add the planned repairs to each finding whose code has a planner."""
    _load()
    for f in findings:
        fn = PLANNERS.get(f.code)
        if fn is None:
            continue
        try:
            planned = fn(case, ev, f)
        except (LookupError, TypeError, ValueError):  # a fact shaped unlike the planner expects: no fix, as
            continue                                  # when an edit fails (apply.edits_for)
        for r in planned:
            if r not in f.repairs:
                f.repairs.append(r)
    from roledoctor.fixes.terraform import alternatives
    alternatives(case, findings)  # a fixed AWS document the pasted code also defines: the code's edit beside it


def _load() -> None:
    # the planner modules register themselves on import
    from roledoctor.fixes import caller, ci, org, provider, trust  # noqa: F401
