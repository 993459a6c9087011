"""Evaluate the small part of the Terraform language that configs for roles use.

Literals, lists, objects, string templates, `var.x` / `local.y` (from
`variable` defaults, tfvars and `locals` across all inputs), `jsonencode` and
`data.aws_iam_policy_document.X.json`. Anything else stays symbolic: the value
is rendered as "${expression}" and the result is marked symbolic, so later
stages never mistake it for a literal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from roledoctor.inputs.hcl import Node


@dataclass
class Env:
    variables: dict[str, Any] = field(default_factory=dict)  # name -> value
    locals: dict[str, Node] = field(default_factory=dict)  # name -> node
    documents: dict[str, str] = field(default_factory=dict)  # policy_document name -> JSON
    text: str = ""  # source text of the nodes being evaluated (for symbolic rendering)
    _busy: set = field(default_factory=set)
    local_texts: dict[str, str] = field(default_factory=dict)  # local name -> its source text
    # Iterator symbols of the `dynamic` block being expanded: name -> {"key": k, "value": v}
    # (https://developer.hashicorp.com/terraform/language/expressions/dynamic-blocks)
    scope: dict[str, dict] = field(default_factory=dict)
    # Variables whose value is their declared default: callers may pass another one
    # (https://developer.hashicorp.com/terraform/language/values/variables)
    defaulted: set[str] = field(default_factory=set)


@dataclass
class Result:
    value: Any
    symbolic: bool = False
    refs: list[str] = field(default_factory=list)
    defaulted: bool = False  # the value uses a variable's default


def _src(node: Node, text: str) -> str:
    if node.kind in ("expr",) and isinstance(node.value, str):
        return node.value
    if node.kind == "ref":
        return node.value
    return text[node.start:node.end] if text else str(node.value)


def evaluate(node: Node, env: Env | None = None) -> Result:
    ev = _Evaluator(env or Env())
    try:
        value = ev.ev(node)
    except RecursionError:
        return Result(None, True, ev.refs)
    return Result(value, ev.symbolic, ev.refs, ev.defaulted)


@dataclass
class _Evaluator:
    """One evaluation: the references it met, and whether any part stayed symbolic
    or used a variable's default."""
    env: Env
    refs: list[str] = field(default_factory=list)
    symbolic: bool = False
    defaulted: bool = False

    def ev(self, n: Node) -> Any:
        k = n.kind
        if k in ("str", "num", "bool", "null"):
            return n.value
        if k == "heredoc":
            return n.value[0]
        if k == "tuple":
            return [self.ev(c) for c in n.value]
        if k == "object":
            return {it.key: self.ev(it.value) for it in n.value}
        if k == "template":
            return "".join(p if isinstance(p, str) else _tostr(self.ev(p)) for p in n.value)
        if k == "ref":
            return self.ref(n)
        if k == "call":
            return self.call(n)
        self.symbolic = True
        return "${" + _src(n, self.env.text) + "}"

    def ref(self, n: Node) -> Any:
        self.refs.append(n.value)
        found, v = self.lookup(n.value)
        if found:
            return v
        self.symbolic = True
        return "${" + n.value + "}"

    def call(self, n: Node) -> Any:
        name, args = n.value
        if name == "jsonencode" and len(args) == 1:
            return json.dumps(self.ev(args[0]), separators=(",", ":"))
        if name in ("tostring", "tolist", "toset", "tonumber") and len(args) == 1:
            return self.ev(args[0])
        if name == "concat" and all(a.kind == "tuple" for a in args):
            return [x for a in args for x in self.ev(a)]
        if name == "lookup" and len(args) in (2, 3):  # lookup(map, key, default)
            m, k = self.ev(args[0]), self.ev(args[1])
            if isinstance(m, dict) and isinstance(k, str) and not self.symbolic:
                if k in m:
                    return m[k]
                if len(args) == 3:
                    return self.ev(args[2])
        self.symbolic = True
        for a in args:
            self.ev(a)  # collect refs
        return "${" + _src(n, self.env.text) + "}"

    def lookup(self, ref: str) -> tuple[bool, Any]:
        env = self.env
        parts = ref.split(".")
        if parts[0] in env.scope:
            return _dig(env.scope[parts[0]], parts[1:])
        if parts[0] == "var" and len(parts) >= 2 and parts[1] in env.variables:
            if parts[1] in env.defaulted:
                self.defaulted = True
            return _dig(env.variables[parts[1]], parts[2:])
        if parts[0] == "local" and len(parts) >= 2 and parts[1] in env.locals and parts[1] not in env._busy:
            env._busy.add(parts[1])
            try:
                saved = env.text
                env.text = env.local_texts.get(parts[1], saved)
                r = self.ev(env.locals[parts[1]])
                env.text = saved
            finally:
                env._busy.discard(parts[1])
            return _dig(r, parts[2:])
        if (len(parts) == 4 and parts[0] == "data" and parts[1] == "aws_iam_policy_document"
                and parts[3] == "json" and parts[2] in env.documents):
            return True, env.documents[parts[2]]
        return False, None


def _dig(value: Any, rest: list[str]) -> tuple[bool, Any]:
    for p in rest:
        if isinstance(value, dict) and p in value:
            value = value[p]
        else:
            return False, None
    return True, value


def _tostr(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return ""
    if isinstance(v, (dict, list)):
        return json.dumps(v)
    return str(v)
