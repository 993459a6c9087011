"""The page's view of a diagnosis: the boxes' texts in, one JSON-able dict out.

    diagnose_for_page({"error": ..., "provider": ..., "trust_policy": ...,
                       "caller_policy": ..., "org_policies": ...}) -> dict

    export_for_page(inputs, "markdown" | "html") -> str

Never raises: an internal error becomes an Undetermined result with an input
problem. The report exports are rendered only when asked for (the page's
export buttons): they are the only part that needs jinja2, which the first
answer, and so the page's memory image, then does without.
"""

from __future__ import annotations

from typing import Any

from roledoctor.evaluation import ALLOW, DENY, IMPLICIT_DENY, NOT_EVALUATED
from roledoctor.findings.catalogue import codes_of_gate
from roledoctor.pageapi.boxes import BOXES, SLOT_BOXES, inputs_of, problem_obj
WORDS = {"denied": "Denied", "allowed": "Allowed", "undetermined": "Undetermined"}
FILENAMES = {"trust_policy": "trust-policy.json", "provider": "provider.tf", "caller_policy": "caller-policy.json",
             "boundary": "boundary.json", "org_policies": "org-policies.json"}
GATE_LABELS = {"caller": "Caller credentials", "scp": "Organization policies (SCP, RCP)",
               "identity": "Caller permissions", "boundary": "Permissions boundary",
               "trust": "Trust policy: principal and action", "conditions": "Trust policy: conditions",
               "role": "Role settings (duration, session tags, source identity, region)"}
# The rows' codes come from the catalogue's `gate` of each blocker (page row: catalogue gates).
_CONDITION_CODES = codes_of_gate("conditions")
_ROLE_CODES = codes_of_gate("session")
_TRUST_CODES = codes_of_gate("trust")
_CALLER_POLICY_CODES = codes_of_gate("identity", "boundary")


def diagnose_for_page(inputs: dict[str, str]) -> dict:
    try:
        over = _over_limit(inputs)
        if over:
            return _too_large(inputs, over)
        return _diagnose(inputs)
    except Exception as err:  # the page must always get an answer
        return _failure(inputs, f"internal error ({type(err).__name__}: {err})")


def _run(inputs: dict[str, str]):
    """-> (the diagnosis, the boxes' texts, the non-blank ones)."""
    from roledoctor.diagnosis.diagnose import diagnose

    boxes = {k: v for k, v in (inputs or {}).items() if isinstance(v, str)}
    raw = {k: v for k, v in boxes.items() if v.strip()}
    slots = {k: (k if k in SLOT_BOXES else "auto") for k in raw}
    return diagnose(raw, slots), boxes, raw


def _diagnose(inputs: dict[str, str]) -> dict:
    from roledoctor.findings import to_json_obj

    d, boxes, raw = _run(inputs)
    return {
        "report": to_json_obj(d.report),
        "verdict_word": WORDS[d.verdict],
        "verdict_sentence": verdict_sentence(d),
        "gates": gates(d),
        "inputs": _inputs(d, boxes),
        "fixes": [{"name": f.name, "title": f.title or f.name, "filename": _filename(f, raw),
                   "before": f.before, "after": f.after, "diff": f.diff, "verdict_after": f.verdict_after,
                   "alternative": f.alternative, "replaces": f.replaces, **_apply_command(f)}
                  for f in d.fixes],
        "prevention": _prevention(d.report.prevention),
    }


EXPORTS = ("markdown", "html")


def export_for_page(inputs: dict[str, str], fmt: str) -> str:
    """The report as Markdown or as an HTML document, secret values masked, for
    the same inputs as diagnose_for_page (and its failures' texts)."""
    if fmt not in EXPORTS:
        raise ValueError(f"format must be one of {', '.join(EXPORTS)}")
    try:
        over = _over_limit(inputs)
        if over:
            first = next(iter(over))
            return _failure_exports(f"{first}: {over[first]}")[fmt]
        from roledoctor.render.masking import mask_report

        masked = mask_report(_run(inputs)[0].report, diff_only=True)
        return _render(masked, "markdown") if fmt == "markdown" else html_document(masked)
    except Exception as err:  # the page must always get a file
        return _failure_exports(f"internal error ({type(err).__name__}: {err})")[fmt]


