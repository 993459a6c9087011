"""The page's input boxes, one table: every module of the page adapter and
the view read the names, titles and slots from here."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

from roledoctor.inputs.kinds import KINDS


@dataclass(frozen=True)
class Box:
    name: str
    title: str  # its heading in the LLM prompt and on a reviewed answer's block
    slot: bool  # diagnose reads it as this slot; False: its texts are classified by content ("auto")


BOX_TABLE = (
    Box("error", "Error output", True),
    Box("provider", "Provider configuration", True),
    Box("trust_policy", "Trust policy", True),
    Box("caller_policy", "Caller permissions policy", True),
    Box("org_policies", "Organization policies", True),
    Box("caller_files", "Where the caller comes from", False),
    Box("aws_evidence", "AWS evidence", True),
)
BOXES = tuple(b.name for b in BOX_TABLE)
SLOT_BOXES = tuple(b.name for b in BOX_TABLE if b.slot)
BOX_TITLES = {b.name: b.title for b in BOX_TABLE}

# Files that say where the caller comes from: the kinds whose box is "caller_files"
# (roledoctor.inputs.kinds, one table for the classifier, the router and inspect).
CALLER_KINDS = {k.name: k.what for k in KINDS if k.box == "caller_files"}


def inputs_of(args: dict) -> dict[str, str]:
    """The request's non-empty boxes, then the large files it names (`inputs.held`: pageapi/held.py)."""
    from roledoctor.pageapi import held

    raw = args.get("inputs") or {}
    out = {k: v for k, v in raw.items() if k in BOXES and isinstance(v, str) and v.strip()}
    return {**out, **held.texts(raw)}


class U16:
    """Python (code point) offsets of one text as JavaScript (UTF-16) indexes:
    each character above U+FFFF before an offset adds one. The astral
    characters are found once per text, so many spans cost a bisect each."""

    def __init__(self, text: str):
        self.astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF] if not text.isascii() else []
        self.length = len(text)

    def __call__(self, offset: int) -> int:
        return offset + bisect.bisect_left(self.astral, offset)


def problem_obj(p: Any) -> dict:
    """A reader's Problem as the page shows it under its box (line and column, 1-based)."""
    out = {"code": p.code, "message": p.message, "line": None, "column": None, "text": p.text or ""}
    if p.span is not None:
        out["line"], out["column"] = p.span.line, p.span.col
    return out
