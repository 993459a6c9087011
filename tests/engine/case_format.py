"""Engine cases as plain JSON: load, check the format, convert, check the expectation.

One case is one sts:AssumeRole request with its policies; tests/engine/README.md
describes every key. The same dict feeds our engine (`to_engine`) and the peer
oracle @cloud-copilot/iam-simulate (`to_simulation`); the oracle's seeded
generator (tests/oracle/cases.py) produces the same shape without `expect`.
"""

from __future__ import annotations

import json
from pathlib import Path

from roledoctor.evaluation import Caller, Evaluation, Policies, PolicyLevel, Request
from roledoctor.policy import policy_from_obj

CASES_DIR = Path(__file__).resolve().parent / "cases"
TARGET = "arn:aws:iam::111111111111:role/tf-deploy"  # the role assumed unless a case names another

VERDICTS = ("allowed", "explicitly-denied", "implicitly-denied", "undetermined")
GATE_NAMES = ("scp", "rcp", "identity", "boundary", "session", "trust", "duration", "tag-session", "source-identity")

# caller key -> Caller field. "name" and "session" are descriptive only (the generator's).
CALLER_FIELDS = {"arn": "arn", "kind": "type", "account": "account", "role_arn": "role_arn", "role_path": "role_path",
                 "session_name": "session_name", "unique_id": "unique_id", "org_id": "org_id", "in_org": "in_org",
                 "is_management_account": "is_management_account", "tags": "tags", "provider": "provider"}
CALLER_KEYS = set(CALLER_FIELDS) | {"name", "session"}

REQUEST_KEYS = {"caller", "role", "action", "context", "context_complete", "session_name", "external_id",
                "source_identity", "tags", "transitive_tag_keys", "duration_seconds", "chained",
                "reported_denial", "reported_explicit"}
POLICY_KEYS = {"trust", "identity", "boundary", "session", "scps", "rcps", "max_session_duration"}
CASE_KEYS = {"id", "description", "source", "expect", "oracle", "oracle_reason"} | REQUEST_KEYS | POLICY_KEYS
# load_cases adds "topic" (the file name); generated cases carry "seed" instead of id/description/source/expect.

EXPECT_KEYS = {"verdict", "gate", "uncertain", "same_account", "missing", "assumption", "unknown_keys", "trace",
               "gates", "statements"}
GATE_KEYS = {"result", "required", "reported", "uncertain", "grant", "reason", "statement_index",
             "statement_policy", "sub_gate"}
STATEMENT_KEYS = {"gate", "policy", "index", "applies", "principal_matched", "principal_grant", "principal_reason",
                  "action_matched", "resource_matched", "conditions_matched", "conditions"}
STATEMENT_LOCATORS = {"gate", "policy", "index"}
CONDITION_KEYS = {"operator", "key", "policy_values", "context_values", "key_status", "result"}


# ---- loading and the format check ----

def load_cases(directory: Path = CASES_DIR) -> list[dict]:
    """Every case of every *.json file, in file then list order; each gets its file name as `topic`."""
    cases = []
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, list):
            raise ValueError(f"{path.name}: a cases file holds a JSON list of cases")
        for case in data:
            case = dict(case)
            case["topic"] = path.stem
            cases.append(case)
    return cases