def _apply_command(f) -> dict:
    """A fix of AWS output: the corrected document and the command that applies it (fixes/evidence.py)."""
    if not getattr(f, "command", None):
        return {}
    return {"command": f.command, "document": f.document, "document_filename": f.filename}


def _filename(f, raw) -> str:
    base = FILENAMES.get(f.name.split("_alternative")[0].split(":")[0], f.raw)
    text = raw.get(f.raw, "")
    if base.endswith(".json") and not text.lstrip().startswith(("{", "[")):
        base = base[:-5] + ".tf"
    return base


def _prevention(p: dict) -> list[dict]:
    out = []
    if "preflight" in p:
        out.append({"name": "preflight", "title": "CI pre-flight script", **p["preflight"]})
    if "rego" in p:
        out.append({"name": "rego", "title": "OPA/conftest policy", **p["rego"]})
    if p.get("checkov"):
        ids = ",".join(c["id"] for c in p["checkov"])
        text = "".join(f"# {c['id']}: {c['title']}\n" for c in p["checkov"]) + \
            f"checkov -d . --framework terraform --check {ids}\n"
        out.append({"name": "checkov", "title": "Checkov checks", "filename": "checkov.sh", "language": "sh",
                    "text": text})
    return out


def _render(report, fmt: str) -> str:
    """`report` is already masked (mask_report): one scan serves both exports."""
    from roledoctor.render import render
    return render(report, fmt, masked=True)


def html_document(report) -> str:
    from markupsafe import escape
    body = _render(report, "html")
    word = WORDS.get(report.verdict, report.verdict)
    # The export is opened from disk later: a CSP keeps it inert even if escaping ever failed.
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
            f"<title>roledoctor: {escape(word)}</title>\n<style>\n{_CSS}</style>\n</head>\n<body>\n"
            f"{body}</body>\n</html>\n")


_CSS = """body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
code,pre{font-family:ui-monospace,monospace}pre{background:#f5f5f5;padding:.75rem;overflow:auto}
.rd-verdict-denied{color:#a40000}.rd-verdict-allowed{color:#0a6b0a}.rd-verdict-undetermined{color:#8a5a00}
.rd-diff-add{color:#0a6b0a}.rd-diff-del{color:#a40000}.rd-diff-hunk{color:#555}
"""


def verdict_sentence(d) -> str:
    """One sentence saying what decided; the page shows the verdict word beside it."""
    report = d.report
    blockers = [f for f in report.ordered_findings() if f.kind == "blocker"]
    if d.verdict == "denied":
        if blockers:
            more = f" (and {len(blockers) - 1} more blocker{'s' if len(blockers) > 2 else ''})" if len(blockers) > 1 else ""
            return f"{blockers[0].title}{more}."
        ev = d.evaluation
        return f"The {ev.deciding_gate} gate refuses the request." if ev is not None and ev.deciding_gate else \
            "The request is refused."
    if d.verdict == "allowed":
        req = report.request
        return f"Every gate allows {req.action} for {req.caller or 'the caller'} on {req.role or 'the role'}."
    missing = [f for f in report.findings if f.code == "INPUT_MISSING"]
    if missing:
        return missing[0].message
    return "The pasted inputs are not enough for a verdict."


def _issue_where(d, codes):
    for i in d.issues:
        if i.code in codes:
            return i
    return None


def _ev_obj(d, issue):
    if issue is None or not issue.where:
        return None
    from roledoctor.diagnosis.diagnose import evidence
    e = evidence(d.case, issue.where[0])
    return {"input": e.input, "line": e.line} if e.line else None


