"""Evaluate the small part of the Terraform language that configs for roles use.

Literals, lists, objects, string templates, `var.x` / `local.y` (from
`variable` defaults, tfvars and `locals` across all inputs), `jsonencode` and
`data.aws_iam_policy_document.X.json`. Anything else stays symbolic: the value
is rendered as "${expression}" and the result is marked symbolic, so later
stages never mistake it for a literal.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from collections.abc import Callable
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
    scope: dict[str, Any] = field(default_factory=dict)
    # Variables whose value is their declared default: callers may pass another one
    # (https://developer.hashicorp.com/terraform/language/values/variables)
    defaulted: set[str] = field(default_factory=set)
    defaulted_documents: set[str] = field(default_factory=set)  # documents built from such defaults


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

    def known(self, n: Node) -> tuple[bool, Any]:
        """Evaluate n on its own: (decided?, value); what it refers to still counts for the whole."""
        saved = self.symbolic
        self.symbolic = False
        v = self.ev(n)
        ok = not self.symbolic
        self.symbolic = saved or not ok
        return ok, v

    def unknown(self, n: Node) -> str:
        self.symbolic = True
        return "${" + _src(n, self.env.text) + "}"

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
        step = _STEPS.get(k)
        return step(self, n) if step is not None else self.unknown(n)

    def ref(self, n: Node) -> Any:
        self.refs.append(n.value)
        found, v = self.lookup(n.value)
        if found:
            return v
        self.symbolic = True
        return "${" + n.value + "}"

    def cond(self, n: Node) -> Any:
        """cond ? a : b: only the branch the condition picks decides the value."""
        c, a, b = n.value
        saved, saved_d = self.symbolic, self.defaulted
        self.defaulted = False
        ok, cv = self.known(c)
        # A condition on a variable's default picks one branch of several possible: either
        # branch may be the value, so the expression stays undecided as a whole.
        if ok and isinstance(cv, bool) and not self.defaulted:
            self.symbolic, self.defaulted = saved, saved_d
            return self.ev(a if cv else b)
        self.defaulted = saved_d
        self.ev(a), self.ev(b)  # collect refs
        return self.unknown(n)

    def binop(self, n: Node) -> Any:
        op, a, b = n.value
        saved = self.symbolic
        ok_a, va = self.known(a)
        ok_b, vb = self.known(b)
        if ok_a and ok_b:
            r = _binop(op, va, vb)
            if r is not _UNKNOWN:
                return r
        # false && x, true || x: one decided side decides the result
        for ok, v in ((ok_a, va), (ok_b, vb)):
            if ok and ((op == "&&" and v is False) or (op == "||" and v is True)):
                self.symbolic = saved
                return v
        return self.unknown(n)

    def unary(self, n: Node) -> Any:
        op, a = n.value
        ok, v = self.known(a)
        if ok and op == "!" and isinstance(v, bool):
            return not v
        return self.unknown(n)

    def call(self, n: Node) -> Any:
        name, args = n.value
        if name == "jsonencode" and len(args) == 1:
            return json.dumps(self.ev(args[0]), separators=(",", ":"))
        if name in ("tostring", "tolist", "toset", "tonumber", "tomap") and len(args) == 1:
            return self.ev(args[0])
        if name == "lookup" and len(args) in (2, 3):  # lookup(map, key, default)
            return self.lookup_call(n, args)
        if name in ("try", "coalesce", "coalescelist"):
            return self.first_decided(n, name, args)
        values = [self.known(a) for a in args]
        if all(ok for ok, _ in values):
            r = _call(name, [v for _, v in values])
            if r is not _UNKNOWN:
                return r
        return self.unknown(n)

    def lookup_call(self, n: Node, args: list[Node]) -> Any:
        ok_m, m = self.known(args[0])
        ok_k, key = self.known(args[1])
        if ok_m and ok_k and isinstance(m, dict) and isinstance(key, str):
            if key in m:
                return m[key]
            if len(args) == 3:
                return self.ev(args[2])
        return self.unknown(n)

    def first_decided(self, n: Node, name: str, args: list[Node]) -> Any:
        """try / coalesce / coalescelist: the first argument that is decided (and, for coalesce,
        not null or ""); an undecided one first makes the result undecided."""
        for a in args:
            ok, v = self.known(a)
            if not ok:
                return self.unknown(n)
            if name == "try" or (name == "coalesce" and v not in (None, "")) or \
                    (name == "coalescelist" and isinstance(v, list) and v):
                return v
        return self.unknown(n)

    def for_expr(self, n: Node) -> Any:
        is_obj, key_name, value_name, coll, key_e, value_e, cond = n.value
        ok, c = self.known(coll)
        if not ok or not isinstance(c, (list, dict)):
            return self.unknown(n)
        pairs = list(c.items()) if isinstance(c, dict) else list(enumerate(c))
        out_l: list = []
        out_d: dict = {}
        scope = self.env.scope
        saved = {name: scope.get(name) for name in (key_name, value_name) if name}
        try:
            for kk, vv in pairs:
                if key_name:
                    scope[key_name] = kk
                scope[value_name] = vv
                if cond is not None:
                    ok, keep = self.known(cond)
                    if not ok or not isinstance(keep, bool):
                        return self.unknown(n)
                    if not keep:
                        continue
                if is_obj:
                    ok, key = self.known(key_e)
                    if not ok or not isinstance(key, str):
                        return self.unknown(n)
                    out_d[key] = self.ev(value_e)
                else:
                    out_l.append(self.ev(value_e))
        finally:
            for name, v in saved.items():
                if v is None:
                    scope.pop(name, None)
                else:
                    scope[name] = v
        return out_d if is_obj else out_l

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
        m = _DOCUMENT_JSON.fullmatch(ref)
        if m and m.group(1) in env.documents:
            if m.group(1) in env.defaulted_documents:
                self.defaulted = True
            return True, env.documents[m.group(1)]
        return False, None


# The evaluator's step for each node kind the walker makes; any other kind stays symbolic.
_STEPS: dict[str, Callable[[_Evaluator, Node], Any]] = {
    "ref": _Evaluator.ref, "cond": _Evaluator.cond, "binop": _Evaluator.binop, "unary": _Evaluator.unary,
    "for": _Evaluator.for_expr, "call": _Evaluator.call,
}


# data.aws_iam_policy_document.X.json, also X[0] / X[count.index] (one configuration for every instance)
_DOCUMENT_JSON = re.compile(r"data\.aws_iam_policy_document\.([A-Za-z0-9_-]+)(?:\[[^\]\n]{1,60}\])?\.json")
_UNKNOWN = object()


def _binop(op: str, a: Any, b: Any) -> Any:
    """HCL's operators on decided values (https://developer.hashicorp.com/terraform/language/expressions/operators)."""
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    if op in ("&&", "||"):
        if isinstance(a, bool) and isinstance(b, bool):
            return (a and b) if op == "&&" else (a or b)
        return _UNKNOWN
    nums = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (a, b))
    if not nums:
        return _UNKNOWN
    if op in ("<", ">", "<=", ">="):
        return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
    if op in ("+", "-", "*"):
        return {"+": a + b, "-": a - b, "*": a * b}[op]
    if op in ("/", "%") and b != 0:
        return a / b if op == "/" else a % b
    return _UNKNOWN


