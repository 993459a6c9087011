"""The page's entry points: the web worker calls `handle(method, args_json)`
and gets JSON back. Kept thin: every real step lives in the core modules.

Methods (args -> result; every input dict is {box name: text}, box names
"error", "provider", "trust_policy", "caller_policy", "org_policies"):

  about        {}                          -> {version, python}
  inspect      {inputs}                    -> {inputs: [{input, recognised, problems[{code,message,line,column,text}]}]}
  summary      same as inspect (older name)
  diagnose     {inputs}                    -> diagnose_for_page's object (DESIGN/brief contract)
  route        {files: [{name, text}]}     -> {files: [{name, kinds, parts: [{input, text, what}], note}]}
  split        {text, input}               -> {parts: [{input, text, what}]} (one part: nothing to split)
  redact       {inputs}                    -> {texts: {box: {text, spans}}}; keeps the map here
  unredact     {placeholder, inputs, report?} -> like prompt
  redact_more  {fragment, type?, inputs, report?} -> like prompt
  prompt       {inputs, report?}           -> {system, user, spans[{start,end,type,placeholder,original}], count}
  restore      {text}                      -> {text}: placeholders mapped back
  review_answer {answer, inputs}           -> {restored, blocks[{language,target,text,problems}], verdict,
                                              note}; verdict {word, sentence, codes, unsafe[finding]}:
                                              word "Allowed, but unsafe" with critical/high hardening
  reset_redaction {}                       -> {}

Offsets sent to the page are UTF-16 code units (JavaScript string indices).
The redaction map never leaves this worker and the page.
"""

from __future__ import annotations

import bisect
import json
import os
import re
import sys

from roledoctor import __version__

BOXES = ("error", "provider", "trust_policy", "caller_policy", "org_policies", "caller_files", "aws_evidence")
BOX_TITLES = {"error": "Error output", "provider": "Provider configuration", "trust_policy": "Trust policy",
              "caller_policy": "Caller permissions policy", "org_policies": "Organization policies",
              "aws_evidence": "AWS evidence"}


def build_caches(directory: str) -> list[str]:
    """At build time, inside Pyodide: write the parser caches the page
    pre-seeds (lark's LALR tables), return their file names. The build lists
    each with its sha256 in cache/manifest.json; the worker checks it."""
    os.makedirs(directory, exist_ok=True)
    from roledoctor.inputs import hcl

    with open(os.path.join(directory, hcl.CACHE_NAME), "wb") as f:
        f.write(hcl.fresh_tables())
    return [hcl.CACHE_NAME]


def install_cache(name: str, data) -> bool:
    """The worker hands over a cache file it fetched and checked against the
    manifest's sha256; never read from a shared place (it is a pickle)."""
    from roledoctor.inputs import hcl

    if name != hcl.CACHE_NAME:
        raise ValueError(f"unknown cache file {name}")
    raw = data.to_bytes() if hasattr(data, "to_bytes") else bytes(data)  # a JsProxy of a Uint8Array
    return hcl.install_tables(raw)


def warm_up() -> None:
    """Import and exercise what the first answer needs, while the user reads."""
    from roledoctor import warm

    warm.prepare()


class EngineMissing(RuntimeError):
    pass


def _inputs(args: dict) -> dict[str, str]:
    raw = args.get("inputs") or {}
    return {k: v for k, v in raw.items() if k in BOXES and isinstance(v, str) and v.strip()}


class _U16:
    """Python (code point) offsets of one text as JavaScript (UTF-16) indexes:
    each character above U+FFFF before an offset adds one. The astral
    characters are found once per text, so many spans cost a bisect each."""

    def __init__(self, text: str):
        self.astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF] if not text.isascii() else []
        self.length = len(text)

    def __call__(self, offset: int) -> int:
        return offset + bisect.bisect_left(self.astral, offset)


# ---- what each box holds -------------------------------------------------

