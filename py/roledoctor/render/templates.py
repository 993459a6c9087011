"""The jinja2 renderers (text, Markdown, HTML fragment) over one Report.

One Environment per medium, built once and cached with its compiled
templates: HTML autoescapes; Markdown and text have no autoescape, so every
`{{ value }}` goes through a `finalize` that escapes it for the medium unless a
filter already returned safe Markup. A template cannot forget to escape.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from roledoctor import __version__
from roledoctor.render import inline

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
_TEMPLATES = {"text": "report.txt.j2", "markdown": "report.md.j2", "html": "report.html.j2"}
VERDICT_WORDS = {"denied": "Denied", "allowed": "Allowed", "undetermined": "Undetermined"}


def _safe(fn):
    return lambda value, *a: Markup(fn(str(value), *a))


def _md_finalize(value):
    if value is None:
        return ""
    return value if isinstance(value, Markup) else inline.md_escape(str(value))


def _text_finalize(value):
    if value is None:
        return ""
    return value if isinstance(value, Markup) else inline.clean_controls(str(value))


def _html_inline(value) -> Markup:
    parts = []
    for code, part in inline.split_code(inline.clean_controls(str(value))):
        parts.append(Markup("<code>%s</code>") % part if code else escape(part))
    return Markup("").join(parts)


def _html_diff(diff: str) -> Markup:
    """A unified diff as escaped lines, each with a class for +, - and @@."""
    rows = []
    for line in inline.clean_controls(diff).rstrip("\n").split("\n"):
        cls = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "ctx")
        if line.startswith(("+++", "---")):
            cls = "file"
        rows.append(Markup('<span class="rd-diff-%s">%s</span>') % (cls, line))
    return Markup("\n").join(rows)


@functools.cache
def environment(medium: str) -> jinja2.Environment:
    # auto_reload off: templates never change while running, and the page's
    # memory snapshot can then render before the template files are unpacked.
    common: dict[str, Any] = dict(loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)), auto_reload=False, trim_blocks=True,
                  lstrip_blocks=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    if medium == "html":
        env = jinja2.Environment(autoescape=True, finalize=_text_finalize, **common)  # escaped after finalize
        env.filters["inline"] = _html_inline
        env.filters["diff"] = _html_diff
    elif medium == "markdown":
        env = jinja2.Environment(autoescape=False, finalize=_md_finalize, **common)
        env.filters["inline"] = _safe(inline.md_inline)
        env.filters["code"] = _safe(inline.md_code)
        env.filters["block"] = _safe(inline.md_block)
    elif medium == "text":
        env = jinja2.Environment(autoescape=False, finalize=_text_finalize, **common)
        env.filters["inline"] = _safe(inline.text_inline)
        env.filters["name"] = _safe(inline.escape_name)
        env.filters["indent_block"] = _safe(lambda s, n=4: "\n".join(
            (" " * n + line) if line else line for line in inline.clean_controls(s).rstrip("\n").split("\n")))
    else:
        raise ValueError(f"unknown medium {medium!r}")
    env.globals.update(version=__version__, verdict_words=VERDICT_WORDS)
    return env


@functools.cache
def template(medium: str, name: str) -> jinja2.Template:
    return environment(medium).get_template(name)


def render_template(medium: str, name: str, **context) -> str:
    return template(medium, name).render(**context)


def render_report(report, medium: str) -> str:
    out = render_template(medium, _TEMPLATES[medium], report=report,
                          findings=report.ordered_findings(), fixes=report.ordered_fixes())
    # text and Markdown end up in CI logs: no line of the input may read as a command there
    return out if medium == "html" else inline.ci_safe(out)
