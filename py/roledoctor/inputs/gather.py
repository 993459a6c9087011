"""All inputs together: every text read (roledoctor.inputs.reader), then what one
input refers to in another resolved across them: var.x (variable defaults, then
*.tfvars, or the values a module call passes), local.y,
data.aws_iam_policy_document.X.json and file("X").

Entry point (never raises for any input): read_all({name: text}) -> Inputs
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from roledoctor.inputs import policydoc
from roledoctor.inputs.hcleval import Env, with_type_defaults
from roledoctor.inputs.model import INPUT_UNPARSEABLE, Inputs, PolicySource, Problem, Recognised
from roledoctor.inputs.reader import JSON_START, read

def _basename(path: str) -> str:
    return path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


def read_all(inputs: dict[str, str], given: ModuleValues | None = None, cache: dict | None = None) -> Inputs:
    """Read every input, then resolve var.x (variable defaults, then *.tfvars,
    or the values a module call passes), local.y, data.aws_iam_policy_document.X.json
    and file("X") across inputs. `cache` (parsed HCL by name and text) may be shared by
    calls that read the same texts again (a module read once per call)."""
    try:
        return _read_all(inputs, given, cache)
    except Exception as err:  # never a traceback for user input
        res = Inputs(texts=dict(inputs) if isinstance(inputs, dict) else {})
        res.problems.append(Problem(INPUT_UNPARSEABLE, f"could not read the inputs ({type(err).__name__}: {err})", ""))
        return res


@dataclass
class ModuleValues:
    """What a `module` block passes to the module it calls: each argument's value (None when
    the caller's code does not decide it), and which of them rest on the caller's own
    variable defaults. A variable the call leaves out takes its default, and that default is
    decided: no caller can set it any more."""

    values: dict[str, Any] = field(default_factory=dict)
    unknown: set[str] = field(default_factory=set)
    defaulted: set[str] = field(default_factory=set)


# A document source_policy_documents names can itself merge others: a few passes settle chains.
_DOCUMENT_PASSES = 3
_MERGES = re.compile(r"(?:source|override)_policy_documents[ \t]*=[^\n]{0,300}?data\.aws_iam_policy_document\.")


def _set_values(env: Env, first: dict[str, list[Recognised]], given: ModuleValues | None) -> None:
    """Values set from outside the module: tfvars at the root, a module call's arguments in an instance."""
    if given is None:
        for recs in first.values():  # tfvars override defaults
            for r in recs:
                if r.kind == "tfvars":
                    for k, a in r.facts.items():
                        if not a.symbolic:
                            env.variables[k] = a.value
                            env.defaulted.discard(k)
        return
    for k in given.unknown:
        env.variables.pop(k, None)  # the call passes something its code does not decide
    env.variables.update(given.values)
    env.defaulted |= given.defaulted


def _first_reading(inputs: dict[str, str], cache: dict) -> dict[str, list[Recognised]]:
    """The first reading (no values yet) only gathers variables, locals and tfvars: the same for a
    module and each instance of it, so it is kept with the parsed texts."""
    first = {}
    for name, text in inputs.items():
        key = ("first", name, text)
        if key not in cache:
            cache[key] = read(name, text, None, cache)
        first[name] = cache[key]
    return first


def _declared(env: Env, inputs: dict[str, str], first: dict[str, list[Recognised]], given: ModuleValues | None
              ) -> dict[str, Any]:
    """Variable defaults and locals into `env`; each variable's declared type."""
    types: dict[str, Any] = {}
    for name, recs in first.items():
        for r in recs:
            if r.kind == "variable":
                types.setdefault(r.facts.name, r.facts.type)
                if r.facts.default is not None and not r.facts.default.symbolic and r.facts.name not in env.variables:
                    env.variables[r.facts.name] = r.facts.default.value
                    if given is None:  # in a module instance, a default the call leaves alone is decided
                        env.defaulted.add(r.facts.name)
            elif r.kind == "locals":
                for k, node in r.facts["_nodes"].items():
                    env.locals[k] = node
                    env.local_texts[k] = inputs[name]
    return types


def _settle_documents(inputs: dict[str, str], final: dict[str, list[Recognised]], env: Env, cache: dict
                      ) -> dict[str, list[Recognised]]:
    """Documents merged through source/override_policy_documents: read again until they settle."""
    # the substring test first: the regex over tens of MB of AWS output costs seconds
    if not any(isinstance(t, str) and "_policy_documents" in t and _MERGES.search(t) for t in inputs.values()):
        return final
    for _ in range(_DOCUMENT_PASSES):
        documents = _document_texts(final)
        if {k: v for k, (v, _) in documents.items()} == env.documents:
            break
        env.documents = {k: v for k, (v, _) in documents.items()}
        env.defaulted_documents = {k for k, (_, d) in documents.items() if d}
        final = {name: read(name, text, env, cache) for name, text in inputs.items()}
    return final


# Inputs' list of each kind of record's facts.
_BUCKETS = {"error": "errors", "provider": "providers", "backend-s3": "backends", "role": "roles",
            "policy-resource": "policies", "policy-document": "policies", "attachment": "attachments",
            "policy-json": "documents", "problem": "problems", "caller-identity": "identities",
            "aws-evidence": "evidence", "module-call": "modules"}