def _one(args: list, kind) -> bool:
    return len(args) == 1 and isinstance(args[0], kind)


def _strings(args: list, n: int) -> bool:
    return len(args) == n and all(isinstance(a, str) for a in args)


def _distinct(v: list) -> list:
    out: list = []
    for x in v:
        if x not in out:
            out.append(x)
    return out


def _flat(v: Any) -> list:
    return [y for x in v for y in _flat(x)] if isinstance(v, list) else [v]


def _merge(args: list) -> dict:
    out: dict = {}
    for a in args:
        out.update(a)
    return out


def _element(args: list) -> Any:
    if len(args) == 2 and isinstance(args[0], list) and args[0] and isinstance(args[1], int) \
            and not isinstance(args[1], bool):
        return args[0][args[1] % len(args[0])]
    return _UNKNOWN


def _format(args: list) -> Any:
    if args and isinstance(args[0], str) and "%" not in args[0].replace("%s", ""):
        parts = args[0].split("%s")
        if len(parts) == len(args) and all(isinstance(a, str) for a in args[1:]):
            return "".join(p + (args[i + 1] if i + 1 < len(args) else "") for i, p in enumerate(parts))
    return _UNKNOWN


def _replace(args: list) -> Any:
    if _strings(args, 3) and not (args[1].startswith("/") and args[1].endswith("/")):  # no regex
        return args[0].replace(args[1], args[2])
    return _UNKNOWN


