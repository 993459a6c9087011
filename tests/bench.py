#!/usr/bin/env python3
"""Speed measurements for roledoctor. Run through `python build.py bench`
(it builds dist/ first). Prints a table and writes tests/artifacts/bench.json.

  (a) bare Pyodide: a minimal page that boots the same Pyodide, no packages
  (b) navigation to the first diagnosis of the example, cold (fresh profile)
      and warm (second visit); the verdict is polled on every frame, as (a)'s
      "ready" is
  (c) b/a per run, median
  (d) diagnosis time inside the worker, median of 50, example and large inputs
  (e) dist/ gzip transfer size, peak JS heap and wasm memory
  (f) `roledoctor diagnose` on the example from the command line, wall time
  (g) the engine alone on CPython; `roledoctor check` on 500 .tf files
  (j) `roledoctor check` over the Terraform corpus (tests/fixtures/terraform,
      every module below it), and Checkov on the same directory when
      .cache/checkov-venv holds it (tests/corpus/measure.py makes it): the ratio

  (l) the page: 50 MB of authorization details opened as a file (read by the worker):
      seconds to the answer, the page thread's longest task, the worker's heap
  (n) the network profiles (tests/bench_network.py): bare Pyodide against the
      first verdict on loopback, 20 Mbit/s / 40 ms and 10 Mbit/s / 60 ms

Options: --runs N (default 7; the network part 5), --skip-browser,
--only network (the network part alone, a few minutes), --only page_evidence ((l) alone).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist"
EXAMPLE = ROOT / "examples" / "seed-cross-account"
ARTIFACTS = ROOT / "tests" / "artifacts"
sys.path.insert(0, str(ROOT / "tests"))

from toolvenv import usable  # noqa: E402

BARE = ROOT / "tests" / "bench_bare"  # the bare page: index.html, bare.mjs, bare-worker.mjs


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def bare_site(tmp: Path) -> Path:
    """The same Pyodide files as dist/, a lock file with no packages (one is
    required even when empty), and nothing of ours."""
    site = tmp / "bare"
    site.mkdir()
    os.symlink(DIST / "pyodide", site / "pyodide")
    lock = json.loads((DIST / "pyodide-lock.json").read_text())
    (site / "bare-lock.json").write_text(json.dumps({"info": lock["info"], "packages": {}}))
    for name in ("index.html", "bare.mjs", "bare-worker.mjs"):
        shutil.copy2(BARE / name, site / name)
    # serve.py sends the headers of a site's _headers file (else the page's own,
    # which require Trusted Types): the bare page gets the policy of its meta
    (site / "_headers").write_text("/*\n  Content-Security-Policy: default-src 'self'; script-src 'self' 'wasm-unsafe-eval'\n")
    return site


def browser_measures(runs: int, results: dict) -> None:
    from playwright.sync_api import sync_playwright

    from conftest import CHROMIUM_ARGS, SiteServer

    chromium = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        bare = SiteServer(bare_site(Path(tmp)))
        site = SiteServer(DIST)
        try:
            a = []
            for _ in range(runs):
                ctx = browser.new_context()
                page = ctx.new_page()
                t0 = time.perf_counter()
                page.goto(bare.url)
                page.wait_for_function("() => document.body.dataset.ready === 'yes'", timeout=120_000)
                a.append(time.perf_counter() - t0)
                ctx.close()
            cold, warm, heap = [], [], []
            for _ in range(runs):
                ctx = browser.new_context()
                page = ctx.new_page()
                cold.append(first_diagnosis(page, site.url))
                page.wait_for_timeout(300)
                warm.append(first_diagnosis(page, site.url))
                heap.append(memory(page))
                ctx.close()
            results["a_bare_pyodide_s"] = median(a)
            results["b_first_diagnosis_cold_s"] = median(cold)
            results["b_first_diagnosis_warm_s"] = median(warm)
            results["c_ratio_cold"] = median([c / b for c, b in zip(cold, a, strict=False)])
            results["c_ratio_warm"] = median([w / b for w, b in zip(warm, a, strict=False)])
            results["runs"] = {"bare": a, "cold": cold, "warm": warm}
            results["e_memory"] = heap[-1] if heap else {}
            ctx = browser.new_context()
            page = ctx.new_page()
            first_diagnosis(page, site.url)
            results["d_worker_diagnosis_ms"] = worker_timings(page)
            ctx.close()
        finally:
            bare.stop()
            site.stop()
            browser.close()


def first_diagnosis(page, url: str) -> float:
    """Seconds from navigation to the example's verdict in the Diagnosis region."""
    t0 = time.perf_counter()
    page.goto(url)
    page.get_by_role("button", name="Load example").click()
    page.wait_for_function(
        "() => document.querySelector('textarea[data-input=provider]').value.includes('assume_role')")
    page.get_by_role("button", name="Diagnose").click()
    # polled on every frame, as the bare page's "ready" is: a locator's wait
    # backs off to 500 ms between tries, which would time the polling
    page.wait_for_function(
        "() => document.querySelector('#diagnosis-body .verdict-word')?.textContent === 'Denied'",
        polling="raf", timeout=120_000)
    return time.perf_counter() - t0