def _arn_tail(value) -> str:
    return str(value) if value else "?"


def _describe(rec) -> str:
    f = rec.facts
    kind = rec.kind
    if kind == "error":
        who = f" {f.caller} → {f.role}" if (f.caller or f.role) else ""
        return f"{f.error_code or f.kind} error{who}"
    if kind == "provider":
        hops = [h.role_arn.value for h in f.assume_role if h.role_arn is not None]
        alias = f" (alias {f.alias.value})" if f.alias is not None and f.alias.value else ""
        if hops:
            return f'provider "{f.name}"{alias} assumes ' + " then ".join(_arn_tail(h) for h in hops)
        if f.web_identity is not None:
            return f'provider "{f.name}"{alias} with assume_role_with_web_identity'
        return f'provider "{f.name}"{alias} without assume_role'
    if kind == "backend-s3":
        return 'backend "s3"'
    if kind == "role":
        return f"IAM role {f.address}" + (" with its trust policy" if f.trust is not None else "")
    if kind in ("policy-resource", "policy-document"):
        return f"{f.type} {f.address}"
    if kind == "policy-json":
        return {"trust": "trust policy (JSON)", "identity": "identity policy (JSON)", "scp": "service control policy (JSON)",
                "rcp": "resource control policy (JSON)", "resource": "resource-based policy (JSON)",
                "boundary": "permissions boundary (JSON)", "session": "session policy (JSON)"}.get(f.kind, f"{f.kind} policy (JSON)")
    if kind == "attachment":
        return f"{f.type} {f.address}"
    if kind == "variable":
        return f"variable {f.name}"
    if kind == "plan":
        return "terraform show -json plan"
    if kind == "aws-evidence":
        return f.title
    return kind


def _problem_obj(p, text: str) -> dict:
    out = {"code": p.code, "message": p.message, "line": None, "column": None, "text": p.text or ""}
    if p.span is not None:
        out["line"], out["column"] = p.span.line, p.span.col
    return out


def _inspect(args: dict) -> dict:
    from roledoctor.inputs import read_all

    texts = _inputs(args)
    res = read_all(texts)
    out = []
    for box in BOXES:
        if box not in texts:
            continue
        recs = [r for r in res.recognised if r.input == box]
        described = [_describe(r) for r in recs if r.kind not in ("problem", "locals", "tfvars")]
        problems = [_problem_obj(r.facts, texts[box]) for r in recs if r.kind == "problem"]
        out.append({"input": box, "recognised": "; ".join(dict.fromkeys(described)) or "nothing recognised",
                    "problems": problems})
    for p in res.problems:
        if not p.input or p.input not in texts:
            out.append({"input": "", "recognised": "", "problems": [_problem_obj(p, "")]})
    return {"inputs": out}


# ---- diagnosis -------------------------------------------------------------

def _engine():
    try:
        from roledoctor.diagnosis.page import diagnose_for_page
    except ImportError as err:
        raise EngineMissing("the diagnosis engine (roledoctor.diagnosis.page) is not in this build yet") from err
    return diagnose_for_page


def _diagnose(args: dict) -> dict:
    page = _engine()(_inputs(args))
    # Whatever the engine says, every box's own parse problems reach the box
    # (line and column): take them from the readers when the engine lost them.
    findings = (page.get("report") or {}).get("findings") or []
    lost = any(f.get("code") == "INPUT_UNPARSEABLE" and not f.get("evidence") for f in findings)
    if lost and not any(p.get("line") for i in page.get("inputs") or [] for p in i.get("problems") or []):
        page["inputs"] = _inspect(args)["inputs"]
    return page


# ---- routing dropped files and splitting pasted main.tf ---------------------

_BLOCK_START = re.compile(r'^[ \t]*(provider|resource|data|terraform|variable|locals|output|module|backend)\b([^\n{]*)\{',
                          re.M)
