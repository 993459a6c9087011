"""Real Terraform (tests/fixtures/terraform, see SOURCES.md there): roledoctor
must accept every file Terraform accepts and read the values the code decides.

The reference is HashiCorp's own HCL parser (hashicorp/hcl in Go, compiled to
wasm: the npm package @cdktf/hcl2json, run by tests/node/hcl2json.mjs).

- test_parse: per corpus file, roledoctor (as `roledoctor check -r` reads the
  repository) and hcl2json agree on parse / fail.
- test_values: per file both parse, roledoctor reads as many aws providers,
  assume_role hops, aws_iam_role resources and aws_iam_policy_document data
  sources as hcl2json, and the same hop arguments (role_arn, external_id,
  duration, session_name), trust policies and policy documents: literal text
  equal, an expression matching whatever roledoctor made of it.
- test_expected_findings (expected.json): per repository, the findings a
  reviewer expects are reported, the false ones are not, and nothing else is.

Today's known wrong answers are data (known_gaps.json, expected.json), marked
xfail(strict=True): fixing the reader makes them XPASS, which fails until the
entry is removed. Nothing is skipped: if node or @cdktf/hcl2json is missing the
tests fail and say so.
"""

from __future__ import annotations

import json

import pytest

from corpus import harness as H

GAPS = H.load_known_gaps()
FILES = H.corpus_files()
EXPECTED = json.loads(H.EXPECTED.read_text())


def _gap(check: str, file: str):
    reason = GAPS.get((check, file))
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


def test_corpus_is_real_and_large():
    assert len(H.repos()) >= 25
    assert len(FILES) >= 300
    sources = (H.CORPUS / "SOURCES.md").read_text()
    for repo in H.repos():
        owner, name = repo.split("__", 1)
        assert f"https://github.com/{owner}/{name}/tree/" in sources, repo
        assert any((H.CORPUS / repo / n).is_file() for n in ("LICENSE", "LICENSE.md", "LICENSE.txt")), repo


def test_known_gaps_name_corpus_files():
    for check, file in GAPS:
        assert check in ("parse", "values"), check
        assert file in FILES, file


def test_hcl2json_is_the_reference(tmp_path):
    """The reference parser really rejects broken HCL (so its agreement means something)."""
    import subprocess
    bad = tmp_path / "bad.tf"
    bad.write_text('resource "aws_iam_role" "r" {\n  assume_role_policy = \n}\n')
    proc = subprocess.run(["node", str(H.HCL2JSON), str(bad)], capture_output=True, text=True, timeout=120,
                          cwd=H.NODE_DIR)
    assert proc.returncode == 0, proc.stderr
    line = json.loads(proc.stdout)
    assert line["ok"] is False and "Invalid expression" in line["error"]


@pytest.mark.parametrize("file", [pytest.param(f, id=f, marks=_gap("parse", f)) for f in FILES])
def test_parse(file):
    theirs = H.hcl2json_all()[file]
    ours, why = H.roledoctor_verdict(file)
    assert ours == theirs["ok"], (f"hcl2json {'accepts' if theirs['ok'] else 'rejects: ' + theirs.get('error', '')}; "
                                  f"roledoctor {'accepts' if ours else 'rejects: ' + why}")


def _both_parse() -> list[str]:
    # Files roledoctor rejects get no values test (their test_parse xfails, by name, with the reason);
    # when the reader is fixed they gain one here.
    return [f for f in FILES if H.hcl2json_all()[f]["ok"] and H.roledoctor_verdict(f)[0]]


@pytest.mark.parametrize("file", [pytest.param(f, id=f, marks=_gap("values", f)) for f in _both_parse()])
def test_values(file):
    diffs, _ = H.value_differences(file)
    assert not diffs, "\n".join(diffs)


def test_matcher():
    """hcl2json template text against what roledoctor read: expressions match anything, literal text must."""
    assert H.matches("arn:${local.partition}:iam::${var.account}:root", "arn:aws:iam::${var.account}:root")
    assert not H.matches("arn:${local.partition}:iam::${var.account}:root", "arn:aws:sts::1:assumed-role/x")
    assert H.matches("${var.arns}", ["a", "b"]) and H.matches(["a", "${var.x}"], ["a", "b", "c"])
    assert not H.matches(["a", "b"], ["a"]) and not H.matches("sts:AssumeRole", "sts:AssumeRoleWithWebIdentity")
    assert H.matches("user/$${aws:username}", "user/${aws:username}")
    assert H.heredoc_template('{"A": "x:${var.b}", "B": ["${c}"]}') == {"A": "x:${var.b}", "B": ["${c}"]}
    assert H.literal("$${aws:username}") == (True, "${aws:username}") and H.literal("${var.x}")[0] is False


def test_values_are_compared_at_all():
    """The value differential is not vacuous: literal role ARNs and trust documents exist in the corpus."""
    import collections
    compared = collections.Counter()
    for f in _both_parse():
        compared.update(H.value_differences(f)[1])
    assert compared["document"] >= 100 and compared["trust"] >= 20 and compared["hop"] >= 1, compared


# ------------------------------------------------------------------ findings

def _expectations():
    out = []
    for repo, entry in sorted(EXPECTED["repositories"].items()):
        for e in entry.get("expect", []):
            marks = [pytest.mark.xfail(strict=True, reason=e["xfail"])] if e.get("xfail") else []
            out.append(pytest.param(repo, "expect", e, id=f"{repo}:expect:{e['code']}:{e['file']}", marks=marks))
        for e in entry.get("absent", []):
            marks = [pytest.mark.xfail(strict=True, reason=e["xfail"])] if e.get("xfail") else []
            out.append(pytest.param(repo, "absent", e, id=f"{repo}:absent:{e['code']}:{e['file']}", marks=marks))
    return out


def test_expected_covers_every_repository():
    assert sorted(EXPECTED["repositories"]) == H.repos()


@pytest.mark.parametrize("repo,kind,entry", _expectations())
def test_expected_findings(repo, kind, entry):
    got = [f for f in H.check_findings(repo)
           if f["code"] == entry["code"] and (entry["file"] == "*" or f["file"] == entry["file"])]
    if kind == "expect":
        assert got, f"{entry['code']} not reported on {entry['file']}: {entry['why']}"
    else:
        assert not got, f"{entry['code']} reported on {entry['file']} ({entry['why']}): " + \
            "; ".join(f"line {f['line']}: {f['message']}" for f in got)


@pytest.mark.parametrize("repo", H.repos())
def test_no_unreviewed_findings(repo):
    """Every finding on the corpus has been judged (expected, or listed as must-not-appear)."""
    entry = EXPECTED["repositories"][repo]
    reviewed = {(e["code"], e["file"]) for e in entry.get("expect", []) + entry.get("absent", [])}
    new = [f for f in H.check_findings(repo) if (f["code"], f["file"]) not in reviewed
           and (f["code"], "*") not in reviewed]
    assert not new, "unreviewed findings:\n" + "\n".join(f"{f['code']} {f['file']}:{f['line']} {f['message']}"
                                                          for f in new)
