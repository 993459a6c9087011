"""The LLM prompt: the boxes and the engine's diagnosis, redacted with the
session's map; un-redacting a value or redacting more redraws it."""

from __future__ import annotations

from roledoctor.pageapi.boxes import BOX_TITLES, BOXES, U16, inputs_of
from roledoctor.pageapi.held import is_held, summary
from roledoctor.pageapi.session import redactor

SYSTEM_PROMPT = """You are a senior AWS IAM and Terraform engineer. The user runs Terraform with the AWS provider and \
it cannot assume an IAM role. You get their inputs and the findings of a deterministic policy engine.

Secrets and identifiers were replaced by typed placeholders such as ACCOUNT_1, EXTERNAL_ID_1 or ACCESS_KEY_ID_1. \
Keep every placeholder exactly as written (same letters, same number, no brackets) wherever you refer to that \
value, and never guess the real value.

Answer in this order:
1. In a few sentences, why the role cannot be assumed, naming the gate (SCP, identity policy, permissions \
boundary, trust policy, conditions) and the statement.
2. Whether you agree with the engine, and anything it may have missed.
3. If a policy or the provider block must change, give the complete corrected document in one fenced block \
(```json for a policy, ```hcl for Terraform), one block per changed document."""


def _report_lines(report: dict) -> list[str]:
    lines = [f"\n## The engine's diagnosis\n\nVerdict: {report.get('verdict', 'undetermined')}"]
    req = report.get("request") or {}
    if req:
        lines.append(f"Request: {req.get('action', 'sts:AssumeRole')} by {req.get('caller') or '?'} "
                     f"on {req.get('role') or '?'}")
    if report.get("trace"):
        lines.append("\nTrace (one gate at a time):")
        for step in report["trace"]:
            lines.append(f"- {step.get('gate')}: {step.get('result')}: {step.get('statement', '')}")
    if report.get("findings"):
        lines.append("\nFindings:")
        for f in report["findings"]:
            lines.append(f"- {f.get('code')} ({f.get('kind')}, {f.get('severity')}): {f.get('title')}. "
                         f"{f.get('message') or ''}".rstrip())
    if report.get("assumptions"):
        lines.append("\nAssumptions: " + "; ".join(report["assumptions"]))
    return lines


def prompt_text(texts: dict[str, str], report: dict | None) -> list[tuple[str, str | None]]:
    """The user message as pieces: (text, box) where box marks a pasted input."""
    pieces: list[tuple[str, str | None]] = [("Here is what I have.\n", None)]
    for box in BOXES:
        if box in texts:
            pieces.append((f"\n## {BOX_TITLES[box]}\n\n```\n", None))
            pieces.append((texts[box].rstrip("\n") + "\n", box))
            pieces.append(("```\n", None))
    for name in (n for n in texts if is_held(n)):  # a large file: what it is, never its whole text
        pieces.append(("\n## AWS evidence (large file)\n\n```\n", None))
        pieces.append((summary(name, report), name))
        pieces.append(("```\n", None))
    if report:
        pieces.append(("\n".join(_report_lines(report)) + "\n", "engine"))
    else:
        pieces.append(("\n(The engine's diagnosis is not available.)\n", None))
    pieces.append(("\nExplain why the role cannot be assumed and give any corrected policy or provider block "
                   "in a fenced block.\n", None))
    return pieces


def prompt(args: dict) -> dict:
    """Method `prompt` {inputs, report?} -> {system, user, spans[{start,end,type,placeholder,original}], count}."""
    texts = inputs_of(args)
    report = args.get("report")
    if isinstance(report, dict) and "report" in report:  # the page object: take its report
        report = report["report"]
    red = redactor()
    pieces = prompt_text(texts, report if isinstance(report, dict) else None)
    # Redact the inputs and the engine's words with one map: the engine quotes
    # ARNs and external IDs from the inputs, and they must get the same placeholders.
    sources = [t for t, box in pieces if box]
    red.redact_all(sources)  # reserve tokens of everything first
    user, spans = [], []
    length = 0
    for text, box in pieces:
        if box:
            res = red.redact(text)
            u16 = U16(res.text)
            for r in res.replacements:
                spans.append({"start": length + u16(r.start), "end": length + u16(r.end),
                              "type": r.type, "placeholder": r.placeholder,
                              "original": text[r.orig_start:r.orig_end]})
            text = res.text
        user.append(text)
        length += U16(text)(len(text))
    return {"system": SYSTEM_PROMPT, "user": "".join(user), "spans": spans,
            "count": len({s["placeholder"] for s in spans})}


def unredact(args: dict) -> dict:
    """Method `unredact` {placeholder, inputs, report?} -> like prompt."""
    red = redactor()
    try:
        red.unredact(str(args.get("placeholder", "")))
    except KeyError:
        pass  # already un-redacted
    return prompt(args)


def redact_more(args: dict) -> dict:
    """Method `redact_more` {fragment, type?, inputs, report?} -> like prompt."""
    red = redactor()
    fragment = red.restore(str(args.get("fragment", ""))).strip()
    if not fragment:
        raise ValueError("select some text in the preview first")
    red.redact_more(fragment, str(args.get("type") or "REDACTED"))
    return prompt(args)
