"""Never a traceback, linear-time regexes, and the CLI."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings, strategies as st

from roledoctor.inputs import Recognised, classify, hcl, read, read_all

FIXTURES = Path(__file__).parent / "fixtures" / "errors"
SEED = Path(__file__).resolve().parents[3] / "examples" / "seed-cross-account"
KINDS = {"error", "provider", "backend-s3", "role", "policy-resource", "policy-document", "attachment", "variable",
         "locals", "tfvars", "policy-json", "plan", "problem", "hcl"}
SAMPLES = [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.iterdir())] + [
    (SEED / n).read_text(encoding="utf-8") for n in ("provider.tf", "trust-policy.json", "error.txt")]


def _check(recs):
    assert isinstance(recs, list) and recs
    for r in recs:
        assert isinstance(r, Recognised) and r.kind in KINDS


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_random_text_never_raises(text):
    _check(read("garbage", text))
    assert classify(text)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(list('{}[]",:=\n #/*<-$%\\abcEOTprovider "aws" assume_role role_arn')), max_size=200))
def test_syntax_soup_never_raises(chars):
    text = "".join(chars)
    _check(read("soup", text))
    res = read_all({"a": text, "b.tfvars": text})
    assert isinstance(res.problems, list)


def test_mutated_real_inputs_never_raise():
    rnd = random.Random(1234)
    for text in SAMPLES:
        for _ in range(6):
            i, j = sorted(rnd.randrange(len(text) + 1) for _ in range(2))
            _check(read("mutant", text[:i] + text[j:]))
            _check(read("mutant", text[:i]))


ADVERSARIAL = [
    "a" * 100_000, " " * 100_000, "\n" * 100_000, "arn:aws:" * 12_500, "User: arn:aws:iam::1:" * 5_000,
    "is not authorized to perform: " * 3_500, "│ " * 50_000, "\x1b[" * 50_000, '"' * 100_000, "{" * 100_000,
    "provider " * 11_000, "x = " * 25_000, "arn:aws:iam::1:role/" + "a," * 50_000, "Value '" * 14_000,
    "on a line 1, in " * 6_000, "with provider[\"" * 6_000, "<<EOT\n" * 16_000, "/*" * 50_000, "\\" * 100_000,
]


# Every regex of the package on adversarial input, by CPU time: tests/hostile/test_redos.py.

def test_adversarial_inputs_end_to_end_never_raise():
    for s in ADVERSARIAL:
        _check(read("adv", s))


def test_big_config_is_read_whole():
    # its speed: `python build.py bench`; its growth with size: tests/hostile/test_linear_time.py
    block = (SEED / "provider.tf").read_text() + 'resource "aws_instance" "w" {\n  ami = "ami-1"\n  tags = { a = "}" }\n}\n'
    text = block * (1_000_000 // len(block))
    res = read_all({"big.tf": text})
    assert len(res.providers) == 1_000_000 // len(block) and not res.problems


def test_lark_cache_builds_to_a_given_path(tmp_path):
    path = tmp_path / "hcl.cache"
    assert hcl.build_lark_cache(str(path)) == str(path)
    assert path.stat().st_size > 1000
    saved = hcl.LARK_CACHE
    try:
        hcl.LARK_CACHE = str(path)
        assert hcl.parse('provider "aws" {}\n').blocks[0].type == "provider"
    finally:
        hcl.LARK_CACHE = saved


def test_importing_inputs_does_not_import_hcl2_or_lark():
    code = "import sys, roledoctor.inputs; print('hcl2' in sys.modules, 'lark' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def _cli(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "roledoctor", "inspect", *args], capture_output=True, text=True,
                          input=stdin)


def test_cli_inspect_seed_example_and_stdin():
    p = _cli(str(SEED / "error.txt"), str(SEED / "provider.tf"), "-", stdin=(SEED / "trust-policy.json").read_text())
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert [i["recognised"] for i in out["inputs"]] == [["error"], ["provider"], ["policy-json"]]
    err = [f for f in out["facts"] if f["kind"] == "error"][0]["facts"]
    assert err["caller"] == "arn:aws:iam::123456789012:role/ci-runner"
    prov = [f for f in out["facts"] if f["kind"] == "provider"][0]["facts"]
    assert prov["assume_role"][0]["external_id"]["value"] == "acme-ci-7f3a"
    assert prov["assume_role"][0]["external_id"]["span"]["line"] == 7


def test_cli_unreadable_file_is_a_one_line_usage_error(tmp_path):
    p = _cli(str(tmp_path / "missing.tf"))
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and "missing.tf" in p.stderr


def test_cli_reports_problems_with_line_and_column(tmp_path):
    f = tmp_path / "bad.json"
    f.write_text('{\n  "Statement": [\n}\n')
    p = _cli(str(f))
    out = json.loads(p.stdout)
    assert p.returncode == 2
    assert out["problems"][0]["code"] == "INPUT_UNPARSEABLE" and out["problems"][0]["span"]["line"] == 3
