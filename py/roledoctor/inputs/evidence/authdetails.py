"""`aws iam get-account-authorization-details`: every user, group, role and managed
policy (with all its versions) of one account
(https://docs.aws.amazon.com/cli/latest/reference/iam/get-account-authorization-details.html,
https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html).

Real accounts print tens of megabytes. The top level is walked here and each list
item decoded by the stdlib's C decoder (json.JSONDecoder.raw_decode), which gives
its start and end; an entity is parsed with spans (jsonspan) only when the
diagnosis asks for it (the caller, its groups and policies, the target role).
"""

from __future__ import annotations

import json
import re
from json.decoder import scanstring  # type: ignore[attr-defined]  # the C decoder, not in typeshed

from roledoctor.inputs import jsonspan
from roledoctor.inputs.evidence.common import Ctx, document, get, strings, text_of
from roledoctor.inputs.evidence.iam import role_from, user_from
from roledoctor.inputs.evidence.model import Evidence, ManagedPolicy, Principal
from roledoctor.source import LineIndex

LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
_WS = re.compile(r"[ \t\n\r\ufeff]*")
_DECODER = json.JSONDecoder()


def _skip_ws(text: str, i: int) -> int:
    m = _WS.match(text, i)  # matches always (it may be empty)
    return m.end() if m else i


class AuthSyntaxError(ValueError):
    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.message, self.offset = message, offset


def first_key(text: str) -> str | None:
    """The first property name of a JSON object text (None when not an object)."""
    i = _skip_ws(text, 0)
    if not text.startswith("{", i):
        return None
    i = _skip_ws(text, i + 1)
    if not text.startswith('"', i):
        return None
    try:
        return scanstring(text, i + 1, True)[0]
    except ValueError:
        return None


def recognise_text(text: str) -> bool:
    return first_key(text) in ("UserDetailList", "GroupDetailList", "RoleDetailList")


def recognise(value) -> bool:
    return isinstance(value, dict) and any(isinstance(value.get(k), list) for k in LISTS[:3])


def _list_items(text: str, i: int, items: list) -> int:
    """text[i] == "[": each item of the list appended as (item, start, end); the offset past "]"."""
    i = _skip_ws(text, i + 1)
    if text.startswith("]", i):
        return i + 1
    while True:
        obj, j = _DECODER.raw_decode(text, i)
        items.append((obj, i, j))
        i = _skip_ws(text, j)
        if text.startswith(",", i):
            i = _skip_ws(text, i + 1)
            continue
        if text.startswith("]", i):
            return i + 1
        raise AuthSyntaxError("expected ',' or ']'", i)


def _walk(text: str) -> tuple[dict, dict]:
    """-> ({list key: [(item, start, end)]}, {other key: value}); linear, C-speed per item."""
    lists: dict[str, list] = {}
    other: dict = {}
    i = _skip_ws(text, 0)
    if not text.startswith("{", i):
        raise AuthSyntaxError("expected '{'", i)
    i = _skip_ws(text, i + 1)
    while True:
        if not text.startswith('"', i):
            raise AuthSyntaxError("expected a property name in double quotes", i)
        try:
            key, i = scanstring(text, i + 1, True)
        except ValueError:
            raise AuthSyntaxError("unterminated string", i) from None
        i = _skip_ws(text, i)
        if not text.startswith(":", i):
            raise AuthSyntaxError("expected ':' after the property name", i)
        i = _skip_ws(text, i + 1)
        try:
            if key in LISTS and text.startswith("[", i):
                i = _list_items(text, i, lists.setdefault(key, []))
            else:
                other[key], i = _DECODER.raw_decode(text, i)
        except json.JSONDecodeError as err:
            raise AuthSyntaxError(err.msg, err.pos) from None
        except RecursionError:
            raise AuthSyntaxError("nesting too deep", i) from None
        i = _skip_ws(text, i)
        if text.startswith(",", i):
            i = _skip_ws(text, i + 1)
            continue
        if text.startswith("}", i):
            j = _skip_ws(text, i + 1)
            if j < len(text):
                raise AuthSyntaxError("unexpected text after the JSON value", j)
            return lists, other
        raise AuthSyntaxError("expected ',' or '}'", i)


# The last two outputs walked: a fix re-reads the same output with one document edited, and
# only the items around the edit are decoded again (a 100 MB output is walked once).
_LAST: dict = {}


def walk(text: str) -> tuple[dict, dict]:
    # The last two outputs walked, newest first: a diagnosis of the output, its fix's
    # verification (an edited copy), then the next diagnosis of the same output.
    recent = _LAST.setdefault("recent", [])
    for i, seen in enumerate(recent):
        if seen[0] is text or seen[0] == text:
            recent.insert(0, recent.pop(i))
            return seen[1]
    got = _rewalk(recent[0], text) if recent and len(text) > 1_000_000 else None
    if got is None:
        got = _walk(text)
    recent.insert(0, (text, got))
    del recent[2:]
    return got


def _rewalk(last, text: str):
    from roledoctor.source import common_prefix, common_suffix
    old, (lists, other) = last
    p = common_prefix(old, text)
    s = common_suffix(old, text, min(len(old), len(text)) - p)
    d, cut = len(text) - len(old), len(old) - s
    out: dict[str, list] = {}
    touched = False
    for key, items in lists.items():
        new = []
        for obj, a, b in items:
            if b <= p:
                new.append((obj, a, b))
            elif a >= cut:
                new.append((obj, a + d, b + d))
            else:  # the edited item: decoded again where it starts (before the edit)
                if a > p:
                    return None
                try:
                    obj2, e = _DECODER.raw_decode(text, a)
                except ValueError:
                    return None
                if e != b + d:
                    return None
                new.append((obj2, a, e))
                touched = True
        out[key] = new
    return (out, other) if touched else None  # an edit outside every item: walked again


