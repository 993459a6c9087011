"""Prevention artifacts: the CI pre-flight script, the Rego policy, the Checkov checks.

The script runs under bash against a fake `aws` that records its arguments,
so the exact STS calls are checked without a network. The Rego policy is
evaluated when a Rego engine is importable (`regorus`; no OPA/conftest binary
installs offline from PyPI, npm or Debian) and checked structurally always.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from roledoctor.findings.prevention import (AssumeRoleSettings, Hop, checkov_checks, go_duration_seconds,
                                            preflight_script, prevention, role_account, trust_rego_policy)

FAKE_AWS = r'''#!/usr/bin/env bash
# Records each call (argv as JSON, plus the credentials it ran with) and answers like STS.
python3 -c 'import json,os,sys; print(json.dumps({"argv": sys.argv[1:], "key": os.environ.get("AWS_ACCESS_KEY_ID"), "profile": os.environ.get("AWS_PROFILE")}))' "$@" >> "$CALLS"
case "$*" in
  *get-caller-identity*) echo "arn:aws:iam::222222222222:user/ci" ;;
  *Credentials*) n=$(wc -l < "$CALLS"); printf 'AKIA%s\tsecret%s\ttoken%s\n' "$n" "$n" "$n" ;;
  *) echo "arn:aws:sts::111111111111:assumed-role/x/y" ;;
esac
'''


def run_script(script: str, tmp_path: Path, env: dict) -> tuple[subprocess.CompletedProcess, list[dict]]:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "aws").write_text(FAKE_AWS)
    (bindir / "aws").chmod(0o755)
    (tmp_path / "preflight.sh").write_text(script)
    calls = tmp_path / "calls.jsonl"
    full = {"PATH": f"{bindir}:{os.environ['PATH']}", "CALLS": str(calls), **env}
    proc = subprocess.run(["bash", str(tmp_path / "preflight.sh")], env=full, capture_output=True, text=True, timeout=60)
    rows = [json.loads(line) for line in calls.read_text().splitlines()] if calls.exists() else []
    return proc, rows


needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="bash not available")


@pytest.mark.parametrize("text,seconds", [
    ("1h", 3600), ("15m", 900), ("1h30m", 5400), ("90m", 5400), ("3600s", 3600), ("1.5h", 5400),
    ("12h0m0s", 43200), ("0", 0), ("2h45m30.9s", 9930), ("500ms", 0),
])
def test_go_durations(text, seconds):
    assert go_duration_seconds(text) == seconds


@pytest.mark.parametrize("bad", ["", "1", "h", "1d", "1.2.3h", "1h 30m", "--1h", ".h", "1hh"])
def test_bad_go_durations(bad):
    with pytest.raises(ValueError):
        go_duration_seconds(bad)


def test_go_duration_refuses_adversarial_input():
    # growth with size: tests/hostile/test_linear_time.py
    for s in ("1" * 100_000 + "x", "1h" * 50_000 + "!", "." * 100_000):
        with pytest.raises(ValueError):
            go_duration_seconds(s)


def test_script_text_single_hop():
    s = AssumeRoleSettings([Hop("arn:aws:iam::987654321098:role/terraform-deploy-role", "terraform-ci-session",
                                external_id=True, duration="1h")], region="us-east-1")
    script = preflight_script(s)
    assert script.startswith("#!/usr/bin/env bash\n") and "set -euo pipefail\n" in script
    assert "aws sts get-caller-identity --region us-east-1" in script
    assert '--external-id "${TF_VAR_external_id:?' in script
    assert "--duration-seconds 3600" in script and "--role-session-name terraform-ci-session" in script
    assert "acme" not in script  # no secret value anywhere


def test_values_are_shell_quoted_and_controls_refused():
    s = AssumeRoleSettings([Hop("arn:aws:iam::1:role/x; rm -rf /", "$(id)")])
    script = preflight_script(s)
    assert "'arn:aws:iam::1:role/x; rm -rf /'" in script and "'$(id)'" in script
    with pytest.raises(ValueError):
        preflight_script(AssumeRoleSettings([Hop("arn\n;id", "s")]))
    with pytest.raises(ValueError):
        preflight_script(AssumeRoleSettings([Hop("arn", "s", external_id=True, external_id_env="X;id")]))
    with pytest.raises(ValueError):
        preflight_script(AssumeRoleSettings([]))


HOSTILE = ["a'b", "$(touch pwned)", "`touch pwned`", 'q"u\\o', "x;touch pwned&|<>", "-leading", "${HOME}", "* ?"]


@needs_bash
@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_reach_aws_verbatim_and_run_nothing(tmp_path, value):
    hop = Hop("arn:aws:iam::111111111111:role/" + value, value, tags={value: value}, transitive_tag_keys=[value],
              source_identity=value, policy=value)
    chain = [Hop("arn:aws:iam::222222222222:role/first", value), hop]
    s = AssumeRoleSettings(chain, region=value, sts_endpoint=value, profile=value)
    proc, calls = run_script(preflight_script(s), tmp_path, {})
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "pwned").exists() and not (Path.cwd() / "pwned").exists()
    last = calls[-1]["argv"]
    pairs = dict(zip(last[2::1], last[3::1], strict=False))
    assert pairs["--role-arn"] == "arn:aws:iam::111111111111:role/" + value
    assert pairs["--role-session-name"] == pairs["--source-identity"] == pairs["--policy"] == value
    assert pairs["--region"] == pairs["--endpoint-url"] == value
    assert json.loads(pairs["--tags"]) == [{"Key": value, "Value": value}]
    assert calls[0]["argv"][-5] == value and "--profile" not in last  # the first hop's source profile only


def test_c1_and_bidi_controls_are_dropped_from_the_script():
    # C0 controls are refused (above); C1 and bidi controls (Trojan Source) are dropped as in every text output
    script = preflight_script(AssumeRoleSettings([Hop("arn:aws:iam::1:role/a\u202eb\u0085c", "s\u200fn")]))
    assert "'arn:aws:iam::1:role/abc'" in script and "--role-session-name 'sn'" in script
    assert not any(0x80 <= ord(c) <= 0x9F or c in "\u202e\u200f" for c in script)


def test_the_artifacts_need_no_template_engine():
    # the page's first answer shows them: its memory image need not hold jinja2 (warm.MODULES)
    code = ("import sys; from roledoctor.findings.prevention import *; "
            "p = prevention(AssumeRoleSettings([Hop('arn:aws:iam::111111111111:role/r', external_id=True)])); "
            "assert p.preflight_script and p.rego_policy; "
            "print([m for m in sys.modules if m.split('.')[0] in ('jinja2', 'markupsafe')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"


@needs_bash
def test_script_runs_single_hop_with_exact_arguments(tmp_path):
    hop = Hop("arn:aws:iam::987654321098:role/path/deploy role", "ci session's", external_id=True,
              duration="1h30m", tags={"team": "a b", "cost": "x,y=z"}, transitive_tag_keys=["team", "cost"],
              source_identity="alice@example.com", policy_arns=["arn:aws:iam::aws:policy/ReadOnlyAccess"])
    s = AssumeRoleSettings([hop], region="eu-west-1", sts_region="us-east-1", profile="ci")
    proc, calls = run_script(preflight_script(s), tmp_path, {"TF_VAR_external_id": "acme ci-7f3a"})
    assert proc.returncode == 0, proc.stderr
    assert calls[0]["argv"] == ["sts", "get-caller-identity", "--region", "us-east-1", "--profile", "ci",
                                "--query", "Arn", "--output", "text"]
    argv = calls[1]["argv"]
    assert argv[:2] == ["sts", "assume-role"]
    pairs = dict(zip(argv[2::1], argv[3::1], strict=False))
    assert pairs["--role-arn"] == "arn:aws:iam::987654321098:role/path/deploy role"
    assert pairs["--role-session-name"] == "ci session's"
    assert pairs["--external-id"] == "acme ci-7f3a"
    assert pairs["--duration-seconds"] == "5400"
    assert json.loads(pairs["--tags"]) == [{"Key": "team", "Value": "a b"}, {"Key": "cost", "Value": "x,y=z"}]
    i = argv.index("--transitive-tag-keys")
    assert argv[i + 1 : i + 3] == ["team", "cost"]
    assert pairs["--source-identity"] == "alice@example.com"
    assert json.loads(pairs["--policy-arns"]) == [{"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}]
    assert pairs["--region"] == "us-east-1" and pairs["--profile"] == "ci"
    assert "arn:aws:sts::111111111111:assumed-role/x/y" in proc.stdout


@needs_bash
def test_script_fails_without_the_external_id_variable(tmp_path):
    s = AssumeRoleSettings([Hop("arn:aws:iam::1:role/x", "s", external_id=True)])
    proc, calls = run_script(preflight_script(s), tmp_path, {})
    assert proc.returncode != 0 and "TF_VAR_external_id" in proc.stderr
    assert len(calls) == 1  # only get-caller-identity ran


@needs_bash
def test_script_chain_uses_previous_hop_credentials(tmp_path):
    s = AssumeRoleSettings([Hop("arn:aws:iam::111111111111:role/hop1", "one", duration="1h"),
                            Hop("arn:aws:iam::222222222222:role/hop2", "two", external_id=True),
                            Hop("arn:aws:iam::333333333333:role/hop3", "three", external_id=True)],
                           region="us-west-2", profile="base")
    proc, calls = run_script(preflight_script(s), tmp_path,
                             {"AWS_PROFILE": "base", "TF_VAR_external_id": "e2", "TF_VAR_external_id_3": "e3"})
    assert proc.returncode == 0, proc.stderr
    hops = calls[1:]
    assert [h["argv"][h["argv"].index("--role-arn") + 1] for h in hops] == [
        "arn:aws:iam::111111111111:role/hop1", "arn:aws:iam::222222222222:role/hop2", "arn:aws:iam::333333333333:role/hop3"]
    assert "--profile" in hops[0]["argv"] and "--profile" not in hops[1]["argv"]
    assert hops[0]["key"] is None and hops[1]["key"] == "AKIA2" and hops[2]["key"] == "AKIA3"
    assert hops[1]["profile"] is None  # unset so the exported keys are used
    ext = [h["argv"][h["argv"].index("--external-id") + 1] for h in hops[1:]]
    assert ext == ["e2", "e3"]
    assert "AKIA" not in proc.stdout + proc.stderr and "secret" not in proc.stdout  # credentials never printed


def test_checkov_checks_exact_titles():
    ids = {c.id: c.title for c in checkov_checks()}
    assert ids == {
        "CKV_AWS_60": "Ensure IAM role allows only specific services or principals to assume it",
        "CKV_AWS_61": "Ensure AWS IAM policy does not allow assume role permission across all services",
        "CKV_AWS_358": "Ensure AWS GitHub Actions OIDC authorization policies only allow safe claims and claim order",
        "CKV_AWS_393": "Ensure AWS GitHub Actions OIDC authorization policies only allow safe claims and claim order on IAM role",
    }
    assert [c.id for c in checkov_checks(["TRUST_ACCOUNT_ROOT_PRINCIPAL", "EXTERNAL_ID_MISMATCH"])] == ["CKV_AWS_61"]


def test_prevention_bundle():
    p = prevention(AssumeRoleSettings([Hop("arn:aws:iam::987654321098:role/deploy")]), ["TRUST_WILDCARD_PRINCIPAL"])
    assert 'default_account := "987654321098"' in p.rego_policy
    assert [c.id for c in p.checkov] == ["CKV_AWS_60"]
    assert "--role-session-name roledoctor-preflight" in p.preflight_script
    assert role_account("arn:aws:iam::123:role/x") == "" and role_account(None) == ""


# ---- Rego ------------------------------------------------------------------------------

def test_rego_text_structure():
    rego = trust_rego_policy("987654321098")
    assert "package main" in rego and "import rego.v1" in rego
    assert "deny contains msg if {" in rego and "deny[msg]" not in rego
    for needle in ('"sts:externalid", "aws:principalarn", "aws:principalorgid"', "as_array(stmt.Action)",
                   "as_array(stmt.Principal.AWS)", "some block in stmt.Condition", "lower(key) in narrowing_keys",
                   "json.unmarshal", "is_array(doc.Statement)", "is_object(doc.Statement)"):
        assert needle in rego
    assert rego.count("{") == rego.count("}")
    with pytest.raises(ValueError):
        trust_rego_policy("12")


def _role(address, policy, arn=None):
    after = {"name": address.split(".")[-1], "assume_role_policy": json.dumps(policy)}
    if arn:
        after["arn"] = arn
    return {"address": address, "type": "aws_iam_role", "change": {"actions": ["create"], "after": after}}


def stmt(principal, action="sts:AssumeRole", condition=None, **extra):
    s = {"Effect": "Allow", "Principal": principal, "Action": action, **extra}
    if condition:
        s["Condition"] = condition
    return s


PASSING_PLAN = {"resource_changes": [
    _role("aws_iam_role.same_account", {"Statement": [stmt({"AWS": "arn:aws:iam::987654321098:role/ci"})]}),
    _role("aws_iam_role.external_id", {"Statement": [stmt({"AWS": ["arn:aws:iam::123456789012:role/ci"]},
                                                          ["sts:AssumeRole", "sts:TagSession"],
                                                          {"StringEquals": {"sts:ExternalId": "x"}})]}),
    _role("aws_iam_role.arnlike", {"Statement": stmt({"AWS": "123456789012"}, condition={
        "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/ci-*"}})}),
    _role("aws_iam_role.org", {"Statement": [stmt({"AWS": "*"}, "sts:*", {"StringEquals": {"AWS:PrincipalOrgID": "o-1"}})]}),
    _role("aws_iam_role.service", {"Statement": [stmt({"Service": "ec2.amazonaws.com"})]}),
    _role("aws_iam_role.other_action", {"Statement": [stmt({"AWS": "arn:aws:iam::123456789012:root"}, "sts:TagSession")]}),
    _role("aws_iam_role.deny", {"Statement": [dict(stmt({"AWS": "arn:aws:iam::123456789012:root"}), Effect="Deny")]}),
    _role("aws_iam_role.existing", {"Statement": [stmt({"AWS": "arn:aws:iam::555555555555:role/ci"})]},
          arn="arn:aws:iam::555555555555:role/existing"),
    {"address": "aws_s3_bucket.b", "type": "aws_s3_bucket", "change": {"actions": ["create"], "after": {"bucket": "b"}}},
    {"address": "aws_iam_role.gone", "type": "aws_iam_role", "change": {"actions": ["delete"], "after": None}},
]}

FAILING_PLAN = {"resource_changes": [
    _role("aws_iam_role.root_string", {"Statement": [stmt({"AWS": "arn:aws:iam::123456789012:root"})]}),
    _role("module.x.aws_iam_role.list", {"Statement": [stmt(
        {"AWS": ["arn:aws:iam::987654321098:role/ci", "arn:aws:iam::123456789012:role/ci"]},
        ["sts:TagSession", "sts:AssumeRole"], {"Bool": {"aws:MultiFactorAuthPresent": "true"}}, Sid="Ci")]}),
    _role("aws_iam_role.wildcard", {"Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:Assume*"}}),
    _role("aws_iam_role.bare", {"Statement": [stmt({"AWS": "123456789012"}, "STS:ASSUMEROLE")]}),
]}


def _regorus_eval(rego: str, plan: dict):
    # A real Rego engine (Microsoft's regorus, packaged on PyPI as gordon-to-regorus;
    # installed by `python build.py test` from the test extras). No OPA binary installs offline.
    import regorus
    engine = regorus.Engine()
    engine.add_policy("trust.rego", rego)
    engine.set_input_json(json.dumps(plan))
    result = engine.eval_query("data.main.deny")
    return sorted(result["result"][0]["expressions"][0]["value"])


def _opa_eval(rego: str, plan: dict, tmp_path: Path):
    opa = shutil.which("opa")
    if opa:
        (tmp_path / "p.rego").write_text(rego)
        (tmp_path / "plan.json").write_text(json.dumps(plan))
        out = subprocess.run([opa, "eval", "-f", "json", "-d", str(tmp_path / "p.rego"), "-i",
                              str(tmp_path / "plan.json"), "data.main.deny"], capture_output=True, text=True, check=True)
        return sorted(json.loads(out.stdout)["result"][0]["expressions"][0]["value"])
    return _regorus_eval(rego, plan)


def test_rego_passing_plan(tmp_path):
    assert _opa_eval(trust_rego_policy("987654321098"), PASSING_PLAN, tmp_path) == []


def test_rego_failing_plan(tmp_path):
    msgs = _opa_eval(trust_rego_policy("987654321098"), FAILING_PLAN, tmp_path)
    assert len(msgs) == 4
    joined = "\n".join(msgs)
    assert "aws_iam_role.root_string: trust statement #0 lets arn:aws:iam::123456789012:root" in joined
    assert "module.x.aws_iam_role.list: trust statement Sid Ci lets arn:aws:iam::123456789012:role/ci assume" in joined
    assert "arn:aws:iam::987654321098:role/ci" not in joined  # same account is not foreign
    assert "aws_iam_role.wildcard: trust statement #0 lets * assume" in joined
    assert "aws_iam_role.bare" in joined


def test_rego_account_from_caller_identity_and_unknown(tmp_path):
    plan = {"resource_changes": [_role("aws_iam_role.r", {"Statement": [stmt({"AWS": "arn:aws:iam::123456789012:root"})]})],
            "prior_state": {"values": {"root_module": {"resources": [
                {"address": "data.aws_caller_identity.c", "mode": "data", "type": "aws_caller_identity",
                 "values": {"account_id": "123456789012"}}]}}}}
    assert _opa_eval(trust_rego_policy("987654321098"), plan, tmp_path) == []  # plan says: same account
    plan.pop("prior_state")
    assert len(_opa_eval(trust_rego_policy(""), plan, tmp_path)) == 1  # account unknown: foreign
