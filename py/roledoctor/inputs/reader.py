"""Classify a pasted text, read every fact from it, and gather all inputs.

Entry points (none of them raises for any input string):
  classify(text) -> list[str]
  read(name, text) -> list[Recognised]
  read_all({name: text}) -> Inputs
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from roledoctor.inputs import errortext, jsonspan, policydoc
from roledoctor.inputs.identity import caller_identity
from roledoctor.inputs.policyjson import policy_in
from roledoctor.inputs.hcleval import Env, with_type_defaults
from roledoctor.inputs.model import (
    INPUT_UNPARSEABLE, CallerIdentity, Inputs, PolicyDocument, PolicySource, Problem, Recognised, RoleResource, Arg,
)
from roledoctor.source import LineIndex

_JSON_START = re.compile(r"[ \t\r\n\ufeff]*[{\[]")
_LOGFMT = errortext._LOGFMT


def _json_log(value, text: str) -> bool:
    """A JSON log line (or object) quoting an error: neither a plan, a policy nor caller identity."""
    return errortext.recognise_json(text, lambda: value)


def classify(text: str) -> list[str]:
    """What the text holds, cheaply, asked of the rows of the kinds table (roledoctor.inputs.kinds)
    stage by stage: error | hcl | policy-json | plan | json | aws-evidence | a kind with a module
    of its own | unknown (several possible for a text that is no JSON)."""
    if not isinstance(text, str) or not text.strip():
        return ["unknown"]
    from roledoctor.inputs import kinds
    own = kinds.recognised(text)
    if own:
        return [own[0]]
    if _JSON_START.match(text):
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


def _policy_in(obj):
    return policy_in(obj)


def _strip(raw: dict, prefix: tuple) -> dict:
    n = len(prefix)
    return {k[n:]: v for k, v in raw.items() if k[:n] == prefix}


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
    return Recognised(ctx.name, "problem", p, p.span)


def _read(ctx: _Ctx) -> list[Recognised]:
    from roledoctor.inputs import evidence
    text = ctx.text
    if not text.strip():
        return [_problem(ctx, Problem(INPUT_UNPARSEABLE, "input is empty", ctx.name))]
    from roledoctor.inputs import kinds as own_kinds
    own = own_kinds.recognised(text)
    if own:  # a kind with a module of its own (roledoctor.inputs.kinds)
        return own[1].read(ctx.name, text, ctx.lines)
    if _JSON_START.match(text):
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
        if found:
            rest = [r for r in _read_kinds(ctx) if not (r.kind == "problem" and r.facts.code == INPUT_UNPARSEABLE)]
            ids = {r.facts.arn for r in rest if r.kind == "caller-identity"}
            return rest + [r for r in found if not (r.kind == "caller-identity" and r.facts.arn in ids)]
    return _read_kinds(ctx)


def _read_kinds(ctx: _Ctx) -> list[Recognised]:
    """Read the text as the first row of the kinds table that recognises it (stages json, then
    log and text). The kinds reader.py reads itself (mixed pastes: error text with JSON or HCL
    inside, broken JSON that quotes an error) are handled here; any other row's module reads
    its text with `read(name, text, lines)`."""
    from roledoctor.inputs import kinds
    text = ctx.text
    if _JSON_START.match(text):
        try:
            doc = jsonspan.parse(text)
        except jsonspan.JSONSyntaxError as err:
            if errortext.looks_like_error(text):
                return _read_errors(ctx, mixed=True)
            return [_problem(ctx, policydoc.unparseable(err.message, err.offset, ctx.lines, ctx.name, "invalid JSON"))]
        for k in kinds.rows("json"):
            if not k.recogniser()(text, lambda: doc.value):
                continue
            if k.name == "aws-evidence":
                from roledoctor.inputs import evidence
                aws = evidence.read_json(ctx.name, text, ctx.lines, doc)
                if aws is not None:
                    return aws
                continue
            if k.name == "error":
                return _read_errors(ctx, mixed=False)
            if k.name in ("plan", "policy-json", "json"):
                return _read_json(ctx, doc)
            return k.reader()(ctx.name, text, ctx.lines)
        return _read_json(ctx, doc)
    for k in kinds.rows("log") + kinds.rows("text"):
        if k.name == "aws-evidence" or not k.recogniser()(text):
            continue  # AWS output in a text that is no JSON: read by _read, before this
        if k.name == "error":
            return _read_errors(ctx, mixed=k.stage != "log")
        if k.name == "hcl":
            return _read_terraform(ctx)
        return k.reader()(ctx.name, text, ctx.lines)
    return [_problem(ctx, Problem(INPUT_UNPARSEABLE,
                                  "not recognised as Terraform/STS error output, HCL, a JSON policy or a plan",
                                  ctx.name, ctx.lines.span(0, min(1, len(text))), ctx.lines.line_text(1)[:200]))]


def _read_terraform(ctx: _Ctx) -> list[Recognised]:
    from roledoctor.inputs import hcl
    text = ctx.text
    try:
        body = ctx.cache.get(("hcl", ctx.name, text)) or hcl.parse(text)
        ctx.cache[("hcl", ctx.name, text)] = body
    except hcl.HCLSyntaxError as err:
        # A Terraform file (what `check` reads) that does not parse is broken HCL, never error text.
        if not str(ctx.name).endswith((".tf", ".tfvars")) and errortext.looks_like_error(text):
            return _read_errors(ctx, mixed=True)
        return [_problem(ctx, policydoc.unparseable(err.message, err.offset, ctx.lines, ctx.name, "invalid HCL"))]
    found = _read_hcl(ctx, body)
    if all(r.kind in ("tfvars", "hcl") for r in found) and errortext.looks_like_error(text):
        return _read_errors(ctx, mixed=True)  # key=value log text, not configuration
    return found


def _read_json(ctx: _Ctx, doc: jsonspan.JSONDoc) -> list[Recognised]:
    from roledoctor.inputs.plan import PlanReader, is_plan
    if is_plan(doc.value):
        found = PlanReader(ctx.name, ctx.text, doc, ctx.lines).read()
        out = [Recognised(ctx.name, "plan", {"terraform_version": doc.value.get("terraform_version"),
                                             "format_version": doc.value.get("format_version")})]
        return out + _found(ctx, found)
    identity = _caller_identity(doc.value)
    if identity is not None:
        identity.input, identity.span = ctx.name, ctx.lines.span(doc.start, doc.end)
        return [Recognised(ctx.name, "caller-identity", identity, identity.span)]
    path = _policy_in(doc.value)
    if path is None:
        return [_problem(ctx, Problem(INPUT_UNPARSEABLE, "JSON, but neither an IAM policy (no Statement) nor a "
                                      "`terraform show -json` plan", ctx.name, ctx.lines.span(doc.start, doc.end),
                                      ctx.lines.line_text(1)[:200]))]
    obj = doc.value
    for p in path:
        obj = obj[p]
    spans = {k: ctx.lines.span(*v) for k, v in _strip(doc.spans, path).items()}
    keys = {k: ctx.lines.span(*v) for k, v in _strip(doc.key_spans, path).items()}
    policy, problems = policydoc.build(obj, spans, keys, ctx.lines, ctx.name, PolicySource("json", input=ctx.name))
    if problems or policy is None:  # build gives a policy or the problems
        return [_problem(ctx, p) for p in problems]
    if path[:1] == ("Role",) or path == ("AssumeRolePolicyDocument",):
        role = doc.value.get("Role", doc.value)
        r = RoleResource(ctx.name, str(role.get("Arn") or role.get("RoleName") or "role"), trust=policy,
                         trust_source=PolicySource("json", ref="/".join(path), input=ctx.name))
        if isinstance(role.get("MaxSessionDuration"), int):
            r.max_session_duration = Arg("MaxSessionDuration", role["MaxSessionDuration"],
                                         str(role["MaxSessionDuration"]))
        return [Recognised(ctx.name, "role", r, policy.span)]
    kind, reasons = policydoc.classify(policy, ctx.name)
    return [Recognised(ctx.name, "policy-json", PolicyDocument(ctx.name, kind, reasons, policy), policy.span)]


def _read_hcl(ctx: _Ctx, body) -> list[Recognised]:
    from roledoctor.inputs.terraform import Reader
    found = Reader(ctx.name, ctx.text, ctx.lines, ctx.env).read(body)
    return _found(ctx, found)


def _found(ctx: _Ctx, found) -> list[Recognised]:
    out: list[Recognised] = []
    out += [Recognised(ctx.name, "provider", p, p.span) for p in found.providers]
    out += [Recognised(ctx.name, "backend-s3", b, b.span) for b in found.backends]
    out += [Recognised(ctx.name, "role", r, r.span) for r in found.roles]
    for p in found.policies:
        kind = "policy-document" if p.type == "data.aws_iam_policy_document" else "policy-resource"
        out.append(Recognised(ctx.name, kind, p, p.span))
    out += [Recognised(ctx.name, "attachment", a, a.span) for a in found.attachments]
    out += [Recognised(ctx.name, "variable", v, v.span) for v in found.variables]
    out += [Recognised(ctx.name, "module-call", m, m.span) for m in found.modules]
    if found.locals:
        out.append(Recognised(ctx.name, "locals", {"names": sorted(found.locals), "_nodes": found.locals}))
    if found.tfvars:
        out.append(Recognised(ctx.name, "tfvars", found.tfvars))
    out += [_problem(ctx, p) for p in found.problems]
    if not out:
        out.append(Recognised(ctx.name, "hcl", {"blocks": found.other_blocks}))
    return out


_SEGMENT_START = re.compile(r"^(?:\{|(?:provider|resource|data|terraform|variable|locals)[ \t][^\n{]*\{)", re.M)


def _segments(text: str) -> list[tuple[int, int, str]]:
    """Column-0 JSON objects and HCL blocks inside a mixed paste (error output
    plus config): (start, end, "json"|"hcl"). Braces are matched outside strings."""
    out: list[tuple[int, int, str]] = []
    pos = 0
    while True:
        m = _SEGMENT_START.search(text, pos)
        if not m:
            return out
        depth, i, n, in_str = 0, m.start(), len(text), False
        end = None
        while i < n:
            ch = text[i]
            if in_str:
                if ch == "\\":
                    i += 1
                elif ch == '"' or ch == "\n":
                    in_str = False
            elif ch == '"':
                in_str = True
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    end = i + 1
                    break
            i += 1
        if end is None:
            return out
        out.append((m.start(), end, "json" if text[m.start()] == "{" else "hcl"))
        pos = end


def _read_errors(ctx: _Ctx, mixed: bool) -> list[Recognised]:
    from roledoctor.inputs import hcl
    out = [Recognised(ctx.name, "error", e, e.span) for e in errortext.parse(ctx.name, ctx.text)]
    segs = _segments(ctx.text) if mixed else []
    hcl_segs = [(a, b) for a, b, k in segs if k == "hcl"]
    for a, b, k in segs:
        if k == "json":
            try:
                doc = jsonspan.parse(ctx.text, a, b)
            except jsonspan.JSONSyntaxError:
                continue
            out += [r for r in _read_json(ctx, doc) if r.kind != "problem"]
    if hcl_segs:
        # Blank out everything else (keeping newlines) so offsets stay those of the paste.
        chars = [c if c == "\n" else " " for c in ctx.text]
        for a, b in hcl_segs:
            chars[a:b] = ctx.text[a:b]
        try:
            out += _read_hcl(ctx, hcl.parse("".join(chars)))
        except hcl.HCLSyntaxError:
            pass
    if not out:
        out.append(_problem(ctx, Problem(INPUT_UNPARSEABLE, "looks like error output, but no known AWS/Terraform "
                                         "error template matched", ctx.name, ctx.lines.span(0, min(1, len(ctx.text))),
                                         ctx.lines.line_text(1)[:200])))
    return out


# ---- all inputs together -------------------------------------------------

def _basename(path: str) -> str:
    return path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


def read_all(inputs: dict[str, str], given: ModuleValues | None = None, cache: dict | None = None) -> Inputs:
    """Read every input, then resolve var.x (variable defaults, then *.tfvars,
    or the values a module call passes), local.y, data.aws_iam_policy_document.X.json
    and file("X") across inputs. `cache` (parsed HCL by name and text) may be shared by
    calls that read the same texts again (a module read once per call)."""
    try:
        return _read_all(inputs, given, cache)
    except Exception as err:  # never a traceback for user input
        res = Inputs(texts=dict(inputs) if isinstance(inputs, dict) else {})
        res.problems.append(Problem(INPUT_UNPARSEABLE, f"could not read the inputs ({type(err).__name__}: {err})", ""))
        return res


@dataclass
class ModuleValues:
    """What a `module` block passes to the module it calls: each argument's value (None when
    the caller's code does not decide it), and which of them rest on the caller's own
    variable defaults. A variable the call leaves out takes its default, and that default is
    decided: no caller can set it any more."""

    values: dict[str, Any] = field(default_factory=dict)
    unknown: set[str] = field(default_factory=set)
    defaulted: set[str] = field(default_factory=set)


# A document source_policy_documents names can itself merge others: a few passes settle chains.
_DOCUMENT_PASSES = 3
_MERGES = re.compile(r"(?:source|override)_policy_documents[ \t]*=[^\n]{0,300}?data\.aws_iam_policy_document\.")


def _caller_identity(value) -> CallerIdentity | None:
    return caller_identity(value)


def _set_values(env: Env, first: dict[str, list[Recognised]], given: ModuleValues | None) -> None:
    """Values set from outside the module: tfvars at the root, a module call's arguments in an instance."""
    if given is None:
        for recs in first.values():  # tfvars override defaults
            for r in recs:
                if r.kind == "tfvars":
                    for k, a in r.facts.items():
                        if not a.symbolic:
                            env.variables[k] = a.value
                            env.defaulted.discard(k)
        return
    for k in given.unknown:
        env.variables.pop(k, None)  # the call passes something its code does not decide
    env.variables.update(given.values)
    env.defaulted |= given.defaulted


