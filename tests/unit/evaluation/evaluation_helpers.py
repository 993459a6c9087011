"""Builders shared by the evaluation tests (imported by name; not a conftest)."""

from __future__ import annotations


from roledoctor.evaluation import Caller, Policies, PolicyLevel, Request
from roledoctor.policy import policy_from_obj

ROLE = "arn:aws:iam::111111111111:role/tf-deploy"
SAME_ROLE_CALLER = "arn:aws:sts::111111111111:assumed-role/ci/s1"
XACCT_ROLE_CALLER = "arn:aws:sts::222222222222:assumed-role/ci/s1"
XACCT_USER = "arn:aws:iam::222222222222:user/alice"
SAME_USER = "arn:aws:iam::111111111111:user/alice"


def pol(*statements, version="2012-10-17", source="p"):
    return policy_from_obj({"Version": version, "Statement": list(statements)}, source=source)


def allow(action="sts:AssumeRole", resource="*", **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action="sts:AssumeRole", resource="*", **extra):
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def trust_allow(principal, action="sts:AssumeRole", **extra):
    return {"Effect": "Allow", "Principal": principal, "Action": action, **extra}


def trust(*statements, **kw):
    return pol(*statements, source="trust_policy", **kw)


def req(caller=XACCT_ROLE_CALLER, role=ROLE, **kw):
    c = kw.pop("caller_obj", None) or Caller(arn=caller, **kw.pop("caller_kw", {}))
    return Request(role_arn=role, caller=c, **kw)


def levels(*lists):
    return [PolicyLevel(f"L{i}", list(ps)) for i, ps in enumerate(lists)]




__all__ = ["Policies", "Caller", "Request"]
