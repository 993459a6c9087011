"""Date operators: ISO 8601 (UTC when no zone is given) or epoch seconds.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date
"""

from __future__ import annotations

from datetime import datetime, timezone

from roledoctor.evaluation.conditions.base import ordered


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


OPERATORS = ordered("Date", "date", parse_date)