def _read_all(inputs: dict[str, str], given: ModuleValues | None = None, cache: dict | None = None) -> Inputs:
    cache = {} if cache is None else cache
    # The first reading (no values yet) only gathers variables, locals and tfvars: the same for a
    # module and each instance of it, so it is kept with the parsed texts.
    first = {}
    for name, text in inputs.items():
        key = ("first", name, text)
        if key not in cache:
            cache[key] = read(name, text, None, cache)
        first[name] = cache[key]
    env = Env()
    types: dict[str, Any] = {}
    for name, recs in first.items():
        for r in recs:
            if r.kind == "variable":
                types.setdefault(r.facts.name, r.facts.type)
                if r.facts.default is not None and not r.facts.default.symbolic and r.facts.name not in env.variables:
                    env.variables[r.facts.name] = r.facts.default.value
                    if given is None:  # in a module instance, a default the call leaves alone is decided
                        env.defaulted.add(r.facts.name)
            elif r.kind == "locals":
                for k, node in r.facts["_nodes"].items():
                    env.locals[k] = node
                    env.local_texts[k] = inputs[name]
    _set_values(env, first, given)
    for k in list(env.variables):
        if types.get(k) is not None:
            env.variables[k] = with_type_defaults(env.variables[k], types[k], env)
    final = first
    if env.variables or env.locals:
        final = {name: read(name, text, env, cache) for name, text in inputs.items()}
    # documents merged through source/override_policy_documents: read again until they settle
    for _ in range(_DOCUMENT_PASSES):
        documents = _document_texts(final)
        if not _MERGES.search("\n".join(t for t in inputs.values() if isinstance(t, str))) or \
                {k: v for k, (v, _) in documents.items()} == env.documents:
            break
        env.documents = {k: v for k, (v, _) in documents.items()}
        env.defaulted_documents = {k for k, (_, d) in documents.items() if d}
        final = {name: read(name, text, env, cache) for name, text in inputs.items()}
    final = _read_by_file(inputs, final)
    res = Inputs(texts=dict(inputs), variables=dict(env.variables))
    for recs in final.values():
        for r in recs:
            res.recognised.append(r)
            buckets: dict[str, list] = {"error": res.errors, "provider": res.providers, "backend-s3": res.backends, "role": res.roles,
                      "policy-resource": res.policies, "policy-document": res.policies,
                      "attachment": res.attachments, "policy-json": res.documents, "problem": res.problems,
                      "caller-identity": res.identities, "aws-evidence": res.evidence,
                      "module-call": res.modules}
            bucket = buckets.get(r.kind)
            if bucket is not None:
                bucket.append(r.facts)
    _link(res)
    return res