def memory(page) -> dict:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    out = {"page_js_heap_mb": round(metrics.get("JSHeapUsedSize", 0) / 1e6, 1)}
    try:
        worker = page.evaluate("async () => (await import('./app.mjs')).call('memory', {})")
        out.update(worker)
    except Exception as err:  # the worker method may not exist in older builds
        out["worker"] = f"unavailable: {err}"
    return out


def example_inputs() -> dict:
    names = {"error": "error.txt", "provider": "provider.tf", "trust_policy": "trust-policy.json",
             "caller_policy": "caller-policy.json"}
    return {box: (EXAMPLE / f).read_text() for box, f in names.items()}


def large_cases() -> dict:
    """The example, then each box made large: a 1 MB main.tf with 2,000
    resources, a trust policy with 500 statements, a 5,000-line error log."""
    base = example_inputs()
    blocks = []
    for i in range(2000):
        if i % 4 == 0:
            blocks.append(f'resource "aws_iam_role" "r{i}" {{\n  name = "role-{i}"\n  assume_role_policy = jsonencode({{\n'
                          f'    Version = "2012-10-17"\n    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole",\n'
                          f'      Principal = {{ AWS = "arn:aws:iam::123456789012:role/r{i}" }} }}]\n  }})\n  tags = {{ team = "t{i}" }}\n}}\n')
        else:
            blocks.append(f'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "bucket-{i}-{"x" * 300}"\n'
                          f'  tags = {{ owner = "team-{i}", cost = "{i}" }}\n}}\n')
    main_tf = base["provider"] + "\n" + "\n".join(blocks)
    statements = ",\n".join(
        f'    {{"Sid": "S{i}", "Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::123456789012:role/r{i}"}}, '
        f'"Action": "sts:AssumeRole", "Condition": {{"StringEquals": {{"sts:ExternalId": "id-{i}"}}}}}}'
        for i in range(500))
    trust = '{\n  "Version": "2012-10-17",\n  "Statement": [\n' + statements + "\n  ]\n}\n"
    log = "\n".join(f"2026-11-28T10:{i // 60 % 60:02d}:{i % 60:02d}Z [DEBUG] provider: request {i} ok"
                     for i in range(4990)) + "\n" + base["error"]
    return {
        "example": base,
        "main_tf_1mb_2000_resources": {**base, "provider": main_tf},
        "trust_500_statements": {**base, "trust_policy": trust},
        "error_log_5000_lines": {**base, "error": log},
    }


def worker_timings(page) -> dict:
    out = {}
    for name, inputs in large_cases().items():
        repeat = 50 if name == "example" else 5
        try:
            out[name] = page.evaluate("async ([inputs, repeat]) => (await import('./app.mjs')).call('bench', {inputs, repeat})",
                                      [inputs, repeat])
        except Exception as err:
            out[name] = {"error": str(err)[:200]}
    return out


