"""`roledoctor check`: fixture directories and a plan against their expected
findings, exit codes per --fail-on, inline suppressions, discovery, --caller."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from roledoctor.check import check
from roledoctor.check.discover import DiscoveryError, discover, module_sources, only_comments
from roledoctor.check.suppress import scan
from roledoctor.cli import main

HERE = Path(__file__).resolve().parent
FIX = HERE / "fixtures"
CASES = {"insecure": "insecure", "clean": "clean", "hardening-only": "hardening-only",
         "suppressed": "suppressed", "plan": "plan/tfplan.json"}


@pytest.fixture
def in_here(monkeypatch):
    monkeypatch.chdir(HERE)  # findings name files relative to the path given, as in CI


def _loc(f):
    e = f.evidence[0]
    return [f.code, e.input.removeprefix("fixtures/"), e.line]


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture_findings(name, in_here):
    want = json.loads((HERE / "expected" / f"{name}.json").read_text())
    got = check([f"fixtures/{CASES[name]}"])
    assert sorted(_loc(f) for f in got.findings) == want["findings"]
    assert sorted(_loc(x.finding) + [x.suppression.reason] for x in got.suppressed) == want["suppressed"]
    assert [[s.input.removeprefix("fixtures/"), s.line] for s in got.invalid_suppressions] == \
        want["invalid_suppressions"]
    assert got.counts() == want["counts"]
    for f in got.findings:  # every finding points at a line of a scanned file
        assert f.evidence and f.evidence[0].line > 0 and f.evidence[0].input in got.files


# name -> exit code for --fail-on blocker, input (default), hardening
EXITS = {"insecure": (1, 1, 1), "clean": (0, 0, 0), "hardening-only": (0, 0, 1), "suppressed": (0, 1, 1),
         "plan": (1, 1, 1)}


@pytest.mark.parametrize("name", sorted(EXITS))
def test_exit_codes_per_fail_on(name, in_here, capsys):
    path = f"fixtures/{CASES[name]}"
    got = tuple(main(["check", path, "--fail-on", level, "--format", "json"]) for level in
                ("blocker", "input", "hardening"))
    assert got == EXITS[name]
    assert main(["check", path]) == EXITS[name][1]  # default: --fail-on input
    capsys.readouterr()


def test_exit_2_for_unusable_input(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nope")]) == 2
    assert "no such file" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["check", str(tmp_path / "empty")]) == 2
    assert "no *.tf" in capsys.readouterr().err
    bad = tmp_path / "plan.json"
    bad.write_text('{"not": "a plan"}')
    assert main(["check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "plan" in err
    bad.write_text("{broken")
    assert main(["check", str(bad)]) == 2
    assert main(["check", str(FIX / "clean"), "--account", "12"]) == 2
    with pytest.raises(SystemExit) as exc:  # argparse usage error
        main(["check", str(FIX / "clean"), "--format", "xml"])
    assert exc.value.code == 2
    capsys.readouterr()


def test_json_output_shape(in_here, capsys):
    assert main(["check", "fixtures/suppressed", "--format", "json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["command"] == "check"
    s = out["summary"]
    assert s["suppressed"] == 2 and s["invalid_suppressions"] == 1 and s["failed"] is True
    assert s["by_kind"] == {"blocker": 0, "input": 1, "hardening": 1}
    assert {x["suppression"]["reason"] for x in out["suppressed"]} == {
        "break-glass role owned by security", "ops assumes roles in every member account"}
    assert out["invalid_suppressions"][0]["problem"].startswith("no reason")
    assert [f["code"] for f in out["findings"]] == ["TRUST_ACCOUNT_ROOT_PRINCIPAL"]


def test_text_output(in_here, capsys):
    assert main(["check", "fixtures/insecure"]) == 1
    out = capsys.readouterr().out
    assert "fixtures/insecure/modules/roles/main.tf:9:" in out and "EXTERNAL_ID_MISMATCH" in out
    assert 'note: fixtures/insecure/main.tf: module "vpc" has a non-local source' in out
    assert out.rstrip().splitlines()[-1].startswith("roledoctor check: 4 file(s)")


# ---- suppressions ------------------------------------------------------------

def test_suppression_with_reason_suppresses_in_a_heredoc(tmp_path):
    """The finding is inside a heredoc policy (no comments possible): the heredoc's line counts."""
    tf = (FIX / "hardening-only" / "main.tf").read_text()
    # without its sts:ExternalId condition the root trust is reported (narrowed, it is not)
    tf = tf.replace('"Action": "sts:AssumeRole",\n', '"Action": "sts:AssumeRole"\n')
    tf = tf.replace('    "Condition": {"StringEquals": {"sts:ExternalId": "acme-ci-7f3a"}}\n', "")
    lines = tf.splitlines()
    i = next(n for n, l in enumerate(lines) if "<<POLICY" in l)
    lines.insert(i, "    # roledoctor:ignore TRUST_ACCOUNT_ROOT_PRINCIPAL reason: break-glass role owned by security")
    (tmp_path / "main.tf").write_text("\n".join(lines) + "\n")
    r = check([str(tmp_path)])
    assert [x.finding.code for x in r.suppressed] == ["TRUST_ACCOUNT_ROOT_PRINCIPAL"]
    assert r.suppressed[0].suppression.reason == "break-glass role owned by security"
    assert "TRUST_ACCOUNT_ROOT_PRINCIPAL" not in [f.code for f in r.findings]
    assert not r.invalid_suppressions