def _stmt_ev(d, st):
    if st is None or st.span is None:
        return None
    src = None
    for s in [d.case.trust] + list(d.case.identity or []) + list(d.case.scps or []) + list(d.case.rcps or []) + \
            [d.case.boundary, d.case.session]:
        if s is not None and (st.policy == s.policy.source or st.policy.endswith("/" + (s.policy.id or s.policy.source))
                              or st.policy == "trust_policy" and s is d.case.trust):
            src = s
            break
    if src is None:
        return None
    return {"input": d.case.raw_name(src.input), "line": st.span.line}


def _detail(g) -> str:
    st = g.matched[0] if g.matched else None
    if st is not None:
        sid = f' ({st.sid})' if st.sid else ""
        return f"{st.effect} statement {st.index}{sid} of {st.policy.split('/')[0]}: {g.reason}"
    return g.reason


# Failures of the caller's own credentials or session, before any policy is read.
CALLER_SIDE = codes_of_gate("credentials")


def _row(gate: str, result: str, detail: str, evidence=None) -> dict:
    return {"gate": gate, "label": GATE_LABELS[gate], "result": result, "detail": detail, "evidence": evidence}


def _caller_row(d, ev) -> dict:
    cred = _issue_where(d, CALLER_SIDE)
    if cred is not None:
        return _row("caller", DENY, cred.message or "the credentials used to call STS are unusable", _ev_obj(d, cred))
    if d.case.caller is None:
        return _row("caller", NOT_EVALUATED, "the caller is not known (the error pasted does not name it)"
                    if d.case.error else "the caller is not known (paste the error output)")
    sess = ev.gate("session") if ev is not None else None
    if sess is not None and sess.result in (DENY, IMPLICIT_DENY) and sess.required:
        return _row("caller", sess.result, "the caller's own session policy: " + _detail(sess),
                    _stmt_ev(d, sess.statement))
    return _row("caller", ALLOW, f"{d.case.caller.arn} ({d.case.caller_from or 'given'})")


def _scp_row(d, ev) -> dict:
    scp, rcp = ev.gate("scp"), ev.gate("rcp")
    worst = next((g for g in (scp, rcp) if g.result == DENY), None) or \
        next((g for g in (scp, rcp) if g.result == IMPLICIT_DENY and g.required), None)
    if worst is not None:
        return _row("scp", worst.result, f"{worst.gate.upper()}: {_detail(worst)}", _stmt_ev(d, worst.statement))
    if scp.result == ALLOW or rcp.result == ALLOW:
        return _row("scp", ALLOW, "; ".join(f"{g.gate.upper()}: {g.reason}" for g in (scp, rcp) if g.result == ALLOW))
    return _row("scp", NOT_EVALUATED, scp.reason)


def _policy_rows(d, ev) -> list[dict]:
    out = []
    for name in ("identity", "boundary"):
        g = ev.gate(name)
        result = g.result if (g.required or g.result in (DENY, ALLOW)) else NOT_EVALUATED
        if result == IMPLICIT_DENY and not g.required:
            result = NOT_EVALUATED
        out.append(_row(name, result, _detail(g), _stmt_ev(d, g.statement) or (_ev_obj(d, _issue_where(
            d, _CALLER_POLICY_CODES)) if result != ALLOW else None)))
    return out