def dist_sizes(results: dict) -> None:
    """dist/'s own files (not their .br / .gz copies), and what a host sends of
    them: the .br copy where there is one, else the file; with and without the
    memory snapshot."""
    raw = sent = snapshot_sent = 0
    for p in DIST.rglob("*"):
        if not p.is_file() or (p.suffix in (".br", ".gz") and p.with_suffix("").is_file()):
            continue
        br = p.with_name(p.name + ".br")
        size = (br if br.exists() else p).stat().st_size
        raw += p.stat().st_size
        sent += size
        if p.name.startswith("snapshot."):
            snapshot_sent += size
    results["e_dist_mb"] = round(raw / 1e6, 2)
    results["e_dist_sent_mb"] = round(sent / 1e6, 2)
    results["e_dist_sent_without_snapshot_mb"] = round((sent - snapshot_sent) / 1e6, 2)


def cli_measures(results: dict) -> None:
    exe = shutil.which("roledoctor") or sys.executable
    args = [exe] if exe != sys.executable else [sys.executable, "-m", "roledoctor"]
    cmd = args + ["diagnose", "--format", "json", *[str(p) for p in sorted(EXAMPLE.iterdir())
                                                      if p.suffix in (".txt", ".tf", ".json") and p.name != "expected.json"]]
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
    results["f_cli_diagnose_s"] = median(times)
    results["f_cli_exit"] = proc.returncode

    from roledoctor.evaluation import Caller, Policies, Request, evaluate
    from roledoctor.policy import policy_from_obj

    trust = policy_from_obj(json.loads((EXAMPLE / "trust-policy.json").read_text()))
    caller = policy_from_obj(json.loads((EXAMPLE / "caller-policy.json").read_text()))
    req = Request(role_arn="arn:aws:iam::987654321098:role/terraform-deploy-role",
                  caller=Caller(arn="arn:aws:iam::123456789012:role/ci-runner"), external_id="acme-ci-7f3a")
    n = 2000
    t0 = time.perf_counter()
    for _ in range(n):
        evaluate(req, Policies(trust=trust, identity=[caller]))
    results["g_engine_cross_account_ms"] = round((time.perf_counter() - t0) / n * 1000, 4)

    from roledoctor.redaction import Redactor

    sys.path.insert(0, str(ROOT / "tests" / "unit" / "redaction"))
    from redaction_corpus import secret_samples

    text = "\n".join(s.text for s in secret_samples())
    filler = "2024-05-01T10:00:00Z INFO provider[\"registry.terraform.io/hashicorp/aws\"] plan ok, request id: a1b2\n"
    big = ((text + filler * 40) * 12)[:300_000]
    t0 = time.perf_counter()
    Redactor().redact(big)
    results["j_redact_300kb_s"] = round(time.perf_counter() - t0, 3)


# ---- (h) `roledoctor check` on a directory of 500 .tf files ----------------

