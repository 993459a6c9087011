"""Seeded generator of varied sts:AssumeRole cases for the differential oracle.

Each case is plain JSON in the engine-case format (tests/engine/README.md),
without `expect`: the request (caller, context, external ID, session name) and
the policies. `to_simulation` turns it into iam-simulate's `Simulation`,
`to_engine` into our Request/Policies (both in tests/engine/case_format.py).
The full context is given to both, with `context_complete`: iam-simulate does
not derive keys such as aws:PrincipalArn itself.
"""

from __future__ import annotations

import random

from engine.case_format import TARGET, to_engine, to_simulation

ROLE_ACCT, OTHER_ACCT, THIRD_ACCT = "111111111111", "222222222222", "333333333333"
assert TARGET == f"arn:aws:iam::{ROLE_ACCT}:role/tf-deploy"
V = "2012-10-17"


def _callers(rng: random.Random) -> dict:
    acct = rng.choice([ROLE_ACCT, OTHER_ACCT, OTHER_ACCT])
    kind = rng.choice(["role", "role", "role", "user"])
    name = rng.choice(["ci", "deployer", "ops"])
    if kind == "role":
        return {"kind": "role", "account": acct, "name": name, "session": rng.choice(["s1", "tf-run"]),
                "arn": f"arn:aws:sts::{acct}:assumed-role/{name}/s1", "role_arn": f"arn:aws:iam::{acct}:role/{name}"}
    return {"kind": "user", "account": acct, "name": name, "arn": f"arn:aws:iam::{acct}:user/{name}"}


def _principal(rng, caller) -> object:
    a, n = caller["account"], caller["name"]
    pool = [
        f"arn:aws:iam::{a}:role/{n}", f"arn:aws:iam::{a}:user/{n}", f"arn:aws:iam::{a}:root", a,
        f"arn:aws:iam::{a}:role/other", f"arn:aws:iam::{THIRD_ACCT}:root", "*",
        f"arn:aws:iam::{a}:role/team/{n}",
    ]
    if caller["kind"] == "role":
        pool += [caller["arn"], f"arn:aws:iam::{a}:role/{n}", f"arn:aws:iam::{a}:role/{n}"]
    else:
        pool += [caller["arn"], caller["arn"]]
    k = rng.choice([1, 1, 1, 2])
    vals = rng.sample(pool, k)
    if vals == ["*"] and rng.random() < 0.5:
        return "*"
    return {"AWS": vals[0] if k == 1 else vals}


def _condition(rng, caller, ctx) -> dict:
    choices = [
        lambda: {"StringEquals": {"sts:ExternalId": rng.choice(["ext-1", "EXT-1", "ext-2"])}},
        lambda: {"StringEqualsIgnoreCase": {"sts:ExternalId": "EXT-1"}},
        lambda: {"StringLike": {"sts:RoleSessionName": rng.choice(["tf-*", "s?", "*"])}},
        lambda: {"StringNotLike": {"sts:RoleSessionName": "tf-*"}},
        lambda: {"StringEquals": {"aws:PrincipalOrgID": rng.choice(["o-mine", "o-other"])}},
        lambda: {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-mine"}},
        lambda: {"ArnLike": {"aws:PrincipalArn": rng.choice([
            f"arn:aws:iam::{caller['account']}:role/*", f"arn:aws:iam::{caller['account']}:*/{caller['name']}",
            f"arn:aws:iam::*:user/{caller['name']}", "arn:aws:iam::*:role/ops"])}},
        lambda: {"ArnNotEquals": {"aws:PrincipalArn": f"arn:aws:iam::{caller['account']}:role/ops"}},
        lambda: {"StringEquals": {"aws:PrincipalAccount": rng.choice([caller["account"], THIRD_ACCT])}},
        lambda: {"Bool": {"aws:SecureTransport": rng.choice(["true", "false"])}},
        lambda: {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}},
        lambda: {"IpAddress": {"aws:SourceIp": rng.choice(["203.0.113.0/24", "198.51.100.0/24"])}},
        lambda: {"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.0.2.0/24"]}},
        lambda: {"DateLessThan": {"aws:CurrentTime": rng.choice(["2030-01-01T00:00:00Z", "2020-01-01T00:00:00Z"])}},
        lambda: {"DateGreaterThanEquals": {"aws:EpochTime": rng.choice(["1700000000", "1900000000"])}},
        lambda: {"NumericLessThanEquals": {"aws:EpochTime": "1900000000"}},
        lambda: {"Null": {"sts:ExternalId": rng.choice(["true", "false"])}},
        lambda: {"StringEqualsIfExists": {"sts:ExternalId": "ext-1"}},
        lambda: {"ForAnyValue:StringEquals": {"aws:TagKeys": ["team", "cost"]}},
        lambda: {"ForAllValues:StringLike": {"aws:TagKeys": ["t*", "env"]}},
        lambda: {"StringEquals": {"aws:RequestTag/team": rng.choice(["blue", "red"])}},
        lambda: {"StringEquals": {"sts:RoleSessionName": "${aws:username}"}},
        lambda: {"StringLike": {"aws:PrincipalTag/team": ["bl*", "gr?en"]}},
    ]
    out: dict = {}
    for _ in range(rng.choice([1, 1, 2])):
        for op, block in rng.choice(choices)().items():
            out.setdefault(op, {}).update(block)
    return out


