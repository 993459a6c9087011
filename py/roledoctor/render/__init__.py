"""Front ends for a Report: JSON, text, Markdown, HTML fragments (jinja2) and SARIF.

`render(report, fmt)` picks one; jinja2 is imported only when a template
format is used, so JSON and SARIF stay stdlib-only.
"""

from __future__ import annotations

import json

FORMATS = ("json", "text", "markdown", "html", "sarif")


def render(report, fmt: str = "text", *, masked: bool = False, **options) -> str:
    """Secret values are masked in every format (render.masking). `masked`: the
    caller already passed the report through mask_report (one scan for several formats)."""
    from roledoctor.render.inline import json_safe
    from roledoctor.render.masking import mask_report

    if not masked:
        report = mask_report(report, diff_only=fmt in ("text", "markdown", "html"))
    if fmt == "json":
        from roledoctor.findings.report import to_json_obj

        return json_safe(json.dumps(to_json_obj(report), indent=2, ensure_ascii=False)) + "\n"
    if fmt == "sarif":
        from roledoctor.render.sarif import to_sarif

        return json_safe(json.dumps(to_sarif(report, **options), indent=2, ensure_ascii=False)) + "\n"
    if fmt in ("text", "markdown", "html"):
        from roledoctor.render import templates

        return templates.render_report(report, fmt)
    raise ValueError(f"format must be one of {FORMATS}")
