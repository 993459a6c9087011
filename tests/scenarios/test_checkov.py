"""Outside check: Checkov on the corrected trust policies.

Every trust-policy fix the scenarios propose (and the seed example's) is
written as an `aws_iam_role` with an inline `assume_role_policy` (CKV_AWS_60,
CKV_AWS_61; CKV_AWS_393 for GitHub OIDC) and, for GitHub OIDC, also as a
`data "aws_iam_policy_document"` (CKV_AWS_358 looks only at those). Checkov
must pass every check we claim the fix satisfies.

Checkov lives in its own venv under .cache/checkov-venv (it has many
dependencies that must not disturb ours); the test creates it when absent and
fails, never skips, when it cannot.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from roledoctor.diagnosis.diagnose import diagnose
from roledoctor.inputs import read_all
from scenarios.scenario_io import SEED, folders, load
from toolvenv import tool_exe

pytestmark = pytest.mark.checkov

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".cache" / "checkov-venv"
CHECKOV_VERSION = "3.3.30"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
GITHUB = "oidc-provider/token.actions.githubusercontent.com"


def checkov_exe() -> Path:
    try:
        return tool_exe(VENV, f"checkov=={CHECKOV_VERSION}", "checkov")
    except RuntimeError as e:
        pytest.fail(str(e))



def policy_obj(policy) -> dict:
    """The IAM JSON of a roledoctor Policy (whatever form it was written in)."""
    out = []
    for s in policy.statements:
        d = {"Effect": s.effect}
        if s.principal is not None:
            d["Principal"] = "*" if "*" in s.principal else {k: v[0] if len(v) == 1 else v for k, v in s.principal.items()}
        if s.action is not None:
            d["Action"] = s.action[0] if len(s.action) == 1 else s.action
        cond: dict = {}
        for c in s.conditions:
            cond.setdefault(c.operator, {})[c.key] = c.values[0] if len(c.values) == 1 else c.values
        if cond:
            d["Condition"] = cond
        out.append(d)
    return {"Version": policy.version or "2012-10-17", "Statement": out}


def fixed_trusts() -> dict[str, dict]:
    cases = {}
    runs = [(f.name.replace("-", "_"), *load(f)) for f in folders()]
    seed = {"error": (SEED / "error.txt").read_text(), "provider": (SEED / "provider.tf").read_text(),
            "trust_policy": (SEED / "trust-policy.json").read_text(),
            "caller_policy": (SEED / "caller-policy.json").read_text()}
    runs.append(("seed", seed, {k: k for k in seed}, {}, {}))
    for name, raw, slots, _paths, expected in runs:
        d = diagnose(raw, slots, caller=expected.get("caller"))
        for fx in d.fixes:
            if not fx.name.startswith("trust_policy"):
                continue
            res = read_all({fx.raw: fx.after})
            pols = [x.policy for x in res.documents] + [r.trust for r in res.roles] + \
                [p.policy for p in res.policies if p.policy is not None]
            assert pols, fx.name
            cases[f"{name}_{fx.name.replace(':', '_')}"] = policy_obj(pols[0])
    return cases


def hcl_string(s: str) -> str:
    return json.dumps(s).replace("${", "$${").replace("%{", "%%{")


def document_block(name: str, pol: dict) -> str:
    lines = [f'data "aws_iam_policy_document" "{name}" {{']
    for st in pol["Statement"]:
        lines.append("  statement {")
        lines.append(f"    effect  = {hcl_string(st['Effect'])}")
        acts = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
        lines.append(f"    actions = [{', '.join(hcl_string(a) for a in acts)}]")
        for kind, ids in (st.get("Principal") or {}).items():
            ids = ids if isinstance(ids, list) else [ids]
            lines += ["    principals {", f"      type        = {hcl_string(kind)}",
                      f"      identifiers = [{', '.join(hcl_string(i) for i in ids)}]", "    }"]
        for op, kv in (st.get("Condition") or {}).items():
            for key, vals in kv.items():
                vals = vals if isinstance(vals, list) else [vals]
                lines += ["    condition {", f"      test     = {hcl_string(op)}", f"      variable = {hcl_string(key)}",
                          f"      values   = [{', '.join(hcl_string(v) for v in vals)}]", "    }"]
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


NARROWING = {"aws:principalarn", "aws:principalorgid", "sts:externalid"}


def root_narrowed(pol: dict) -> bool:
    """A statement trusting an account root, narrowed by a condition. roledoctor does not
    report TRUST_ACCOUNT_ROOT_PRINCIPAL for it (the narrowing is the fix that finding
    proposes); Checkov's CKV_AWS_61 reads no conditions and fails it
    (https://github.com/bridgecrewio/checkov/blob/main/checkov/terraform/checks/resource/aws/IAMRoleAllowAssumeFromAccount.py)."""
    for st in pol["Statement"]:
        aws = (st.get("Principal") or {}).get("AWS", []) if isinstance(st.get("Principal"), dict) else []
        aws = aws if isinstance(aws, list) else [aws]
        keys = {k.lower() for kv in (st.get("Condition") or {}).values() for k in kv}
        if any(a.endswith(":root") or a.isdigit() for a in aws) and keys & NARROWING:
            return True
    return False


def test_checkov_passes_on_corrected_trust_policies(tmp_path):
    exe = checkov_exe()
    trusts = fixed_trusts()
    assert len(trusts) >= 15
    expected: dict[str, set] = {}
    known_failures: set[tuple[str, str]] = set()  # Checkov's, by design (root_narrowed)
    tf = []
    for name, pol in trusts.items():
        tf.append(f'resource "aws_iam_role" "{name}" {{\n  name = {hcl_string(name)}\n'
                  f"  assume_role_policy = <<POLICY\n{json.dumps(pol, indent=2)}\nPOLICY\n}}\n")
        github = GITHUB in json.dumps(pol)
        narrowed = root_narrowed(pol)
        expected[f"aws_iam_role.{name}"] = {"CKV_AWS_60"} | (set() if narrowed else {"CKV_AWS_61"}) | (
            {"CKV_AWS_393"} if github else set())
        if narrowed:
            known_failures.add(("CKV_AWS_61", f"aws_iam_role.{name}"))
        if github:
            tf.append(document_block(name, pol))
            expected[f"aws_iam_policy_document.{name}"] = {"CKV_AWS_358"}
    (tmp_path / "main.tf").write_text("\n".join(tf))
    p = subprocess.run([str(exe), "-d", str(tmp_path), "--framework", "terraform", "--compact",
                        "--check", "CKV_AWS_60,CKV_AWS_61,CKV_AWS_358,CKV_AWS_393", "-o", "json",
                        "--skip-download"], capture_output=True, text=True, timeout=900,
                       env={**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"})
    out = p.stdout.strip()
    assert out, f"Checkov printed nothing (exit {p.returncode}): {p.stderr[-2000:]}"
    report = json.loads(out)
    report = report[0] if isinstance(report, list) else report
    results = report.get("results", {})
    failed = {(c["check_id"], c["resource"]) for c in results.get("failed_checks", [])}
    assert failed == known_failures, (sorted(failed - known_failures), sorted(known_failures - failed))
    passed: dict[str, set] = {}
    for c in results.get("passed_checks", []):
        passed.setdefault(c["resource"].replace("data.", ""), set()).add(c["check_id"])
    for resource, checks in expected.items():
        assert checks <= passed.get(resource, set()), (resource, passed.get(resource))
    assert any(r.startswith("aws_iam_policy_document.") for r in expected), "no GitHub OIDC fix was checked"
