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

from roledoctor.findings.template import TemplateError, names_in, render

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
    messages: tuple[tuple[str, str], ...] = ()  # (variant, template): the message for one case of the code

    def template(self, variant: str | None = None) -> str:
        if variant is None:
            return self.message
        for name, text in self.messages:
            if name == variant:
                return text
        raise KeyError(f"{self.code}: no message variant {variant!r}")

    def render(self, variant: str | None = None, /, **values: object) -> str:
        """The message template (or its variant) with its fields filled (findings/template.py)."""
        return render(self.template(variant), values)


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
                              "gate", "message", "messages"}
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
        messages = _templates(code, raw)
        ids = tuple(raw.get("checkov", ()))
        missing = [i for i in ids if i not in checkov]
        if missing:
            raise ValueError(f"{code}: Checkov IDs without a [checkov.ID] table: {missing}")
        entries[code] = Entry(code=code, kind=raw["kind"], severity=raw["severity"], title=raw["title"],
                              explanation=raw["explanation"], fix=raw["fix"], checkov=ids,
                              extension=bool(raw.get("extension", False)),
                              planned=bool(raw.get("planned", False)), gate=raw.get("gate", ""),
                              message=raw.get("message", ""), messages=messages)
    return Catalogue(entries=entries, checkov=checkov)


def _templates(code: str, raw: dict) -> tuple[tuple[str, str], ...]:
    """The message variants, each a template that parses (raise ValueError naming the code)."""
    variants = raw.get("messages", {})
    if not isinstance(raw.get("message", ""), str) or not isinstance(variants, dict):
        raise ValueError(f"{code}: message must be a string, messages a table of strings")
    for name, text in [("message", raw.get("message", ""))] + list(variants.items()):
        if not isinstance(text, str):
            raise ValueError(f"{code}: messages.{name} must be a string")
        try:
            names_in(text)
        except TemplateError as err:
            raise ValueError(f"{code}: {name}: {err}") from None
    return tuple(variants.items())


def message(code: str, variant: str | None = None, /, **values: object) -> str:
    """The catalogue's message template for `code` (or its `variant`), filled with `values`."""
    return load()[code].render(variant, **values)


def codes_of_gate(*gates: str) -> tuple[str, ...]:
    """The blocker codes of these gates, in catalogue order."""
    return tuple(e.code for e in load().entries.values() if e.gate in gates)


@functools.cache
def load() -> Catalogue:
    with _FILE.open("rb") as fh:
        return parse(tomllib.load(fh))