def _read_all(inputs: dict[str, str], given: ModuleValues | None = None, cache: dict | None = None) -> Inputs:
    cache = {} if cache is None else cache
    first = _first_reading(inputs, cache)
    env = Env()
    types = _declared(env, inputs, first, given)
    _set_values(env, first, given)
    for k in list(env.variables):
        if types.get(k) is not None:
            env.variables[k] = with_type_defaults(env.variables[k], types[k], env)
    final = first
    if env.variables or env.locals:
        final = {name: read(name, text, env, cache) for name, text in inputs.items()}
    final = _read_by_file(inputs, _settle_documents(inputs, final, env, cache))
    res = Inputs(texts=dict(inputs), variables=dict(env.variables))
    for recs in final.values():
        for r in recs:
            res.recognised.append(r)
            bucket = _BUCKETS.get(r.kind)
            if bucket is not None:
                getattr(res, bucket).append(r.facts)
    _link(res)
    return res


# file("${path.module}/x.json") / templatefile("…/x.json", {...}): the file name
_FILE_CALL = re.compile(r'\b(?:file|templatefile)\([ \t]*"([^"\n]{1,500})"')


def _read_by_file(inputs: dict[str, str], found: dict[str, list[Recognised]]) -> dict[str, list[Recognised]]:
    """A JSON file the configuration reads with file()/templatefile() is whatever its content is
    (https://developer.hashicorp.com/terraform/language/functions/file): a Step Functions
    definition or other JSON that is no policy is not an input error, and a template whose
    `${…}` makes it JSON only once rendered is unknown here, not invalid JSON
    (https://developer.hashicorp.com/terraform/language/functions/templatefile)."""
    names = {_basename(m) for text in inputs.values() if isinstance(text, str) and "file(" in text
             for m in _FILE_CALL.findall(text)}
    if not names:
        return found
    out = {}
    for name, recs in found.items():
        text = inputs.get(name)
        if _basename(name) not in names or not isinstance(text, str) or not JSON_START.match(text):
            out[name] = recs
            continue
        kept = []
        for r in recs:
            p = r.facts if r.kind == "problem" else None
            if p is not None and p.code == INPUT_UNPARSEABLE and p.message.startswith("JSON, but neither"):
                kept.append(Recognised(name, "json", {"read_by": "file()", "what": "JSON that is no IAM policy"}))
            elif p is not None and p.code == INPUT_UNPARSEABLE and ("${" in text or "%{" in text):
                kept.append(Recognised(name, "template", {"read_by": "templatefile()",
                                                          "what": "a template: JSON once Terraform renders it"}))
            else:
                kept.append(r)
        out[name] = kept
    return out


def _document_texts(found: dict[str, list[Recognised]]) -> dict[str, tuple[str, bool]]:
    """data.aws_iam_policy_document name -> (its `json`, built from a variable default?), as
    source_policy_documents / override_policy_documents read it. Only documents read whole."""
    import json
    out: dict[str, tuple[str, bool]] = {}
    for recs in found.values():
        for r in recs:
            if r.kind != "policy-document" or r.facts.policy is None:
                continue
            src = r.facts.policy_source
            if src is not None and src.partial:
                continue  # part of it is undecided: so is any merge of it
            name = r.facts.address.rsplit(".", 1)[-1]
            out[name] = (json.dumps(policydoc.to_obj(r.facts.policy)), bool(r.facts.policy.defaulted))
    return out


def _link(res: Inputs) -> None:
    docs = {p.address.split(".")[-1]: p for p in res.policies if p.type == "data.aws_iam_policy_document"}
    by_file = {_basename(d.input): d for d in res.documents}
    # The whole quoted path, then its last component in Python: a lazy prefix
    # before a greedy last component was quadratic on a long path (ReDoS tests).
    files = re.compile(r"""(?:file|templatefile)\(\s*"((?:[^"\\]|\\.)*)"\s*[,)]""")

    def file_name(ref: str) -> str | None:
        f = files.match(ref)
        if not f:
            return None
        path = f.group(1)
        name = path[max(path.rfind("/"), path.rfind("\\")) + 1:]
        return name or None

    def resolve(src: PolicySource | None):
        if src is None or not src.ref:
            return None
        # data.X.json, data.X[0].json, data.X[count.index].json: a counted data
        # source's instances share one configuration (its count decides only how many)
        m = re.fullmatch(r"data\.aws_iam_policy_document\.([A-Za-z0-9_-]+)(?:\[[^\]\n]{1,60}\])?\.json", src.ref.strip())
        if m and m.group(1) in docs:
            return docs[m.group(1)].policy
        f = file_name(src.ref)
        if f and f in by_file:
            return by_file[f].policy
        return None

    for r in res.roles:
        if r.trust is None and r.trust_source is not None:
            r.trust = resolve(r.trust_source)
        for ip in r.inline_policies:
            if ip.policy is None:
                ip.policy = resolve(ip.policy_source)
    for p in res.policies:
        if p.policy is None and p.policy_source is not None:
            p.policy = resolve(p.policy_source)
