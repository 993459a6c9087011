"""The catalogue's message templates: a small formatter with named fields, no
expressions (nothing is evaluated; a value is inserted as text and never read again).

    {name}            the value (as str() writes it)
    {name|names}      a list as `a`, `b` (each in backticks, comma-separated)
    {name|join}       a list as a, b
    {name|or:TEXT}    TEXT when the value is empty (None, "", [])
    [[name:TEXT]]     TEXT (fields, no brackets) only when `name` is not empty
    {{ and }}         a literal brace

Filters apply left to right: `{trusted|names|or:no AWS principal}`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# a section holds no bracket, so each match stops at the next one: linear on any text
_SECTION = re.compile(r"\[\[([a-z_][a-z0-9_]*):([^\[\]]*)\]\]")
_TOKEN = re.compile(r"\{\{|\}\}|\{([a-z_][a-z0-9_]*)((?:\|[a-z]+(?::[^{}|]*)?)*)\}|[{}]|\[\[|\]\]")
FILTERS = ("names", "join", "or")


class TemplateError(ValueError):
    """A template that does not parse, or a field without a value."""


def _empty(value: object) -> bool:
    return value is None or value is False or value == "" or value == [] or value == ()


def _apply(value: object, spec: str) -> object:
    name, _, arg = spec.partition(":")
    if name == "names":
        return ", ".join(f"`{v}`" for v in value) if isinstance(value, (list, tuple)) else value
    if name == "join":
        return ", ".join(str(v) for v in value) if isinstance(value, (list, tuple)) else value
    if name == "or":
        return arg if _empty(value) else value
    raise TemplateError(f"unknown filter {name!r}")


def _fields(template: str, values: Mapping[str, object]) -> str:
    out, pos = [], 0
    for m in _TOKEN.finditer(template):
        out.append(template[pos:m.start()])
        pos = m.end()
        tok = m.group(0)
        if tok in ("{{", "}}"):
            out.append(tok[0])
            continue
        if m.group(1) is None:
            raise TemplateError(f"stray {tok!r} at {m.start()}")
        if m.group(1) not in values:
            raise TemplateError(f"no value for field {m.group(1)!r}")
        value = values[m.group(1)]
        for spec in filter(None, m.group(2).split("|")):
            value = _apply(value, spec)
        out.append(str(value))
    out.append(template[pos:])
    return "".join(out)


def render(template: str, values: Mapping[str, object]) -> str:
    """The template with its sections and fields filled from `values`, in one pass over the
    template: a value is never scanned again, whatever braces or brackets it holds."""
    out, pos = [], 0
    for m in _SECTION.finditer(template):
        out.append(_fields(template[pos:m.start()], values))
        pos = m.end()
        if m.group(1) not in values:
            raise TemplateError(f"no value for section {m.group(1)!r}")
        if not _empty(values[m.group(1)]):
            out.append(_fields(m.group(2), values))
    out.append(_fields(template[pos:], values))
    return "".join(out)


def names_in(template: str) -> set[str]:
    """Every field and section name of a template (raises TemplateError when it does not parse)."""
    found = {m.group(1) for m in _SECTION.finditer(template)}
    for m in _TOKEN.finditer(_SECTION.sub(lambda s: s.group(2), template)):
        if m.group(0) in ("{{", "}}"):
            continue
        if m.group(1) is None:
            raise TemplateError(f"stray {m.group(0)!r} at {m.start()}")
        for spec in filter(None, m.group(2).split("|")):
            if spec.partition(":")[0] not in FILTERS:
                raise TemplateError(f"unknown filter {spec!r}")
        found.add(m.group(1))
    return found