def _trust_rows(d, ev) -> list[dict]:
    """The trust gate and the conditions of its closest statement."""
    t = ev.gate("trust")
    if t.result == ALLOW:
        return [_row("trust", ALLOW, _detail(t), _stmt_ev(d, t.statement)),
                _row("conditions", ALLOW, "every condition of the allowing statement is met"
                     if t.statement and t.statement.conditions else "the allowing statement has no conditions")]
    if t.result == NOT_EVALUATED:
        return [_row("trust", NOT_EVALUATED, t.reason), _row("conditions", NOT_EVALUATED, t.reason)]
    cond_issue = _issue_where(d, _CONDITION_CODES)
    p_issue = _issue_where(d, _TRUST_CODES)
    if p_issue is not None or t.result == DENY:
        trust = _row("trust", t.result, (p_issue.message if p_issue else _detail(t)) or _detail(t),
                     _ev_obj(d, p_issue) or _stmt_ev(d, t.statement))
    else:
        trust = _row("trust", ALLOW, "a statement names the caller and allows the action")
    if cond_issue is not None:
        cond = _row("conditions", IMPLICIT_DENY, cond_issue.message or cond_issue.code, _ev_obj(d, cond_issue))
    else:
        cond = _row("conditions", NOT_EVALUATED if p_issue is not None else ALLOW,
                    "no failing condition on the closest statement" if p_issue is not None else "conditions met")
    return [trust, cond]


def _role_row(d, ev) -> dict:
    role_issue = _issue_where(d, _ROLE_CODES)
    if role_issue is not None:
        return _row("role", DENY if role_issue.code != "TAG_SESSION_NOT_ALLOWED" else IMPLICIT_DENY,
                    role_issue.message or role_issue.code, _ev_obj(d, role_issue))
    dg = ev.gate("duration")
    return _row("role", ALLOW if dg is None or dg.result != NOT_EVALUATED or not dg.required else NOT_EVALUATED,
                dg.reason if dg is not None else "no session limits apply")


def gates(d) -> list[dict]:
    """The page's gate rows, in AWS's order: caller, SCP/RCP, identity, boundary, trust,
    conditions, role settings."""
    ev = d.evaluation
    out = [_caller_row(d, ev)]
    if ev is None:
        missing = ", ".join(w for w, _ in d.case.missing) or "inputs missing"
        return out + [_row(g, NOT_EVALUATED, "not evaluated: " + missing)
                      for g in ("scp", "identity", "boundary", "trust", "conditions", "role")]
    return out + [_scp_row(d, ev)] + _policy_rows(d, ev) + _trust_rows(d, ev) + [_role_row(d, ev)]


def _inputs(d, boxes: dict[str, str]) -> list[dict]:
    case = d.case
    out: list[dict[str, Any]] = []
    for name in list(SLOT_BOXES) + [b for b in boxes if b not in SLOT_BOXES]:
        if name not in boxes:
            continue
        text = boxes[name]
        if not text.strip():
            out.append({"input": name, "recognised": "empty", "problems": []})
            continue
        recs = [r for r in case.inputs.recognised if case.raw_name(r.input) == name]
        problems = [{"code": p.code, "message": p.message, "line": p.span.line if p.span else None,
                     "column": p.span.col if p.span else None, "text": p.text}
                    for p in case.inputs.problems if case.raw_name(p.input) == name]
        out.append({"input": name, "recognised": describe(case, name, recs), "problems": problems,
                    "facts": fact_marks(text, recs)})
    return out


def fact_marks(text: str, recs) -> list[dict]:
    """Where the facts read from error output stand in the box (the page underlines them).
    A value the paste wraps over two lines is not marked; the Recognised line still names it."""
    from roledoctor.source import LineIndex
    out: list[dict] = []
    if not any(r.kind == "error" for r in recs):
        return out  # (no line index of a large AWS output for nothing)
    lines = LineIndex(text)
    for r in recs:
        if r.kind != "error":
            continue
        f = r.facts
        for label, value in (("caller", f.caller), ("role", f.role), ("action", f.action), ("resource", f.resource),
                             ("code", f.error_code)):
            i = text.find(value) if value else -1
            if i >= 0:
                sp = lines.span(i, i + len(value))
                out.append({"label": label, "value": value, "line": sp.line, "column": sp.col, "length": len(value)})
    return out