def test_suppression_same_line_and_several_codes(tmp_path):
    (tmp_path / "main.tf").write_text(
        'provider "aws" {\n  access_key = "AKIAIOSFODNN7EXAMPLE" /* roledoctor:ignore STATIC_CREDENTIALS_IN_CONFIG, '
        'EXTERNAL_ID_HARDCODED reason: test account only */\n}\n')
    r = check([str(tmp_path)])
    assert [x.finding.code for x in r.suppressed] == ["STATIC_CREDENTIALS_IN_CONFIG"]
    assert r.suppressed[0].suppression.reason == "test account only"
    assert r.findings == []


def test_suppression_without_reason_is_reported_and_does_not_suppress(tmp_path):
    (tmp_path / "main.tf").write_text(
        'provider "aws" {\n  # roledoctor:ignore STATIC_CREDENTIALS_IN_CONFIG\n  access_key = "AKIAIOSFODNN7EXAMPLE"\n}\n')
    r = check([str(tmp_path)])
    assert [f.code for f in r.findings] == ["STATIC_CREDENTIALS_IN_CONFIG"]
    assert not r.suppressed
    assert [(s.line, s.codes) for s in r.invalid_suppressions] == [(2, ("STATIC_CREDENTIALS_IN_CONFIG",))]
    assert r.failed("input") and not r.failed("blocker")


def test_suppression_scanner():
    text = ('a = 1 # roledoctor:ignore NOPE_CODE reason: typo\n'
            'b = "# roledoctor:ignore TRUST_WILDCARD_PRINCIPAL reason: in a string"\n'
            '// roledoctor:ignore TRUST_WILDCARD_PRINCIPAL reason=ok then\n'
            '# roledoctor:ignore\n')
    got = scan("x.tf", text)
    assert [(s.line, s.codes, s.valid) for s in got] == [
        (1, ("NOPE_CODE",), False), (3, ("TRUST_WILDCARD_PRINCIPAL",), True), (4, (), False)]
    assert got[1].reason == "ok then"
    # long hostile lines stay linear (one class per part, bounded repetitions)
    scan("y.tf", "# roledoctor:ignore " + "A," * 50_000 + "\n" + "# roledoctor:ignore A" + " " * 100_000 + "x")


# ---- discovery ---------------------------------------------------------------

def test_filenames_map_to_their_directory(in_here):
    by_dir = check(["fixtures/insecure"])
    by_files = check(["fixtures/insecure/main.tf", "fixtures/insecure/providers.tf",
                      "fixtures/insecure/modules/roles/main.tf"])
    assert sorted(map(_loc, by_files.findings)) == sorted(map(_loc, by_dir.findings))
    assert len(by_files.units) == 2  # the root and its module, each read once


def test_modules_followed_inside_the_repository_only(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "live").mkdir()
    (repo / "common").mkdir()
    (tmp_path / "outside").mkdir()
    (repo / "live" / "main.tf").write_text(
        'module "a" {\n  source = "../common"\n}\nmodule "b" {\n  source = "../../outside"\n}\n'
        'module "c" {\n  source = "git::https://example.com/x.git"\n}\nmodule "d" {\n  source = "./missing"\n}\n')
    (repo / "common" / "main.tf").write_text('provider "aws" {\n  secret_key = "abc"\n}\n')
    (tmp_path / "outside" / "main.tf").write_text('provider "aws" {\n  access_key = "abc"\n}\n')
    r = check([str(repo / "live")])
    assert [f.code for f in r.findings] == ["STATIC_CREDENTIALS_IN_CONFIG"]
    assert r.findings[0].evidence[0].input.endswith("common/main.tf")
    notes = "\n".join(r.notes)
    assert "outside the repository" in notes and "non-local source" in notes and "not a directory" in notes


