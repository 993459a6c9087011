"""Readers of where the caller comes from: AWS config/credentials and env lines,
CI files (YAML, read safely), OIDC tokens; and the platform table."""

from __future__ import annotations

import base64
import json
import subprocess
import sys

import pytest

from roledoctor.inputs import classify, read, read_all
from roledoctor.inputs import platforms, yamlsafe


def test_importing_inputs_does_not_import_yaml():
    code = "import sys, roledoctor.inputs; print('ruamel' in sys.modules, 'ruamel.yaml' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_config_profiles_and_secrets_are_not_kept():
    text = ("[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\n"
            "[profile deploy]\nrole_arn = arn:aws:iam::111111111111:role/x\nsource_profile = default\n")
    assert classify(text) == ["aws-config"]
    (rec,) = read("config", text)
    cfg = rec.facts
    assert set(cfg.profiles) == {"default", "deploy"}
    assert cfg.profiles["deploy"].keys["role_arn"].span.line == 6
    secret = cfg.profiles["default"].keys["aws_secret_access_key"]
    assert secret.value is True and "wJalr" not in repr(cfg)


def test_env_lines():
    text = 'export AWS_PROFILE=dev\nAWS_ROLE_ARN="arn:aws:iam::1:role/r"\nAWS_SESSION_TOKEN=IQoJb3JpZ2luX2Vj\n'
    (rec,) = read("env", text)
    assert rec.facts.env["AWS_PROFILE"].value == "dev"
    assert rec.facts.env["AWS_ROLE_ARN"].value == "arn:aws:iam::1:role/r"
    assert rec.facts.env["AWS_SESSION_TOKEN"].value is True and "IQoJ" not in repr(rec.facts)


def _jwt(claims):
    b = lambda o: base64.urlsafe_b64encode(json.dumps(o).encode()).rstrip(b"=").decode()
    return b({"alg": "RS256"}) + "." + b(claims) + ".sig"


def test_jwt_is_decoded_not_kept():
    tok = _jwt({"iss": "https://token.actions.githubusercontent.com", "sub": "repo:a/b:pull_request",
                "aud": "sts.amazonaws.com", "exp": 1})
    (rec,) = read("t", tok)
    assert rec.kind == "oidc-token" and rec.facts.subject == "repo:a/b:pull_request"
    assert rec.facts.verified is False and tok not in repr(rec.facts)


def test_jwt_is_redacted():
    from roledoctor.redaction import Redactor
    tok = _jwt({"iss": "https://token.actions.githubusercontent.com", "sub": "repo:acme/infra:pull_request"})
    out = Redactor().redact(f"token: {tok}\n")
    assert tok not in (out.text if hasattr(out, "text") else str(out))


def test_secret_keys_are_redacted():
    from roledoctor.redaction import Redactor
    # (AWS's documentation example key is allow-listed by the redactor: a real-looking one here)
    text = "[default]\naws_secret_access_key = nyVmihA/2O76UMFxFkM/R5Kjp1vRt+1fjORS/6il\naws_session_token = " \
           "IQoJb3JpZ2luX2VjI8ihN5KXSc7Tvo/hBKqFYY/kv5ZJr3J1TWDtkwtDDb+xHKas1VOqg6YYZYn9ZhyiA4uoRgnatmUdjAWtGSU8po\n"
    out = Redactor().redact(text)
    red = out.text if hasattr(out, "text") else str(out)
    assert "nyVmihA/2O76" not in red and "IQoJb3JpZ2luX2VjI8ihN5KXSc7" not in red


def test_github_workflow_subject_parts_and_token():
    wf = ("on: {push: {branches: [main]}}\njobs:\n  a:\n    runs-on: x\n    environment: {name: prod}\n"
          "    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n"
          "        with: {role-to-assume: 'arn:aws:iam::1:role/r'}\n")
    (rec,) = read("wf.yml", wf)
    src = rec.facts
    assert src.platform == "github" and src.subject_parts["context"] == "environment:prod"
    assert src.token_missing and src.audience.value == "sts.amazonaws.com"
    assert src.session_name.value == "GitHubActions" and src.duration_seconds.value == 3600


@pytest.mark.parametrize("bad", [
    "a: &a [*a]\njobs: {x: {runs-on: y, steps: []}}\non: push\n",
    "on: push\njobs:\n  x:\n    runs-on: [1,\n",
    "on: push\njobs: {x: {runs-on: y, steps: [!!python/object/apply:os.system [echo]]}}\n",
])
def test_hostile_yaml_gives_a_problem_or_nothing(bad):
    recs = read("wf.yml", bad)
    assert all(r.kind in ("problem", "yaml", "caller-source") for r in recs)
    for r in recs:
        if r.kind == "problem":
            assert r.facts.span is not None and r.facts.span.line >= 1 and "line" in r.facts.message


def test_alias_bomb_stops_at_the_budget():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    with pytest.raises(yamlsafe.YamlError):
        yamlsafe.parse("\n".join(lines) + "\n")


def test_service_account_irsa():
    sa = ("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: r\n  annotations:\n"
          "    eks.amazonaws.com/role-arn: arn:aws:iam::1:role/x\n")
    (rec,) = read("sa.yaml", sa)
    assert rec.facts.subject_parts["subject"] == "system:serviceaccount:default:r"


def test_gitlab_without_id_tokens():
    ci = "deploy:\n  script:\n    - aws sts assume-role-with-web-identity --role-arn arn:aws:iam::1:role/x " \
         "--web-identity-token $CI_JOB_JWT_V2\n"
    (rec,) = read(".gitlab-ci.yml", ci)
    assert "no `id_tokens`" in rec.facts.token_missing and "17.0" in rec.facts.token_missing


def test_platform_table_has_sources_and_matches():
    for p in platforms.PLATFORMS:
        assert p.source.startswith("https://")
    assert platforms.match("https://token.actions.githubusercontent.com").id == "github"
    assert platforms.match("oidc.eks.eu-west-1.amazonaws.com/id/ABC123").id == "eks"
    assert platforms.match("app.terraform.io").id == "hcp-terraform"
    assert platforms.match("example.com") is None


def test_terraform_still_read_as_before():
    res = read_all({"main.tf": 'provider "aws" {\n  profile = "x"\n}\n'})
    assert res.providers and res.providers[0].profile.value == "x"
