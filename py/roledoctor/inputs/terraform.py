"""Terraform configuration (parsed HCL) -> provider, backend, role and policy facts.

Provider arguments: terraform-provider-aws internal/provider/sdkv2/provider.go
(https://registry.terraform.io/providers/hashicorp/aws/latest/docs#assume-role-configuration-block). S3 backend: hashicorp/terraform
internal/backend/remote-state/s3/backend.go (assume_role is a nested attribute
since Terraform 1.6, #33625).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from roledoctor.inputs import policydoc
from roledoctor.inputs import hcl
from roledoctor.inputs.hcl import Attribute, Block, Body, Node
from roledoctor.inputs.hcleval import Env, evaluate
from roledoctor.inputs.model import (
    Arg, AssumeRoleHop, ModuleCall, PolicyAttachment, PolicyResource, PolicySource, Problem, ProviderConfig,
    Recognised, RoleResource, S3Backend, Variable, WebIdentityConfig, problem_record,
)
from roledoctor.source import LineIndex

HOP_ARGS = ("role_arn", "session_name", "external_id", "duration", "duration_seconds", "policy",
            "policy_arns", "tags", "transitive_tag_keys", "source_identity")
WEB_ARGS = ("role_arn", "session_name", "duration", "policy", "policy_arns", "web_identity_token",
            "web_identity_token_file")
PROVIDER_ARGS = ("alias", "region", "sts_region", "profile", "access_key", "secret_key", "token")
BACKEND_ARGS = ("bucket", "key", "region", "profile", "role_arn")
# Module block arguments that are not input variables
# (https://developer.hashicorp.com/terraform/language/modules/syntax#meta-arguments)
MODULE_META = ("source", "version", "providers", "count", "for_each", "depends_on")
ATTACHMENT_TYPES = ("aws_iam_role_policy_attachment", "aws_iam_user_policy_attachment",
                    "aws_iam_group_policy_attachment", "aws_iam_policy_attachment",
                    "aws_iam_role_policy_attachments_exclusive")


@dataclass
class Found:
    """What one HCL text holds."""

    providers: list[ProviderConfig] = field(default_factory=list)
    backends: list[S3Backend] = field(default_factory=list)
    roles: list[RoleResource] = field(default_factory=list)
    policies: list[PolicyResource] = field(default_factory=list)
    attachments: list[PolicyAttachment] = field(default_factory=list)
    variables: list[Variable] = field(default_factory=list)
    modules: list[ModuleCall] = field(default_factory=list)
    locals: dict[str, Node] = field(default_factory=dict)
    tfvars: dict[str, Arg] = field(default_factory=dict)  # top-level attributes (a *.tfvars file)
    problems: list[Problem] = field(default_factory=list)
    other_blocks: list[str] = field(default_factory=list)


def _mask_interpolations(text: str, start: int, end: int) -> str:
    """A heredoc is a template: its ${ ... } are evaluated before the result is
    JSON (https://developer.hashicorp.com/terraform/language/expressions/strings#heredoc-strings).
    Quotes inside an interpolation (`${trimprefix(var.x, "/")}`) are HCL, not JSON:
    they become ' so the JSON reading sees one string; the length, and so every
    offset, stays the same. One pass over text[start:end]."""
    quotes: list[int] = []
    i = text.find("${", start, end)
    while i != -1:
        if i > start and text[i - 1] == "$":  # $${ is a literal ${
            i = text.find("${", i + 2, end)
            continue
        depth, in_str, j = 1, False, i + 2
        while j < end and depth:
            ch = text[j]
            if in_str:
                if ch == "\\":
                    j += 1
                elif ch == '"':
                    in_str = False
                    quotes.append(j)
            elif ch == '"':
                in_str = True
                quotes.append(j)
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            j += 1
        i = text.find("${", j, end)
    if not quotes:
        return text
    chars = list(text[start:end])
    for q in quotes:
        chars[q - start] = "'"
    return text[:start] + "".join(chars) + text[end:]


class Reader:
    def __init__(self, name: str, text: str, lines: LineIndex, env: Env):
        self.name = name
        self.text = text
        self.lines = lines
        self.env = env

    def arg(self, a: Attribute) -> Arg:
        self.env.text = self.text
        r = evaluate(a.value, self.env)
        value = r.value
        n = a.value
        if r.symbolic and (n.kind in ("ref", "expr", "cond", "binop", "unary", "for") or (n.kind == "call" and n.value[0] != "jsonencode")):
            value = None  # nothing literal to show; the expression is in `expr`
        return Arg(a.name, value, self.text[a.value.start:a.value.end], self.lines.span(a.value.start, a.value.end),
                   self.lines.span(a.name_start, a.name_end), r.symbolic, r.refs, a.value, r.defaulted)

    def args(self, body: Body) -> dict[str, Arg]:
        return {n: self.arg(a) for n, a in body.attributes.items()}

    def span(self, b: Block):
        return self.lines.span(b.start, b.end)

    # ---- whole file ------------------------------------------------------

    def read(self, body: Body) -> Found:
        out = Found()
        for n, a in body.attributes.items():
            out.tfvars[n] = self.arg(a)
        for b in body.blocks:
            t, labels = b.type, b.labels
            if t == "provider" and labels[:1] == ["aws"]:
                out.providers.append(self.provider(b))
            elif t == "terraform":
                for bb in b.body.blocks_of("backend"):
                    if bb.labels[:1] == ["s3"]:
                        out.backends.append(self.backend(bb))
            elif t == "variable" and labels:
                d = b.body.attributes.get("default")
                ty = b.body.attributes.get("type")
                out.variables.append(Variable(self.name, labels[0], self.arg(d) if d else None, self.span(b),
                                              ty.value if ty else None))
            elif t == "locals":
                for n, a in b.body.attributes.items():
                    out.locals[n] = a.value
            elif t in ("resource", "data") and len(labels) >= 2 and self.none_made(b):
                out.other_blocks.append(" ".join([t] + labels + ["(count 0)"]))
            elif t == "resource" and len(labels) >= 2:
                self.resource(b, labels[0], labels[1], out)
            elif t == "data" and len(labels) >= 2 and labels[0] == "aws_iam_policy_document":
                out.policies.append(self.document(b, labels[1], out))
            elif t == "module" and labels and "source" in b.body.attributes:
                out.modules.append(self.module(b, labels[0]))
            else:
                out.other_blocks.append(" ".join([t] + labels))
        return out

    def none_made(self, b: Block) -> bool:
        """`count = 0` or an empty `for_each`, decided by the code (not by a variable's default):
        Terraform makes no instance of the block
        (https://developer.hashicorp.com/terraform/language/meta-arguments/count)."""
        for name in ("count", "for_each"):
            a = b.body.attributes.get(name)
            if a is None:
                continue
            self.env.text = self.text
            r = evaluate(a.value, self.env)
            if r.symbolic or r.defaulted:
                return False
            return r.value in (0, False) if name == "count" else r.value in ([], {})
        return False

    def module(self, b: Block, name: str) -> ModuleCall:
        src = self.arg(b.body.attributes["source"])
        call = ModuleCall(self.name, name, src.value if isinstance(src.value, str) else src.expr, span=self.span(b))
        for n, a in b.body.attributes.items():
            if n in MODULE_META:
                continue
            call.args[n] = self.arg(a)
            if call.args[n].defaulted:
                call.defaulted.add(n)
        return call

    def provider(self, b: Block) -> ProviderConfig:
        args = self.args(b.body)
        p = ProviderConfig(self.name, "aws", args=args, span=self.span(b))
        for n in PROVIDER_ARGS:
            setattr(p, n, args.get(n))
        for i, hb in enumerate(b.body.blocks_of("assume_role")):
            p.assume_role.append(self.hop(i, hb.body, hb, "block"))
        # assume_role written as an attribute in a provider (list of objects) is also accepted by Terraform
        if "assume_role" in b.body.attributes:
            self.attribute_hops(b.body.attributes["assume_role"], p.assume_role)
        web = b.body.blocks_of("assume_role_with_web_identity")
        if web:
            wargs = self.args(web[0].body)
            w = WebIdentityConfig(args=wargs, span=self.span(web[0]))
            for n in WEB_ARGS:
                setattr(w, n, wargs.get(n))
            p.web_identity = w
        return p

    def hop(self, index: int, body: Body, block: Block | None, form: str) -> AssumeRoleHop:
        args = self.args(body)
        h = AssumeRoleHop(index, args=args, form=form, span=self.span(block) if block else None)
        for n in HOP_ARGS:
            setattr(h, n, args.get(n))
        return h

    def attribute_hops(self, a: Attribute, hops: list[AssumeRoleHop]):
        nodes = [a.value] if a.value.kind == "object" else list(a.value.value) if a.value.kind == "tuple" else []
        for n in nodes:
            if n.kind != "object":
                continue
            hops.append(self.object_hop(len(hops), n))

    def object_hop(self, index: int, n: Node) -> AssumeRoleHop:
        body = Body()
        for it in n.value:
            body.attributes[it.key] = Attribute(it.key, it.key_start, it.key_end, it.value, it.key_start, it.value.end)
        h = self.hop(index, body, None, "attribute")
        h.span = self.lines.span(n.start, n.end)
        return h

    def backend(self, b: Block) -> S3Backend:
        args = self.args(b.body)
        s = S3Backend(self.name, args=args, span=self.span(b))
        for n in BACKEND_ARGS:
            setattr(s, n, args.get(n))
        if "assume_role" in b.body.attributes and b.body.attributes["assume_role"].value.kind == "object":
            s.assume_role = self.object_hop(0, b.body.attributes["assume_role"].value)
            s.assume_role_form = "attribute"
        elif b.body.blocks_of("assume_role"):
            hb = b.body.blocks_of("assume_role")[0]
            s.assume_role = self.hop(0, hb.body, hb, "block")
            s.assume_role_form = "block"  # wrong since Terraform 1.6
        elif s.role_arn is not None:
            s.assume_role_form = "top-level"  # removed form
        return s

    # ---- resources -----------------------------------------------------------

    def policy_arg(self, a: Attribute, label: str):
        """A policy-valued argument in any of its forms -> (Policy|None, PolicySource, problems)."""
        n = a.value
        if n.kind == "call" and n.value[0] == "jsonencode" and len(n.value[1]) == 1 and n.value[1][0].kind == "object":
            pol, probs, src = policydoc.from_hcl_node(n.value[1][0], self.env, self.lines, self.name)
            return pol, src, probs
        if n.kind == "heredoc":
            _body, start, end, _trim = n.value
            text = _mask_interpolations(self.text, start, end)
            pol, probs, _ = policydoc.from_json_text(text, self.lines, self.name, start, end, form="heredoc")
            return pol, PolicySource("heredoc", input=self.name), probs
        if n.kind == "str" and n.value.lstrip().startswith("{"):
            pol, probs, _ = policydoc.from_json_text(n.value, self.lines, self.name, offsets=n.offsets, form="string")
            return pol, PolicySource("string", input=self.name), probs
        if n.kind == "call" and n.value[0] in ("file", "templatefile"):
            return None, PolicySource("file", ref=self.text[n.start:n.end], input=self.name), []
        if n.kind == "ref":
            return None, PolicySource("ref", ref=n.value, input=self.name), []
        return None, PolicySource("ref", ref=self.text[n.start:n.end], input=self.name), []

    def resource(self, b: Block, rtype: str, rname: str, out: Found):
        address = f"{rtype}.{rname}"
        args = self.args(b.body)
        if rtype == "aws_iam_role":
            r = RoleResource(self.name, address, args.get("name"), args.get("assume_role_policy"),
                             max_session_duration=args.get("max_session_duration"), path=args.get("path"),
                             permissions_boundary=args.get("permissions_boundary"),
                             managed_policy_arns=args.get("managed_policy_arns"), args=args, span=self.span(b))
            if "assume_role_policy" in b.body.attributes:
                r.trust, r.trust_source, probs = self.policy_arg(b.body.attributes["assume_role_policy"], address)
                out.problems.extend(probs)
            for i, ib in enumerate(b.body.blocks_of("inline_policy")):
                iargs = self.args(ib.body)
                pr = PolicyResource(self.name, f"{address}.inline_policy[{i}]", "inline_policy", iargs.get("name"),
                                    args=iargs, span=self.span(ib))
                if "policy" in ib.body.attributes:
                    pr.policy, pr.policy_source, probs = self.policy_arg(ib.body.attributes["policy"], pr.address)
                    out.problems.extend(probs)
                r.inline_policies.append(pr)
            out.roles.append(r)
        elif rtype in ("aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"):
            pr = PolicyResource(self.name, address, rtype, args.get("name"), args.get("role"), args=args, span=self.span(b))
            if "policy" in b.body.attributes:
                pr.policy, pr.policy_source, probs = self.policy_arg(b.body.attributes["policy"], address)
                out.problems.extend(probs)
            out.policies.append(pr)
        elif rtype in ATTACHMENT_TYPES:
            out.attachments.append(PolicyAttachment(self.name, address, rtype, args.get("role"), args.get("policy_arn"),
                                                    args=args, span=self.span(b)))
        else:
            out.other_blocks.append(f"resource {rtype} {rname}")

    def document(self, b: Block, name: str, out: Found) -> PolicyResource:
        address = f"data.aws_iam_policy_document.{name}"
        pr = PolicyResource(self.name, address, "data.aws_iam_policy_document", args=self.args(b.body), span=self.span(b))
        self.env.text = self.text
        pr.policy, probs, pr.policy_source = policydoc.from_document_block(b, self.env, self.lines, self.name)
        out.problems.extend(probs)
        return pr


# ---- the kinds table's row (roledoctor.inputs.kinds) -----------------------

def recognise(text: str) -> bool:
    return hcl.looks_like_hcl(text)


def records(name: str, found: Found) -> list[Recognised]:
    """The facts of one text (HCL, or a plan read as the same facts) as records, in one order."""
    out: list[Recognised] = []
    out += [Recognised(name, "provider", p, p.span) for p in found.providers]
    out += [Recognised(name, "backend-s3", b, b.span) for b in found.backends]
    out += [Recognised(name, "role", r, r.span) for r in found.roles]
    for p in found.policies:
        kind = "policy-document" if p.type == "data.aws_iam_policy_document" else "policy-resource"
        out.append(Recognised(name, kind, p, p.span))
    out += [Recognised(name, "attachment", a, a.span) for a in found.attachments]
    out += [Recognised(name, "variable", v, v.span) for v in found.variables]
    out += [Recognised(name, "module-call", m, m.span) for m in found.modules]
    if found.locals:
        out.append(Recognised(name, "locals", {"names": sorted(found.locals), "_nodes": found.locals}))
    if found.tfvars:
        out.append(Recognised(name, "tfvars", found.tfvars))
    out += [problem_record(name, p) for p in found.problems]
    if not out:
        out.append(Recognised(name, "hcl", {"blocks": found.other_blocks}))
    return out


def parse(name: str, text: str, cache: dict | None = None) -> Body:
    """The text's HCL body (hcl.HCLSyntaxError when it does not parse); `cache`, shared by the
    readings of one set of inputs, keeps it by name and text."""
    cache = {} if cache is None else cache
    body = cache.get(("hcl", name, text)) or hcl.parse(text)
    cache[("hcl", name, text)] = body
    return body


def read_body(name: str, text: str, lines: LineIndex, env: Env | None, body: Body) -> list[Recognised]:
    return records(name, Reader(name, text, lines, env or Env()).read(body))


def syntax_problem(name: str, err: hcl.HCLSyntaxError, lines: LineIndex) -> Recognised:
    """HCL that does not parse: where it breaks (line, column)."""
    return problem_record(name, policydoc.unparseable(err.message, err.offset, lines, name, "invalid HCL"))


def read(name: str, text: str, lines: LineIndex, env: Env | None = None, cache: dict | None = None
         ) -> list[Recognised]:
    """Everything a Terraform text holds; `env` gives the values of variables and locals read
    from the other inputs (roledoctor.inputs.gather)."""
    try:
        body = parse(name, text, cache)
    except hcl.HCLSyntaxError as err:
        return [syntax_problem(name, err, lines)]
    return read_body(name, text, lines, env, body)
