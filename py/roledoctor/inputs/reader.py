"""Classify a pasted text and read every fact from it, asking the kinds table
(roledoctor.inputs.kinds): each kind's module recognises and reads its own texts;
this module dispatches over the table and reads the mixed pastes, texts holding
several kinds (error output quoting JSON documents or HCL blocks, Terraform
that is key=value log text, AWS output around other text): it cuts them into
pieces and has each piece read by its kind's module.

Entry points (neither raises for any input string):
  classify(text) -> list[str]
  read(name, text) -> list[Recognised]
All inputs together: roledoctor.inputs.gather.read_all.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from roledoctor.inputs import errortext, jsonkind, jsonspan, kinds, terraform
from roledoctor.inputs.documents import segments
from roledoctor.inputs.hcl import HCLSyntaxError
from roledoctor.inputs.hcleval import Env
from roledoctor.inputs.model import INPUT_UNPARSEABLE, Problem, Recognised, problem_record
from roledoctor.source import LineIndex

JSON_START = re.compile(r"[ \t\r\n\ufeff]*[{\[]")


def classify(text: str) -> list[str]:
    """What the text holds, cheaply, asked of the rows of the kinds table (roledoctor.inputs.kinds)
    stage by stage: error | hcl | policy-json | plan | json | aws-evidence | a kind with a module
    of its own | unknown (several possible for a text that is no JSON)."""
    if not isinstance(text, str) or not text.strip():
        return ["unknown"]
    own = kinds.recognised(text)
    if own:
        return [own[0]]
    if JSON_START.match(text):
        memo: list = []

        def parsed():
            if not memo:
                memo.append(jsonspan.parse(text, positions=False).value)
            return memo[0]
        try:
            for k in kinds.rows("json"):
                if k.recogniser()(text, parsed):
                    return [k.name]
        except jsonspan.JSONSyntaxError:
            pass  # not JSON after all: the text kinds below
    for k in kinds.rows("log"):
        if k.recogniser()(text):
            return [k.name]
    found = [k.name for k in kinds.rows("text") if k.recogniser()(text)]
    return found or ["unknown"]


class _Ctx:
    def __init__(self, name: str, text: str, env: Env | None = None, cache: dict | None = None):
        self.name, self.text = name, text
        self.lines = LineIndex(text)
        self.env = env or Env()
        self.cache = cache if cache is not None else {}


def read(name: str, text: str, env: Env | None = None, _cache: dict | None = None) -> list[Recognised]:
    """Everything recognised in one input. Problems come back as kind "problem"."""
    if not isinstance(text, str):
        return [Recognised(str(name), "problem", Problem(INPUT_UNPARSEABLE, "input is not text", str(name)))]
    try:
        return _read(_Ctx(name, text, env, _cache))
    except RecursionError:
        return [Recognised(name, "problem", Problem(INPUT_UNPARSEABLE, "input nested too deeply", name))]
    except Exception as err:  # last resort: a bug must not surface as a traceback to the user
        return [Recognised(name, "problem", Problem(INPUT_UNPARSEABLE, f"could not read this input ({type(err).__name__}: {err})", name))]


def _problem(ctx: _Ctx, p: Problem) -> Recognised:
    return problem_record(ctx.name, p)


def _read(ctx: _Ctx) -> list[Recognised]:
    from roledoctor.inputs import evidence
    text = ctx.text
    if not text.strip():
        return [_problem(ctx, Problem(INPUT_UNPARSEABLE, "input is empty", ctx.name))]
    own = kinds.recognised(text)
    if own:  # a kind with a module of its own (roledoctor.inputs.kinds)
        return own[1].read(ctx.name, text, ctx.lines)
    if JSON_START.match(text):
        fast = evidence.read_fast(ctx.name, text, ctx.lines)  # authorization details: tens of MB
        if fast is not None:
            return fast
        if evidence.several_objects(text):  # AWS outputs one after another
            found, whole = evidence.read_text(ctx.name, text, ctx.lines)
            if whole:
                return found
    else:  # AWS CLI output below its `$ aws …` line, NoSuchEntity, the caller's bare ARN
        found, whole = evidence.read_text(ctx.name, text, ctx.lines)
        if whole:
            return found
        if found:  # AWS output within other text: the rest read by its kind, caller ARNs once
            rest = [r for r in _read_kinds(ctx) if not (r.kind == "problem" and r.facts.code == INPUT_UNPARSEABLE)]
            ids = {r.facts.arn for r in rest if r.kind == "caller-identity"}
            return rest + [r for r in found if not (r.kind == "caller-identity" and r.facts.arn in ids)]
    return _read_kinds(ctx)


def _read_kinds(ctx: _Ctx) -> list[Recognised]:
    """Read the text as the first row of the kinds table that recognises it (stages json, then
    log and text): the row's module reads it, or, for the kinds whose texts may hold others
    (_PASTES), the mixed-paste reader here."""
    text = ctx.text
    if JSON_START.match(text):
        try:
            doc = jsonspan.parse(text)
        except jsonspan.JSONSyntaxError as err:
            if errortext.looks_like_error(text):  # broken JSON quoting an error: error output
                return _read_error_paste(ctx)
            return [jsonkind.invalid(ctx.name, err, ctx.lines)]
        return _read_json(ctx, doc, kinds.rows("json")) or [jsonkind.unrecognised(ctx.name, ctx.lines, doc)]
    for k in kinds.rows("log") + kinds.rows("text"):
        if k.name == "aws-evidence" or not k.recogniser()(text):
            continue  # AWS output in a text that is no JSON: read by _read, before this
        paste = _PASTES.get((k.name, k.stage))
        return paste(ctx) if paste else k.reader()(ctx.name, text, ctx.lines)
    return [_problem(ctx, Problem(INPUT_UNPARSEABLE,
                                  "not recognised as Terraform/STS error output, HCL, a JSON policy or a plan",
                                  ctx.name, ctx.lines.span(0, min(1, len(text))), ctx.lines.line_text(1)[:200]))]


def _read_json(ctx: _Ctx, doc: jsonspan.JSONDoc, rows: tuple[kinds.Kind, ...]) -> list[Recognised] | None:
    """The parsed document read by the first of `rows` that recognises it and reads it."""
    for k in rows:
        if k.recogniser()(ctx.text, lambda: doc.value):
            got = k.json_reader()(ctx.name, ctx.text, ctx.lines, doc)
            if got is not None:
                return got
    return None


# ---- mixed pastes ------------------------------------------------------------

def _read_hcl_paste(ctx: _Ctx) -> list[Recognised]:
    """Terraform, or error output that only looks like HCL: text that does not parse, or parses
    to nothing but key=value lines (a log), and states an error is read as error output. A
    Terraform file (what `check` reads) that does not parse is broken HCL, never error text."""
    try:
        body = terraform.parse(ctx.name, ctx.text, ctx.cache)
    except HCLSyntaxError as err:
        if not str(ctx.name).endswith((".tf", ".tfvars")) and errortext.looks_like_error(ctx.text):
            return _read_error_paste(ctx)
        return [terraform.syntax_problem(ctx.name, err, ctx.lines)]
    found = terraform.read_body(ctx.name, ctx.text, ctx.lines, ctx.env, body)
    if all(r.kind in ("tfvars", "hcl") for r in found) and errortext.looks_like_error(ctx.text):
        return _read_error_paste(ctx)  # key=value log text, not configuration
    return found


# The JSON documents an error paste quotes are read as these kinds (an AWS output or a JSON
# log line inside error output is part of the error's text).
_QUOTED_JSON = ("plan", "policy-json", "json")


def _read_error_paste(ctx: _Ctx) -> list[Recognised]:
    """Error output with the JSON documents and HCL blocks it quotes (documents.segments): the
    errors (errortext), each JSON piece read by its kind's module, the HCL blocks together by
    terraform (the rest blanked, so offsets stay those of the paste)."""
    out = errortext.records(ctx.name, ctx.text)
    pieces = segments(ctx.text)
    quoted = tuple(k for k in kinds.rows("json") if k.name in _QUOTED_JSON)
    for a, b, form in pieces:
        if form == "json":
            try:
                doc = jsonspan.parse(ctx.text, a, b)
            except jsonspan.JSONSyntaxError:
                continue
            out += [r for r in _read_json(ctx, doc, quoted) or [] if r.kind != "problem"]
    hcl_pieces = [(a, b) for a, b, form in pieces if form == "hcl"]
    if hcl_pieces:
        chars = [c if c == "\n" else " " for c in ctx.text]
        for a, b in hcl_pieces:
            chars[a:b] = ctx.text[a:b]
        blanked = "".join(chars)
        try:
            body = terraform.parse(ctx.name, blanked)
        except HCLSyntaxError:
            body = None
        if body is not None:
            out += terraform.read_body(ctx.name, ctx.text, ctx.lines, ctx.env, body)
    return out or [errortext.no_template(ctx.name, ctx.text, ctx.lines)]


_PASTES: dict[tuple[str, str], Callable[[_Ctx], list[Recognised]]] = {
    ("hcl", "text"): _read_hcl_paste,
    ("error", "text"): _read_error_paste,
}