_LABELS = re.compile(r'"([^"]*)"')
_CALLER_RESOURCES = ("aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy",
                     "aws_iam_role_policy_attachment", "aws_iam_user_policy_attachment",
                     "aws_iam_group_policy_attachment", "aws_iam_policy_attachment", "aws_iam_role_policies_exclusive")


def _blocks(text: str) -> list[tuple[int, int, str, list[str]]] | None:
    """Top-level HCL blocks as (start, end, keyword, labels), each with its
    leading comments; None when the text does not split cleanly (then nothing
    is split). The reader's own splitter finds the blocks."""
    from roledoctor.inputs.hcl import top_level_blocks

    spans = top_level_blocks(text.replace("\r", " "))  # same offsets
    if spans is None:
        return None
    out = []
    for start, end, _ in spans:
        m = _BLOCK_START.search(text, start, end)
        if not m:
            continue  # a block kind we do not route (moved, import, check…): stays where it is
        if end < len(text) and text[end] == "\n":
            end += 1
        out.append((start, end, m.group(1), _LABELS.findall(m.group(2))))
    return out


def _box_for_block(keyword: str, labels: list[str], body: str) -> str:
    rtype = labels[0] if labels else ""
    if keyword == "resource" and rtype == "aws_iam_role":
        return "trust_policy"
    if keyword == "data" and rtype == "aws_iam_policy_document":
        principals = re.search(r"\bprincipals\s*\{", body)
        if principals and not re.search(r"sts:AssumeRole", body):
            return "provider"  # a resource policy (queue, topic, key): read by its content, as the CLI does
        return "trust_policy" if principals else "caller_policy"
    if keyword == "resource" and rtype in _CALLER_RESOURCES:
        return "caller_policy"
    if keyword == "resource" and rtype in ("aws_organizations_policy", "aws_organizations_policy_attachment"):
        return "org_policies"
    return "provider"


def _what(keyword: str, labels: list[str]) -> str:
    return " ".join([keyword] + [f'"{lab}"' for lab in labels])


def _split_hcl(text: str) -> list[dict]:
    blocks = _blocks(text)
    if not blocks:
        return []
    parts: dict[str, list[str]] = {}
    whats: dict[str, list[str]] = {}
    covered = 0
    for start, end, keyword, labels in blocks:
        box = _box_for_block(keyword, labels, text[start:end])
        parts.setdefault(box, []).append(text[start:end].strip("\n"))
        whats.setdefault(box, []).append(_what(keyword, labels))
        covered += end - start
    rest = text
    for start, end, *_ in reversed(blocks):
        rest = rest[:start] + rest[end:]
    rest = "\n".join(ln for ln in rest.splitlines() if not re.match(r"\s*(#|//)", ln))
    if rest.strip():  # top-level attributes (a .tfvars file) go with the provider
        parts.setdefault("provider", []).insert(0, rest.strip("\n"))
        whats.setdefault("provider", []).insert(0, "variable values")
    return [{"input": box, "text": "\n\n".join(parts[box]) + "\n", "what": ", ".join(whats[box])}
            for box in BOXES if box in parts]


def _policy_box(name: str, text: str) -> str | None:
    from roledoctor.inputs import read

    for rec in read(name, text):
        if rec.kind == "role":
            return "trust_policy"
        if rec.kind == "policy-json":
            return {"trust": "trust_policy", "resource": "trust_policy", "identity": "caller_policy",
                    "session": "caller_policy"}.get(rec.facts.kind, "org_policies")
    return None


def _caller_identity_output(text: str) -> bool:
    """`aws sts get-caller-identity` output: AWS evidence, not a policy."""
    from roledoctor.inputs import read
    return any(r.kind == "caller-identity" for r in read("route", text))