def _action(rng, allow_wi=True):
    pool = ["sts:AssumeRole", "sts:AssumeRole", "sts:*", "sts:Assume*", "STS:assumerole", "sts:AssumeRol?", "*"]
    if allow_wi:
        pool.append("sts:AssumeRoleWithWebIdentity")
    return rng.choice(pool)


def _trust(rng, caller, ctx) -> dict:
    sts = []
    for _ in range(rng.choice([1, 1, 2])):
        st = {"Effect": "Allow", "Principal": _principal(rng, caller)}
        if rng.random() < 0.1:
            st["NotAction"] = "sts:AssumeRoleWithSAML"
        else:
            st["Action"] = _action(rng)
        if rng.random() < 0.45:
            st["Condition"] = _condition(rng, caller, ctx)
        sts.append(st)
    if rng.random() < 0.15:
        sts.append({"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
                    "Condition": _condition(rng, caller, ctx)})
    return {"Version": V, "Statement": sts}


def _identity(rng, caller, ctx) -> list:
    resources = [TARGET, "*", f"arn:aws:iam::{ROLE_ACCT}:role/*", f"arn:aws:iam::{ROLE_ACCT}:role/tf-*",
                 f"arn:aws:iam::{THIRD_ACCT}:role/tf-deploy", f"arn:aws:iam::{ROLE_ACCT}:role/tf-deploy-old",
                 "arn:aws:iam::*:role/tf-deplo?", f"arn:aws:iam::{ROLE_ACCT}:role/${{aws:username}}"]
    out = []
    for _ in range(rng.choice([0, 1, 1, 1, 2])):
        sts = []
        for _ in range(rng.choice([1, 1, 2])):
            eff = "Allow" if rng.random() < 0.85 else "Deny"
            st = {"Effect": eff, "Action": rng.choice(["sts:AssumeRole", "sts:*", "s3:*", "*", "sts:Get*"]),
                  "Resource": rng.choice(resources)}
            if rng.random() < 0.08:
                st = {"Effect": eff, "NotAction": rng.choice(["iam:*", "sts:*"]), "Resource": "*"}
            if rng.random() < 0.15:
                st["NotResource" if "Resource" not in st or rng.random() < 0.5 else "Resource"] = st.pop("Resource", "*")
            if rng.random() < 0.2:
                st["Condition"] = _condition(rng, caller, ctx)
            sts.append(st)
        out.append({"Version": V, "Statement": sts})
    return out