class AuthIndex:
    """The entities of one authorization-details output, parsed with spans on demand."""

    def __init__(self, name: str, text: str, lines: LineIndex, lists: dict):
        self.name, self.text, self.lines, self.lists = name, text, lines, lists
        self.problems: list = []
        self._by: dict[tuple, tuple] = {}
        for key, items in lists.items():
            for item in items:
                obj = item[0]
                if not isinstance(obj, dict):
                    continue
                for k in ("Arn", "RoleName", "UserName", "GroupName"):
                    if isinstance(obj.get(k), str):
                        self._by.setdefault((key, obj[k]), item)

    def __repr__(self) -> str:  # shown by `roledoctor inspect`: what is held, not the object
        return ", ".join(f"{len(v)} {k}" for k, v in self.lists.items()) + " (read on demand)"

    __str__ = __repr__

    def accounts(self) -> set[str]:
        out = set()
        for key in LISTS[:3]:
            for obj, _, _ in self.lists.get(key, [])[:50]:
                arn = text_of(obj, "Arn") if isinstance(obj, dict) else ""
                if arn.count(":") >= 5:
                    out.add(arn.split(":")[4])
        return out

    def count(self, key: str) -> int:
        return len(self.lists.get(key, []))

    def _ctx(self, item) -> Ctx:
        _, start, end = item
        doc = jsonspan.parse(self.text, start, end)
        ctx = Ctx(self.name, self.text, self.lines, doc)
        ctx.problems = self.problems
        return ctx

    def _find(self, key: str, *names: str):
        for n in names:
            if n and (key, n) in self._by:
                return self._by[(key, n)]
        return None

    def role(self, arn: str = "", name: str = "") -> Principal | None:
        item = self._find("RoleDetailList", arn, name)
        if item is None:
            return None
        ctx = self._ctx(item)
        r = role_from(ctx, ctx.doc.value, ())
        self._inline_and_attached(ctx, r, "RolePolicyList")
        return r

    def user(self, arn: str = "", name: str = "") -> Principal | None:
        item = self._find("UserDetailList", arn, name)
        if item is None:
            return None
        ctx = self._ctx(item)
        u = user_from(ctx, ctx.doc.value, ())
        u.groups = strings(ctx.doc.value, "GroupList")
        self._inline_and_attached(ctx, u, "UserPolicyList")
        return u

    def group(self, name: str) -> Principal | None:
        item = self._find("GroupDetailList", name)
        if item is None:
            return None
        ctx = self._ctx(item)
        g = Principal("group", text_of(ctx.doc.value, "GroupName"), text_of(ctx.doc.value, "Arn"),
                      text_of(ctx.doc.value, "Path") or "/", span=ctx.span(()))
        self._inline_and_attached(ctx, g, "GroupPolicyList")
        return g

    def _inline_and_attached(self, ctx: Ctx, p: Principal, list_key: str) -> None:
        for i, item in enumerate(get(ctx.doc.value, list_key) or []):
            d = document(ctx, (list_key, i, "PolicyDocument"), "inline", name=text_of(item, "PolicyName"),
                         owner=f"{p.type}/{p.name}")
            if d is not None:
                p.inline.append(d)
        p.attached = [text_of(a, "PolicyArn") for a in get(ctx.doc.value, "AttachedManagedPolicies") or []
                      if text_of(a, "PolicyArn")]

    def policy(self, arn: str) -> ManagedPolicy | None:
        """A managed policy with its default version's document."""
        item = self._find("Policies", arn)
        if item is None:
            return None
        ctx = self._ctx(item)
        v = ctx.doc.value
        mp = ManagedPolicy(arn, text_of(v, "PolicyName"), text_of(v, "DefaultVersionId"))
        for i, ver in enumerate(get(v, "PolicyVersionList") or []):
            default = ver.get("IsDefaultVersion") is True or text_of(ver, "VersionId") == mp.default_version
            if not default:
                continue  # only the default version is in force
            d = document(ctx, ("PolicyVersionList", i, "Document"), "managed", name=mp.name, arn=arn,
                         version=text_of(ver, "VersionId"), default=True)
            if d is not None:
                mp.documents.append(d)
        return mp


def read_text(name: str, text: str, lines: LineIndex, ev: Evidence) -> list:
    """Fill ev from the output; returns Problems (syntax errors with line and column)."""
    from roledoctor.inputs import policydoc
    try:
        lists, other = walk(text)
    except AuthSyntaxError as err:
        return [policydoc.unparseable(err.message, err.offset, lines, name, "invalid JSON")]
    idx = AuthIndex(name, text, lines, lists)
    ev.auth = idx
    accounts = sorted(idx.accounts())
    ev.account = accounts[0] if len(accounts) == 1 else ""
    ev.title = f"authorization details{' of account ' + ev.account if ev.account else ''}"
    ev.facts.append(f"{idx.count('UserDetailList')} users, {idx.count('GroupDetailList')} groups, "
                    f"{idx.count('RoleDetailList')} roles, {idx.count('Policies')} managed policies")
    if other.get("IsTruncated") is True:
        ev.facts.append("truncated (IsTruncated): later pages are not in this output")
    ev.span = lines.span(0, min(1, len(text)))
    return []


__all__ = ["AuthIndex", "read_text", "recognise", "recognise_text", "walk"]
