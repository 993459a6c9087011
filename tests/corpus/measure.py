#!/usr/bin/env python3
"""Numbers on the Terraform corpus (tests/fixtures/terraform): its size, what
roledoctor gets wrong today against HashiCorp's HCL parser and the reviewed
expectations, and how long `roledoctor check` takes next to Checkov.

    .venv/bin/python tests/corpus/measure.py [--runs N] [--no-checkov]

Checkov 3.3.30 runs from its own venv, .cache/checkov-venv (created here when
absent, as tests/scenarios/test_checkov.py does), restricted to IAM checks.
Both tools are run once per repository directory, as a CI job would; the
times are wall-clock seconds of whole processes (start-up included), the best
of --runs. Prints numbers only; asserts nothing.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/, for `corpus.harness`
sys.path.insert(0, str(HERE.parents[1] / "py"))

from corpus import harness as H  # noqa: E402
from toolvenv import tool_exe  # noqa: E402

CHECKOV_VERSION = "3.3.30"
CHECKOV_VENV = H.ROOT / ".cache" / "checkov-venv"
# Trust policies (60, 61), GitHub OIDC subjects (358 on policy documents, 393 on roles) and the IAM
# identity-policy checks Checkov runs on aws_iam_policy_document / aws_iam_policy / role inline policies.
CHECKS_TRUST = "CKV_AWS_60,CKV_AWS_61,CKV_AWS_358,CKV_AWS_393"
CHECKS_IAM = CHECKS_TRUST + ",CKV_AWS_62,CKV_AWS_63,CKV_AWS_274,CKV_AWS_286,CKV_AWS_287,CKV_AWS_288," \
                            "CKV_AWS_289,CKV_AWS_290,CKV_AWS_355,CKV_AWS_356,CKV_AWS_40,CKV_AWS_49,CKV_AWS_107," \
                            "CKV_AWS_108,CKV_AWS_109,CKV_AWS_110,CKV_AWS_111"


def checkov_exe() -> Path:
    return tool_exe(CHECKOV_VENV, f"checkov=={CHECKOV_VERSION}", "checkov")



def timed(cmd: list[str], env=None) -> tuple[float, subprocess.CompletedProcess]:
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=H.ROOT, env=env, timeout=1800)
    return time.perf_counter() - t, p


def best(runs: int, cmd: list[str], env=None) -> tuple[float, subprocess.CompletedProcess]:
    out = [timed(cmd, env) for _ in range(runs)]
    return min(t for t, _ in out), out[-1][1]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--no-checkov", action="store_true")
    args = ap.parse_args()

    repos, files = H.repos(), H.corpus_files()
    print(f"repositories: {len(repos)}")
    print(f".tf files: {len(files)}")
    print(f".tf files read by roledoctor check: {sum(len(H.roledoctor_read(r).files) for r in repos)}")

    # ---------------------------------------------------------- parse differential
    ref = H.hcl2json_all()
    accepted = [f for f in files if ref[f]["ok"]]
    print(f"hcl2json accepts: {len(accepted)} / {len(files)}")
    rejected = [f for f in accepted if not H.roledoctor_verdict(f)[0]]
    print(f"false INPUT_UNPARSEABLE (files hcl2json accepts, roledoctor rejects): {len(rejected)}")
    gaps = H.load_known_gaps()
    causes = collections.Counter(gaps.get(("parse", f), "unexplained").split(":")[0].split(" (")[0][:90]
                                 for f in rejected)
    for cause, n in causes.most_common():
        print(f"  {n:4d}  {cause}")

    # ---------------------------------------------------------- values
    both = [f for f in accepted if H.roledoctor_verdict(f)[0]]
    compared, differing, causes = collections.Counter(), 0, collections.Counter()
    for f in both:
        d, c = H.value_differences(f)
        compared.update(c)
        if d:
            differing += 1
            reason = gaps.get(("values", f), "unexplained")
            for part in reason.split(" AND "):
                causes[part.split(":")[0].split(" (")[0][:90]] += 1
    print(f"values compared: {sum(compared.values())} ({compared['hop']} provider assume_role arguments, "
          f"{compared['trust']} aws_iam_role trust policies, {compared['document']} aws_iam_policy_documents)")
    print(f"files whose values differ from hcl2json's: {differing}")
    for cause, n in causes.most_common():
        print(f"  {n:4d}  {cause}")

    # ---------------------------------------------------------- findings vs expected.json
    expected = json.loads(H.EXPECTED.read_text())["repositories"]
    codes = collections.Counter()
    false_files = collections.defaultdict(set)
    false_findings = collections.Counter()
    expected_hit = expected_total = 0
    for repo in repos:
        found = H.check_findings(repo)
        codes.update(f["code"] for f in found)
        absent = {(e["code"], e["file"]) for e in expected[repo]["absent"]}
        for f in found:
            if (f["code"], f["file"]) in absent or (f["code"], "*") in absent:
                false_findings[f["code"]] += 1
                false_files[f["code"]].add(f"{repo}/{f['file']}")
        for e in expected[repo]["expect"]:
            expected_total += 1
            expected_hit += any(f["code"] == e["code"] and f["file"] == e["file"] for f in found)
    print(f"roledoctor check findings: {sum(codes.values())} {dict(sorted(codes.items()))}")
    for code in ("INPUT_UNPARSEABLE", "POLICY_INVALID"):
        print(f"false {code}: {false_findings[code]} findings in {len(false_files[code])} files (all in files hcl2json accepts)")
    other = {c: n for c, n in false_findings.items() if c not in ("INPUT_UNPARSEABLE", "POLICY_INVALID")}
    print(f"other false findings: {sum(other.values())} {dict(sorted(other.items()))}")
    print(f"expected findings reported: {expected_hit} / {expected_total}")

    # ---------------------------------------------------------- speed
    # Per repository the tools run back to back, so that load from elsewhere on the machine falls on
    # both alike; totals are sums over the repositories.
    rd = [sys.executable, "-m", "roledoctor", "check"]
    configs = [] if args.no_checkov else [("trust checks " + CHECKS_TRUST, CHECKS_TRUST),
                                          ("IAM checks " + CHECKS_IAM, CHECKS_IAM)]
    exe = None if args.no_checkov else checkov_exe()
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
           "LOG_LEVEL": "ERROR"}
    rd_total = 0.0
    ck_total = collections.Counter()
    failed = {label: collections.Counter() for label, _ in configs}
    trust_failures = set()
    for repo in repos:
        t, p = best(args.runs, rd + [str(H.CORPUS / repo), "-r", "--format", "json"])
        if p.returncode not in (0, 1):
            print(f"roledoctor check failed on {repo}: {p.stderr[-500:]}")
        rd_total += t
        for label, checks in configs:
            t, p = best(args.runs, [str(exe), "-d", str(H.CORPUS / repo), "--framework", "terraform", "--check",
                                    checks, "--compact", "-o", "json", "--skip-download", "--quiet"], env)
            ck_total[label] += t
            try:
                report = json.loads(p.stdout)
            except ValueError:
                print(f"checkov printed no JSON on {repo} (exit {p.returncode}): {p.stderr[-300:]}")
                continue
            for r in report if isinstance(report, list) else [report]:
                for c in r.get("results", {}).get("failed_checks", []):
                    failed[label][c["check_id"]] += 1
                    if c["check_id"] in CHECKS_TRUST.split(","):
                        trust_failures.add(f"{c['check_id']} {repo}{c['file_path']} {c['resource']}")
    print(f"roledoctor check, one process per repository: {rd_total:.2f} s total "
          f"({rd_total / len(repos):.2f} s per repository)")
    t, _ = best(args.runs, rd + [str(H.CORPUS), "-r", "--format", "json"])
    print(f"roledoctor check, one process over the whole corpus: {t:.2f} s")
    if configs:
        version = subprocess.run([str(exe), "--version"], capture_output=True, text=True).stdout.strip()
        for label, _ in configs:
            total = ck_total[label]
            print(f"checkov {version}, {label}, one process per repository: {total:.2f} s total "
                  f"({total / len(repos):.2f} s per repository, {total / rd_total:.1f}x roledoctor's time); "
                  f"failed checks {dict(sorted(failed[label].items()))}")
        for line in sorted(trust_failures):
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