def describe(case, name: str, recs) -> str:
    """What a box holds, as the page's "Recognised" line says it; `case` (the
    diagnosis's) names which policy each JSON document became, None before one."""
    parts = []
    for r in recs:
        f = r.facts
        if r.kind == "error":  # the facts read, so a misreading shows at once
            bits = [x for x in (f.error_code or f.kind, f.action) if x]
            read_ = [f"{label} {v}" for label, v in (("caller", f.caller), ("role", f.role), ("resource", f.resource),
                                                     ("cause", f.cause)) if v]
            parts.append(f"error output ({', '.join(bits)}{'; ' + '; '.join(read_) if read_ else ''})")
        elif r.kind == "provider":
            n = len(f.assume_role)
            parts.append(f'provider "aws" with {n} assume_role block{"s" if n != 1 else ""}' if n else
                         ('provider "aws" with assume_role_with_web_identity' if f.web_identity else 'provider "aws"'))
        elif r.kind == "backend-s3":
            parts.append('backend "s3"')
        elif r.kind == "role":
            parts.append(f"role {f.address}")
        elif r.kind in ("policy-resource", "policy-document"):
            parts.append(f.address)
        elif r.kind == "policy-json":
            kind = _doc_kind(case, f)
            n = len(f.policy.statements) if f.policy else 0
            parts.append(f"{kind} ({n} statement{'s' if n != 1 else ''})")
        elif r.kind == "attachment":
            parts.append(f"{f.type} {f.address}")
        elif r.kind == "variable":
            parts.append(f"variable {f.name}")
        elif r.kind == "plan":
            parts.append("terraform plan JSON")
        elif r.kind in ("aws-config", "caller-source", "oidc-token"):
            parts.append(_describe_caller(r))
        elif r.kind == "aws-evidence":  # named, with the facts read from it
            parts.append(f"{f.title} ({'; '.join(f.facts)})" if f.facts else f.title)
    if not parts:
        return "not recognised" if any(r.kind == "problem" for r in recs) else "nothing recognised"
    return ", ".join(dict.fromkeys(parts))


def _describe_caller(r) -> str:
    f = r.facts
    if r.kind == "aws-config":
        if f.form == "env":
            return f"environment variables ({', '.join(sorted(f.env)[:6])})"
        return f"AWS {f.form} file (profiles: {', '.join(sorted(f.profiles)[:6]) or 'none'})"
    if r.kind == "oidc-token":
        return f"OIDC token, decoded and not verified (iss {f.issuer}, sub {f.subject})"
    role = f.role_arn.value if f.role_arn is not None else None
    return f"{f.kind.replace('-', ' ')}{f' (role {role})' if role else ''}"


def _doc_kind(case, doc) -> str:
    p = doc.policy
    c = case
    if c is None:
        return _DOC_KINDS.get(doc.kind, doc.kind)
    for label, srcs in (("trust policy", [c.trust] if c.trust else []), ("identity policy", c.identity or []),
                        ("SCP", c.scps or []), ("RCP", c.rcps or []), ("permissions boundary", [c.boundary] if c.boundary else []),
                        ("session policy", [c.session] if c.session else [])):
        if any(s is not None and s.policy is p for s in srcs):
            return label
    return _DOC_KINDS.get(doc.kind, doc.kind)


_DOC_KINDS = {"trust": "trust policy", "identity": "identity policy", "scp": "SCP", "rcp": "RCP",
              "resource": "resource policy"}


def _over_limit(inputs) -> dict[str, str]:
    """{box: message} for every box over limits.MAX_INPUT_BYTES (checked before any parsing)."""
    from roledoctor.limits import check_text
    from roledoctor.pageapi.held import is_held  # a large evidence file: limited when it was held

    if not isinstance(inputs, dict):
        return {}
    return {str(k): m for k, v in inputs.items() if not is_held(str(k)) and (m := check_text(v))}


