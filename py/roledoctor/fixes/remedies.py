"""remedies.toml as data: for each finding code, whether a text edit of a pasted
file fixes it ("edit", planned in fixes/ and proven by re-evaluation) or not
("none"), and why."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

_FILE = Path(__file__).with_name("remedies.toml")
KINDS = ("edit", "none")


@dataclass(frozen=True)
class Remedy:
    code: str
    fix: str  # "edit" | "none"
    reason: str


def parse(data: dict) -> dict[str, Remedy]:
    out = {}
    for code, raw in data.items():
        if not isinstance(raw, dict) or set(raw) != {"fix", "reason"}:
            raise ValueError(f"{code}: needs exactly `fix` and `reason`")
        if raw["fix"] not in KINDS:
            raise ValueError(f"{code}: fix must be one of {KINDS}")
        if not isinstance(raw["reason"], str) or not raw["reason"].strip():
            raise ValueError(f"{code}: reason is required")
        out[code] = Remedy(code, raw["fix"], raw["reason"])
    return out


@functools.cache
def load() -> dict[str, Remedy]:
    with _FILE.open("rb") as fh:
        return parse(tomllib.load(fh))