# file("${path.module}/x.json") / templatefile("…/x.json", {...}): the file name
_FILE_CALL = re.compile(r'\b(?:file|templatefile)\([ \t]*"([^"\n]{1,500})"')


def _read_by_file(inputs: dict[str, str], found: dict[str, list[Recognised]]) -> dict[str, list[Recognised]]:
    """A JSON file the configuration reads with file()/templatefile() is whatever its content is
    (https://developer.hashicorp.com/terraform/language/functions/file): a Step Functions
    definition or other JSON that is no policy is not an input error, and a template whose
    `${…}` makes it JSON only once rendered is unknown here, not invalid JSON
    (https://developer.hashicorp.com/terraform/language/functions/templatefile)."""
    names = {_basename(m) for text in inputs.values() if isinstance(text, str) and "file(" in text
             for m in _FILE_CALL.findall(text)}
    if not names:
        return found
    out = {}
    for name, recs in found.items():
        text = inputs.get(name)
        if _basename(name) not in names or not isinstance(text, str) or not _JSON_START.match(text):
            out[name] = recs
            continue
        kept = []
        for r in recs:
            p = r.facts if r.kind == "problem" else None
            if p is not None and p.code == INPUT_UNPARSEABLE and p.message.startswith("JSON, but neither"):
                kept.append(Recognised(name, "json", {"read_by": "file()", "what": "JSON that is no IAM policy"}))
            elif p is not None and p.code == INPUT_UNPARSEABLE and ("${" in text or "%{" in text):
                kept.append(Recognised(name, "template", {"read_by": "templatefile()",
                                                          "what": "a template: JSON once Terraform renders it"}))
            else:
                kept.append(r)
        out[name] = kept
    return out


