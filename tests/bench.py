#!/usr/bin/env python3
"""Speed measurements for roledoctor. Run through `python build.py bench`
(it builds dist/ first). Prints a table and writes tests/artifacts/bench.json.

  (a) bare Pyodide: a minimal page that boots the same Pyodide, no packages
  (b) navigation to the first diagnosis of the example, cold and warm
  (c) b/a per run, median
  (d) diagnosis time inside the worker, median of 50, example and large inputs
  (e) dist/ gzip transfer size, peak JS heap and wasm memory
  (f) `roledoctor diagnose` on the example from the command line, wall time
  (g) the engine alone on CPython; `roledoctor check` on 500 .tf files

Options: --runs N (default 5), --skip-browser.
"""

from __future__ import annotations

import argparse
import gzip
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
EXAMPLE = ROOT.parent / "shared" / "examples" / "seed-cross-account"
ARTIFACTS = ROOT / "tests" / "artifacts"
sys.path.insert(0, str(ROOT / "tests"))

BARE_HTML = """<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'wasm-unsafe-eval'">
<title>bare</title><script type="module" src="bare.mjs"></script></head><body>booting</body></html>"""
BARE_MJS = """const w = new Worker(new URL("./bare-worker.mjs", import.meta.url), { type: "module" });
w.onmessage = ({ data }) => { document.body.dataset.ready = data; };"""
BARE_WORKER = """import { loadPyodide } from "./pyodide/pyodide.mjs";
const py = await loadPyodide({ indexURL: new URL("./pyodide/", import.meta.url).href,
                               lockFileURL: new URL("./bare-lock.json", import.meta.url).href });
self.postMessage(py.runPython("1 + 1") === 2 ? "yes" : "no");"""


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
    (site / "index.html").write_text(BARE_HTML)
    (site / "bare.mjs").write_text(BARE_MJS)
    (site / "bare-worker.mjs").write_text(BARE_WORKER)
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
            results["c_ratio_cold"] = median([c / b for c, b in zip(cold, a)])
            results["c_ratio_warm"] = median([w / b for w, b in zip(warm, a)])
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
    page.get_by_role("region", name="Diagnosis").get_by_text("Denied").first.wait_for(timeout=120_000)
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


def worker_timings(page) -> dict:
    try:
        return page.evaluate("async () => (await import('./app.mjs')).call('bench', {repeat: 50})")
    except Exception as err:
        return {"error": str(err)}


def dist_sizes(results: dict) -> None:
    raw = gz = 0
    for p in DIST.rglob("*"):
        if p.is_file():
            data = p.read_bytes()
            raw += len(data)
            gz += len(gzip.compress(data, 6))
    results["e_dist_mb"] = round(raw / 1e6, 2)
    results["e_dist_gzip_mb"] = round(gz / 1e6, 2)


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


def print_table(results: dict) -> None:
    rows = [(k, v) for k, v in results.items() if not isinstance(v, (dict, list))]
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"  {k.ljust(width)}  {v:.3f}" if isinstance(v, float) else f"  {k.ljust(width)}  {v}")
    for k, v in results.items():
        if isinstance(v, dict):
            print(f"  {k}: {json.dumps(v)}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-browser", action="store_true")
    args = parser.parse_args()
    results: dict = {}
    dist_sizes(results)
    cli_measures(results)
    if not args.skip_browser:
        browser_measures(args.runs, results)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "bench.json").write_text(json.dumps(results, indent=2))
    print("roledoctor bench (seconds unless named otherwise):")
    print_table(results)
    print(f"  written: {ARTIFACTS / 'bench.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
