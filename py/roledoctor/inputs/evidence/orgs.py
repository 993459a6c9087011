"""`aws organizations` outputs (https://docs.aws.amazon.com/cli/latest/reference/organizations/):
describe-policy (an SCP or RCP with its Content), list-policies-for-target (the
policies attached to a root, OU or account), list-parents, list-roots,
describe-organization (the management account, which SCPs never restrict:
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html).
"""

from __future__ import annotations

from roledoctor.inputs.evidence.common import Ctx, document, get, text_of
from roledoctor.inputs.evidence.model import Evidence, OrgPolicySummary

TYPES = {"SERVICE_CONTROL_POLICY": "scp", "RESOURCE_CONTROL_POLICY": "rcp"}


def is_describe_policy(v) -> bool:
    return isinstance(get(v, "Policy", "PolicySummary"), dict) and "Content" in v["Policy"]


def read_describe_policy(ctx: Ctx, ev: Evidence) -> None:
    s = ctx.doc.value["Policy"]["PolicySummary"]
    kind = TYPES.get(text_of(s, "Type"), "scp")
    d = document(ctx, ("Policy", "Content"), kind, name=text_of(s, "Name") or text_of(s, "Id"), arn=text_of(s, "Arn"),
                 version=text_of(s, "Id"))
    label = "RCP" if kind == "rcp" else "SCP"
    ev.title = f"describe-policy output: {label} {text_of(s, 'Name') or text_of(s, 'Id')}"
    if d is not None:
        ev.org_policies.append(d)
        ev.facts.append(f"{label} {text_of(s, 'Id')} ({text_of(s, 'Name')})")


def is_policies_for_target(v) -> bool:
    items = get(v, "Policies")
    return isinstance(items, list) and all(isinstance(p, dict) and "Id" in p and "Type" in p for p in items) and \
        "PolicyVersionList" not in str(items[:1])


def read_policies_for_target(ctx: Ctx, ev: Evidence) -> None:
    target = ev.command.get("--target-id", "")
    items = [OrgPolicySummary(text_of(p, "Id"), text_of(p, "Name"), text_of(p, "Type"), p.get("AwsManaged") is True)
             for p in ctx.doc.value["Policies"] if text_of(p, "Id")]
    ev.org_targets.setdefault(target, []).extend(items)
    ev.title = f"policies attached to {target or 'a target'}"
    ev.facts.append(f"{len(items)} attached: {', '.join(p.name or p.id for p in items) or 'none'}")


def is_parents(v) -> bool:
    return isinstance(get(v, "Parents"), list)


def read_parents(ctx: Ctx, ev: Evidence) -> None:
    child = ev.command.get("--child-id", "")
    parents = [(text_of(p, "Id"), text_of(p, "Type")) for p in ctx.doc.value["Parents"] if text_of(p, "Id")]
    ev.org_parents.setdefault(child, []).extend(parents)
    ev.title = f"parents of {child or 'a target'}"
    ev.facts.append("parent " + ", ".join(f"{i} ({t})" for i, t in parents))


def is_roots(v) -> bool:
    return isinstance(get(v, "Roots"), list)


def read_roots(ctx: Ctx, ev: Evidence) -> None:
    ev.org_roots += [text_of(r, "Id") for r in ctx.doc.value["Roots"] if text_of(r, "Id")]
    ev.title = "organization roots"
    ev.facts.append("root " + ", ".join(ev.org_roots))


def is_organization(v) -> bool:
    return isinstance(get(v, "Organization"), dict) and "MasterAccountId" in v["Organization"]


def read_organization(ctx: Ctx, ev: Evidence) -> None:
    ev.management_account = text_of(ctx.doc.value, "Organization", "MasterAccountId")
    ev.title = f"organization {text_of(ctx.doc.value, 'Organization', 'Id')}"
    ev.facts.append(f"management account {ev.management_account}")


# Registered in roledoctor.inputs.kinds (stage aws-output), one row per output.
