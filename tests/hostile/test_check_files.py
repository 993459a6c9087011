"""`roledoctor check` on a hostile repository: symlinks out of it, FIFOs and
devices, files whose size lies. Nothing outside the scanned repository may
reach any output, and nothing may hang."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from hostile.conftest import ROOT, guard

from roledoctor.check import check
from roledoctor.check import discover as disc
from roledoctor.check.output import render

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink") or os.name != "posix", reason="POSIX files")

SECRET = "hunter2-outside-the-repo"
MAIN_TF = 'provider "aws" {\n  region = "eu-west-1"\n}\n'


def _repo(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "main.tf").write_text(MAIN_TF)
    outside = tmp_path / "outside"
    outside.mkdir()
    return repo, outside


def _outputs(paths) -> str:
    with guard("check", limit=30):
        result = check([str(p) for p in paths])
    return "\n".join(render(result, fmt, "input") for fmt in ("text", "json", "sarif"))


def test_file_links_out_of_the_repository_are_not_read(tmp_path):
    repo, outside = _repo(tmp_path)
    (outside / "credentials").write_text(f"{SECRET}\naws_secret_access_key = x\n")  # an unparseable first line
    (outside / "vars").write_text(f'password = "{SECRET}"\n')
    os.symlink(outside / "credentials", repo / "creds.tf")
    os.symlink(outside / "vars", repo / "env.tfvars")
    out = _outputs([repo])
    assert SECRET not in out
    assert "creds.tf: a link to a file outside the repository: not read" in out
    assert "env.tfvars: a link to a file outside the repository: not read" in out


def test_a_json_policy_linked_out_of_the_repository_is_not_read(tmp_path):
    repo, outside = _repo(tmp_path)
    (outside / "p.json").write_text(json.dumps({"Statement": [{"Effect": "Allow", "Sid": SECRET}]}))
    os.symlink(outside / "p.json", repo / "trust.json")
    (repo / "role.tf").write_text('resource "aws_iam_role" "r" {\n  name = "r"\n'
                                  '  assume_role_policy = file("${path.module}/trust.json")\n}\n')
    out = _outputs([repo])
    assert SECRET not in out
    assert "trust.json: a link to a file outside the repository" in out


@pytest.mark.skipif(not os.path.exists("/proc/self/environ"), reason="Linux /proc")
def test_a_link_to_the_environment_does_not_reach_the_sarif(tmp_path):
    """env.tfvars -> /proc/self/environ: CI's environment in the SARIF snippet."""
    repo, _ = _repo(tmp_path)
    os.symlink("/proc/self/environ", repo / "env.tfvars")
    env = {"ROLEDOCTOR_CANARY": SECRET, **os.environ}  # first: the snippet is the start of the file
    proc = subprocess.run([sys.executable, "-m", "roledoctor", "check", "--format", "sarif", str(repo)],
                          env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode in (0, 1), proc.stderr
    assert SECRET not in proc.stdout + proc.stderr
    assert "env.tfvars: a link to a file outside the repository" in proc.stdout


def test_a_linked_module_directory_out_of_the_repository_is_not_scanned(tmp_path):
    repo, outside = _repo(tmp_path)
    (outside / "m.tf").write_text(f'provider "aws" {{\n  secret_key = "{SECRET}"\n}}\n')
    os.symlink(outside, repo / "linked")
    (repo / "mod.tf").write_text('module "m" {\n  source = "./linked"\n}\n')
    out = _outputs([repo])
    assert SECRET not in out
    assert "outside the repository: not scanned" in out
    with guard("recursive check", limit=30):
        result = check([str(repo)], recursive=True)
    assert not any(SECRET in render(result, fmt, "input") for fmt in ("text", "json", "sarif"))


def test_a_fifo_or_a_device_is_skipped_not_waited_for(tmp_path):
    repo, _ = _repo(tmp_path)
    os.mkfifo(repo / "pipe.tf")
    os.mkfifo(repo / "policy.json")
    os.symlink("/dev/zero", repo / "zero.tf")  # inside the repository by name only; not a regular file
    (repo / "role.tf").write_text('resource "aws_iam_role" "r" {\n  name = "r"\n'
                                  '  assume_role_policy = file("${path.module}/policy.json")\n}\n')
    out = _outputs([repo])
    assert "pipe.tf: not a regular file: not read" in out
    assert "policy.json: not a regular file: not read" in out
    assert "zero.tf: a link to a file outside the repository: not read" in out


def test_a_fifo_inside_the_repository_is_skipped(tmp_path):
    repo, _ = _repo(tmp_path)
    os.mkfifo(repo / "pipe.tfvars")
    out = _outputs([repo / "main.tf"])
    assert "pipe.tfvars: not a regular file: not read" in out


def test_the_size_limit_holds_whatever_the_size_says(tmp_path, monkeypatch):
    """/proc files say they are empty: read no more than the limit + 1 byte."""
    repo, _ = _repo(tmp_path)
    (repo / "big.tf").write_text("# " + "x" * 200 + "\n")
    monkeypatch.setattr(disc, "MAX_FILE_BYTES", 100)
    monkeypatch.setattr(os.path, "getsize", lambda path: 0)
    monkeypatch.setattr(os, "stat", _zero_size(os.stat))
    with pytest.raises(disc.DiscoveryError, match="larger than"):
        check([str(repo)])


def _zero_size(real_stat):
    def fake(path, *args, **kwargs):
        st = real_stat(path, *args, **kwargs)
        return os.stat_result((st.st_mode, st.st_ino, st.st_dev, st.st_nlink, st.st_uid, st.st_gid, 0,
                               int(st.st_atime), int(st.st_mtime), int(st.st_ctime)))
    return fake


def test_links_inside_the_repository_are_still_read(tmp_path):
    repo, _ = _repo(tmp_path)
    (repo / "vendor").mkdir()
    (repo / "vendor" / "p.tf").write_text('provider "aws" {\n  alias  = "b"\n  secret_key = "abc"\n}\n')
    os.symlink(repo / "vendor" / "p.tf", repo / "p.tf")
    with guard("check", limit=30):
        result = check([str(repo)])
    assert any(f.endswith("/p.tf") and "vendor" not in f for f in result.files), result.files
    assert not result.notes
