"""The finding catalogue (catalogue.toml), loaded once and validated.

The data file is the single place where a code's kind, severity, title,
explanation and fix text live; docs/findings.md is generated from it.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

KINDS = ("blocker", "input", "hardening")
SEVERITIES = ("critical", "high", "medium", "low", "info")  # most severe first

_FILE = Path(__file__).with_name("catalogue.toml")


@dataclass(frozen=True)
class Entry:
    code: str
    kind: str
    severity: str
    title: str
    explanation: str
    fix: str
    checkov: tuple[str, ...] = ()
    extension: bool = False  # a code of ours beyond the original contract (marked in docs/findings.md)
    planned: bool = False  # in the contract, but no rule reports it yet


@dataclass(frozen=True)
class CheckovCheck:
    id: str
    title: str  # exact Checkov title
    checks: str  # what it looks at, in a phrase


@dataclass(frozen=True)
class Catalogue:
    entries: dict[str, Entry]
    checkov: dict[str, CheckovCheck]

    def __contains__(self, code: str) -> bool:
        return code in self.entries

    def __getitem__(self, code: str) -> Entry:
        return self.entries[code]


def parse(data: dict) -> Catalogue:
    """Validate the TOML structure; raise ValueError naming the bad entry."""
    checkov = {}
    for cid, raw in data.get("checkov", {}).items():
        checkov[cid] = CheckovCheck(id=cid, title=raw["title"], checks=raw.get("checks", ""))
    entries = {}
    for code, raw in data.get("finding", {}).items():
        unknown = set(raw) - {"kind", "severity", "title", "explanation", "fix", "checkov", "extension", "planned"}
        if unknown:
            raise ValueError(f"{code}: unknown fields {sorted(unknown)}")
        if raw.get("kind") not in KINDS:
            raise ValueError(f"{code}: kind must be one of {KINDS}")
        if raw.get("severity") not in SEVERITIES:
            raise ValueError(f"{code}: severity must be one of {SEVERITIES}")
        for name in ("title", "explanation", "fix"):
            if not isinstance(raw.get(name), str) or not raw[name].strip():
                raise ValueError(f"{code}: {name} is required")
        ids = tuple(raw.get("checkov", ()))
        missing = [i for i in ids if i not in checkov]
        if missing:
            raise ValueError(f"{code}: Checkov IDs without a [checkov.ID] table: {missing}")
        entries[code] = Entry(code=code, kind=raw["kind"], severity=raw["severity"], title=raw["title"],
                              explanation=raw["explanation"], fix=raw["fix"], checkov=ids,
                              extension=bool(raw.get("extension", False)),
                              planned=bool(raw.get("planned", False)))
    return Catalogue(entries=entries, checkov=checkov)


@functools.cache
def load() -> Catalogue:
    with _FILE.open("rb") as fh:
        return parse(tomllib.load(fh))