def _route_one(name: str, text: str) -> dict:
    from roledoctor.inputs import classify
    from roledoctor.limits import check_text

    too_large = check_text(text)
    if too_large:
        return {"name": name, "kinds": [], "parts": [], "note": f"not read: {too_large}"}
    kinds = classify(text)
    lname = name.lower()
    from roledoctor.inputs.kinds import row
    first = row(kinds[0]) if kinds else None
    if first is not None and first.box == "caller_files":  # by content (the kinds table): CI files, profiles, tokens
        return {"name": name, "kinds": kinds, "parts": [{"input": first.box, "text": text, "what": first.what}],
                "note": ""}
    if ("aws-evidence" in kinds and "error" not in kinds) or (kinds == ["json"] and _caller_identity_output(text)):
        return {"name": name, "kinds": kinds, "parts": [{"input": "aws_evidence", "text": text, "what": "AWS output"}],
                "note": ""}
    if "error" in kinds or (lname.endswith((".log", ".txt")) and "hcl" not in kinds and "policy-json" not in kinds):
        return {"name": name, "kinds": kinds, "parts": [{"input": "error", "text": text, "what": "error output"}],
                "note": ""}
    if "policy-json" in kinds:
        box = _policy_box(name, text) or "trust_policy"
        return {"name": name, "kinds": kinds, "parts": [{"input": box, "text": text, "what": "policy"}], "note": ""}
    if "plan" in kinds:
        return {"name": name, "kinds": kinds, "parts": [{"input": "provider", "text": text, "what": "plan"}], "note": ""}
    if "hcl" in kinds or lname.endswith((".tf", ".tfvars")):
        parts = _split_hcl(text) or [{"input": "provider", "text": text, "what": "Terraform"}]
        return {"name": name, "kinds": kinds, "parts": parts, "note": ""}
    if lname.endswith(".json"):
        box = "trust_policy" if "trust" in lname else "caller_policy"
        return {"name": name, "kinds": kinds, "parts": [{"input": box, "text": text, "what": "JSON"}],
                "note": "not recognised as a policy: placed by its file name"}
    return {"name": name, "kinds": kinds, "parts": [], "note": "not recognised: error output, Terraform or a JSON policy"}


def _route(args: dict) -> dict:
    files = args.get("files") or []
    return {"files": [_route_one(str(f.get("name", "")), str(f.get("text", ""))) for f in files]}


def _split(args: dict) -> dict:
    from roledoctor.inputs import classify

    text = str(args.get("text", ""))
    here = str(args.get("input", "provider"))
    kinds = classify(text)
    if "hcl" not in kinds:
        return {"parts": [{"input": here, "text": text, "what": ""}]}
    parts = _split_hcl(text)
    if len(parts) <= 1:
        return {"parts": [{"input": here, "text": text, "what": ""}]}
    return {"parts": parts}


# ---- redaction and the LLM prompt ---------------------------------------------

_STATE: dict = {"redactor": None}


def _redactor():
    from roledoctor.redaction import Redactor

    if _STATE["redactor"] is None:
        _STATE["redactor"] = Redactor()
    return _STATE["redactor"]


def _reset(args: dict) -> dict:
    _STATE["redactor"] = None
    return {}


def _redact_texts(texts: dict[str, str]) -> dict[str, dict]:
    red = _redactor()
    names = [b for b in BOXES if b in texts]
    results = red.redact_all([texts[b] for b in names])
    out = {}
    for name, res in zip(names, results):
        u16 = _U16(res.text)
        spans = [{"start": u16(r.start), "end": u16(r.end), "type": r.type,
                  "placeholder": r.placeholder, "original": texts[name][r.orig_start:r.orig_end]}
                 for r in res.replacements]
        out[name] = {"text": res.text, "spans": spans}
    return out


def _redact(args: dict) -> dict:
    return {"texts": _redact_texts(_inputs(args))}


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


