"""POLICY_CONDITION_NEVER_MATCHES: conditions that cannot hold as written.

- a wildcard (`*`, `?`) under a String…Equals operator, which compares literally
  (IAM condition operators: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String;
  IAM Access Analyzer reports it: https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html);
- an OIDC condition key written with a URL or ARN prefix: IAM keys are the provider's
  host and path, e.g. `token.actions.githubusercontent.com:sub`
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif);
- the same key twice in one operator block of a JSON policy: JSON readers keep one of
  them, so the other never applies (RFC 8259 section 4: names "SHOULD be unique").
"""

from __future__ import annotations

import json

from roledoctor.diagnosis.facts import classify_sources
from roledoctor.diagnosis.model import Issue, Where

_LITERAL_OPS = ("stringequals", "stringequalsignorecase", "stringnotequals", "stringnotequalsignorecase")


def _base_operator(op: str) -> str:
    o = op.lower()
    for prefix in ("forallvalues:", "foranyvalue:"):
        if o.startswith(prefix):
            o = o[len(prefix):]
    return o[:-8] if o.endswith("ifexists") else o


def key_fix(key: str) -> str | None:
    """`https://host/path:sub` -> `host/path:sub`; `arn:aws:iam::1:oidc-provider/host:sub` -> `host:sub`."""
    k = key.strip()
    if k.lower().startswith(("https://", "http://")):
        return k.split("://", 1)[1]
    if k.lower().startswith("arn:") and "oidc-provider/" in k:
        return k.split("oidc-provider/", 1)[1]
    return None


def never_matches(inputs, slot_of=lambda name: "auto") -> list[Issue]:
    out: list[Issue] = []
    found = classify_sources(inputs, slot_of)
    sources = [s for s, _ in found["trust"]] + [s for k in ("identity", "scp", "rcp", "boundary", "session")
                                                for s in found[k]]
    seen = set()
    for src in sources:
        if id(src.policy) in seen:
            continue
        seen.add(id(src.policy))
        for st in src.policy.statements:
            for c in st.conditions:
                where = [Where(src.input, c.span or src.policy.span_at(c.path))]
                base = _base_operator(c.operator)
                wild = [v for v in c.values if isinstance(v, str) and ("*" in v or "?" in v)]
                if base in _LITERAL_OPS and wild:
                    like = c.operator.replace("Equals", "Like").replace("IgnoreCase", "")
                    out.append(Issue("POLICY_CONDITION_NEVER_MATCHES",
                                     f"Statement {st.index}: `{c.operator}` compares `{c.key}` literally, so "
                                     f"`{wild[0]}` matches only a value with a literal `{'*' if '*' in wild[0] else '?'}`"
                                     f"; use `{like}` for a pattern.", where,
                                     {"key": c.key, "operator": c.operator, "value": wild[0], "use": like},
                                     fix=f"Use `{like}` instead of `{c.operator}`."))
                fixed = key_fix(c.key)
                if fixed:
                    out.append(Issue("POLICY_CONDITION_NEVER_MATCHES",
                                     f"Statement {st.index}: the condition key `{c.key}` has a "
                                     f"{'URL' if '://' in c.key else 'ARN'} prefix; the key IAM sets is "
                                     f"`{fixed}`, so this condition never sees a value.", where,
                                     {"key": c.key, "use": fixed}, fix=f"Write the key as `{fixed}`."))
    out += _duplicates(inputs)
    return out


def _duplicates(inputs) -> list[Issue]:
    out = []
    for d in inputs.documents:
        text = inputs.texts.get(d.input)
        if not isinstance(text, str) or len(text) > 1_000_000 or d.policy is None:
            continue
        dups: list[str] = []

        def hook(pairs, dups=dups):
            names = [k for k, _ in pairs]
            for k in sorted(set(names)):
                if names.count(k) > 1:
                    dups.append(k)
            return dict(pairs)
        try:
            json.loads(text, object_pairs_hook=hook)
        except (ValueError, RecursionError):
            continue
        for key in dups:
            if key in ("Statement", "Version"):
                continue
            quoted = json.dumps(key)
            first = text.find(quoted)
            second = text.find(quoted, first + 1) if first >= 0 else -1
            span = None
            if second >= 0:
                from roledoctor.source import LineIndex
                span = LineIndex(text).span(second, second + len(quoted))
            out.append(Issue("POLICY_CONDITION_NEVER_MATCHES",
                             f"`{key}` appears twice in one JSON object: IAM keeps one of them and the other "
                             "never applies. Put both values in one list under a single key.",
                             [Where(d.input, span)], {"key": key, "duplicate": True},
                             fix=f"Merge the two `{key}` entries into one key with a list of values."))
    return out
