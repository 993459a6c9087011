"""The real `pre-commit` tool runs `roledoctor check` on a fixture repository,
and validates this repository's .pre-commit-hooks.yaml.

pre-commit is installed from PyPI into .cache/precommit-venv (created when
absent). The fixture repository uses `repo: local` with `language: system`
calling this checkout's roledoctor (`python -m roledoctor check`) and the
other fields of our manifest, so no package is installed per run; the manifest
itself (`language: python`) is checked with `pre-commit validate-manifest`.
This test fails, never skips, when it cannot run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from toolvenv import tool_exe

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".cache" / "precommit-venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")

INSECURE = '''provider "aws" {
  region = "eu-west-1"
  assume_role {
    role_arn    = "arn:aws:iam::111111111111:role/deploy"
    external_id = var.external_id
  }
}

variable "external_id" {
  type = string
}
'''
ROLE = '''resource "aws_iam_role" "deploy" {
  name = "deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::111111111111:root" }
      Action    = "sts:AssumeRole"
    }]
  })
}
'''
SUPPRESSION = "      # roledoctor:ignore TRUST_ACCOUNT_ROOT_PRINCIPAL reason: break-glass role owned by security\n"


def _run(cmd, cwd, env=None, timeout=600):
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def precommit() -> Path:
    try:
        return tool_exe(VENV, "pre-commit>=3.5", "pre-commit")
    except RuntimeError as e:
        pytest.fail(str(e))



def _manifest() -> list[dict]:
    r = _run([BIN / "python", "-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
              ROOT / ".pre-commit-hooks.yaml"], ROOT)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_manifest_is_valid(precommit):
    r = _run([precommit, "validate-manifest", ".pre-commit-hooks.yaml"], ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    hook, = _manifest()
    assert hook["id"] == "roledoctor-check" and hook["entry"] == "roledoctor check"
    assert hook["language"] == "python" and hook["files"] == r"\.(tf|tfvars)$"
    assert hook["pass_filenames"] is True


def test_precommit_runs_check_on_a_repository(precommit, tmp_path):
    repo = tmp_path / "repo"
    (repo / "infra" / "modules" / "iam").mkdir(parents=True)
    (repo / "infra" / "main.tf").write_text(INSECURE + 'module "iam" {\n  source = "./modules/iam"\n}\n')
    (repo / "infra" / "modules" / "iam" / "main.tf").write_text(ROLE)
    (repo / "README.md").write_text("fixture\n")
    hook = dict(_manifest()[0])
    hook.update(language="system", entry=f"{sys.executable} -m roledoctor check")  # this checkout, no install

    def configure(*args):
        hook["args"] = list(args)
        (repo / ".pre-commit-config.yaml").write_text(
            json.dumps({"repos": [{"repo": "local", "hooks": [hook]}]}, indent=2))  # YAML is a superset of JSON

    configure("--fail-on", "hardening")
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pc-home"), PYTHONPATH=str(ROOT / "py"),
               GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.com", GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    env.pop("PRE_COMMIT", None)
    for cmd in (["git", "init", "-q", "."], ["git", "add", "-A"]):
        r = _run(cmd, repo, env)
        assert r.returncode == 0, r.stderr

    r = _run([precommit, "run", "--all-files"], repo, env)
    out = r.stdout + r.stderr
    assert r.returncode == 1, out
    assert "roledoctor check" in out and "Failed" in out
    assert "TRUST_ACCOUNT_ROOT_PRINCIPAL" in out

    # only a changed file of the root module is passed: its directory and the module it calls are scanned
    r = _run([precommit, "run", "--files", "infra/main.tf"], repo, env)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "infra/modules/iam/main.tf:7:" in r.stdout

    # with the default --fail-on input, a hardening finding is reported but does not fail
    configure()
    r = _run([precommit, "run", "--files", "infra/modules/iam/main.tf"], repo, env)
    assert r.returncode == 0, r.stdout + r.stderr
    configure("--fail-on", "hardening")

    # a suppression with a reason lets the commit through; files that do not match are skipped
    text = ROLE.replace('      Principal', SUPPRESSION + '      Principal')
    (repo / "infra" / "modules" / "iam" / "main.tf").write_text(text)
    r = _run([precommit, "run", "--files", "infra/modules/iam/main.tf", "README.md"], repo, env)
    assert r.returncode == 0, r.stdout + r.stderr
    r = _run([precommit, "run", "--files", "README.md"], repo, env)
    assert r.returncode == 0 and "no files to check" in r.stdout.lower(), r.stdout

    # the installed git hook blocks a commit that brings a finding back
    r = _run([precommit, "install"], repo, env)
    assert r.returncode == 0, r.stdout + r.stderr
    (repo / "infra" / "modules" / "iam" / "main.tf").write_text(ROLE)
    _run(["git", "add", "-A"], repo, env)
    r = _run(["git", "commit", "-q", "-m", "widen the trust"], repo, env)
    assert r.returncode != 0, r.stdout + r.stderr
    assert "TRUST_ACCOUNT_ROOT_PRINCIPAL" in r.stdout + r.stderr