_TF_RESOURCES = (
    'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "acme-{env}-logs-{i}"\n  tags = {{\n    Team = "{team}"\n    Env  = "{env}"\n  }}\n}}\n',
    'resource "aws_instance" "web{i}" {{\n  ami           = "ami-0{i:07d}"\n  instance_type = "t3.{size}"\n  subnet_id     = var.subnet_id\n  tags = {{ Name = "web-{i}" }}\n}}\n',
    'resource "aws_security_group" "sg{i}" {{\n  name   = "sg-{i}"\n  vpc_id = var.vpc_id\n  ingress {{\n    from_port   = 443\n    to_port     = 443\n    protocol    = "tcp"\n    cidr_blocks = ["10.{a}.0.0/16"]\n  }}\n}}\n',
    'resource "aws_lambda_function" "fn{i}" {{\n  function_name = "fn-{i}"\n  role          = aws_iam_role.r{i}.arn\n  handler       = "index.handler"\n  runtime       = "python3.12"\n  filename      = "fn.zip"\n}}\n',
    'data "aws_iam_policy_document" "d{i}" {{\n  statement {{\n    effect    = "Allow"\n    actions   = ["s3:GetObject", "s3:PutObject"]\n    resources = ["arn:aws:s3:::acme-{env}-logs-{i}/*"]\n  }}\n}}\n',
    'resource "aws_iam_policy" "p{i}" {{\n  name   = "p-{i}"\n  policy = jsonencode({{\n    Version = "2012-10-17"\n    Statement = [{{\n      Effect   = "Allow"\n      Action   = ["{action}"]\n      Resource = "{resource}"\n    }}]\n  }})\n}}\n',
    'resource "aws_iam_role" "r{i}" {{\n  name = "role-{i}"\n  max_session_duration = {maxs}\n  assume_role_policy = jsonencode({{\n    Version = "2012-10-17"\n    Statement = [{{\n      Effect    = "Allow"\n      Principal = {{ AWS = "{principal}" }}\n      Action    = "sts:AssumeRole"\n{condition}    }}]\n  }})\n}}\n',
    'resource "aws_iam_role_policy_attachment" "a{i}" {{\n  role       = aws_iam_role.r{i}.name\n  policy_arn = aws_iam_policy.p{i}.arn\n}}\n',
    'variable "v{i}" {{\n  type    = string\n  default = "{env}-{i}"\n}}\n',
    'locals {{\n  name_{i} = "${{var.v{i}}}-x"\n}}\n',
)
_TF_PROVIDER = ('provider "aws" {{\n  alias  = "a{i}"\n  region = "eu-west-1"\n  assume_role {{\n'
                '    role_arn     = "arn:aws:iam::{acct}:role/role-{target}"\n    session_name = "ci-{i}"\n'
                '{extra}  }}\n}}\n')


def generate_tf_dir(directory: Path, files: int = 500, seed: int = 20240601) -> None:
    """`files` .tf files of realistic mixed resources (some roles, policies, providers), seeded."""
    import random

    rng = random.Random(seed)
    for n in range(files):
        parts = []
        for k in range(rng.randint(2, 6)):
            i = n * 10 + k
            tmpl = rng.choice(_TF_RESOURCES)
            acct = rng.choice(["111111111111", "222222222222", "333333333333"])
            parts.append(tmpl.format(
                i=i, env=rng.choice(["dev", "prod", "stage"]), team=rng.choice(["data", "web", "ops"]),
                size=rng.choice(["micro", "small", "large"]), a=rng.randint(0, 255),
                action=rng.choice(["s3:GetObject", "sts:AssumeRole", "sts:*", "logs:PutLogEvents"]),
                resource=rng.choice(["*", f"arn:aws:iam::{acct}:role/role-{i}"]),
                maxs=rng.choice([3600, 7200, 43200]),
                principal=rng.choice([f"arn:aws:iam::{acct}:root", f"arn:aws:iam::{acct}:role/ci", "*"]),
                condition=rng.choice(["", '      Condition = { StringEquals = { "sts:ExternalId" = "ext-%d" } }\n' % i])))
        if n % 25 == 0:
            parts.append(_TF_PROVIDER.format(
                i=n, acct=rng.choice(["111111111111", "222222222222"]), target=n * 10 + rng.randint(0, 5),
                extra=rng.choice(["", '    external_id = "ext-%d"\n' % (n * 10), '    duration = "2h"\n'])))
        (directory / f"f{n:03d}.tf").write_text("\n".join(parts))


