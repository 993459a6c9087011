"""Every policy form -> one Policy (roledoctor.policy) with spans into the user's text.

Forms: JSON text (pasted, heredoc, quoted HCL string, JSON string inside a
plan), a `jsonencode({...})` HCL object, and a `data "aws_iam_policy_document"`
block. Each reader builds the normalised JSON object plus spans keyed by JSON
path and calls policy_from_obj.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from roledoctor.inputs import jsonspan
from roledoctor.inputs.hcl import Block, Node
from roledoctor.inputs.hcleval import Env, evaluate
from roledoctor.inputs.model import INPUT_UNPARSEABLE, POLICY_INVALID, PolicySource, Problem
from roledoctor.policy import Policy, PolicyError, policy_from_obj
from roledoctor.source import LineIndex


def _spans(raw: dict, lines: LineIndex, offsets: list[int] | None = None) -> dict:
    out = {}
    for path, (a, b) in raw.items():
        if offsets is not None:
            a, b = offsets[min(a, len(offsets) - 1)], offsets[min(b, len(offsets) - 1)]
        out[path] = lines.span(a, b)
    return out


def build(obj, spans: dict, key_spans: dict, lines: LineIndex, input_name: str,
          source: PolicySource | None = None) -> tuple[Policy | None, list[Problem]]:
    try:
        policy = policy_from_obj(obj, spans, source=input_name, key_spans=key_spans)
    except PolicyError as err:
        span = err.span
        text = lines.text[span.start:span.end] if span else ""
        return None, [Problem(POLICY_INVALID, err.message, input_name, span, text[:200], tuple(err.path))]
    except (TypeError, ValueError, AttributeError) as err:  # a shape policy_from_obj did not expect
        return None, [Problem(POLICY_INVALID, f"not a valid IAM policy: {err}", input_name, None, "")]
    return policy, []


def unparseable(message: str, offset: int, lines: LineIndex, input_name: str, what: str) -> Problem:
    offset = max(0, min(offset, len(lines.text)))
    span = lines.span(offset, min(offset + 1, len(lines.text)))
    return Problem(INPUT_UNPARSEABLE, f"{what}: {message} at line {span.line}, column {span.col}",
                   input_name, span, lines.line_text(span.line)[:200])


def from_json_text(text: str, lines: LineIndex, input_name: str, start: int = 0, end: int | None = None,
                   offsets: list[int] | None = None, form: str = "json"):
    """Parse JSON in text[start:end]. With `offsets`, `text` is a decoded string
    and offsets[i] is the source offset of its character i (in lines.text)."""
    try:
        doc = jsonspan.parse(text, start, end)
    except jsonspan.JSONSyntaxError as err:
        off = err.offset
        if offsets is not None:
            off = offsets[min(off, len(offsets) - 1)]
        return None, [unparseable(err.message, off, lines, input_name, "invalid JSON")], None
    spans = _spans(doc.spans, lines, offsets)
    keys = _spans(doc.key_spans, lines, offsets)
    policy, problems = build(doc.value, spans, keys, lines, input_name, PolicySource(form, input=input_name))
    return policy, problems, doc.value


def from_hcl_node(node: Node, env: Env, lines: LineIndex, input_name: str, form: str = "jsonencode"):
    """A jsonencode({...}) object, with HCL spans mapped onto JSON paths."""
    spans: dict = {}
    keys: dict = {}
    unresolved: list[str] = []

    def walk(n: Node, path: tuple):
        spans[path] = lines.span(n.start, n.end)
        if n.kind == "object":
            out = {}
            for it in n.value:
                keys[path + (it.key,)] = lines.span(it.key_start, it.key_end)
                out[it.key] = walk(it.value, path + (it.key,))
            return out
        if n.kind == "tuple":
            return [walk(c, path + (i,)) for i, c in enumerate(n.value)]
        r = evaluate(n, env)
        if r.symbolic:
            unresolved.append(lines.text[n.start:n.end])
        if r.defaulted:
            defaulted.append(lines.text[n.start:n.end])
            paths.add(path)
        return r.value

    defaulted: list[str] = []
    paths: set = set()
    obj = walk(node, ())
    src = PolicySource(form, input=input_name, unresolved=unresolved)
    policy, problems = build(obj, spans, keys, lines, input_name, src)
    if problems and defaulted:  # judged on a variable default callers may override: unknown, not invalid
        src.unresolved.extend(f"{d}: a variable default" for d in defaulted)
        return None, [], src
    if policy is not None:
        policy.defaulted = frozenset(paths)
    return policy, problems, src


# data "aws_iam_policy_document" arguments -> JSON elements
# (terraform-provider-aws website/docs/d/iam_policy_document.html.markdown)
_STATEMENT_LISTS = (("actions", "Action"), ("not_actions", "NotAction"),
                    ("resources", "Resource"), ("not_resources", "NotResource"))


def _each(body, type_: str, env: Env, unknown: list):
    """The `type_` blocks of `body`, static ones and those a `dynamic "type_"`
    block makes when its for_each is known (literal, local, variable default),
    with the iterator symbol bound while each is read
    (https://developer.hashicorp.com/terraform/language/expressions/dynamic-blocks).
    An unknown for_each makes an unknown number of blocks: `unknown` says so.
    Yields (block, whether its for_each is a variable's default)."""
    for blk in body.blocks:
        if blk.type == type_:
            yield blk, False
            continue
        if blk.type != "dynamic" or blk.labels[:1] != [type_]:
            continue
        fe = blk.body.attributes.get("for_each")
        content = blk.body.blocks_of("content")
        it = blk.body.attributes.get("iterator")
        name = it.value.value if it is not None and it.value.kind == "ref" else type_
        r = evaluate(fe.value, env) if fe is not None else None
        if r is None or r.symbolic or not isinstance(r.value, (list, dict)) or not content:
            unknown.append(f"dynamic \"{type_}\"")
            continue
        if r.defaulted:
            unknown.append(f"dynamic \"{type_}\" over a variable default")
        pairs = r.value.items() if isinstance(r.value, dict) else enumerate(r.value)
        saved = env.scope.get(name)
        try:
            for k, v in pairs:
                env.scope[name] = {"key": k, "value": v}
                yield content[0], r.defaulted
        finally:
            if saved is None:
                env.scope.pop(name, None)
            else:
                env.scope[name] = saved


def _merge(statements: list, source: list | None, override: list | None) -> list:
    """The provider's merge: source documents' statements first, replaced by a
    statement block with the same sid; then each override document's statements
    replace those with the same non-blank sid, or are appended
    (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/iam_policy_document)."""
    out = [st for doc in (source or []) for st in doc]
    for st in statements + [st for doc in (override or []) for st in doc]:
        sid = st.get("Sid") if isinstance(st, dict) else None
        at = next((i for i, o in enumerate(out) if sid and isinstance(o, dict) and o.get("Sid") == sid), None)
        if at is None:
            out.append(st)
        else:
            out[at] = st
    return out


def _documents(a, env: Env, unknown: list, what: str, from_default: list):
    """A list of policy JSON texts -> [[statement, ...] per document], or None when unknown.
    When the list uses a variable's default, its statements are added to `from_default`."""
    if a is None:
        return None
    r = evaluate(a.value, env)
    docs = r.value if isinstance(r.value, list) else None
    if r.symbolic or docs is None:
        unknown.append(what)
        return None
    import json
    out = []
    for d in docs:
        try:
            parsed = json.loads(d) if isinstance(d, str) else None
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            unknown.append(what)
            return None
        st = parsed.get("Statement", [])
        out.append(st if isinstance(st, list) else [st])
    if r.defaulted:
        unknown.append(f"{what} over a variable default")
        from_default.extend(st for doc in out for st in doc)
    return out


def from_document_block(block: Block, env: Env, lines: LineIndex, input_name: str):
    policy, problems, src, unknown = _document_block(block, env, lines, input_name)
    if problems and env.defaulted and any(p.code == POLICY_INVALID for p in problems):
        # Judged on variable defaults callers may override: read it again with
        # those variables unknown (the code alone decides no more than that).
        bare = Env(variables={k: v for k, v in env.variables.items() if k not in env.defaulted},
                   locals=env.locals, documents={k: v for k, v in env.documents.items()
                                                 if k not in env.defaulted_documents},
                   text=env.text, local_texts=env.local_texts)
        policy, problems, src, unknown = _document_block(block, bare, lines, input_name)
    if problems and unknown:  # a part this code does not decide: unknown is not wrong
        return None, [], src
    return policy, problems, src


@dataclass
class _DocReader:
    """What reading one aws_iam_policy_document block collects besides the document:
    the span of every JSON path, the key spans, the parts the code does not decide,
    and the JSON paths decided by a variable's default."""
    env: Env
    lines: LineIndex
    spans: dict = field(default_factory=dict)
    keys: dict = field(default_factory=dict)
    unresolved: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # what the code alone does not decide
    paths: set = field(default_factory=set)  # JSON paths decided by a variable's default

    def text(self, n: Node) -> str:
        return self.lines.text[n.start:n.end]

    def val(self, n: Node, path: tuple) -> Any:
        self.spans[path] = self.lines.span(n.start, n.end)
        r = evaluate(n, self.env)
        if r.symbolic:
            self.unresolved.append(self.text(n))
        if r.defaulted:
            self.unknown.append(self.text(n) + " (a variable default)")
            self.paths.add(path)
        if n.kind == "tuple":
            for i, c in enumerate(n.value):
                self.spans[path + (i,)] = self.lines.span(c.start, c.end)
        return r.value

    def statement(self, st: Block, p: tuple) -> dict:
        self.spans[p] = self.lines.span(st.start, st.end)
        s: dict = {}
        sb = st.body
        if "sid" in sb.attributes:
            s["Sid"] = self.val(sb.attributes["sid"].value, p + ("Sid",))
        if "effect" in sb.attributes:
            s["Effect"] = self.val(sb.attributes["effect"].value, p + ("Effect",))
        else:
            s["Effect"] = "Allow"  # the data source's default
        for arg, element in _STATEMENT_LISTS:
            if arg in sb.attributes:
                a = sb.attributes[arg]
                self.keys[p + (element,)] = self.lines.span(a.name_start, a.name_end)
                v = self.val(a.value, p + (element,))
                if v is None:  # null: the argument is not set
                    continue
                s[element] = v if isinstance(v, list) else [v] if isinstance(v, str) else v
        for arg, element in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            princ = self.principals(sb, arg, p + (element,))
            if princ is not None:
                s[element] = princ
        cond = self.conditions(sb, p)
        if cond is not None:
            s["Condition"] = cond
        return s

    def principals(self, sb: Any, arg: str, pe: tuple) -> dict | str | None:
        """The statement's `arg` blocks as a Principal element; None when there is none.
        Each block is read while _each has its iterator bound (`principals.value.type`)."""
        princ: dict = {}
        any_block = False
        for pb, from_default in _each(sb, arg, self.env, self.unknown):
            if not any_block:
                any_block = True
                self.spans[pe] = self.lines.span(pb.start, pb.end)
            if from_default:
                self.paths.add(pe)
            kind = self.principal_type(pb.body.attributes.get("type"), pe)
            if kind == "*":  # type "*" identifiers ["*"] renders as "Principal": "*"
                return "*"
            lst = princ.setdefault(kind, [])
            self.spans.setdefault(pe + (kind,), self.lines.span(pb.start, pb.end))
            ids = pb.body.attributes.get("identifiers")
            if ids:
                lst.extend(self.identifiers(ids.value, pe + (kind,), len(lst)))
        return princ if any_block else None

    def principal_type(self, t: Any, pe: tuple) -> str:
        tr = evaluate(t.value, self.env) if t else None
        if tr is not None and tr.symbolic:
            self.unknown.append(self.text(t.value))  # a principal type decided elsewhere
        elif tr is not None and tr.defaulted:
            self.unknown.append(self.text(t.value) + " (a variable default)")
            self.paths.add(pe)
        kind = tr.value if tr else None
        return kind if isinstance(kind, str) else "AWS"

    def identifiers(self, node: Node, pk: tuple, base: int) -> list:
        r = evaluate(node, self.env)
        if r.symbolic:
            self.unresolved.append(self.text(node))
        if r.defaulted:
            self.unknown.append(self.text(node) + " (a variable default)")
            self.paths.add(pk)
        if node.kind == "tuple":
            for j, c in enumerate(node.value):
                self.spans[pk + (base + j,)] = self.lines.span(c.start, c.end)
        return r.value if isinstance(r.value, list) else [r.value]

    def conditions(self, sb: Any, p: tuple) -> dict | None:
        c_obj: dict = {}
        any_cond = False
        for cb, from_default in _each(sb, "condition", self.env, self.unknown):
            if not any_cond:
                any_cond = True
                self.spans[p + ("Condition",)] = self.lines.span(cb.start, cb.end)
            if from_default:
                self.paths.add(p + ("Condition",))
            self.condition(cb, p, c_obj)
        return c_obj if any_cond else None

    def condition(self, cb: Block, p: tuple, c_obj: dict) -> None:
        ta, va, vs = (cb.body.attributes.get(k) for k in ("test", "variable", "values"))
        tr = evaluate(ta.value, self.env) if ta else None
        vr = evaluate(va.value, self.env) if va else None
        if (tr is not None and tr.defaulted) or (vr is not None and vr.defaulted):
            self.paths.add(p + ("Condition",))
        test = tr.value if tr else None
        var = vr.value if vr else None
        if not isinstance(test, str) or not isinstance(var, str):
            c_obj.setdefault(str(test), {})[str(var)] = []
            return
        cp = p + ("Condition", test, var)
        self.spans.setdefault(p + ("Condition", test), self.lines.span(cb.start, cb.end))
        self.spans[cp] = self.lines.span(cb.start, cb.end)
        values = self.val(vs.value, cp) if vs else []
        self.spans[cp] = self.lines.span(cb.start, cb.end)
        if vs:
            self.spans[cp + ("values",)] = self.lines.span(vs.value.start, vs.value.end)
        values = values if isinstance(values, list) else [values]
        # Repeated test+variable blocks: values merge (the provider does the same).
        c_obj.setdefault(test, {}).setdefault(var, [])
        c_obj[test][var] = list(c_obj[test][var]) + list(values)

    def merged(self, block: Block, statements: list, source: list | None, override: list | None,
               from_default: list) -> list:
        """Statements after the provider's merge of source and override documents; spans
        and default-decided paths follow the statements they belong to."""
        own = list(statements)
        statements = _merge(statements, source, override)
        if statements != own or source:  # positions moved: spans of the whole block
            merged_span = self.lines.span(block.start, block.end)
            for k in [k for k in self.spans if len(k) >= 2 and k[0] == "Statement"]:
                del self.spans[k]
            for i in range(len(statements)):
                self.spans[("Statement", i)] = merged_span
            # defaults marked on the block's own statements move with them; a replaced one is gone
            moved = set()
            for path in self.paths:
                if len(path) >= 2 and path[0] == "Statement":
                    j = next((j for j, st in enumerate(statements) if st is own[path[1]]), None)
                    if j is not None:
                        moved.add(("Statement", j) + path[2:])
                else:
                    moved.add(path)
            self.paths = moved
        self.paths |= {("Statement", j) for j, st in enumerate(statements) if any(st is d for d in from_default)}
        return statements


def _document_block(block: Block, env: Env, lines: LineIndex, input_name: str
                    ) -> tuple[Policy | None, list[Problem], PolicySource, list[str]]:
    d = _DocReader(env, lines)
    d.spans[()] = lines.span(block.start, block.end)
    obj: dict = {}
    b = block.body
    if "version" in b.attributes:
        a = b.attributes["version"]
        d.keys[("Version",)] = lines.span(a.name_start, a.name_end)
        obj["Version"] = d.val(a.value, ("Version",))
    else:
        obj["Version"] = "2012-10-17"  # the data source's default
    if "policy_id" in b.attributes:
        obj["Id"] = d.val(b.attributes["policy_id"].value, ("Id",))
    statements = []
    for i, (st, st_default) in enumerate(_each(b, "statement", env, d.unknown)):
        if st_default:
            d.paths.add(("Statement", i))
        statements.append(d.statement(st, ("Statement", i)))
    unknown = d.unknown
    from_default: list = []
    source = _documents(b.attributes.get("source_policy_documents"), env, unknown, "source_policy_documents",
                        from_default)
    override = _documents(b.attributes.get("override_policy_documents"), env, unknown, "override_policy_documents",
                          from_default)
    if source or override:
        statements = d.merged(block, statements, source, override, from_default)
    spans = d.spans
    if statements:
        obj["Statement"] = statements
        spans[("Statement",)] = spans[("Statement", 0)]
    src = PolicySource("policy_document", input=input_name, unresolved=d.unresolved)
    src.partial = bool(d.unresolved) or any(not u.endswith("variable default)") and
                                            not u.endswith("over a variable default") for u in unknown)
    for u in dict.fromkeys(unknown):
        src.unresolved.append(f"{u}: decided outside this code")
    if not statements:
        generated = any(blk.type == "dynamic" and blk.labels[:1] == ["statement"] for blk in b.blocks) or \
            "source_policy_documents" in b.attributes or "override_policy_documents" in b.attributes
        if generated:  # every generator is empty here: Terraform renders a document with no statement
            return None, [], src, unknown
        return None, [Problem(POLICY_INVALID, "aws_iam_policy_document has no statement block", input_name,
                              lines.span(block.start, block.end),
                              lines.line_text(lines.span(block.start, block.end).line))], src, unknown
    policy, problems = build(obj, spans, d.keys, lines, input_name, src)
    if policy is not None:
        policy.defaulted = frozenset(d.paths)
    return policy, problems, src, unknown


def to_obj(policy: Policy) -> dict:
    """The JSON object of a policy, as the data source's `json` attribute renders it (one statement form)."""
    out: dict = {"Version": policy.version or "2012-10-17"}
    if policy.id:
        out["Id"] = policy.id
    statements = []
    for st in policy.statements:
        s: dict = {}
        if st.sid:
            s["Sid"] = st.sid
        s["Effect"] = st.effect
        for element, attr in (("Principal", "principal"), ("NotPrincipal", "not_principal")):
            v = getattr(st, attr)
            if v is not None:
                s[element] = "*" if v == {"*": ["*"]} else dict(v)
        for element, attr in (("Action", "action"), ("NotAction", "not_action"),
                              ("Resource", "resource"), ("NotResource", "not_resource")):
            v = getattr(st, attr)
            if v is not None:
                s[element] = list(v)
        if st.conditions:
            cond: dict = {}
            for c in st.conditions:
                cond.setdefault(c.operator, {})[c.key] = list(c.values)
            s["Condition"] = cond
        statements.append(s)
    out["Statement"] = statements
    return out


# ---- telling policy kinds apart -----------------------------------------

_NAME_HINTS = (("trust", "trust"), ("assume", "trust"), ("scp", "scp"), ("service-control", "scp"),
               ("rcp", "rcp"), ("resource-control", "rcp"), ("boundary", "boundary"),
               ("session", "session"), ("caller", "identity"), ("identity", "identity"))
_SCP_KEYS = ("aws:principalarn", "aws:requestedregion", "aws:principalorgid", "aws:resourceorgid")


def classify(policy: Policy, name: str = "") -> tuple[str, list[str]]:
    """trust | resource | rcp | scp | identity, with the reasons.

    By elements (IAM policy grammar, reference_policies_grammar.md): a
    Principal means a resource-based policy (a role's trust policy when it
    allows sts:AssumeRole*); RCPs are resource-based with Principal "*" and
    Deny statements; identity policies, boundaries and SCPs have no Principal,
    and SCPs show org-wide deny shapes (NotAction denies, aws:PrincipalArn
    exemptions, region/org guards). A boundary or session policy cannot be
    told from an identity policy by its elements: the input's name decides.
    """
    lname = name.replace("\\", "/").rsplit("/", 1)[-1].lower()  # the file name, not its folders
    for hint, kind in _NAME_HINTS:
        if hint in lname:
            return kind, [f"input name {name!r} says {kind}"]
    sts_actions = ("sts:assumerole", "sts:assumerolewithwebidentity", "sts:assumerolewithsaml",
                   "sts:tagsession", "sts:setsourceidentity", "sts:*", "sts:assumerole*")
    has_principal = [s for s in policy.statements if s.principal is not None or s.not_principal is not None]
    if has_principal and len(has_principal) == len(policy.statements) and all(
            s.effect == "Deny" and s.principal in ({"*": ["*"]}, {"AWS": ["*"]}) for s in has_principal):
        return "rcp", ['every statement is a Deny with Principal "*" (resource control policy shape)']
    if has_principal:
        acts = {a.lower() for s in has_principal for a in (s.action or [])}
        if acts & set(sts_actions):
            return "trust", ["statements name a Principal and allow sts:AssumeRole*"]
        return "resource", ["statements name a Principal (resource-based policy)"]
    reasons = []
    for s in policy.statements:
        keys = {c.key.lower() for c in s.conditions}
        if s.effect == "Deny" and s.not_action:
            reasons.append(f"statement {s.index} denies NotAction (SCP guard-rail shape)")
        if s.effect == "Deny" and keys & set(_SCP_KEYS):
            reasons.append(f"statement {s.index} denies on {sorted(keys & set(_SCP_KEYS))[0]} (SCP shape)")
        if s.effect == "Allow" and s.resource is None and s.not_resource is None:
            reasons.append(f"statement {s.index} has no Resource (allowed only in SCPs)")
    if reasons:
        return "scp", reasons
    return "identity", ["no Principal: identity-based (could also be a permissions boundary or session policy)"]
