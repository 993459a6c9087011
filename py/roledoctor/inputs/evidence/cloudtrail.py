"""CloudTrail records of STS calls: one event, a trail file ({"Records": [...]}), or
`aws cloudtrail lookup-events` output whose CloudTrailEvent is the record as a JSON
string. Fields: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html,
userIdentity: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html,
AssumeRole's requestParameters: https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html.
"""

from __future__ import annotations

from roledoctor.inputs import errortext, jsonspan
from roledoctor.inputs.evidence.common import Ctx, get, strings, text_of
from roledoctor.inputs.evidence.model import Evidence, TrailEvent
from roledoctor.inputs.model import ErrorFacts
from roledoctor.inputs.values import as_dict

MAX_EVENTS = 1000


def _is_event(v) -> bool:
    return isinstance(v, dict) and isinstance(v.get("eventName"), str) and "eventSource" in v


def recognise(v) -> bool:
    if _is_event(v):
        return True
    recs = get(v, "Records")
    if isinstance(recs, list) and recs and all(_is_event(r) for r in recs[:5]):
        return True
    evs = get(v, "Events")
    return isinstance(evs, list) and bool(evs) and all(isinstance(e, dict) and "CloudTrailEvent" in e for e in evs[:5])


class _Inner:
    """A record held in a JSON string: spans mapped back to the pasted text."""

    def __init__(self, ctx: Ctx, doc, offsets):
        self.ctx, self.doc, self.offsets = ctx, doc, offsets

    def span(self, path):
        r = self.doc.spans.get(tuple(path))
        if r is None:
            return None
        o = self.offsets
        return self.ctx.lines.span(o[min(r[0], len(o) - 1)], o[min(r[1], len(o) - 1)])


def _records(ctx: Ctx):
    """(record, spanner, path) for each record, at most MAX_EVENTS."""
    v = ctx.doc.value
    if _is_event(v):
        return [(v, ctx, ())]
    if isinstance(get(v, "Records"), list):
        return [(r, ctx, ("Records", i)) for i, r in enumerate(v["Records"][:MAX_EVENTS]) if _is_event(r)]
    out = []
    for i, e in enumerate(v["Events"][:MAX_EVENTS]):
        raw = ctx.doc.spans.get(("Events", i, "CloudTrailEvent"))
        if raw is None or not isinstance(e.get("CloudTrailEvent"), str):
            continue
        mapped = jsonspan.string_offsets(ctx.text, raw[0])
        if mapped is None:
            continue
        s, offsets = mapped
        try:
            doc = jsonspan.parse(s)
        except jsonspan.JSONSyntaxError:
            continue
        if _is_event(doc.value):
            out.append((doc.value, _Inner(ctx, doc, offsets), ()))
    return out


def _event(rec: dict, sp, path: tuple) -> TrailEvent:
    p = as_dict(rec.get("requestParameters"))
    ui = as_dict(rec.get("userIdentity"))
    t = TrailEvent(text_of(rec, "eventName"), text_of(rec, "eventTime"), text_of(rec, "awsRegion"),
                   text_of(ui, "arn"), text_of(ui, "type"), text_of(ui, "accountId"), text_of(p, "roleArn"),
                   span=sp.span(path))
    t.session_name = p.get("roleSessionName") if isinstance(p.get("roleSessionName"), str) else None
    d = p.get("durationSeconds")
    t.duration = d if isinstance(d, int) and not isinstance(d, bool) else None
    t.external_id = p.get("externalId") if isinstance(p.get("externalId"), str) else None
    for tag in p.get("tags") or []:
        if isinstance(tag, dict) and isinstance(tag.get("key"), str) and isinstance(tag.get("value"), str):
            t.tags[tag["key"]] = tag["value"]
    t.transitive_tag_keys = strings(p, "transitiveTagKeys")
    t.source_identity = p.get("sourceIdentity") if isinstance(p.get("sourceIdentity"), str) else None
    t.error_code, t.error_message = text_of(rec, "errorCode"), text_of(rec, "errorMessage")
    return t


def _error(ctx: Ctx, t: TrailEvent, sp, path) -> ErrorFacts | None:
    if not t.error_code:
        return None
    where = sp.span(path + ("errorMessage",)) or sp.span(path + ("errorCode",)) or t.span
    found = []
    if where is not None and t.error_message:
        # the message alone, at its offsets in the paste: the error-text reader parses it
        text = ctx.text
        blank = "".join(c if c == "\n" else " " for c in text[:where.start]) + text[where.start:where.end] + \
            "".join(c if c == "\n" else " " for c in text[where.end:])
        found = [e for e in errortext.parse(ctx.name, blank) if e.kind != "unknown"]
    e = found[0] if found else ErrorFacts(ctx.name, "access-denied" if t.error_code == "AccessDenied" else "unknown",
                                          t.error_message, span=where)
    e.error_code = e.error_code or t.error_code
    e.operation = e.operation or t.event_name
    e.action = e.action or (f"sts:{t.event_name}" if t.event_name.startswith("AssumeRole") else None)
    e.caller = e.caller or t.caller_arn or None
    e.caller_kind = e.caller_kind or errortext.caller_kind(e.caller)
    e.role = e.role or t.role_arn or None
    if e.role and not e.role_account and e.role.count(":") >= 5:
        e.role_account = e.role.split(":")[4]
    if e.caller and not e.caller_account and e.caller.count(":") >= 5:
        e.caller_account = e.caller.split(":")[4]
    e.span = e.span or where
    return e


def read(ctx: Ctx, ev: Evidence) -> None:
    recs = _records(ctx)
    sts = [(r, sp, p) for r, sp, p in recs if text_of(r, "eventName").startswith("AssumeRole")]
    failed = [x for x in sts if text_of(x[0], "errorCode")]
    chosen = failed or sts
    for rec, sp, path in chosen:
        t = _event(rec, sp, path)
        ev.trail.append(t)
    ev.title = f"CloudTrail: {len(recs)} record{'s' if len(recs) != 1 else ''}" + \
        (f", {len(failed)} failed {chosen[0][0].get('eventName')}" if failed else "")
    if chosen:
        rec, sp, path = chosen[0]
        t = ev.trail[0]
        e = _error(ctx, t, sp, path)
        if e is not None:
            ev.errors.append(e)
        ev.facts += [f"{t.event_name} at {t.event_time}", f"caller {t.caller_arn or '?'}", f"role {t.role_arn or '?'}"]
        if t.error_code:
            ev.facts.append(f"error {t.error_code}")
        if t.duration:
            ev.facts.append(f"duration {t.duration} s")
        if t.session_name:
            ev.facts.append(f"session name {t.session_name}")


# Registered in roledoctor.inputs.kinds (stage aws-output), one row per output.