def _trimprefix(args: list) -> Any:
    if _strings(args, 2):
        return args[0][len(args[1]):] if args[0].startswith(args[1]) else args[0]
    return _UNKNOWN


# The few pure functions role configurations use: name -> the function of the decided
# arguments, _UNKNOWN when they do not fit it
# (https://developer.hashicorp.com/terraform/language/functions).
_FUNCTIONS: dict[str, Callable[[list], Any]] = {
    "length": lambda a: len(a[0]) if _one(a, (list, dict, str)) else _UNKNOWN,
    "concat": lambda a: [x for v in a for x in v] if all(isinstance(v, list) for v in a) else _UNKNOWN,
    "compact": lambda a: [x for x in a[0] if x not in (None, "")] if _one(a, list) else _UNKNOWN,
    "distinct": lambda a: _distinct(a[0]) if _one(a, list) else _UNKNOWN,
    "flatten": lambda a: _flat(a[0]) if _one(a, list) else _UNKNOWN,
    "merge": lambda a: _merge(a) if all(isinstance(v, dict) for v in a) else _UNKNOWN,
    "keys": lambda a: sorted(a[0]) if _one(a, dict) else _UNKNOWN,
    "values": lambda a: [a[0][k] for k in sorted(a[0])] if _one(a, dict) else _UNKNOWN,
    "element": _element,
    "contains": lambda a: a[1] in a[0] if len(a) == 2 and isinstance(a[0], list) else _UNKNOWN,
    "format": _format,
    "replace": _replace,
    "trimprefix": _trimprefix,
}


def _call(name: str, args: list) -> Any:
    """The few pure functions role configurations use, on decided arguments; others stay undecided."""
    fn = _FUNCTIONS.get(name)
    return _UNKNOWN if fn is None else fn(args)


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


def with_type_defaults(value: Any, type_node: Node | None, env: Env | None = None) -> Any:
    """`value` converted as Terraform converts a variable's value to its `type`: object
    attributes declared `optional(T, default)` and missing from the value get the default,
    or null (https://developer.hashicorp.com/terraform/language/expressions/type-constraints#optional-object-type-attributes).
    Other conversions are left out: a value of the wrong type is Terraform's error to report."""
    if type_node is None or type_node.kind != "call":
        return value
    name, args = type_node.value
    if name == "optional" and args:
        return with_type_defaults(value, args[0], env)
    if name in ("list", "set") and len(args) == 1 and isinstance(value, list):
        return [with_type_defaults(v, args[0], env) for v in value]
    if name == "map" and len(args) == 1 and isinstance(value, dict):
        return {k: with_type_defaults(v, args[0], env) for k, v in value.items()}
    if name == "object" and len(args) == 1 and args[0].kind == "object" and isinstance(value, dict):
        out = dict(value)
        for it in args[0].value:
            t = it.value
            if it.key in out:
                out[it.key] = with_type_defaults(out[it.key], t, env)
            elif t.kind == "call" and t.value[0] == "optional":
                opt = t.value[1]
                default = evaluate(opt[1], env).value if len(opt) == 2 else None
                out[it.key] = with_type_defaults(default, opt[0], env) if default is not None else None
        return out
    return value
