"""Shared pieces of the hostile-input browser tests (the page half):
classic XSS payloads, inputs that carry them, a watcher for dialogs, page
errors, console output and CSP violations, a live-markup check of the DOM,
and checks of the exported reports."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

# name -> payload. Each would run script, load something, or render as a link
# if it reached the DOM (or a Markdown viewer) as markup instead of text.
PAYLOADS = {
    "script": "<script>alert('xss-script')</script>",
    "img": '<img src=x onerror=alert("xss-img")>',
    "svg": "<svg onload=alert('xss-svg')><script>alert(1)</script></svg>",
    "break-out": "\"><iframe src=\"javascript:alert('xss-iframe')\"></iframe>",
    "attr": "' onmouseover='alert(1)' x='",
    "js-url": "javascript:alert('xss-url')",
    "anchor": "<a href=\"javascript:alert('xss-a')\">click</a>",
    "object": "<object data=\"javascript:alert(1)\"></object><embed src=x>",
    "body": "<body onload=alert('xss-body')>",
    "template": "${alert(1)}${7*7}`${alert(2)}`",
    "jinja": "{{7*7}}{{ self.__init__ }}",
    "md-link": "[x](javascript:alert('xss-md'))",
    "md-image": "![x](https://example.invalid/x.png)",
    "bidi": "\u202etxt.exe\u202c \u2066isolate\u2069 \u200fRLM",
    "nul": "nul\u0000byte\u0007bell\u001b[31mansi",
}

# What must be seen as text where a payload was pasted: the payload minus the
# characters a renderer may drop (C0 controls) or that inner_text() may hide.
def visible(payload: str) -> str:
    return "".join(ch for ch in payload if ord(ch) >= 0x20 and ch not in "\u202e\u202c\u2066\u2069\u200f")


ALL = " ".join(PAYLOADS.values())


def hcl_str(text: str) -> str:
    """An HCL quoted string literal (JSON escapes are valid HCL escapes); `${`
    is left as is on purpose: hostile input may contain interpolation."""
    return json.dumps(text)


def hostile_inputs() -> dict[str, str]:
    """The five boxes, each carrying every payload in the places the brief names:
    policy values (Sid, principal ARNs, condition values), HCL strings, error text."""
    p = PAYLOADS
    trust = {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": p["script"] + p["img"],
            "Effect": "Allow",
            "Principal": {"AWS": ["arn:aws:iam::123456789012:role/old-ci-runner",
                                  "arn:aws:iam::123456789012:role/" + p["img"],
                                  p["break-out"]]},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"sts:ExternalId": p["svg"]},
                "StringLike": {"aws:PrincipalTag/team": list(PAYLOADS.values())},
            },
        }],
    }
    caller = {
        "Version": "2012-10-17",
        "Statement": [{"Sid": p["anchor"], "Effect": "Allow", "Action": "sts:AssumeRole",
                       "Resource": ["arn:aws:iam::987654321098:role/" + p["template"], p["md-link"]]}],
    }
    scp = {
        "Version": "2012-10-17",
        "Statement": [{"Sid": p["object"], "Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*",
                       "Condition": {"StringNotEquals": {"aws:PrincipalAccount": [p["jinja"], p["bidi"]]}}}],
    }
    provider = (
        'provider "aws" {\n'
        '  region = "us-east-1"\n'
        "  assume_role {\n"
        f'    role_arn     = {hcl_str("arn:aws:iam::987654321098:role/" + p["script"])}\n'
        f"    session_name = {hcl_str(p['img'])}\n"
        f"    external_id  = {hcl_str(p['attr'])}\n"
        "  }\n"
        "  default_tags {\n    tags = {\n"
        + "".join(f"      {k.replace('-', '_')} = {hcl_str(v)}\n" for k, v in PAYLOADS.items())
        + "    }\n  }\n}\n"
    )
    error = (
        f"Error: failed to assume role {p['script']}\n\n"
        f"  with provider[\"registry.terraform.io/hashicorp/aws\"],\n  on {p['img']}.tf line 3, in provider \"aws\":\n\n"
        f"AWS Error: AccessDenied: User: arn:aws:iam::123456789012:role/ci-runner{p['break-out']}\n"
        f"is not authorized to assume role: arn:aws:iam::987654321098:role/terraform-deploy-role\n"
        f"        status code: 403, request id: {p['body']}\n"
        + "".join(f"{k}: {v}\n" for k, v in PAYLOADS.items())
    )
    return {"error": error, "provider": provider, "trust_policy": json.dumps(trust, indent=2),
            "caller_policy": json.dumps(caller, indent=2), "org_policies": json.dumps(scp, indent=2)}


LABELS = {"error": "Error output", "provider": "Provider configuration", "trust_policy": "Trust policy",
          "caller_policy": "Caller permissions policy", "org_policies": "Organization policies"}

# Elements and attributes that mean markup got in. The first selector is the
# brief's; the script below also looks at every attribute of every element.
LIVE_SELECTOR = ('script:not([src]), img[onerror], [onload], [onclick], iframe, object, embed, svg script, '
                 'a[href^="javascript:"]')
LIVE_JS = """(sel) => {
  const bad = [];
  const all = [...document.querySelectorAll('*')];
  for (const e of document.querySelectorAll(sel)) bad.push('selector: ' + e.outerHTML.slice(0, 160));
  for (const e of all) {
    for (const a of e.attributes) {
      const v = a.value.replace(/[\\s\\u0000-\\u001f]+/g, '').toLowerCase();
      if (a.name.startsWith('on')) bad.push('handler: ' + e.tagName + ' ' + a.name);
      if (['href', 'src', 'action', 'formaction', 'data', 'xlink:href'].includes(a.name) && v.startsWith('javascript:'))
        bad.push('js url: ' + e.tagName + ' ' + a.name);
    }
    // the page's own two scripts, in its head: start.js (starts the worker) and app.mjs
    if (e.tagName === 'SCRIPT' && !(['start.js', 'app.mjs'].includes(e.getAttribute('src')) && e.parentElement === document.head))
      bad.push('script: ' + e.outerHTML.slice(0, 160));
    if (e.tagName === 'IMG' || e.tagName === 'BASE' || e.tagName === 'META' && e.closest('body') || e.tagName === 'FORM')
      bad.push('element: ' + e.outerHTML.slice(0, 160));
  }
  return bad;
}"""

# Recorded from the first script that runs in the page (init scripts are not
# subject to the CSP): every CSP violation, and a flag any payload could set.
INIT_JS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample || ''}`.trim()));
"""


