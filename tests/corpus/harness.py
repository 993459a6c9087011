"""The Terraform corpus (tests/fixtures/terraform) read two ways: by roledoctor,
as `roledoctor check` reads a directory, and by HashiCorp's own HCL parser
(hashicorp/hcl compiled to wasm in the npm package @cdktf/hcl2json, run by
tests/node/hcl2json.mjs). Shared by test_terraform_corpus.py and measure.py.

Nothing in the corpus is executed: both readers only parse it.
"""

from __future__ import annotations

import collections
import functools
import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fixtures" / "terraform"
NODE_DIR = ROOT / "tests" / "node"
HCL2JSON = NODE_DIR / "hcl2json.mjs"
KNOWN_GAPS = Path(__file__).with_name("known_gaps.json")
EXPECTED = CORPUS / "expected.json"

PARSE_FAILURES = ("INPUT_UNPARSEABLE",)


class HarnessError(RuntimeError):
    """The differential cannot run (no node, no @cdktf/hcl2json): a failure, never a skip."""


def repos() -> list[str]:
    return sorted(p.name for p in CORPUS.iterdir() if p.is_dir())


def corpus_files() -> list[str]:
    """Every .tf file of the corpus, relative to CORPUS, POSIX separators."""
    return sorted(p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*.tf"))


def rel(name: str) -> str:
    """A display name from roledoctor (relative to the cwd, or absolute) -> relative to CORPUS."""
    p = Path(name)
    if not p.is_absolute():
        p = (ROOT / p) if (ROOT / p).exists() else Path.cwd() / p
    return p.resolve().relative_to(CORPUS).as_posix()


# ------------------------------------------------------------------ hcl2json

@functools.lru_cache(maxsize=1)
def hcl2json_all() -> dict[str, dict]:
    """{relative file: {"ok": True, "json": ...} | {"ok": False, "error": "..."}} for the whole corpus,
    one node process."""
    node = shutil.which("node")
    if node is None:
        raise HarnessError("node is needed for the hcl2json differential (apt-get install nodejs)")
    if not (NODE_DIR / "node_modules" / "@cdktf" / "hcl2json").is_dir():
        raise HarnessError("tests/node/node_modules/@cdktf/hcl2json is missing: run `python3 build.py test` "
                           "once, or `npm ci` in tests/node")
    files = corpus_files()
    proc = subprocess.run([node, str(HCL2JSON), "-"], input="\n".join(files) + "\n", cwd=CORPUS,
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise HarnessError(f"hcl2json.mjs failed ({proc.returncode}): {proc.stderr[-2000:]}")
    out = {}
    for line in proc.stdout.splitlines():
        d = json.loads(line)
        out[d.pop("file")] = d
    missing = set(files) - set(out)
    if missing:
        raise HarnessError(f"hcl2json.mjs printed nothing for {sorted(missing)[:5]}")
    return out


# HCL template text as hcl2json prints it: a literal string has no ${ or %{ left
# once the escapes $${ and %%{ are taken out.
_ESCAPES = re.compile(r"\$\$\{|%%\{")


def literal(value):
    """(True, python value) when hcl2json's value is a literal, else (False, None)."""
    if isinstance(value, str):
        if "${" in _ESCAPES.sub("", value) or "%{" in _ESCAPES.sub("", value):
            return False, None
        return True, value.replace("$${", "${").replace("%%{", "%{")
    if isinstance(value, (bool, int, float)) or value is None:
        return True, value
    if isinstance(value, list):
        items = [literal(v) for v in value]
        return (all(ok for ok, _ in items), [v for _, v in items])
    if isinstance(value, dict):
        items = {k: literal(v) for k, v in value.items()}
        return (all(ok for ok, _ in items.values()), {k: v for k, (_, v) in items.items()})
    return False, None


# ------------------------------------------------------------------ roledoctor

@dataclass
class RoledoctorRead:
    """What `roledoctor check` reads from one corpus repository."""

    inputs: object  # roledoctor.inputs.Inputs (merged over the units)
    files: set[str] = field(default_factory=set)  # relative files discover handed to the reader
    rejected: dict[str, str] = field(default_factory=dict)  # relative file -> INPUT_UNPARSEABLE message


@functools.lru_cache(maxsize=None)
def roledoctor_read(repo: str) -> RoledoctorRead:
    from roledoctor.check.discover import discover
    from roledoctor.check.run import read_units

    found = discover([str(CORPUS / repo)], recursive=True)
    inputs, _ = read_units(found)
    res = RoledoctorRead(inputs=inputs, files={rel(n) for u in found.units for n in u.files})
    for p in inputs.problems:
        if p.code in PARSE_FAILURES and p.input:
            res.rejected.setdefault(rel(p.input), p.message)
    return res


def roledoctor_verdict(file: str) -> tuple[bool, str]:
    """(accepted, why) for one corpus file, as `roledoctor check` on its repository decides.

    A file discover leaves out is accepted only when roledoctor's own `only_comments`
    says it holds nothing but comments (Terraform reads such a file as empty)."""
    from roledoctor.inputs.hcl import only_comments

    repo = file.split("/", 1)[0]
    got = roledoctor_read(repo)
    if file in got.rejected:
        return False, got.rejected[file]
    if file in got.files:
        return True, ""
    text = (CORPUS / file).read_text(encoding="utf-8", errors="replace")
    if only_comments(text):
        return True, "comments only"
    return False, "not read by roledoctor check"


@functools.lru_cache(maxsize=None)
def check_findings(repo: str) -> list[dict]:
    """`roledoctor check -r` on one corpus repository: [{"code", "file", "line", "message"}]."""
    from roledoctor.check.run import check

    result = check([str(CORPUS / repo)], recursive=True)
    out = []
    for f in result.findings:
        e = next((e for e in f.evidence if e.input), None)
        out.append({"code": f.code, "file": rel(e.input).split("/", 1)[1] if e else "",
                    "line": e.line if e else 0, "message": f.message.replace(f"{CORPUS / repo}/", "")})
    return out


# ------------------------------------------------------------------ policies, normalised

def _strings(v) -> list[str]:
    return [v] if isinstance(v, str) else list(v)


def _scalar(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _principal(v) -> dict:
    if v == "*":
        return {"*": ["*"]}
    return {k: sorted(_strings(ids)) for k, ids in sorted(v.items())}


def normalise_json_policy(obj: dict) -> list[dict]:
    """An IAM policy JSON object -> a comparable list of statements (independent of roledoctor's code)."""
    raw = obj["Statement"]
    out = []
    for s in (raw if isinstance(raw, list) else [raw]):
        conds = []
        for op, block in (s.get("Condition") or {}).items():
            for key, vals in block.items():
                conds.append([op, key, [_scalar(x) for x in (vals if isinstance(vals, list) else [vals])]])
        out.append({
            "effect": s.get("Effect"), "sid": s.get("Sid") or "",
            "principal": _principal(s["Principal"]) if "Principal" in s else None,
            "not_principal": _principal(s["NotPrincipal"]) if "NotPrincipal" in s else None,
            "action": _strings(s["Action"]) if "Action" in s else None,
            "not_action": _strings(s["NotAction"]) if "NotAction" in s else None,
            "resource": _strings(s["Resource"]) if "Resource" in s else None,
            "not_resource": _strings(s["NotResource"]) if "NotResource" in s else None,
            "conditions": sorted(conds),
        })
    return out


def normalise_roledoctor_policy(policy) -> list[dict]:
    out = []
    for st in policy.statements:
        out.append({
            "effect": st.effect, "sid": st.sid or "",
            "principal": _principal(st.principal) if st.principal is not None else None,
            "not_principal": _principal(st.not_principal) if st.not_principal is not None else None,
            "action": st.action, "not_action": st.not_action,
            "resource": st.resource, "not_resource": st.not_resource,
            "conditions": sorted([c.operator, c.key, list(c.values)] for c in st.conditions),
        })
    return out


_MERGING = ("source_policy_documents", "override_policy_documents", "source_json", "override_json", "dynamic")


def policy_document_json(doc: dict) -> dict | None:
    """hcl2json's body of `data "aws_iam_policy_document"` -> the IAM JSON the AWS provider renders,
    when every value in it is literal and nothing is merged in; else None."""
    if any(k in doc for k in _MERGING):
        return None
    ok, doc = literal(doc)
    if not ok:
        return None
    statements = []
    for s in doc.get("statement", []):
        if any(k in s for k in _MERGING):
            return None
        out = {"Effect": s.get("effect", "Allow")}
        if s.get("sid"):
            out["Sid"] = s["sid"]
        for hcl, js in (("actions", "Action"), ("not_actions", "NotAction"),
                        ("resources", "Resource"), ("not_resources", "NotResource")):
            if hcl in s:
                out[js] = s[hcl]
        for hcl, js in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            if hcl in s:
                merged: dict[str, list] = {}
                for p in s[hcl]:
                    merged.setdefault(p["type"], []).extend(p["identifiers"])
                out[js] = "*" if list(merged) == ["*"] else merged
        if "condition" in s:
            cond: dict[str, dict] = {}
            for c in s["condition"]:
                if c["variable"] in cond.get(c["test"], {}):
                    return None  # repeated test+variable: the provider's merge rules, not compared
                cond.setdefault(c["test"], {})[c["variable"]] = c["values"]
            out["Condition"] = cond
        statements.append(out)
    if not statements:
        return None
    return {"Version": doc.get("version", "2012-10-17"), "Statement": statements}


# ------------------------------------------------------------------ values, compared

def hcl2json_blocks(file: str, kind: str, type_: str) -> list[tuple[str, dict]]:
    """[(name, body)] of resource/data blocks of one type in one file, in hcl2json's order."""
    got = hcl2json_all()[file]
    if not got["ok"]:
        return []
    out = []
    for name, bodies in (got["json"].get(kind, {}).get(type_, {}) or {}).items():
        for body in bodies:
            out.append((name, body))
    return out


def _unit_documents(file: str) -> dict[str, dict]:
    """hcl2json's aws_iam_policy_document bodies of the module (directory) a file belongs to."""
    folder = file.rsplit("/", 1)[0]
    docs = {}
    for f, got in hcl2json_all().items():
        if f.rsplit("/", 1)[0] == folder and got["ok"]:
            for name, bodies in got["json"].get("data", {}).get("aws_iam_policy_document", {}).items():
                docs[name] = bodies[0]
    return docs


_DOC_REF = re.compile(r"^\$\{data\.aws_iam_policy_document\.([A-Za-z0-9_-]+)(?:\[0\])?\.json\}$")
HOP_ARGS = ("role_arn", "external_id", "duration", "session_name")


# ------------------------------------------------------------------ templates, matched
# Where hcl2json prints an expression ("${var.x}", "arn:${local.p}:iam::..."), roledoctor may keep
# the expression or resolve it (a variable's default, a local): either is a reading of the same code.
# So an expression matches anything, and a template's literal parts must be there, in order.

def template_parts(s: str) -> list[tuple[str, str]] | None:
    """hcl2json template text -> [("lit", text) | ("expr", source)]; None for a %{...} directive."""
    out: list[tuple[str, str]] = []
    lit, i, n = [], 0, len(s)
    while i < n:
        if s.startswith("$${", i) or s.startswith("%%{", i):
            lit.append(s[i + 1:i + 3])
            i += 3
        elif s.startswith("%{", i):
            return None
        elif s.startswith("${", i):
            depth, j = 0, i + 1
            while j < n:
                depth += {"{": 1, "}": -1}.get(s[j], 0)
                if depth == 0:
                    break
                j += 1
            if lit:
                out.append(("lit", "".join(lit)))
                lit = []
            out.append(("expr", s[i:j + 1]))
            i = j + 1
        else:
            lit.append(s[i])
            i += 1
    if lit:
        out.append(("lit", "".join(lit)))
    return out


def _wild(t) -> bool:
    if not isinstance(t, str):
        return False
    parts = template_parts(t)
    return parts is None or (len(parts) == 1 and parts[0][0] == "expr")


def matches(t, r) -> bool:
    """hcl2json's value (template text, expressions as ${...}) against the value roledoctor read."""
    if _wild(t):
        return True
    if isinstance(t, str):
        if not isinstance(r, str):
            return False
        parts = template_parts(t)
        rx = "".join(re.escape(v) if k == "lit" else "(?s:.*)" for k, v in parts)
        return re.fullmatch(rx, r) is not None
    if isinstance(t, bool) or isinstance(t, (int, float)):
        return _scalar(t) == r
    if t is None:
        return r is None
    if isinstance(t, list):
        if not isinstance(r, list):
            return False
        if any(_wild(x) for x in t):
            return all(any(matches(x, y) for y in r) for x in t if not _wild(x))
        return len(t) == len(r) and all(matches(x, y) for x, y in zip(t, r, strict=False))
    if isinstance(t, dict):
        return isinstance(r, dict) and _pair_up(list(t.items()), list(r.items()),
                                                lambda a, b: matches(a[0], b[0]) and matches(a[1], b[1]))
    return False


def _pair_up(ts: list, rs: list, same) -> bool:
    """Each of ts matches a distinct one of rs, and nothing is left over (greedy)."""
    if len(ts) != len(rs):
        return False
    left = list(rs)
    for t in ts:
        hit = next((k for k, r in enumerate(left) if same(t, r)), None)
        if hit is None:
            return False
        left.pop(hit)
    return True


def _statements_match(want: list[dict], got: list[dict]) -> bool:
    if len(want) != len(got):
        return False
    for w, g in zip(want, got, strict=False):
        for k in ("effect", "sid", "action", "not_action", "resource", "not_resource", "principal", "not_principal"):
            if not matches(w[k], g[k]):
                return False
        if not _pair_up(w["conditions"], g["conditions"], matches):
            return False
    return True


def _template_principal(v):
    if v == "*" or _wild(v):
        return {"*": ["*"]} if v == "*" else v
    return {k: (ids if isinstance(ids, str) and _wild(ids) else _strings(ids)) for k, ids in v.items()}


def template_statements(obj: dict) -> list[dict] | None:
    """Like normalise_json_policy, for a policy whose values may be hcl2json template text."""
    raw = obj.get("Statement")
    if raw is None or _wild(raw):
        return None
    out = []
    for s in (raw if isinstance(raw, list) else [raw]):
        if not isinstance(s, dict):
            return None
        conds = []
        cond = s.get("Condition") or {}
        if _wild(cond):
            return None
        for op, block in cond.items():
            if _wild(block):
                return None
            for key, vals in block.items():
                conds.append([op, key, vals if _wild(vals) else (vals if isinstance(vals, list) else [vals])])
        one = lambda k: (s[k] if _wild(s[k]) else _strings(s[k])) if k in s else None  # noqa: E731, B023 (used at once)
        out.append({
            "effect": s.get("Effect", "Allow"), "sid": s.get("Sid") or "",
            "principal": _template_principal(s["Principal"]) if "Principal" in s else None,
            "not_principal": _template_principal(s["NotPrincipal"]) if "NotPrincipal" in s else None,
            "action": one("Action"), "not_action": one("NotAction"),
            "resource": one("Resource"), "not_resource": one("NotResource"),
            "conditions": conds,
        })
    return out


def document_template(doc: dict) -> dict | None:
    """hcl2json's body of a `data "aws_iam_policy_document"` -> the IAM JSON the provider renders, with
    expressions left as template text; None when statements come from dynamic blocks or merged documents."""
    if any(k in doc for k in _MERGING):
        return None
    raw = doc.get("statement")
    if not isinstance(raw, list) or not raw:
        return None
    statements = []
    for s in raw:
        if not isinstance(s, dict) or any(k in s for k in _MERGING):
            return None
        out = {"Effect": s.get("effect", "Allow")}
        if s.get("sid"):
            out["Sid"] = s["sid"]
        for hcl, js in (("actions", "Action"), ("not_actions", "NotAction"),
                        ("resources", "Resource"), ("not_resources", "NotResource")):
            if hcl in s:
                out[js] = s[hcl]
        for hcl, js in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            if hcl in s:
                merged: dict = {}
                for p in s[hcl]:
                    if not isinstance(p, dict) or _wild(p.get("type")):
                        return None
                    ids = p["identifiers"]
                    if _wild(ids):
                        merged[p["type"]] = ids
                    else:
                        prev = merged.get(p["type"], [])
                        merged[p["type"]] = prev if _wild(prev) else prev + list(ids)
                out[js] = "*" if list(merged) == ["*"] else merged
        if "condition" in s:
            cond: dict = {}
            for c in s["condition"]:
                if not isinstance(c, dict) or c["variable"] in cond.get(c["test"], {}):
                    return None
                cond.setdefault(c["test"], {})[c["variable"]] = c["values"]
            out["Condition"] = cond
        statements.append(out)
    return {"Version": doc.get("version", "2012-10-17"), "Statement": statements}


_TOKEN = "@@roledoctor-corpus-expr-{}@@"


def heredoc_template(text: str) -> dict | None:
    """A JSON trust policy written as a template (heredoc or string with ${...} inside JSON strings)
    -> its object, each expression kept as template text; None when an expression stands outside a
    JSON string or the text is not JSON."""
    parts = template_parts(text)
    if parts is None:
        return None
    exprs = [v for k, v in parts if k == "expr"]
    joined = "".join(v if k == "lit" else _TOKEN.format(exprs.index(v)) for k, v in parts)
    try:
        obj = json.loads(joined)
    except ValueError:
        return None

    def back(v):
        if isinstance(v, str):
            for n, e in enumerate(exprs):
                v = v.replace(_TOKEN.format(n), e)
            return v
        if isinstance(v, list):
            return [back(x) for x in v]
        if isinstance(v, dict):
            return {back(k): back(x) for k, x in v.items()}
        return v
    return back(obj)


def value_differences(file: str) -> tuple[list[str], collections.Counter]:
    """Where roledoctor's reading of one file disagrees with hcl2json's: (differences, what was compared).

    Compared: how many aws providers, assume_role hops, aws_iam_role resources and
    aws_iam_policy_document data sources each reads; the hops' role_arn, external_id, duration and
    session_name where hcl2json has a literal ("hop"); each aws_iam_role's trust policy given as
    JSON text or as a data.aws_iam_policy_document of the same module ("trust"); and each
    aws_iam_policy_document of the file ("document"). In policies an expression matches whatever
    roledoctor made of it (kept or resolved); literal text must be equal."""
    repo = file.split("/", 1)[0]
    inputs = roledoctor_read(repo).inputs
    diffs: list[str] = []
    compared: collections.Counter = collections.Counter()
    got = hcl2json_all()[file]["json"]

    # providers
    theirs = got.get("provider", {}).get("aws", []) or []
    ours = [p for p in inputs.providers if rel(p.input) == file and p.name == "aws"]
    if len(theirs) != len(ours):
        diffs.append(f'provider "aws": hcl2json has {len(theirs)}, roledoctor read {len(ours)}')
    for i, (t, o) in enumerate(zip(theirs, ours, strict=False)):
        t_hops = t.get("assume_role", []) or []
        if len(t_hops) != len(o.assume_role):
            diffs.append(f"provider {i}: hcl2json has {len(t_hops)} assume_role hops, roledoctor {len(o.assume_role)}")
            continue
        for j, (th, oh) in enumerate(zip(t_hops, o.assume_role, strict=False)):
            for name in HOP_ARGS:
                tv, ov = th.get(name), getattr(oh, name)
                if tv is None or ov is None:
                    if (tv is None) != (ov is None):
                        diffs.append(f"provider {i} hop {j} {name}: hcl2json {tv!r}, roledoctor {ov and ov.value!r}")
                    continue
                ok, lit = literal(tv)
                if ok:
                    compared["hop"] += 1
                    if ov.symbolic or ov.value != lit:
                        diffs.append(f"provider {i} hop {j} {name}: hcl2json {lit!r}, roledoctor "
                                     f"{'symbolic ' if ov.symbolic else ''}{ov.value!r}")
                elif isinstance(tv, str) and not _wild(tv):
                    compared["hop"] += 1
                    if not matches(tv, ov.value if ov.value is not None else ov.expr):
                        diffs.append(f"provider {i} hop {j} {name}: hcl2json {tv!r}, roledoctor {ov.value!r}")

    # roles
    roles = {r.address: r for r in inputs.roles if rel(r.input) == file}
    t_roles = hcl2json_blocks(file, "resource", "aws_iam_role")
    if len(t_roles) != len(roles):
        diffs.append(f"aws_iam_role: hcl2json has {len(t_roles)}, roledoctor read {len(roles)}")
    docs = None
    for name, body in t_roles:
        role = roles.get(f"aws_iam_role.{name}")
        if role is None:
            diffs.append(f"aws_iam_role.{name}: not read by roledoctor")
            continue
        tv = body.get("assume_role_policy")
        want = None
        if isinstance(tv, str) and _DOC_REF.match(tv):
            docs = _unit_documents(file) if docs is None else docs
            body_doc = docs.get(_DOC_REF.match(tv).group(1))
            want = document_template(body_doc) if body_doc is not None else None
        elif isinstance(tv, str) and not _wild(tv):
            want = heredoc_template(tv)
        want = template_statements(want) if want is not None else None
        if want is None:
            continue
        compared["trust"] += 1
        if role.trust is None:
            diffs.append(f"aws_iam_role.{name}: hcl2json gives its trust policy, roledoctor read none")
            continue
        have = normalise_roledoctor_policy(role.trust)
        if not _statements_match(want, have):
            diffs.append(f"aws_iam_role.{name}: trust differs:\n  hcl2json   {json.dumps(want)}\n"
                         f"  roledoctor {json.dumps(have)}")

    # policy documents
    ours_docs = {p.address: p for p in inputs.policies
                 if rel(p.input) == file and p.type.endswith("aws_iam_policy_document")}
    t_docs = hcl2json_blocks(file, "data", "aws_iam_policy_document")
    if len(t_docs) != len(ours_docs):
        diffs.append(f"aws_iam_policy_document: hcl2json has {len(t_docs)}, roledoctor read {len(ours_docs)}")
    for name, body in t_docs:
        doc = ours_docs.get(f"data.aws_iam_policy_document.{name}")
        tmpl = document_template(body)
        want = template_statements(tmpl) if tmpl is not None else None
        if doc is None or want is None:
            continue
        compared["document"] += 1
        if doc.policy is None:
            diffs.append(f"data.aws_iam_policy_document.{name}: hcl2json reads {len(want)} statement(s), "
                         f"roledoctor read no policy")
            continue
        have = normalise_roledoctor_policy(doc.policy)
        if not _statements_match(want, have):
            diffs.append(f"data.aws_iam_policy_document.{name} differs:\n  hcl2json   {json.dumps(want)}\n"
                         f"  roledoctor {json.dumps(have)}")
    return diffs, compared


def load_known_gaps() -> dict[tuple[str, str], str]:
    """{(check, file): reason} from known_gaps.json."""
    data = json.loads(KNOWN_GAPS.read_text())
    return {(g["check"], g["file"]): g["reason"] for g in data["gaps"]}
