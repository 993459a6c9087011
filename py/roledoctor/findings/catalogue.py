"""The finding catalogue (catalogue.toml), loaded once and validated.

The data file is the single place where a code's kind, severity, title,
explanation, fix text, gate (blockers) and message template live;
docs/findings.md is generated from it.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

KINDS = ("blocker", "input", "hardening")
# Where in AWS's decision a blocker says no (the page groups the path of the request by these):
# the caller's own credentials, the organization's SCPs and RCPs, the caller's identity policies, its
# boundary and session policy, the trust's principal and action, the trust's conditions, the session
# STS grants (duration, tags, source identity, region), the role itself.
GATES = ("credentials", "organization", "identity", "boundary", "session-policy", "trust", "conditions", "session",
         "role")
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
    gate: str = ""  # blockers: one of GATES
    message: str = ""  # a template for the finding's message: `{name}` fields filled by message()

    def render(self, **values: object) -> str:
        """The message template with its fields filled (str.format; every field must be given)."""
        return self.message.format(**values)


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
        unknown = set(raw) - {"kind", "severity", "title", "explanation", "fix", "checkov", "extension", "planned",
                              "gate", "message"}
        if unknown:
            raise ValueError(f"{code}: unknown fields {sorted(unknown)}")
        if raw.get("kind") not in KINDS:
            raise ValueError(f"{code}: kind must be one of {KINDS}")
        if raw.get("severity") not in SEVERITIES:
            raise ValueError(f"{code}: severity must be one of {SEVERITIES}")
        for name in ("title", "explanation", "fix"):
            if not isinstance(raw.get(name), str) or not raw[name].strip():
                raise ValueError(f"{code}: {name} is required")
        if raw["kind"] == "blocker" and raw.get("gate") not in GATES:
            raise ValueError(f"{code}: a blocker's gate must be one of {GATES}")
        if raw["kind"] != "blocker" and "gate" in raw:
            raise ValueError(f"{code}: only blockers have a gate")
        if not isinstance(raw.get("message", ""), str):
            raise ValueError(f"{code}: message must be a string")
        ids = tuple(raw.get("checkov", ()))
        missing = [i for i in ids if i not in checkov]
        if missing:
            raise ValueError(f"{code}: Checkov IDs without a [checkov.ID] table: {missing}")
        entries[code] = Entry(code=code, kind=raw["kind"], severity=raw["severity"], title=raw["title"],
                              explanation=raw["explanation"], fix=raw["fix"], checkov=ids,
                              extension=bool(raw.get("extension", False)),
                              planned=bool(raw.get("planned", False)), gate=raw.get("gate", ""),
                              message=raw.get("message", ""))
    return Catalogue(entries=entries, checkov=checkov)


def message(code: str, **values: object) -> str:
    """The catalogue's message template for `code`, filled with `values`."""
    return load()[code].render(**values)


def codes_of_gate(*gates: str) -> tuple[str, ...]:
    """The blocker codes of these gates, in catalogue order."""
    return tuple(e.code for e in load().entries.values() if e.gate in gates)


@functools.cache
def load() -> Catalogue:
    with _FILE.open("rb") as fh:
        return parse(tomllib.load(fh))