def _prompt_text(texts: dict[str, str], report: dict | None) -> list[tuple[str, str | None]]:
    """The user message as pieces: (text, box) where box marks a pasted input."""
    pieces: list[tuple[str, str | None]] = [("Here is what I have.\n", None)]
    for box in BOXES:
        if box in texts:
            pieces.append((f"\n## {BOX_TITLES[box]}\n\n```\n", None))
            pieces.append((texts[box].rstrip("\n") + "\n", box))
            pieces.append(("```\n", None))
    if report:
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
        pieces.append(("\n".join(lines) + "\n", "engine"))
    else:
        pieces.append(("\n(The engine's diagnosis is not available.)\n", None))
    pieces.append(("\nExplain why the role cannot be assumed and give any corrected policy or provider block "
                   "in a fenced block.\n", None))
    return pieces


def _prompt(args: dict) -> dict:
    texts = _inputs(args)
    report = args.get("report")
    if isinstance(report, dict) and "report" in report:  # the page object: take its report
        report = report["report"]
    red = _redactor()
    pieces = _prompt_text(texts, report if isinstance(report, dict) else None)
    # Redact the inputs and the engine's words with one map: the engine quotes
    # ARNs and external IDs from the inputs, and they must get the same placeholders.
    sources = [t for t, box in pieces if box]
    red.redact_all(sources)  # reserve tokens of everything first
    user, spans = [], []
    length = 0
    for text, box in pieces:
        if box:
            res = red.redact(text)
            u16 = _U16(res.text)
            for r in res.replacements:
                spans.append({"start": length + u16(r.start), "end": length + u16(r.end),
                              "type": r.type, "placeholder": r.placeholder,
                              "original": text[r.orig_start:r.orig_end]})
            text = res.text
        user.append(text)
        length += _U16(text)(len(text))
    return {"system": SYSTEM_PROMPT, "user": "".join(user), "spans": spans,
            "count": len({s["placeholder"] for s in spans})}


def _unredact(args: dict) -> dict:
    red = _redactor()
    try:
        red.unredact(str(args.get("placeholder", "")))
    except KeyError:
        pass  # already un-redacted
    return _prompt(args)


def _redact_more(args: dict) -> dict:
    red = _redactor()
    fragment = red.restore(str(args.get("fragment", ""))).strip()
    if not fragment:
        raise ValueError("select some text in the preview first")
    red.redact_more(fragment, str(args.get("type") or "REDACTED"))
    return _prompt(args)


def _restore(args: dict) -> dict:
    return {"text": _redactor().restore(str(args.get("text", "")))}


# ---- the model's answer, checked by the engine ---------------------------------

_FENCE_OPEN = re.compile(r"[ \t]*(`{3,}|~{3,})[ \t]*([A-Za-z0-9_+-]*)")


def _fences(text: str) -> list[tuple[str, str]]:
    """(language, body) of each fenced block, closed by a line holding the same
    fence. One pass over the lines (a regex with a back-reference here was
    quadratic on unclosed fences); an unclosed fence ends the scan."""
    out, lines, i = [], text.split("\n"), 0
    while i < len(lines):
        m = _FENCE_OPEN.match(lines[i])
        i += 1
        if not m:
            continue
        fence, language, body = m.group(1), m.group(2), []
        while i < len(lines) and lines[i].strip() != fence:
            body.append(lines[i])
            i += 1
        if i == len(lines):
            break
        out.append((language, "\n".join(body) + "\n" if body else ""))
        i += 1
    return out


def _target(language: str, text: str) -> str | None:
    from roledoctor.inputs import classify

    kinds = classify(text)
    if "policy-json" in kinds:
        return _policy_box("answer", text)
    if "hcl" in kinds or language in ("hcl", "terraform", "tf"):
        parts = _split_hcl(text)
        if len(parts) == 1:
            return parts[0]["input"]
        return "provider" if parts else None
    return None


UNSAFE = ("critical", "high")  # hardening severities that qualify a proposed change's verdict