def check_measure(results: dict) -> None:
    """(h) `roledoctor check` on 500 generated .tf files in one directory, CPython wall time (median of 3)."""
    from roledoctor.check import check

    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        generate_tf_dir(d)
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            res = check([str(d)])
            times.append(time.perf_counter() - t0)
        results["h_check_500_files_s"] = median(times)
        results["h_check_500_files_findings"] = len(res.findings)
        exe = shutil.which("roledoctor")
        if exe:
            t0 = time.perf_counter()
            subprocess.run([exe, "check", str(d), "--format", "sarif", "-o", str(d / "out.sarif")],
                           capture_output=True, text=True)
            results["h_cli_check_500_files_s"] = time.perf_counter() - t0


# ---- (j) the real Terraform corpus, roledoctor and (when installed) Checkov ----

CORPUS = ROOT / "tests" / "fixtures" / "terraform"
CHECKOV = ROOT / ".cache" / "checkov-venv" / "bin" / "checkov"
CHECKOV_TRUST_CHECKS = "CKV_AWS_60,CKV_AWS_61,CKV_AWS_358,CKV_AWS_393"  # as tests/corpus/measure.py


def corpus_measure(results: dict) -> None:
    """(j) one `roledoctor check` process over the whole corpus, best of 3; Checkov
    (trust checks only) on the same directory when it is installed, and the ratio."""
    if not CORPUS.is_dir():
        return
    def best(cmd, env=None):
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, timeout=1800)
            times.append(time.perf_counter() - t0)
        return min(times), p

    t, p = best([sys.executable, "-m", "roledoctor", "check", str(CORPUS), "--format", "json"])
    results["j_check_corpus_files"] = sum(1 for _ in CORPUS.rglob("*.tf"))
    results["j_check_corpus_s"] = t
    if usable(CHECKOV):
        env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
               "LOG_LEVEL": "ERROR"}
        ct, _ = best([str(CHECKOV), "-d", str(CORPUS), "--framework", "terraform", "--check",
                      CHECKOV_TRUST_CHECKS, "--compact", "-o", "json", "--skip-download", "--quiet"], env)
        results["j_checkov_corpus_s"] = ct
        results["j_checkov_over_roledoctor"] = ct / t if t else 0.0


# ---- (i) input size: up to roledoctor.limits.MAX_INPUT_BYTES, 2 s per MB on CPython ----

def big_main_tf(size: int) -> str:
    """A main.tf of about `size` bytes: a provider with assume_role, then many
    resources, one in ten an IAM role or policy the reader has to parse."""
    head = ('provider "aws" {\n  region = "eu-west-1"\n  assume_role {\n'
            '    role_arn     = "arn:aws:iam::987654321098:role/terraform-deploy-role"\n'
            '    session_name = "ci"\n    external_id  = "acme-ci-7f3a"\n  }\n}\n\n')
    plain = ('resource "aws_s3_bucket" "b{i}" {{\n  bucket = "acme-logs-{i}"\n  tags = {{\n    team = "platform"\n'
             '    env  = "prod"\n  }}\n}}\n\n')
    iam = ('resource "aws_iam_role" "r{i}" {{\n  name = "svc-{i}"\n  assume_role_policy = jsonencode({{\n'
           '    Version = "2012-10-17"\n    Statement = [{{\n      Effect = "Allow"\n'
           '      Principal = {{ Service = "ec2.amazonaws.com" }}\n      Action = "sts:AssumeRole"\n    }}]\n  }})\n}}\n\n')
    parts, n, i = [head], len(head), 0
    while n < size:
        part = (iam if i % 10 == 0 else plain).format(i=i)
        parts.append(part)
        n += len(part)
        i += 1
    return "".join(parts)


def big_trust_policy(statements: int = 500) -> str:
    sts = [{"Sid": f"S{i}", "Effect": "Allow", "Action": "sts:AssumeRole",
            "Principal": {"AWS": f"arn:aws:iam::{100000000000 + i}:role/ci-{i}"},
            "Condition": {"StringEquals": {"sts:ExternalId": f"ext-{i}"}}} for i in range(statements)]
    return json.dumps({"Version": "2012-10-17", "Statement": sts}, indent=2)