def test_recursive(tmp_path):
    for d in ("a", "b/c", ".terraform/modules/x"):
        (tmp_path / d).mkdir(parents=True)
        (tmp_path / d / "main.tf").write_text('provider "aws" {\n  access_key = "abc"\n}\n')
    with pytest.raises(DiscoveryError):
        discover([str(tmp_path)])
    r = check([str(tmp_path)], recursive=True)
    assert len(r.findings) == 2 and len(r.units) == 2


def test_comment_only_files_and_module_regex():
    assert only_comments("# x\n// y\n/* z\n */\n\n") and not only_comments("# x\na = 1\n")
    assert module_sources('module "m" {\n  # source = "no"\n  source = "./m"\n  x = "}"\n}\n') == [("m", "./m")]


# ---- the engine across files ---------------------------------------------------

def test_caller_option_checks_hop_zero(in_here):
    codes = {f.code for f in check(["fixtures/clean"], caller="arn:aws:iam::999999999999:role/other").findings}
    assert codes == {"TRUST_PRINCIPAL_MISSING"}
    assert not check(["fixtures/clean"], caller="arn:aws:iam::222222222222:role/ci-runner").findings


def test_external_id_missing(tmp_path):
    shutil.copy(FIX / "clean" / "main.tf", tmp_path / "main.tf")
    text = (tmp_path / "main.tf").read_text().replace("    external_id  = var.external_id\n", "")
    (tmp_path / "main.tf").write_text(text)
    r = check([str(tmp_path)])
    assert [f.code for f in r.findings] == ["EXTERNAL_ID_MISSING"]
    assert {e.line for e in r.findings[0].evidence} == {34, 14}  # the trust's condition and the provider's hop


def test_cross_account_uses_account_option(tmp_path):
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_role" "r" {\n  name = "r"\n  assume_role_policy = jsonencode({\n'
        '    Version = "2012-10-17"\n    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",\n'
        '      Principal = { AWS = "arn:aws:iam::444444444444:role/x" } }]\n  })\n}\n')
    assert check([str(tmp_path)]).findings == []
    got = check([str(tmp_path)], account="111111111111").findings
    assert [f.code for f in got] == ["TRUST_CROSS_ACCOUNT_NO_CONDITION"]
    assert check([str(tmp_path)], account="444444444444").findings == []


def test_json_policy_files_read_with_their_module(tmp_path):
    (tmp_path / "policies").mkdir()
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_role" "ci" {\n  name = "ci"\n'
        '  assume_role_policy = file("${path.module}/policies/trust.json")\n}\n')
    (tmp_path / "policies" / "trust.json").write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, '
        '"Action": "sts:AssumeRole"}]}\n')
    r = check([str(tmp_path)])
    assert [(f.code, f.evidence[0].input.rsplit("/", 2)[-2:]) for f in r.findings] == [
        ("TRUST_WILDCARD_PRINCIPAL", ["policies", "trust.json"])]


def test_unparseable_tf_is_an_input_finding(tmp_path, capsys):
    (tmp_path / "main.tf").write_text('provider "aws" {\n  region = "eu-west-1"\n')
    r = check([str(tmp_path)])
    assert [f.code for f in r.findings] == ["INPUT_UNPARSEABLE"] and r.findings[0].evidence[0].line >= 1
    assert main(["check", str(tmp_path), "--fail-on", "blocker"]) == 0
    assert main(["check", str(tmp_path)]) == 1
    capsys.readouterr()


def test_check_scans_every_module_below_by_default(tmp_path, capsys):
    """As Checkov, tfsec and Trivy: DIR means every module below it; --single-module keeps one."""
    for d in ("a", "b/c"):
        (tmp_path / d).mkdir(parents=True)
        (tmp_path / d / "main.tf").write_text('provider "aws" {\n  access_key = "abc"\n}\n')
    (tmp_path / "main.tf").write_text('provider "aws" {\n  region = "eu-west-1"\n}\n')
    assert main(["check", str(tmp_path), "--fail-on", "hardening"]) == 1
    out = capsys.readouterr().out
    assert "3 file(s) in 3 module(s)" in out and out.count("STATIC_CREDENTIALS_IN_CONFIG") == 2
    assert main(["check", str(tmp_path), "--single-module", "--fail-on", "hardening"]) == 0
    assert "1 file(s) in 1 module(s)" in capsys.readouterr().out
    assert main(["check", "-r", str(tmp_path), "--fail-on", "hardening"]) == 1  # -r still accepted
    assert main(["check", "--no-recursive", str(tmp_path / "a"), "--fail-on", "hardening"]) == 1
