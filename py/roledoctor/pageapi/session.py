"""The redaction map of this page session: one Redactor, kept in the worker
(the map never leaves the worker and the page), so the same value keeps its
placeholder across the preview, the prompt and the restored answer."""

from __future__ import annotations

from typing import Any

from roledoctor.pageapi.boxes import BOXES, U16, inputs_of

_STATE: dict[str, Any] = {"redactor": None}


def redactor() -> Any:
    from roledoctor.redaction import Redactor

    if _STATE["redactor"] is None:
        _STATE["redactor"] = Redactor()
    return _STATE["redactor"]


def reset(args: dict) -> dict:
    """Method `reset_redaction` {} -> {}."""
    _STATE["redactor"] = None
    return {}


def redact_texts(texts: dict[str, str]) -> dict[str, dict]:
    from roledoctor.pageapi.held import is_held, summary

    red = redactor()
    names = [b for b in BOXES if b in texts] + [n for n in texts if is_held(n)]
    # a large held file is previewed as what the prompt holds instead of it (pageapi/held.py)
    texts = {n: summary(n) if is_held(n) else texts[n] for n in names}
    results = red.redact_all([texts[b] for b in names])
    out = {}
    for name, res in zip(names, results, strict=False):
        u16 = U16(res.text)
        spans = [{"start": u16(r.start), "end": u16(r.end), "type": r.type,
                  "placeholder": r.placeholder, "original": texts[name][r.orig_start:r.orig_end]}
                 for r in res.replacements]
        out[name] = {"text": res.text, "spans": spans}
    return out


def redact(args: dict) -> dict:
    """Method `redact` {inputs} -> {texts: {box: {text, spans}}}."""
    return {"texts": redact_texts(inputs_of(args))}


def restore(args: dict) -> dict:
    """Method `restore` {text} -> {text}: placeholders mapped back."""
    return {"text": redactor().restore(str(args.get("text", "")))}