def big_error_log(lines: int = 5000) -> str:
    body = ["2024-05-01T10:00:00.000Z [DEBUG] provider.terraform-provider-aws: HTTP Request Sent: "
            f"aws.operation=GetCallerIdentity http.request_id={i:08d}-0000-4000-8000-000000000000" for i in range(lines - 8)]
    tail = ["Error: Cannot assume IAM Role", "", "  with provider[\"registry.terraform.io/hashicorp/aws\"],",
            "  on main.tf line 1, in provider \"aws\":", "",
            "IAM Role (arn:aws:iam::987654321098:role/terraform-deploy-role) cannot be assumed.",
            "Error: operation error STS: AssumeRole, https response error StatusCode: 403, RequestID: 1, api error "
            "AccessDenied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: sts:AssumeRole on "
            "resource: arn:aws:iam::987654321098:role/terraform-deploy-role", ""]
    return "\n".join(body + tail)


def size_measure(results: dict) -> None:
    """(i) diagnose_for_page on generated inputs of 1 MB and 5 MB (the limit):
    seconds per MB, worst case written to results["i_diagnose_per_mb_s"]."""
    from roledoctor.pageapi.view import diagnose_for_page
    from roledoctor.inputs import errortext, hcl
    from roledoctor.limits import MAX_INPUT_BYTES

    diagnose_for_page({"provider": big_main_tf(2000)})  # parser tables, templates
    trust, log = big_trust_policy(500), big_error_log(5000)
    cases = {
        "trust_500_statements": {"trust_policy": trust},
        "error_5000_lines": {"error": log},
    }
    for mb in (1, 5):
        size = mb * 1_000_000 if mb * 1_000_000 <= MAX_INPUT_BYTES else MAX_INPUT_BYTES
        cases[f"main_tf_{mb}mb"] = {"provider": big_main_tf(size - 200)}
        cases[f"all_boxes_{mb}mb"] = {"provider": big_main_tf(size - len(trust) - len(log) - 200)
                                      if size > len(trust) + len(log) + 10_000 else big_main_tf(10_000),
                                      "trust_policy": trust, "error": log}
    detail = {}
    for name, boxes in cases.items():
        mb = sum(len(v.encode()) for v in boxes.values()) / 1e6
        errortext._PARSED.clear()  # a fresh paste: nothing parsed before
        hcl._PARSED.clear()
        t0 = time.perf_counter()
        out = diagnose_for_page(boxes)
        took = time.perf_counter() - t0
        problems = [p["message"] for i in out["inputs"] for p in i["problems"]]
        detail[name] = {"mb": round(mb, 2), "s": round(took, 2), "s_per_mb": round(took / mb, 2),
                        "verdict": out["verdict_word"], "problems": problems[:2]}
    results["i_size"] = detail
    results["i_diagnose_per_mb_s"] = max(d["s_per_mb"] for d in detail.values())
    results["i_diagnose_1mb_s"] = detail["all_boxes_1mb"]["s"]
    results["i_diagnose_5mb_s"] = detail["all_boxes_5mb"]["s"]