def format_problems(case: dict) -> list[str]:
    """What is wrong with a case's shape: unknown keys (a typo would skip a check), missing ones, bad values."""
    cid = case.get("id", "?")
    bad = []

    def unknown(keys, allowed, where):
        bad.extend(f"{cid}: unknown key {where}{k!r}" for k in sorted(set(keys) - set(allowed)))

    unknown(case, CASE_KEYS | {"topic"}, "")
    for key in ("id", "description", "source", "caller", "expect"):
        if key not in case:
            bad.append(f"{cid}: missing {key!r}")
    if not str(case.get("source", "")).startswith(("https://docs.aws.amazon.com/", "https://aws.amazon.com/")):
        bad.append(f"{cid}: source must be a public AWS documentation URL, not {case.get('source')!r}")
    if "arn" not in case.get("caller", {}):
        bad.append(f"{cid}: caller needs an arn")
    unknown(case.get("caller", {}), CALLER_KEYS, "caller.")
    if case.get("oracle", True) is False and not case.get("oracle_reason"):
        bad.append(f"{cid}: oracle false needs an oracle_reason")
    if "oracle_reason" in case and case.get("oracle", True) is not False:
        bad.append(f"{cid}: oracle_reason without oracle false")
    exp = case.get("expect", {})
    unknown(exp, EXPECT_KEYS, "expect.")
    if exp.get("verdict") not in VERDICTS:
        bad.append(f"{cid}: expect.verdict must be one of {VERDICTS}")
    if "gate" not in exp:
        bad.append(f"{cid}: expect.gate is required (null when allowed)")
    elif exp["gate"] is not None and exp["gate"] not in GATE_NAMES:
        bad.append(f"{cid}: expect.gate {exp['gate']!r} is not a gate")
    for name, g in exp.get("gates", {}).items():
        if name not in GATE_NAMES:
            bad.append(f"{cid}: expect.gates.{name} is not a gate")
        unknown(g, GATE_KEYS, f"expect.gates.{name}.")
    for i, st in enumerate(exp.get("statements", [])):
        unknown(st, STATEMENT_KEYS, f"expect.statements[{i}].")
        if st.get("gate") not in GATE_NAMES:
            bad.append(f"{cid}: expect.statements[{i}] needs a gate")
        if not set(st) - STATEMENT_LOCATORS:
            bad.append(f"{cid}: expect.statements[{i}] asserts nothing")
        for j, c in enumerate(st.get("conditions", [])):
            unknown(c, CONDITION_KEYS, f"expect.statements[{i}].conditions[{j}].")
    return bad


# ---- conversion ----

def _policy(obj: dict | None, source: str):
    return policy_from_obj(obj, source=source) if obj is not None else None


def _levels(levels: list[list[dict]] | None):
    """Levels root first, named ou-0, ou-1, ... (an SCP or RCP statement is labelled scp[ou-0]/0)."""
    if levels is None:
        return None
    return [PolicyLevel(f"ou-{i}", [policy_from_obj(p) for p in lv]) for i, lv in enumerate(levels)]


def to_engine(case: dict) -> tuple[Request, Policies]:
    """Our Request and Policies. A key a case leaves out is what our API leaves out (not given)."""
    c = case["caller"]
    caller = Caller(**{field: c[key] for key, field in CALLER_FIELDS.items() if key in c})
    req = Request(
        role_arn=case.get("role", TARGET), caller=caller, action=case.get("action", "sts:AssumeRole"),
        session_name=case.get("session_name"), external_id=case.get("external_id"),
        source_identity=case.get("source_identity"), tags=dict(case.get("tags", {})),
        transitive_tag_keys=list(case.get("transitive_tag_keys", [])), duration_seconds=case.get("duration_seconds"),
        chained=case.get("chained"), context=dict(case.get("context", {})),
        context_complete=case.get("context_complete", False), reported_denial=case.get("reported_denial"),
        reported_explicit=case.get("reported_explicit", True),
    )
    identity = case.get("identity")
    pol = Policies(
        trust=_policy(case.get("trust"), "trust_policy"),
        identity=[policy_from_obj(p, source=f"id{i}") for i, p in enumerate(identity)] if identity is not None else None,
        boundary=_policy(case.get("boundary"), "boundary"),
        session=_policy(case.get("session"), "session"),
        scps=_levels(case.get("scps")),
        rcps=_levels(case.get("rcps")),
        max_session_duration=case.get("max_session_duration"),
    )
    return req, pol


def _arn_parts(arn: str) -> list[str]:
    return arn.split(":", 5) if arn.startswith("arn:") else []


def session_role(caller: dict) -> tuple[str, str] | None:
    """(account, role name) when the caller is an assumed-role session, else None."""
    parts = _arn_parts(caller["arn"])
    if len(parts) == 6 and parts[5].startswith("assumed-role/"):
        return parts[4], parts[5].split("/")[1]
    return None


