"""The engine's trace + the error facts -> blocker Issues (docs/findings.md
"Why the handshake fails"), each with the facts its planner (fixes/plan.py)
needs to build the Repairs that would lift it.

The rules live in diagnosis/rules/, one module per gate, registered in
`rules.RULES` with the codes each may emit; this module keeps the entry
points the rest of the package calls.
"""

from __future__ import annotations

from roledoctor.diagnosis.rules import ERROR_BLOCKERS, RULES, STATED_BLOCKERS, blockers, principal_value

__all__ = ["ERROR_BLOCKERS", "RULES", "STATED_BLOCKERS", "blockers", "principal_value"]
