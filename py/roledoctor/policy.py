"""One policy model, whatever form the user pasted (JSON, jsonencode, heredoc,
aws_iam_policy_document).

Readers turn their source into a JSON-shaped object plus a map from JSON
paths to spans, then call `policy_from_obj`. The path map is keyed by paths in
the *normalised JSON shape* (e.g. ("Statement", 0, "Principal", "AWS", 1)), so
every reader shares one addressing scheme and fixers can find the characters
to edit.

Reference: IAM JSON policy element reference,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from roledoctor.source import Span

Path = tuple  # of str | int

VERSIONS = ("2012-10-17", "2008-10-17")
STATEMENT_ELEMENTS = (
    "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
    "Resource", "NotResource", "Condition",
)
POLICY_ELEMENTS = ("Version", "Id", "Statement")
PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")


class PolicyError(ValueError):
    """The document parses but is not a valid IAM policy (POLICY_INVALID)."""

    def __init__(self, message: str, path: Path = (), span: Span | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.span = span


@dataclass
class Condition:
    operator: str  # as written, e.g. "StringEquals", "ForAnyValue:StringLike", "BoolIfExists"
    key: str  # as written, e.g. "sts:ExternalId" (keys compare case-insensitively)
    values: list[str]  # JSON true/false/numbers become "true"/"false"/"12"
    path: Path = ()  # ("Statement", 0, "Condition", operator, key)
    span: Span | None = None


@dataclass
class Statement:
    index: int
    effect: str  # "Allow" | "Deny"
    sid: str | None = None
    # Principal: {"AWS": [...], "Service": [...], ...}; `"Principal": "*"` is {"*": ["*"]}
    principal: dict[str, list[str]] | None = None
    not_principal: dict[str, list[str]] | None = None
    action: list[str] | None = None
    not_action: list[str] | None = None
    resource: list[str] | None = None
    not_resource: list[str] | None = None
    conditions: list[Condition] = field(default_factory=list)
    path: Path = ()  # ("Statement", i) or ("Statement",) when Statement is a single object
    span: Span | None = None


@dataclass
class Policy:
    statements: list[Statement]
    version: str | None = None
    id: str | None = None
    source: str = ""  # input name: "trust_policy", "caller_policy", "scp", ...
    spans: dict[Path, Span] = field(default_factory=dict)
    span: Span | None = None
    # Spans of the keys themselves (e.g. to rename "effect" to "Effect"); same paths as `spans`.
    key_spans: dict[Path, Span] = field(default_factory=dict)
    # JSON paths whose value comes from a Terraform variable's default, which a caller, a tfvars file
    # or -var may replace: a hardening finding must not rest on them (readers set this).
    defaulted: frozenset = frozenset()

    def from_default(self, path: Path) -> bool:
        """Whether the element at `path`, one of its ancestors or a part of it comes from a default."""
        path = tuple(path)
        return any(d[:len(path)] == path or path[:len(d)] == d for d in self.defaulted)

    def span_at(self, path: Path) -> Span | None:
        """The span of the element at `path`, or of its nearest ancestor."""
        path = tuple(path)
        while path:
            if path in self.spans:
                return self.spans[path]
            path = path[:-1]
        return self.spans.get((), self.span)


def _strings(value, path: Path, element: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return list(value)
    if isinstance(value, list) and not value:
        raise PolicyError(f"{element} must not be an empty list", path)
    raise PolicyError(f"{element} must be a string or a list of strings", path)


def _scalar(value, path: Path) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value
    raise PolicyError("condition values must be strings, numbers or booleans", path)


def _principal(value, path: Path, element: str) -> dict[str, list[str]]:
    if value == "*":
        return {"*": ["*"]}
    if not isinstance(value, dict) or not value:
        raise PolicyError(f'{element} must be "*" or an object such as {{"AWS": "arn:..."}}', path)
    out: dict[str, list[str]] = {}
    for kind, ids in value.items():
        if kind not in PRINCIPAL_TYPES:
            raise PolicyError(
                f"{element} has an unknown type {kind!r}; expected one of {', '.join(PRINCIPAL_TYPES)}",
                path + (kind,),
            )
        out[kind] = _strings(ids, path + (kind,), f"{element}.{kind}")
    return out


def _conditions(value, path: Path) -> list[Condition]:
    if not isinstance(value, dict):
        raise PolicyError("Condition must be an object of operator: {key: value}", path)
    out = []
    for operator, block in value.items():
        if not isinstance(block, dict) or not block:
            raise PolicyError(f"Condition operator {operator} must map keys to values", path + (operator,))
        for key, raw in block.items():
            kpath = path + (operator, key)
            items = raw if isinstance(raw, list) else [raw]
            values = [_scalar(v, kpath) for v in items]
            out.append(Condition(operator=operator, key=key, values=values, path=kpath))
    return out


def statement_from_obj(obj, index: int, path: Path) -> Statement:
    if not isinstance(obj, dict):
        raise PolicyError("each Statement must be an object", path)
    for name in obj:
        if name not in STATEMENT_ELEMENTS:
            hint = next((e for e in STATEMENT_ELEMENTS if e.lower() == str(name).lower()), None)
            extra = f" (did you mean {hint}? element names are case-sensitive)" if hint else ""
            raise PolicyError(f"unknown statement element {name!r}{extra}", path + (name,))
    effect = obj.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise PolicyError(f'Effect must be "Allow" or "Deny", not {effect!r}', path + ("Effect",))
    st = Statement(index=index, effect=effect, path=path)
    sid = obj.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise PolicyError("Sid must be a string", path + ("Sid",))
    st.sid = sid
    for a, b in (("Principal", "NotPrincipal"), ("Action", "NotAction"), ("Resource", "NotResource")):
        if a in obj and b in obj:
            raise PolicyError(f"a statement cannot have both {a} and {b}", path + (b,))
    if "Principal" in obj:
        st.principal = _principal(obj["Principal"], path + ("Principal",), "Principal")
    if "NotPrincipal" in obj:
        st.not_principal = _principal(obj["NotPrincipal"], path + ("NotPrincipal",), "NotPrincipal")
    for element, attr in (("Action", "action"), ("NotAction", "not_action"),
                          ("Resource", "resource"), ("NotResource", "not_resource")):
        if element in obj:
            setattr(st, attr, _strings(obj[element], path + (element,), element))
    if st.action is None and st.not_action is None:
        raise PolicyError("a statement needs Action or NotAction", path)
    if "Condition" in obj:
        st.conditions = _conditions(obj["Condition"], path + ("Condition",))
    return st


def policy_from_obj(obj, spans: dict[Path, Span] | None = None, source: str = "",
                    key_spans: dict[Path, Span] | None = None) -> Policy:
    """Build a Policy from a JSON-shaped object. Raises PolicyError naming the element."""
    spans = spans or {}

    def fail(err: PolicyError):
        err.span = err.span or _nearest(spans, err.path)
        raise err

    try:
        if not isinstance(obj, dict):
            raise PolicyError("a policy must be a JSON object with a Statement", ())
        for name in obj:
            if name not in POLICY_ELEMENTS:
                raise PolicyError(f"unknown policy element {name!r}", (name,))
        version = obj.get("Version")
        if version is not None and version not in VERSIONS:
            raise PolicyError(f'Version must be "2012-10-17" (or the old "2008-10-17"), not {version!r}', ("Version",))
        if "Statement" not in obj:
            raise PolicyError("a policy needs a Statement", ())
        raw = obj["Statement"]
        items: list[tuple[Any, tuple]]
        if isinstance(raw, dict):
            items = [(raw, ("Statement",))]
        elif isinstance(raw, list) and raw:
            items = [(s, ("Statement", i)) for i, s in enumerate(raw)]
        else:
            raise PolicyError("Statement must be an object or a non-empty list", ("Statement",))
        statements = [statement_from_obj(s, i, p) for i, (s, p) in enumerate(items)]
    except PolicyError as err:
        fail(err)
    policy = Policy(statements=statements, version=version, id=obj.get("Id"), source=source, spans=dict(spans),
                    key_spans=dict(key_spans or {}))
    policy.span = spans.get(())
    for st in statements:
        st.span = spans.get(st.path)
        for cond in st.conditions:
            cond.span = _nearest(spans, cond.path)
    return policy


def _nearest(spans: dict[Path, Span], path: Path) -> Span | None:
    path = tuple(path)
    while path:
        if path in spans:
            return spans[path]
        path = path[:-1]
    return spans.get(())