def big_authorization_details(size: int, acct: str = "111111111111") -> str:
    """`aws iam get-account-authorization-details` output of about `size` bytes: users in groups,
    roles with trusts, managed policies with several versions (the CLI's indent of 4), in the
    shape https://docs.aws.amazon.com/cli/latest/reference/iam/get-account-authorization-details.html shows."""
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
                                                  "Resource": "arn:aws:s3:::bucket-name/prefix/*"}] * 3}
    def user(i):
        return {"Path": "/", "UserName": f"user-{i}", "UserId": f"AIDA{i:016d}", "Arn": f"arn:aws:iam::{acct}:user/user-{i}",
                "CreateDate": "2023-01-09T11:02:41Z", "GroupList": [f"group-{i % 50}"],
                "UserPolicyList": [{"PolicyName": "inline", "PolicyDocument": doc}],
                "AttachedManagedPolicies": [{"PolicyName": f"policy-{i % 200}",
                                             "PolicyArn": f"arn:aws:iam::{acct}:policy/policy-{i % 200}"}]}
    def role(i):
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{acct}:user/user-{i}"},
                                                        "Action": "sts:AssumeRole"}]}
        return {"Path": "/", "RoleName": f"role-{i}", "RoleId": f"AROA{i:016d}", "Arn": f"arn:aws:iam::{acct}:role/role-{i}",
                "CreateDate": "2023-01-09T11:05:00Z", "AssumeRolePolicyDocument": trust, "InstanceProfileList": [],
                "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": doc}], "AttachedManagedPolicies": [],
                "MaxSessionDuration": 3600}
    def policy(i):
        return {"PolicyName": f"policy-{i}", "PolicyId": f"ANPA{i:016d}", "Arn": f"arn:aws:iam::{acct}:policy/policy-{i}",
                "Path": "/", "DefaultVersionId": "v5", "AttachmentCount": 1, "IsAttachable": True,
                "PolicyVersionList": [{"Document": doc, "VersionId": f"v{v}", "IsDefaultVersion": v == 5,
                                       "CreateDate": "2024-01-01T00:00:00Z"} for v in range(1, 6)]}
    unit = len(json.dumps(user(0), indent=4)) + len(json.dumps(role(0), indent=4))
    n = max(1, size // (unit + 600))
    out = {"UserDetailList": [user(i) for i in range(n)],
           "GroupDetailList": [{"Path": "/", "GroupName": f"group-{g}", "GroupId": f"AGPA{g:016d}",
                                "Arn": f"arn:aws:iam::{acct}:group/group-{g}", "GroupPolicyList": [],
                                "AttachedManagedPolicies": []} for g in range(50)],
           "RoleDetailList": [role(i) for i in range(n)],
           "Policies": [policy(i) for i in range(200)]}
    return json.dumps(out, indent=4)


def evidence_measure(results: dict) -> None:
    """(k) `roledoctor diagnose` on 100 MB of authorization details given as a file (the 5 MB
    limit stays for pasted text): seconds, and the verdict it reaches from that file alone."""
    import contextlib
    import io
    import tempfile
    from roledoctor.cli import main as cli_main
    with tempfile.TemporaryDirectory() as tmp:
        auth = Path(tmp) / "authorization-details.json"
        text = big_authorization_details(100_000_000)
        auth.write_text(text)
        n = text.count('"RoleName"') // 2
        err = Path(tmp) / "error.txt"
        err.write_text(f"api error AccessDenied: User: arn:aws:iam::111111111111:user/user-{n - 1} is not authorized to "
                       f"perform: sts:AssumeRole on resource: arn:aws:iam::111111111111:role/role-{n - 2}\n")
        out = io.StringIO()
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            rc = cli_main(["diagnose", str(err), str(auth), "--format", "json"])
        took = time.perf_counter() - t0
    obj = json.loads(out.getvalue())
    results["k_authorization_details_mb"] = round(len(text) / 1e6, 1)
    results["k_authorization_details_diagnose_s"] = round(took, 2)
    results["k_authorization_details"] = {"exit": rc, "verdict": obj["verdict"],
                                          "blockers": [f["code"] for f in obj["findings"] if f["kind"] == "blocker"]}


def page_evidence_measure(results: dict, size: int = 50_000_000) -> None:
    """(l) the page: 50 MB of authorization details opened as a file (over the 5 MB of a box,
    read by the worker): seconds from choosing the file to the diagnosis that uses it, the
    longest task of the page's thread meanwhile (a long-task observer), the worker's heap."""
    from playwright.sync_api import sync_playwright

    from conftest import CHROMIUM_ARGS, SiteServer
    from helpers import wait_ready

    text = big_authorization_details(size)
    n = text.count('"RoleName"') // 2
    error = (f"api error AccessDenied: User: arn:aws:iam::111111111111:user/user-{n - 1} is not authorized to "
             f"perform: sts:AssumeRole on resource: arn:aws:iam::111111111111:role/role-{n - 2}\n")
    chromium = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        path = Path(tmp) / "authorization-details.json"
        path.write_text(text)
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        site = SiteServer(DIST)
        try:
            page = browser.new_context().new_page()
            page.goto(site.url)
            wait_ready(page)
            page.get_by_label("Error output", exact=True).fill(error)
            page.locator("#diagnosis-body .verdict-word").first.wait_for(timeout=120_000)
            page.wait_for_function("() => !document.querySelector('#diagnosis-body').hasAttribute('aria-busy')")
            page.evaluate("""() => { window.__longest = 0; new PerformanceObserver((l) => { for (const e of
              l.getEntries()) window.__longest = Math.max(window.__longest, e.duration); }).observe({ type: "longtask" }); }""")
            with page.expect_file_chooser() as fc:
                page.get_by_role("button", name="Open files").click()
            t0 = time.perf_counter()
            fc.value.set_files(str(path))
            page.wait_for_function("() => document.querySelector('.held-file[data-input]') || "
                                   "/not read/.test(document.querySelector('#route-status').textContent)",
                                   polling="raf", timeout=600_000)
            held_s = time.perf_counter() - t0
            if not page.locator(".held-file[data-input]").count():
                results["l_page_evidence"] = {"error": page.locator("#route-status").inner_text()[:300]}
                return
            page.wait_for_function(
                "() => !document.querySelector('#diagnosis-body').hasAttribute('aria-busy') && "
                "document.querySelector('.held-file .held-facts')?.textContent.startsWith('Recognised')",
                polling="raf", timeout=600_000)
            took = time.perf_counter() - t0
            verdict = page.locator("#diagnosis-body .verdict-word").first.inner_text()
            longest = page.evaluate("() => window.__longest")
            heap = page.evaluate("async () => (await import('./app.mjs')).call('memory', {})")
        finally:
            site.stop()
            browser.close()
    results["l_page_evidence_mb"] = round(len(text) / 1e6, 1)
    results["l_page_evidence_held_s"] = round(held_s, 2)
    results["l_page_evidence_answer_s"] = round(took, 2)
    results["l_page_evidence_longest_task_ms"] = round(longest)
    results["l_page_evidence"] = {"verdict": verdict, **heap, "load_average": [round(x, 2) for x in os.getloadavg()]}


def print_table(results: dict) -> None:
    rows = [(k, v) for k, v in results.items() if not isinstance(v, (dict, list))]
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"  {k.ljust(width)}  {v:.3f}" if isinstance(v, float) else f"  {k.ljust(width)}  {v}")
    for k, v in results.items():
        if isinstance(v, dict) and k != "network":
            print(f"  {k}: {json.dumps(v)}")


# the parts `--only` runs alone (network has its own runs count)
ONLY = {"network": None, "page_evidence": page_evidence_measure, "check": check_measure,
        "corpus": corpus_measure, "evidence": evidence_measure}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--network-runs", type=int, default=5)
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--only", choices=sorted(ONLY), help="run only this part")
    args = parser.parse_args()
    from bench_network import network_measures, print_network_table

    results: dict = {}
    dist_sizes(results)
    if args.only == "network":
        network_measures(args.network_runs, results)
        return write_results(results, print_network_table)
    if args.only:
        ONLY[args.only](results)
        return write_results(results, print_network_table)
    cli_measures(results)
    check_measure(results)
    corpus_measure(results)
    size_measure(results)
    evidence_measure(results)
    if not args.skip_browser:
        browser_measures(args.runs, results)
        page_evidence_measure(results)
        network_measures(args.network_runs, results)
    return write_results(results, print_network_table)


def write_results(results: dict, network_table) -> int:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "bench.json").write_text(json.dumps(results, indent=2))
    print("roledoctor bench (seconds unless named otherwise):")
    print_table(results)
    network_table(results)
    print(f"  written: {ARTIFACTS / 'bench.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