def caller_principal_arn(caller: dict) -> str | None:
    """aws:PrincipalArn: a session's role ARN (with its path), else the caller's ARN."""
    if caller.get("role_arn"):
        return caller["role_arn"]
    parts = _arn_parts(caller["arn"])
    if len(parts) == 6 and parts[5].startswith("assumed-role/"):
        name = parts[5].split("/")[1]
        return f"arn:{parts[1]}:iam::{parts[4]}:role{caller.get('role_path') or '/'}{name}"
    if len(parts) == 6 and (parts[5].startswith(("user/", "federated-user/")) or parts[5] == "root"):
        return caller["arn"]
    return None


def simulation_context(case: dict) -> dict:
    """The request context iam-simulate is given: it derives no keys itself, so the keys AWS sends for
    this caller and request (reference_policies_condition-keys.html) are listed here, then the
    case's own `context` on top."""
    c = case["caller"]
    parts = _arn_parts(c["arn"])
    resource = parts[5] if len(parts) == 6 else ""
    ctx: dict = {}
    principal = caller_principal_arn(c)
    if principal:
        ctx["aws:PrincipalArn"] = principal
        ctx["aws:PrincipalAccount"] = c.get("account") or parts[4]
        if c.get("org_id"):
            ctx["aws:PrincipalOrgID"] = c["org_id"]
    if resource.startswith("user/"):
        ctx["aws:username"] = resource.rsplit("/", 1)[-1]
    if resource.startswith("assumed-role/"):
        ctx["aws:MultiFactorAuthPresent"] = "false"  # temporary credentials carry the MFA flag
    for key, name in (("external_id", "sts:ExternalId"), ("session_name", "sts:RoleSessionName"),
                      ("source_identity", "sts:SourceIdentity")):
        if case.get(key) is not None:
            ctx[name] = case[key]
    for k, v in case.get("tags", {}).items():
        ctx[f"aws:RequestTag/{k}"] = v
    if case.get("tags"):
        ctx["aws:TagKeys"] = list(case["tags"])
    if case.get("transitive_tag_keys"):
        ctx["sts:TransitiveTagKeys"] = list(case["transitive_tag_keys"])
    ctx.update(case.get("context", {}))
    return ctx


def to_simulation(case: dict) -> dict:
    """iam-simulate's `Simulation`. It has no "not given" input: missing identity policies are none."""
    def named(ps, prefix):
        return [{"name": f"{prefix}{i}", "policy": p} for i, p in enumerate(ps)]
    role = case.get("role", TARGET)
    sim = {
        "request": {"principal": case["caller"]["arn"], "action": case.get("action", "sts:AssumeRole"),
                    "resource": {"resource": role, "accountId": _arn_parts(role)[4]},
                    "contextVariables": simulation_context(case)},
        "identityPolicies": named(case.get("identity") or [], "id"),
        "serviceControlPolicies": [{"orgIdentifier": f"ou-{i}", "policies": named(lv, f"scp{i}-")}
                                   for i, lv in enumerate(case.get("scps") or [])],
        "resourceControlPolicies": [{"orgIdentifier": f"ou-{i}", "policies": named(lv, f"rcp{i}-")}
                                    for i, lv in enumerate(case.get("rcps") or [])],
    }
    if case.get("trust") is not None:
        sim["resourcePolicy"] = case["trust"]
    if case.get("boundary") is not None:
        sim["permissionBoundaryPolicies"] = named([case["boundary"]], "pb")
    if case.get("session") is not None:
        sim["sessionPolicy"] = case["session"]
    return sim


# ---- the expectation ----

def _substring(where: str, wanted: str, texts: list[str]) -> list[str]:
    if any(wanted in t for t in texts):
        return []
    return [f"{where}: no entry contains {wanted!r}; got {texts!r}"]


def _equal(where: str, wanted, got) -> list[str]:
    return [] if wanted == got else [f"{where}: expected {wanted!r}, got {got!r}"]