def _simple(rng, caller, ctx, kinds):
    kind = rng.choice(kinds)
    if kind == "full":
        return {"Version": V, "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    if kind == "nosts":
        return {"Version": V, "Statement": [{"Effect": "Allow", "Action": ["s3:*", "ec2:*"], "Resource": "*"}]}
    if kind == "sts":
        return {"Version": V, "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": TARGET}]}
    if kind == "deny":
        return {"Version": V, "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
                                            {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*",
                                             "Condition": _condition(rng, caller, ctx)}]}
    raise ValueError(kind)


def _rcp(rng, caller, ctx):
    st = {"Effect": "Deny", "Principal": "*", "Action": rng.choice(["sts:AssumeRole", "sts:*"]), "Resource": "*",
          "Condition": rng.choice([
              {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-mine"}},
              {"BoolIfExists": {"aws:SecureTransport": "false"}},
              {"StringNotEquals": {"aws:PrincipalAccount": [ROLE_ACCT, OTHER_ACCT]}},
              _condition(rng, caller, ctx)])}
    return {"Version": V, "Statement": [st]}


def make_case(seed: int) -> dict:
    rng = random.Random(seed)
    caller = _callers(rng)
    tags = rng.choice([{}, {}, {}, {"team": "blue"}, {"team": "red", "env": "prod"}])
    ctx = {
        "aws:PrincipalArn": caller.get("role_arn", caller["arn"]),
        "aws:PrincipalAccount": caller["account"],
        "aws:PrincipalOrgID": rng.choice(["o-mine", "o-other"]),
        "aws:SecureTransport": "true",
        "aws:SourceIp": rng.choice(["203.0.113.7", "198.51.100.20", "10.1.2.3"]),
        "aws:CurrentTime": "2026-05-01T12:00:00Z",
        "aws:EpochTime": "1777636800",
        "sts:RoleSessionName": rng.choice(["tf-run", "alice", "s1"]),
        "aws:PrincipalTag/team": rng.choice(["blue", "green", "red"]),
    }
    if caller["kind"] == "user":
        ctx["aws:username"] = caller["name"]
    else:  # temporary credentials carry the MFA flag (reference_policies_condition-keys.html)
        ctx["aws:MultiFactorAuthPresent"] = "false"
    if rng.random() < 0.6:
        ctx["sts:ExternalId"] = rng.choice(["ext-1", "ext-1", "EXT-1", "ext-2"])
    if tags:
        for k, v in tags.items():
            ctx[f"aws:RequestTag/{k}"] = v
        ctx["aws:TagKeys"] = list(tags)
    # What our engine is told about the caller; iam-simulate gets the same facts as context keys.
    caller["org_id"] = ctx["aws:PrincipalOrgID"]
    caller["in_org"] = True
    if caller["kind"] == "role":
        caller["role_path"] = "/"
    # Tags go in as context only: the oracle checks the AssumeRole decision itself, and
    # iam-simulate has no automatic sts:TagSession check.
    case = {"seed": seed, "caller": caller, "context": ctx, "context_complete": True, "action": "sts:AssumeRole",
            "external_id": ctx.get("sts:ExternalId"), "session_name": ctx["sts:RoleSessionName"],
            "trust": _trust(rng, caller, ctx), "identity": _identity(rng, caller, ctx)}
    if rng.random() < 0.25:
        case["boundary"] = _simple(rng, caller, ctx, ["full", "nosts", "sts", "deny"])
    if caller["kind"] == "role" and rng.random() < 0.15:
        case["session"] = _simple(rng, caller, ctx, ["full", "nosts", "sts"])
    if rng.random() < 0.35:
        case["scps"] = [[_simple(rng, caller, ctx, ["full", "full", "full", "nosts", "deny"])]
                        for _ in range(rng.choice([1, 2, 3]))]
    if rng.random() < 0.2:
        case["rcps"] = [[_rcp(rng, caller, ctx)]]
    return case


def generate(n: int = 600, base_seed: int = 20240601) -> list[dict]:
    return [make_case(base_seed + i) for i in range(n)]


__all__ = ["generate", "make_case", "to_engine", "to_simulation", "TARGET"]
