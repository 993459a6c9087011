"""Facts -> JSON-ready data (for `roledoctor inspect` and the page)."""

from __future__ import annotations

import dataclasses

from roledoctor.policy import Policy
from roledoctor.source import Span

_SKIP_FIELDS = {"node", "spans", "key_spans"}


def span_json(s: Span | None):
    if s is None:
        return None
    return {"line": s.line, "col": s.col, "end_line": s.end_line, "end_col": s.end_col, "start": s.start, "end": s.end}


def to_jsonable(obj):
    if isinstance(obj, Span):
        return span_json(obj)
    if isinstance(obj, Policy):
        d = {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.name not in _SKIP_FIELDS}
        d["span_paths"] = len(obj.spans)
        return d
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {}
        for f in dataclasses.fields(obj):
            if f.name in _SKIP_FIELDS:
                continue
            v = getattr(obj, f.name)
            if v is None or v == [] or v == {}:
                continue
            out[f.name] = to_jsonable(v)
        return out
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items() if not str(k).startswith("_")}
    if isinstance(obj, (list, tuple, set)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    return repr(obj)