def _document_texts(found: dict[str, list[Recognised]]) -> dict[str, tuple[str, bool]]:
    """data.aws_iam_policy_document name -> (its `json`, built from a variable default?), as
    source_policy_documents / override_policy_documents read it. Only documents read whole."""
    import json
    out: dict[str, tuple[str, bool]] = {}
    for recs in found.values():
        for r in recs:
            if r.kind != "policy-document" or r.facts.policy is None:
                continue
            src = r.facts.policy_source
            if src is not None and src.partial:
                continue  # part of it is undecided: so is any merge of it
            name = r.facts.address.rsplit(".", 1)[-1]
            out[name] = (json.dumps(policydoc.to_obj(r.facts.policy)), bool(r.facts.policy.defaulted))
    return out


def _link(res: Inputs) -> None:
    docs = {p.address.split(".")[-1]: p for p in res.policies if p.type == "data.aws_iam_policy_document"}
    by_file = {_basename(d.input): d for d in res.documents}
    # The whole quoted path, then its last component in Python: a lazy prefix
    # before a greedy last component was quadratic on a long path (ReDoS tests).
    files = re.compile(r"""(?:file|templatefile)\(\s*"((?:[^"\\]|\\.)*)"\s*[,)]""")

    def file_name(ref: str) -> str | None:
        f = files.match(ref)
        if not f:
            return None
        path = f.group(1)
        name = path[max(path.rfind("/"), path.rfind("\\")) + 1:]
        return name or None

    def resolve(src: PolicySource | None):
        if src is None or not src.ref:
            return None
        # data.X.json, data.X[0].json, data.X[count.index].json: a counted data
        # source's instances share one configuration (its count decides only how many)
        m = re.fullmatch(r"data\.aws_iam_policy_document\.([A-Za-z0-9_-]+)(?:\[[^\]\n]{1,60}\])?\.json", src.ref.strip())
        if m and m.group(1) in docs:
            return docs[m.group(1)].policy
        f = file_name(src.ref)
        if f and f in by_file:
            return by_file[f].policy
        return None

    for r in res.roles:
        if r.trust is None and r.trust_source is not None:
            r.trust = resolve(r.trust_source)
        for ip in r.inline_policies:
            if ip.policy is None:
                ip.policy = resolve(ip.policy_source)
    for p in res.policies:
        if p.policy is None and p.policy_source is not None:
            p.policy = resolve(p.policy_source)