def _too_large(inputs: dict, over: dict[str, str]) -> dict:
    """Refuse the whole diagnosis: a verdict without one of the inputs would mislead."""
    first = next(iter(over))
    out = _failure(inputs, f"{first}: {over[first]}")
    out["report"]["findings"] = [{
        "code": "INPUT_UNPARSEABLE", "kind": "input", "severity": "high", "title": "An input could not be read",
        "message": f"{k}: {m}", "evidence": [{"input": k, "line": 0, "text": ""}], "fix": "paste only the "
        "relevant part: the error output, the provider block, the role and its policies"} for k, m in over.items()]
    out["inputs"] = [{"input": str(k), "recognised": "not read (too large)" if str(k) in over else "not read",
                      "problems": [{"code": "INPUT_UNPARSEABLE", "message": over[str(k)], "line": None, "column": None,
                                    "text": ""}] if str(k) in over else []} for k in inputs]
    return out


def _failure(inputs, message: str) -> dict:
    report = {"verdict": "undetermined", "request": {"action": "sts:AssumeRole", "caller": None, "role": None},
              "trace": [], "assumptions": [], "findings": [{
                  "code": "INPUT_UNPARSEABLE", "kind": "input", "severity": "high",
                  "title": "An input could not be read", "message": message, "evidence": [], "fix": ""}],
              "fixes": {}}
    boxes = inputs if isinstance(inputs, dict) else {}
    return {
        "report": report, "verdict_word": "Undetermined",
        "verdict_sentence": f"{message[:1].upper()}{message[1:]}.",
        "gates": [{"gate": g, "label": GATE_LABELS[g], "result": NOT_EVALUATED, "detail": message, "evidence": None}
                  for g in GATE_LABELS],
        "inputs": [{"input": str(k), "recognised": "not read",
                    "problems": [{"code": "INPUT_UNPARSEABLE", "message": message, "line": None, "column": None,
                                  "text": ""}]} for k in boxes],
        "fixes": [], "prevention": [],
    }


def _failure_exports(message: str) -> dict[str, str]:
    return {"markdown": f"## roledoctor: Undetermined\n\n{message}\n",
            "html": "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>roledoctor</title></head>"
                    "<body><p>Undetermined</p></body></html>\n"}


# ---- the page's methods --------------------------------------------------------

def inspect(args: dict) -> dict:
    """Method `inspect` {inputs} -> {inputs: [{input, recognised, problems[{code,message,line,column,text}]}]}:
    what the readers alone make of each box (the page's fallback when a diagnosis fails)."""
    from roledoctor.inputs import read_all

    texts = inputs_of(args)
    res = read_all(texts)
    out = []
    for box in BOXES:
        if box not in texts:
            continue
        recs = [r for r in res.recognised if r.input == box]
        problems = [problem_obj(r.facts) for r in recs if r.kind == "problem"]
        out.append({"input": box, "recognised": describe(None, box, recs), "problems": problems})
    for p in res.problems:
        if not p.input or p.input not in texts:
            out.append({"input": "", "recognised": "", "problems": [problem_obj(p)]})
    return {"inputs": out}


def export_method(args: dict) -> dict:
    """Method `export` {inputs, format: "markdown" | "html"} -> {text}: the report export."""
    fmt = args.get("format") if isinstance(args, dict) else None
    return {"text": export_for_page(inputs_of(args), fmt if isinstance(fmt, str) else "")}


def diagnose_method(args: dict) -> dict:
    """Method `diagnose` {inputs} -> diagnose_for_page's object."""
    page = diagnose_for_page(inputs_of(args))
    # Whatever the engine says, every box's own parse problems reach the box
    # (line and column): take them from the readers when the engine lost them.
    findings = (page.get("report") or {}).get("findings") or []
    lost = any(f.get("code") == "INPUT_UNPARSEABLE" and not f.get("evidence") for f in findings)
    if lost and not any(p.get("line") for i in page.get("inputs") or [] for p in i.get("problems") or []):
        page["inputs"] = inspect(args)["inputs"]
    return page
