"""The values STS and the provider accept, and the nearest valid value to a bad one
(https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html#API_AssumeRole_RequestParameters):
RoleSessionName `[\\w+=,.@-]{2,64}`, ExternalId `[\\w+=,.@:/-]{2,1224}`, DurationSeconds
900..43200, written by the provider as a Go duration string."""

from __future__ import annotations

import re

# One character class per part, fully anchored: linear time.
SESSION_NAME = re.compile(r"[A-Za-z0-9_+=,.@-]{2,64}")
EXTERNAL_ID = re.compile(r"[A-Za-z0-9_+=,.@:/-]{2,1224}")
SESSION_BAD = re.compile(r"[^A-Za-z0-9_+=,.@-]")
EXTERNAL_BAD = re.compile(r"[^A-Za-z0-9_+=,.@:/-]")
MIN_DURATION, MAX_DURATION = 900, 43200


def sanitise(value: str, bad: re.Pattern[str], low: int, high: int) -> str:
    """`value` with each character STS refuses replaced by "-", cut or padded to low..high."""
    s = bad.sub("-", value.strip())[:high]
    return s if len(s) >= low else (s + "-" * low)[:low]


def go_duration(seconds: int) -> str:
    """Seconds as the Go duration the provider's `duration` takes (`1h`, `45m`, `90s`)."""
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0:
        return f"{seconds // 60}m"
    return f"{seconds}s"
