"""Values passed into local modules: each `module "x" { source = "./y" ... }` call
of a scanned module is read again as an instance of ./y, with the arguments the
call passes (https://developer.hashicorp.com/terraform/language/modules/syntax).

In an instance a variable the call leaves out takes its default, and that
default is decided (nobody else can set it); an argument the caller's code does
not decide is unknown. A finding the instance earns that the module read on its
own does not is the call's: its first evidence is the calling argument, its
second the place in the module.

Input findings (POLICY_INVALID, ...) are the module's own, read on its own:
an instance adds only what the values decide (hardening, and blockers of the
cross-check), since Terraform has validated the module's code already, and a
shape only one instance shows comes from blocks whose count this reader does
not always know.

Only local sources that discover() scanned are followed: a source outside the
repository, or reached through a link that leaves it, is no unit, and a module
that (through others) calls itself is read once per chain.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from roledoctor.check.discover import Discovery, is_local_source
from roledoctor.diagnosis.model import Issue, Where
from roledoctor.findings import catalogue
from roledoctor.inputs import Inputs, read_all
from roledoctor.inputs.model import ModuleCall
from roledoctor.inputs.gather import ModuleValues

MAX_DEPTH = 4  # module calls followed below a scanned module (terraform-aws-modules nests 2-3)

IssueKey = tuple[str, str, int, str]


def issue_key(issue: Issue) -> IssueKey:
    w = issue.where[0] if issue.where else None
    return (issue.code, w.input if w else "", w.span.line if w is not None and w.span is not None else 0,
            issue.message or "")


def values_of(call: ModuleCall) -> ModuleValues:
    out = ModuleValues(defaulted=set(call.defaulted))
    for name, a in call.args.items():
        if a.symbolic:
            out.unknown.add(name)
        else:
            out.values[name] = a.value
    return out


def _where_in_call(call: ModuleCall, issue: Issue, texts: dict[str, str]) -> Where:
    """The calling argument the finding rests on: the one whose text holds the value the finding
    names (a principal ARN, a subject), else the call itself."""
    names = [str(v) for v in (issue.details or {}).values() if isinstance(v, str) and len(v) > 3]
    for a in call.args.values():
        if any(n in a.expr for n in names):
            return Where(call.input, a.span)
    return Where(call.input, call.span)


def _real_dir(call: ModuleCall) -> str:
    return os.path.realpath(os.path.join(os.path.dirname(call.input) or ".", call.source))


def instance_issues(found: Discovery, inputs: Inputs,
                    judge: Callable[[Inputs, dict[str, int]], list[Issue]],
                    known: set[IssueKey], cache: dict | None = None) -> list[Issue]:
    """Issues module instances earn beyond `known` (the keys of the issues of every module read
    on its own), each with the calling argument first (the caller's text is in `inputs`)."""
    units = {os.path.realpath(u.path): u for u in found.units if u.kind == "module"}
    out: list[Issue] = []
    seen: set[tuple[int, IssueKey]] = set()

    def follow(calls: list[ModuleCall], chain: tuple[str, ...], outer: list[Where]) -> None:
        for call in calls:
            if not is_local_source(call.source):
                continue
            target = _real_dir(call)
            unit = units.get(target)  # only modules discover scanned: inside the repository
            if unit is None or target in chain or len(chain) > MAX_DEPTH:
                continue
            inst = read_all(unit.files, values_of(call), cache)
            for issue in judge(inst, {name: 0 for name in unit.files}):
                if catalogue.load()[issue.code].kind == "input":
                    continue
                k = issue_key(issue)
                if k in known or (id(call), k) in seen:
                    continue
                seen.add((id(call), k))
                here = outer + [_where_in_call(call, issue, inputs.texts)]
                issue.where = here + list(issue.where)
                issue.message = (issue.message or "") + (
                    f" (module \"{call.name}\" passes the value: source {call.source})")
                issue.repairs = []  # an edit inside the module would change every caller
                out.append(issue)
            follow(inst.modules, chain + (target,), outer + [_where_in_call(call, Issue(""), inputs.texts)])

    for u in found.units:
        if u.kind != "module":
            continue
        calls = [c for c in inputs.modules if c.input in u.files]
        follow(calls, (os.path.realpath(u.path),), [])
    return out