class Watch:
    """Dialogs, page errors and console messages of one page (and its workers)."""

    def __init__(self, page):
        self.page = page
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.console: list[tuple[str, str]] = []
        page.add_init_script(INIT_JS)

        def on_dialog(d):
            self.dialogs.append(f"{d.type}: {d.message}")
            d.dismiss()

        page.on("dialog", on_dialog)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        # the context's console event also carries the workers' (and the service worker's) messages
        page.context.on("console", lambda m: self.console.append((m.type, m.text)))

    def console_errors(self) -> list[str]:
        return [t for kind, t in self.console if kind == "error"]

    def assert_clean(self, where: str):
        live = self.page.evaluate(LIVE_JS, LIVE_SELECTOR)
        csp = self.page.evaluate("() => window.__csp")
        pwned = self.page.evaluate("() => [window.__pwned, window.__pwned2, window.__pwned3]")
        assert live == [], f"{where}: live markup in the DOM: {live}"
        assert self.dialogs == [], f"{where}: dialogs opened: {self.dialogs}"
        assert self.errors == [], f"{where}: page errors: {self.errors}"
        assert self.console_errors() == [], f"{where}: console errors: {self.console_errors()}"
        assert csp == [], f"{where}: CSP violations (something tried to run or load): {csp}"
        assert pwned == [None, None, None], f"{where}: a payload ran: {pwned}"


# ---- exported reports

class _Live(HTMLParser):
    BAD_TAGS = {"script", "iframe", "object", "embed", "img", "svg", "math", "base", "form", "link", "meta-refresh"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.bad: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BAD_TAGS:
            self.bad.append(f"<{tag}>")
        if tag == "meta" and any(k == "http-equiv" and (v or "").lower() == "refresh" for k, v in attrs):
            self.bad.append("meta refresh")
        for k, v in attrs:
            if k.startswith("on"):
                self.bad.append(f"<{tag} {k}>")
            if k in ("href", "src", "action", "formaction", "data", "xlink:href", "srcdoc") and v is not None:
                if re.sub(r"[\s\x00-\x1f]+", "", v).lower().startswith(("javascript:", "data:", "vbscript:")) or k == "srcdoc":
                    self.bad.append(f"<{tag} {k}={v!r}>")

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def html_report_problems(html: str) -> tuple[list[str], str]:
    """(live markup found, the document's text) of an exported HTML report."""
    p = _Live()
    p.feed(html)
    p.close()
    return p.bad, "".join(p.text)


def _strip_code(md: str) -> str:
    """Markdown without fenced code blocks and inline code spans (both inert)."""
    out, fence = [], None
    for line in md.split("\n"):
        m = re.match(r"^ {0,3}(`{3,}|~{3,})", line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not line.strip()[len(m.group(1)):]:
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        out.append(line)
    text = "\n".join(out)
    # inline code: a run of N backticks up to the next run of exactly N
    res, i = [], 0
    while i < len(text):
        if text[i] == "`" and (i == 0 or text[i - 1] != "\\"):
            n = len(text[i:]) - len(text[i:].lstrip("`"))
            close = re.compile(r"(?<!`)" + "`" * n + r"(?!`)").search(text, i + n)
            if close:
                i = close.end()
                res.append(" ")
                continue
            res.append(text[i:i + n])
            i += n
            continue
        res.append(text[i])
        i += 1
    return "".join(res)


def markdown_report_problems(md: str) -> list[str]:
    """Raw HTML, javascript: links or images outside code in an exported Markdown report."""
    prose = _strip_code(md)
    unescaped = r"(?<!\\)(?:\\\\)*"
    bad = []
    for m in re.finditer(unescaped + r"<\s*/?\s*[A-Za-z!?]", prose):
        bad.append("raw HTML: " + prose[m.start():m.start() + 60])
    for m in re.finditer(unescaped + r"\]\s*\(\s*(?:javascript|data|vbscript):", prose, re.I):
        bad.append("link: " + prose[max(0, m.start() - 20):m.start() + 60])
    for m in re.finditer(unescaped + r"!\[", prose):
        bad.append("image: " + prose[m.start():m.start() + 60])
    for m in re.finditer(unescaped + r"<(?:javascript|data|vbscript):", prose, re.I):
        bad.append("autolink: " + prose[m.start():m.start() + 60])
    if "\x00" in md or "\x1b" in md:
        bad.append("control characters")
    return bad