def _check_gate(name: str, want: dict, ev: Evaluation) -> list[str]:
    g = ev.gate(name)
    where = f"gates.{name}"
    if g is None:
        return [f"{where}: no such gate in the trace {[t.gate for t in ev.trace]}"]
    bad = []
    for key in ("result", "required", "reported", "uncertain", "grant"):
        if key in want:
            bad += _equal(f"{where}.{key}", want[key], getattr(g, key))
    if "reason" in want:
        bad += _substring(f"{where}.reason", want["reason"], [g.reason])
    if "statement_index" in want:
        bad += _equal(f"{where}.statement_index", want["statement_index"], g.statement.index if g.statement else None)
    if "statement_policy" in want:
        label = g.statement.policy if g.statement else None
        if label is None or not label.startswith(want["statement_policy"]):
            bad.append(f"{where}.statement_policy: expected a label starting {want['statement_policy']!r}, got {label!r}")
    if "sub_gate" in want:
        bad += _equal(f"{where}.sub_gate", want["sub_gate"], g.sub.deciding_gate if g.sub else None)
    return bad


def _check_statement(i: int, want: dict, ev: Evaluation) -> list[str]:
    where = f"statements[{i}]"
    g = ev.gate(want["gate"])
    p, s = want.get("policy", 0), want.get("index", 0)
    if g is None or p >= len(g.policies) or s >= len(g.policies[p].statements):
        return [f"{where}: gate {want['gate']!r} has no policy {p} statement {s} in its trace"]
    st = g.policies[p].statements[s]
    where = f"{where} ({want['gate']} policy {p} statement {s})"
    bad = []
    for key, attr in (("applies", "applies"), ("action_matched", "action_matched"),
                      ("resource_matched", "resource_matched"), ("conditions_matched", "conditions_matched")):
        if key in want:
            bad += _equal(f"{where}.{key}", want[key], getattr(st, attr))
    if "principal_matched" in want:
        bad += _equal(f"{where}.principal_matched", want["principal_matched"], st.principal and st.principal.matched)
    if "principal_grant" in want:
        bad += _equal(f"{where}.principal_grant", want["principal_grant"], st.principal and st.principal.grant)
    if "principal_reason" in want:
        bad += _substring(f"{where}.principal_reason", want["principal_reason"],
                          [st.principal.reason] if st.principal else [])
    if "conditions" in want:
        if len(want["conditions"]) != len(st.conditions):
            bad.append(f"{where}.conditions: expected {len(want['conditions'])} conditions, got "
                       f"{[(c.operator, c.key) for c in st.conditions]}")
        for j, (wc, c) in enumerate(zip(want["conditions"], st.conditions, strict=False)):
            for key in CONDITION_KEYS:
                if key in wc:
                    bad += _equal(f"{where}.conditions[{j}].{key}", wc[key], getattr(c, key))
    return bad


def check(case: dict, ev: Evaluation) -> list[str]:
    """Every way the evaluation differs from the case's `expect`; empty when it matches."""
    exp = case["expect"]
    bad = _equal("verdict", exp["verdict"], ev.verdict)
    bad += _equal("gate", exp["gate"], ev.deciding_gate)
    for key in ("uncertain", "same_account"):
        if key in exp:
            bad += _equal(key, exp[key], getattr(ev, key))
    if "missing" in exp:
        bad += _substring("missing", exp["missing"], ev.missing)
    if "assumption" in exp:
        bad += _substring("assumption", exp["assumption"], ev.assumptions)
    for key in exp.get("unknown_keys", []):
        if key not in ev.unknown_keys:
            bad.append(f"unknown_keys: {key!r} not among {ev.unknown_keys!r}")
    if "trace" in exp:
        bad += _equal("trace", exp["trace"], [g.gate for g in ev.trace])
    for name, want in exp.get("gates", {}).items():
        bad += _check_gate(name, want, ev)
    for i, want in enumerate(exp.get("statements", [])):
        bad += _check_statement(i, want, ev)
    return bad


def count_checks(expect: dict) -> int:
    """How many separate assertions an `expect` makes (each key, list item and condition field is one)."""
    n = 0
    for key, value in expect.items():
        if key == "unknown_keys":
            n += len(value)
        elif key == "gates":
            n += sum(len(g) for g in value.values())
        elif key == "statements":
            for st in value:
                n += len(set(st) - STATEMENT_LOCATORS - {"conditions"})
                if "conditions" in st:
                    n += 1 + sum(len(c) for c in st["conditions"])  # the count, then each field
        else:
            n += 1
    return n