def _review(args: dict) -> dict:
    from roledoctor.inputs import read

    answer = str(args.get("answer", ""))
    restored = _redactor().restore(answer)
    texts = _inputs(args)
    blocks = []
    changed = dict(texts)
    for language, body in _fences(restored):
        language = language.lower()
        target = _target(language, body)
        problems = []
        if target:
            problems = [_problem_obj(r.facts, body) for r in read(target, body) if r.kind == "problem"]
            if not problems:
                changed[target] = body
        blocks.append({"language": language or "text", "target": target, "title": BOX_TITLES.get(target, ""),
                       "text": body, "problems": problems})
    verdict = None
    note = ""
    used = [b for b in blocks if b["target"] and not b["problems"]]
    if used:
        try:
            page = _engine()(changed)
            findings = page.get("report", {}).get("findings", [])
            # A model can "fix" an access problem by opening the role to
            # everyone: the engine then says Allowed. Its critical and high
            # hardening findings go with the verdict, which says so.
            unsafe = [{k: f.get(k) for k in ("code", "kind", "severity", "title", "message", "fix")}
                      for f in findings if f.get("kind") == "hardening" and f.get("severity") in UNSAFE]
            word = page.get("verdict_word")
            verdict = {"word": f"{word}, but unsafe" if word == "Allowed" and unsafe else word,
                       "sentence": page.get("verdict_sentence"), "unsafe": unsafe,
                       "codes": [f.get("code") for f in findings if f.get("kind") == "blocker"]}
        except EngineMissing as err:
            note = f"Not checked: {err}."
    elif blocks:
        note = "No block of the answer could be read as a policy or provider configuration."
    else:
        note = "The answer proposes no changed policy or provider block."
    return {"restored": restored, "blocks": blocks, "verdict": verdict, "note": note}


def _about(args: dict) -> dict:
    return {"version": __version__, "python": sys.version.split()[0]}


def _bench(args: dict) -> dict:
    """Diagnosis time inside the worker: `repeat` runs of diagnose_for_page."""
    import statistics
    import time

    from roledoctor.diagnosis.page import diagnose_for_page
    from roledoctor.inputs import errortext, hcl

    inputs = _inputs(args)
    errortext._PARSED.clear()  # the first run pays for parsing, as a fresh paste does
    hcl._PARSED.clear()
    times = []
    for _ in range(max(1, min(int(args.get("repeat", 50)), 500))):
        t0 = time.perf_counter()
        result = diagnose_for_page(inputs)
        times.append((time.perf_counter() - t0) * 1000)
    first = times[0]
    times.sort()
    return {"n": len(times), "first_ms": round(first, 2), "median_ms": round(statistics.median(times), 2),
            "min_ms": round(times[0], 2),
            "p90_ms": round(times[int(len(times) * 0.9) - 1 if len(times) > 1 else 0], 2),
            "verdict": result["verdict_word"]}


METHODS = {
    "about": _about,
    "bench": _bench,
    "inspect": _inspect,
    "summary": _inspect,
    "diagnose": _diagnose,
    "route": _route,
    "split": _split,
    "redact": _redact,
    "unredact": _unredact,
    "redact_more": _redact_more,
    "prompt": _prompt,
    "restore": _restore,
    "review_answer": _review,
    "reset_redaction": _reset,
}


def handle(method: str, args_json: str = "{}") -> str:
    """Run one request; errors come back as {"error": "..."} (never a traceback)."""
    if method not in METHODS:
        return json.dumps({"ok": False, "error": f"unknown method {method!r}"})
    try:
        result = METHODS[method](json.loads(args_json or "{}"))
        return json.dumps({"ok": True, "result": result})
    except EngineMissing as err:
        return json.dumps({"ok": False, "error": str(err), "code": "engine-missing"})
    except Exception as err:  # the page shows one line, never a traceback
        return json.dumps({"ok": False, "error": f"{type(err).__name__}: {err}"})
