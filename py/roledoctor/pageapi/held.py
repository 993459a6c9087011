"""Large AWS evidence files dropped on the page: `aws iam get-account-authorization-details`
of a whole account runs to tens of MB. Such a file never goes into a text box (a
textarea of 50 MB freezes the page): the worker reads it off the page's thread
(web/worker.mjs), gives its text here once (`hold`), and the page then names it in
`inputs.held`; `boxes.inputs_of` adds the held texts, so every method sees them.

A held text is over the 5 MB box limit by design; its own limit is
limits.MAX_PAGE_FILE_BYTES. It is never put into the LLM prompt or the redaction
preview as is: `summary` says what it is and quotes, at most, the entries of the
caller and the role the diagnosis used (redacted like every box).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from roledoctor.limits import MAX_INPUT_BYTES, MAX_PAGE_FILE_BYTES, MB, mb_text


@dataclass
class Held:
    input: str  # its input name in a diagnosis (the file's name, made unique)
    name: str  # the file's name
    size: int  # bytes
    text: str = field(repr=False)
    title: str = ""
    facts: list[str] = field(default_factory=list)
    auth: Any = field(default=None, repr=False)  # inputs.evidence.authdetails.AuthIndex


_HELD: dict[str, Held] = {}
ENTRY_CHARS = 20_000  # the most of one entry (user, role) quoted in the prompt


def texts(raw: dict) -> dict[str, str]:
    """{input: text} of the held files a request names (`inputs.held`: [input, ...])."""
    names = raw.get("held") if isinstance(raw, dict) else None
    if not isinstance(names, list):
        return {}
    return {n: _HELD[n].text for n in names if isinstance(n, str) and n in _HELD}


def is_held(name: str) -> bool:
    return name in _HELD


_NAME_CHARS = 120


def _plain(name: str) -> str:
    """A file's name as the report, the messages and the prompt say it: no control characters,
    cut short."""
    return "".join(ch if ch.isprintable() else "?" for ch in name.strip())[:_NAME_CHARS] or "evidence.json"


def _unique(base: str) -> str:
    """The input name of a held file: unlike any box or other held file."""
    from roledoctor.pageapi.boxes import BOXES

    out, n = base, 2
    while out in BOXES or out in _HELD or out == "held":
        out, n = f"{base} ({n})", n + 1
    return out


def refusal(name: str, size: int) -> str | None:
    if size > MAX_PAGE_FILE_BYTES:
        return (f"{name}: not read, too large ({mb_text(size)} MB; AWS evidence files are read up to "
                f"{mb_text(MAX_PAGE_FILE_BYTES)} MB)")
    return None


def hold(name: str, text: str, size: int) -> dict:
    """Read a large dropped file once and keep it: {input, name, size, title, facts} or {error}.
    Only AWS evidence, recognised by content through the kinds table (its row's box is the
    page's AWS evidence box), is kept; any other text keeps the 5 MB box limit."""
    from roledoctor.inputs import read
    from roledoctor.inputs.kinds import row

    name = _plain(str(name))
    size = int(size) if isinstance(size, int) else len(text.encode("utf-8", "surrogatepass"))
    too_large = refusal(name, size)
    if too_large:
        return {"error": too_large}
    recs = read(name, text)
    evidence = [r for r in recs if (k := row(r.kind)) is not None and k.box == "aws_evidence"]
    problems = [r.facts for r in recs if r.kind == "problem"]
    if problems and evidence:
        p = problems[0]
        where = f"line {p.span.line}, column {p.span.col}: " if p.span is not None and "line " not in p.message else ""
        return {"error": f"{name}: not read: {where}{p.message}"}
    if not evidence:
        return {"error": f"{name}: not read, too large ({mb_text(size)} MB, the limit is "
                         f"{mb_text(MAX_INPUT_BYTES)} MB): only AWS evidence such as "
                         f"get-account-authorization-details output is read up to "
                         f"{mb_text(MAX_PAGE_FILE_BYTES)} MB"}
    ev = evidence[0].facts
    h = Held(_unique(name), name, size, text, ev.title, list(ev.facts), ev.auth)
    _HELD[h.input] = h
    return described(h)


def described(h: Held) -> dict:
    return {"input": h.input, "name": h.name, "size": h.size, "mb": mb_text(h.size), "title": h.title,
            "facts": h.facts}


def release(args: dict) -> dict:
    """Method `release_file` {input} -> {}: the page removed the file. The readers' caches of
    large texts (the walk, the line index) may hold it or an edited copy: they start again."""
    from roledoctor.inputs.evidence import authdetails
    from roledoctor.source import LineIndex

    if _HELD.pop(str(args.get("input", "")), None) is not None:
        authdetails._LAST.clear()
        LineIndex._recent = []
    return {}


def _entry(h: Held, key: str, *names: str) -> str | None:
    if h.auth is None:
        return None
    item = h.auth._find(key, *names)
    if item is None:
        return None
    _, start, end = item
    text = h.text[start:end]
    return text if len(text) <= ENTRY_CHARS else text[:ENTRY_CHARS] + "\n… (cut)"


def _names(arn: Any) -> list[str]:
    """An ARN and the names its entry may be found by (a role session: its role)."""
    if not isinstance(arn, str) or not arn:
        return []
    tail = arn.split(":", 5)[-1]
    parts = tail.split("/")
    if parts[0] == "assumed-role" and len(parts) > 1:
        return [parts[1]]
    return [arn, parts[-1]]


def summary(name: str, report: dict | None = None) -> str:
    """What the prompt and the redaction preview hold instead of a held text."""
    h = _HELD[name]
    lines = [f"{h.title} from the file {h.name} ({mb_text(h.size)} MB): {'; '.join(h.facts)}.",
             f"Not included in full: the file is over {MAX_INPUT_BYTES // MB} MB. The engine read all of it."]
    req = (report or {}).get("request") or {}
    quoted = []
    for who, arn in (("caller", req.get("caller")), ("role", req.get("role"))):
        for key in ("UserDetailList", "RoleDetailList"):
            got = _entry(h, key, *_names(arn))
            if got is not None:
                quoted.append((who, key, got))
                break
    if quoted:
        lines.append("The entries of the diagnosed request, as the file holds them:")
        for who, key, text in quoted:
            lines.append(f"\n{who} ({key} entry):\n{text}")
    return "\n".join(lines) + "\n"


def trim(page: dict) -> dict:
    """A fix of a held file shows its diff and corrected document, not 2 x 50 MB of text."""
    for f in page.get("fixes") or []:
        for k in ("before", "after"):
            if isinstance(f.get(k), str) and len(f[k]) > MAX_INPUT_BYTES:
                f[k] = ""
    return page


def hold_json(name: str, text: str, size: int) -> str:
    """The worker's entry point (a text too large to send as JSON): the handle() envelope."""
    try:
        return json.dumps({"ok": True, "result": hold(name, text, size)})
    except Exception as err:  # the page shows one line, never a traceback
        return json.dumps({"ok": False, "error": f"{type(err).__name__}: {err}"})
