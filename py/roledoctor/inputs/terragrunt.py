"""terragrunt.hcl: the role Terragrunt assumes before it runs Terraform.

Attributes (https://terragrunt.gruntwork.io/docs/reference/config-blocks-and-attributes/):
`iam_role` (sts:AssumeRole with the base credentials), `iam_assume_role_duration`
(seconds), `iam_assume_role_session_name`, `iam_web_identity_token` (then
sts:AssumeRoleWithWebIdentity); `remote_state { backend = "s3" config { … } }` with
`role_arn` / `assume_role { role_arn … }` for the state bucket.

    recognise(text) -> bool
    read(name, text, lines) -> list[Recognised]   kind "caller-source" (CallerSource, kind "terragrunt")
"""

from __future__ import annotations

import re

from roledoctor.inputs.callermodel import CallerSource
from roledoctor.inputs.model import INPUT_UNPARSEABLE, Arg, Problem, Recognised
from roledoctor.source import LineIndex

_TG = re.compile(r"^(?:iam_role|iam_web_identity_token|iam_assume_role_duration|iam_assume_role_session_name)"
                 r"[ \t]{0,100}=", re.M)
_TG_INPUTS = re.compile(r"^inputs[ \t]{0,100}=[ \t]{0,100}\{", re.M)
_TG_BLOCK = re.compile(r"^(?:remote_state|include|dependency)[ \t]{1,100}(?:\"[^\"\n]{0,200}\"[ \t]{0,100})?\{", re.M)


def recognise(text: str) -> bool:
    if not isinstance(text, str) or len(text) > 1_000_000:
        return False
    # a .tfvars may set a variable named iam_role: a terragrunt file also has its blocks or `inputs`
    block = bool(_TG_BLOCK.search(text)) or bool(_TG_INPUTS.search(text))
    return block and (bool(_TG.search(text)) or "provider \"aws\"" not in text)


def read(name: str, text: str, lines: LineIndex) -> list[Recognised]:
    from roledoctor.inputs import hcl
    from roledoctor.inputs.hcleval import Env
    from roledoctor.inputs.terraform import Reader
    try:
        body = hcl.parse(text, every_block=True)  # remote_state, generate: blocks Terraform has not
    except hcl.HCLSyntaxError as err:
        line, col = lines.position(min(err.offset, len(text)))
        p = Problem(INPUT_UNPARSEABLE, f"invalid HCL at line {line}, column {col}: {err.message}", name,
                    lines.span(min(err.offset, len(text)), min(err.offset + 1, len(text))))
        return [Recognised(name, "problem", p, p.span)]
    rd = Reader(name, text, lines, Env())
    args = rd.args(body)
    src = CallerSource(name, "terragrunt", None, span=lines.span(0, len(text)))
    src.role_arn = args.get("iam_role")
    src.web_identity = "iam_web_identity_token" in args
    if src.web_identity:
        tok = args["iam_web_identity_token"]
        if not tok.symbolic and not tok.value:
            src.token_missing, src.token_span = "`iam_web_identity_token` is empty", tok.span
    src.session_name = args.get("iam_assume_role_session_name")
    d = args.get("iam_assume_role_duration")
    if d is not None and isinstance(d.value, (int, float)) and not isinstance(d.value, bool):
        src.duration_seconds = Arg(d.name, int(d.value), d.expr, d.span, d.name_span)
    for rs in body.blocks_of("remote_state"):
        for cfg in rs.body.blocks_of("config"):
            ca = rd.args(cfg.body)
            r = ca.get("role_arn")
            ar = next(iter(cfg.body.blocks_of("assume_role")), None)
            if ar is not None:
                r = rd.args(ar.body).get("role_arn", r)
            if r is not None and isinstance(r.value, str):
                src.notes.append(f"remote_state assumes `{r.value}` for the state bucket")
    if src.role_arn is None:
        return [Recognised(name, "hcl", {"terragrunt": True})]
    return [Recognised(name, "caller-source", src, src.span)]
