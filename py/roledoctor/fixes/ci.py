"""OIDC_TOKEN_NOT_ISSUED in a CI file: grant the job its OIDC token, in the file's
own YAML, by inserting one line where the reader found the gap.

- GitHub Actions: `id-token: write` in the `permissions` that decide (the job's, which
  replace the workflow's, else the workflow's); none anywhere: the job gets
  `permissions: {id-token: write, contents: read}`, GitHub's example for AWS
  (https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-in-aws;
  a `permissions` key sets every permission it does not list to none, hence `contents: read`).
- Bitbucket Pipelines: `oidc: true` on the step
  (https://support.atlassian.com/bitbucket-cloud/docs/deploy-on-aws-using-bitbucket-pipelines-openid-connect/).

Only fixed ASCII text is written; nothing of the user's is copied.
"""

from __future__ import annotations

import re
from typing import Any

from roledoctor.fixes.edits import TextEdit
from roledoctor.fixes.errors import FixError
from roledoctor.fixes.model import Repair
from roledoctor.fixes.plan import Finding, planner

_STEPS = re.compile(r"^([ \t]*)steps:[ \t]*(#[^\n]*)?$", re.M)
_ID_TOKEN = re.compile(r"^([ \t]*)id-token:[ \t]*([A-Za-z-]+)", re.M)
_OIDC = re.compile(r"^([ \t]*)oidc:[ \t]*([A-Za-z]+)", re.M)


@planner("OIDC_TOKEN_NOT_ISSUED")
def grant_token(case: Any, ev: Any, f: Finding) -> list[Repair]:
    src = getattr(case, "caller_source", None)
    if src is None or src.token_span is None or src.kind not in ("github-workflow", "bitbucket-pipelines"):
        return []
    if not f.where or f.where[0].input != src.input:
        return []
    return [Repair("ci_file", "ci_grant_token", src)]


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def grant_edits(r: Repair, text: str) -> list[TextEdit]:
    src = r.source
    span = src.token_span
    if span is None:
        raise FixError("no place for the token permission")
    nl = _newline(text)
    body = text[span.start:span.end]
    key, value = ("id-token", "write") if src.kind == "github-workflow" else ("oidc", "true")
    have = (_ID_TOKEN if key == "id-token" else _OIDC).search(body)
    if have:  # `id-token: read` / `oidc: false`: set it
        start = span.start + have.start(2)
        return [TextEdit(start, start + len(have.group(2)), value)]
    if src.kind == "github-workflow" and src.token_missing.startswith("neither"):
        return [_job_permissions(text, span.start, nl)]
    line = _line_start(text, span.start)
    indent = text[line:span.start]
    if body.startswith("{"):  # a flow mapping: `permissions: { contents: read }`
        return [TextEdit(span.start + 1, span.start + 1, f" {key}: {value},")]
    if indent.strip(" -") or not body[:1].isalpha():
        raise FixError("not a block mapping")
    return [TextEdit(span.start, span.start, f"{key}: {value}{nl}{' ' * len(indent)}")]


def _job_permissions(text: str, pos: int, nl: str) -> TextEdit:
    """`permissions:` with `id-token: write` and `contents: read`, before the job's `steps:`."""
    steps = None
    for m in _STEPS.finditer(text, 0, pos):
        steps = m
    if steps is None:
        raise FixError("the job's steps: were not found")
    ind = steps.group(1)
    unit = "  "
    return TextEdit(steps.start(), steps.start(),
                    f"{ind}permissions:{nl}{ind}{unit}id-token: write{nl}{ind}{unit}contents: read{nl}")
