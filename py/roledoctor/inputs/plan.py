"""`terraform show -json` plans -> the same facts as HCL.

Format: https://developer.hashicorp.com/terraform/internals/json-format
(configuration.provider_config expressions; planned_values / prior_state
resources). Policies are JSON strings inside JSON; spans map through the
string's escapes back to the plan text.
"""

from __future__ import annotations

from roledoctor.inputs import jsonkind, jsonspan, policydoc
from roledoctor.inputs.model import (
    Arg, AssumeRoleHop, PolicyAttachment, PolicyResource, PolicySource, ProviderConfig, Recognised, RoleResource,
    WebIdentityConfig,
)
from roledoctor.inputs.terraform import ATTACHMENT_TYPES, Found, HOP_ARGS, PROVIDER_ARGS, WEB_ARGS, records
from roledoctor.source import LineIndex
from roledoctor.inputs.values import as_dict


def is_plan(obj) -> bool:
    return isinstance(obj, dict) and "format_version" in obj and any(
        k in obj for k in ("planned_values", "configuration", "resource_changes", "prior_state"))


class PlanReader:
    def __init__(self, name: str, text: str, doc: jsonspan.JSONDoc, lines: LineIndex):
        self.name, self.text, self.doc, self.lines = name, text, doc, lines

    def span(self, path):
        r = self.doc.spans.get(tuple(path))
        return self.lines.span(*r) if r else None

    def expr_arg(self, name: str, expr, path) -> Arg:
        span = self.span(path)
        src = self.text[span.start:span.end] if span else ""
        if isinstance(expr, dict) and "constant_value" in expr:
            return Arg(name, expr["constant_value"], src, self.span(tuple(path) + ("constant_value",)) or span)
        refs = expr.get("references", []) if isinstance(expr, dict) else []
        return Arg(name, None, src, span, symbolic=True, refs=[r for r in refs if isinstance(r, str)])

    def read(self) -> Found:
        out = Found()
        obj = self.doc.value
        cfg = as_dict(obj.get("configuration"))
        pcs = as_dict(cfg.get("provider_config"))
        for key, pc in pcs.items():
            if not isinstance(pc, dict) or pc.get("name") != "aws":
                continue
            base = ("configuration", "provider_config", key)
            exprs = as_dict(pc.get("expressions"))
            args = {n: self.expr_arg(n, e, base + ("expressions", n)) for n, e in exprs.items()
                    if not isinstance(e, list)}
            p = ProviderConfig(self.name, "aws", args=args, span=self.span(base))
            if pc.get("alias"):
                p.alias = Arg("alias", pc["alias"], f'"{pc["alias"]}"', self.span(base + ("alias",)))
            for n in PROVIDER_ARGS:
                if n in args:
                    setattr(p, n, args[n])
            for i, block in enumerate(exprs.get("assume_role") or []):
                if isinstance(block, dict):
                    bp = base + ("expressions", "assume_role", i)
                    hargs = {n: self.expr_arg(n, e, bp + (n,)) for n, e in block.items()}
                    h = AssumeRoleHop(i, args=hargs, span=self.span(bp))
                    for n in HOP_ARGS:
                        setattr(h, n, hargs.get(n))
                    p.assume_role.append(h)
            web = exprs.get("assume_role_with_web_identity")
            if isinstance(web, list) and web and isinstance(web[0], dict):
                bp = base + ("expressions", "assume_role_with_web_identity", 0)
                wargs = {n: self.expr_arg(n, e, bp + (n,)) for n, e in web[0].items()}
                w = WebIdentityConfig(args=wargs, span=self.span(bp))
                for n in WEB_ARGS:
                    setattr(w, n, wargs.get(n))
                p.web_identity = w
            out.providers.append(p)
        self.modules(("planned_values", "root_module"), out)
        self.modules(("prior_state", "values", "root_module"), out, data_only=True)
        return out

    def modules(self, path: tuple, out: Found, data_only: bool = False):
        node = self.doc.value
        for p in path:
            node = node.get(p) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            return
        for i, res in enumerate(node.get("resources") or []):
            if isinstance(res, dict) and (not data_only or res.get("mode") == "data"):
                self.resource(res, path + ("resources", i), out)
        for j, child in enumerate(node.get("child_modules") or []):
            if isinstance(child, dict):
                self.modules(path + ("child_modules", j), out, data_only)

    def value_arg(self, name: str, values: dict, vpath: tuple) -> Arg | None:
        if name not in values:
            return None
        span = self.span(vpath + (name,))
        return Arg(name, values[name], self.text[span.start:span.end] if span else "", span)

    def policy_string(self, values: dict, key: str, vpath: tuple, address: str):
        raw = values.get(key)
        r = self.doc.spans.get(vpath + (key,))
        if not isinstance(raw, str) or not raw.strip() or not r:
            return None, None, []
        mapped = jsonspan.string_offsets(self.text, r[0])
        if mapped is None:
            return None, None, []
        s, offsets = mapped
        pol, probs, _ = policydoc.from_json_text(s, self.lines, self.name, offsets=offsets, form="plan")
        return pol, PolicySource("plan", ref=address, input=self.name), probs

    def resource(self, res: dict, rpath: tuple, out: Found):
        rtype, address = res.get("type"), res.get("address") or f'{res.get("type")}.{res.get("name")}'
        values = as_dict(res.get("values"))
        vpath = rpath + ("values",)
        args = {n: a for n in values if (a := self.value_arg(n, values, vpath)) is not None}
        span = self.span(rpath)
        if res.get("mode") == "data" and rtype == "aws_iam_policy_document":
            pr = PolicyResource(self.name, address, "data.aws_iam_policy_document", args=args, span=span)
            pr.policy, pr.policy_source, probs = self.policy_string(values, "json", vpath, address)
            out.policies.append(pr)
            out.problems.extend(probs)
        elif res.get("mode") == "data":
            return
        elif rtype == "aws_iam_role":
            r = RoleResource(self.name, address, args.get("name"), args.get("assume_role_policy"),
                             max_session_duration=args.get("max_session_duration"), path=args.get("path"),
                             permissions_boundary=args.get("permissions_boundary"),
                             managed_policy_arns=args.get("managed_policy_arns"), args=args, span=span)
            r.trust, r.trust_source, probs = self.policy_string(values, "assume_role_policy", vpath, address)
            out.problems.extend(probs)
            out.roles.append(r)
        elif rtype in ("aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"):
            pr = PolicyResource(self.name, address, rtype, args.get("name"), args.get("role"), args=args, span=span)
            pr.policy, pr.policy_source, probs = self.policy_string(values, "policy", vpath, address)
            out.problems.extend(probs)
            out.policies.append(pr)
        elif rtype in ATTACHMENT_TYPES:
            out.attachments.append(PolicyAttachment(self.name, address, rtype, args.get("role"),
                                                    args.get("policy_arn"), args=args, span=span))


def recognise_json(text: str, parsed) -> bool:
    """The kinds table's test: `terraform show -json` output."""
    return is_plan(parsed())


def recognise(text: str) -> bool:
    try:
        return is_plan(jsonspan.parse(text, positions=False).value)
    except jsonspan.JSONSyntaxError:
        return False


def read_json(name: str, text: str, lines: LineIndex, doc: jsonspan.JSONDoc) -> list[Recognised]:
    """A "plan" record (its versions), then the same facts as the HCL it was planned from."""
    if not is_plan(doc.value):
        return []
    found = PlanReader(name, text, doc, lines).read()
    out = [Recognised(name, "plan", {"terraform_version": doc.value.get("terraform_version"),
                                     "format_version": doc.value.get("format_version")})]
    return out + records(name, found)


def read(name: str, text: str, lines: LineIndex) -> list[Recognised]:
    return jsonkind.read_whole(name, text, lines, read_json)
