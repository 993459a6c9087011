"""First visit over a throttled link: bare Pyodide boot against roledoctor's
first verdict, both from the same dist/, served as a static host serves it
(web/serve.py: precompressed `.br` / `.gz` siblings with Content-Encoding),
in Chromium with DevTools network emulation
(https://chromedevtools.github.io/devtools-protocol/tot/Network/#method-emulateNetworkConditions).

Each run uses a fresh browser context (empty HTTP cache, no service worker);
the bare boot and the first verdict run as pairs, one after the other, and the
ratio is the median of the pairs' ratios. Bytes on the wire are counted by
the server (headers and bodies) until the moment measured.

Run alone: `python build.py bench --only network [--runs 5]`.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

# name -> (download Mbit/s, round-trip latency ms); None: no emulation
PROFILES: dict[str, tuple[float, float] | None] = {
    "loopback": None,
    "20mbit_40ms": (20.0, 40.0),
    "10mbit_60ms": (10.0, 60.0),
}


class _CountingWriter:
    """The handler's socket writer, adding what it writes to the server's count."""

    def __init__(self, inner: Any, counter: "ByteCounter", handler: Any) -> None:
        self._inner = inner
        self._counter = counter
        self._handler = handler

    def write(self, data: bytes) -> int:
        n = self._inner.write(data)
        self._counter.add(len(data), getattr(self._handler, "path", "?"))
        return n

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class ByteCounter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.sent = 0
        self.paths: list[str] = []
        self.by_path: dict[str, int] = {}

    def add(self, n: int, path: str) -> None:
        with self._lock:
            self.sent += n
            path = path.split("?")[0]
            self.by_path[path] = self.by_path.get(path, 0) + n

    def reset(self) -> None:
        with self._lock:
            self.sent = 0
            self.paths = []
            self.by_path = {}

    def files(self) -> dict[str, int]:
        """Bytes sent per path (headers and body), largest first."""
        with self._lock:
            return dict(sorted(self.by_path.items(), key=lambda kv: -kv[1]))


class CountingSite:
    """A directory served by web/serve.py on 127.0.0.1, counting the bytes it sends."""

    def __init__(self, directory: Path) -> None:
        from conftest import load_server_module

        serve = load_server_module()
        self.counter = counter = ByteCounter()

        class Counting(serve.Handler):  # type: ignore[name-defined,misc]
            site_headers = serve.headers_for(directory)

            def setup(self) -> None:
                super().setup()
                self.wfile = _CountingWriter(self.wfile, counter, self)

            def send_head(self):  # type: ignore[no-untyped-def]
                counter.paths.append(self.path)
                return super().send_head()

        import functools

        self.server = serve.Server(("127.0.0.1", 0), functools.partial(Counting, directory=str(directory)))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _throttle(page: Any, profile: tuple[float, float] | None) -> None:
    if profile is None:
        return
    mbit, latency = profile
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": latency,
        "downloadThroughput": mbit * 1e6 / 8, "uploadThroughput": mbit * 1e6 / 8,
    })


def _bare_once(browser: Any, site: CountingSite,
               profile: tuple[float, float] | None) -> tuple[float, int, dict[str, int]]:
    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        _throttle(page, profile)
        site.counter.reset()
        t0 = time.perf_counter()
        page.goto(site.url)
        page.wait_for_function("() => document.body.dataset.ready === 'yes'", polling="raf", timeout=300_000)
        took = time.perf_counter() - t0
        return took, site.counter.sent, site.counter.files()
    finally:
        ctx.close()


def _verdict_once(browser: Any, site: CountingSite, profile: tuple[float, float] | None,
                  second_visit: bool) -> tuple[float, int, float | None, str, dict[str, int]]:
    from bench import first_diagnosis

    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        _throttle(page, profile)
        site.counter.reset()
        took = first_diagnosis(page, site.url)
        sent, files = site.counter.sent, site.counter.files()
        if os.environ.get("BENCH_PATHS"):
            print("   ", sent, site.counter.paths, flush=True)
        mode = page.evaluate("() => document.body.dataset.boot || ''")
        warm = None
        if second_visit:
            page.wait_for_timeout(300)
            warm = first_diagnosis(page, site.url)
        return took, sent, warm, mode, files
    finally:
        ctx.close()


def network_measures(runs: int, results: dict[str, Any]) -> None:
    from playwright.sync_api import sync_playwright

    from bench import DIST, bare_site
    from conftest import CHROMIUM_ARGS

    chromium = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        bare = CountingSite(bare_site(Path(tmp)))
        site = CountingSite(DIST)
        try:
            for name, profile in PROFILES.items():
                bare_s, bare_b, cold_s, cold_b, warm_s, modes = [], [], [], [], [], []
                for _ in range(runs):
                    s, b, bare_files = _bare_once(browser, bare, profile)
                    bare_s.append(s)
                    bare_b.append(b)
                    s, b, w, mode, verdict_files = _verdict_once(browser, site, profile,
                                                                 second_visit=profile is None)
                    cold_s.append(s)
                    cold_b.append(b)
                    modes.append(mode)
                    if w is not None:
                        warm_s.append(w)
                row = {
                    "bare_boot_s": round(statistics.median(bare_s), 3),
                    "first_verdict_s": round(statistics.median(cold_s), 3),
                    "ratio": round(statistics.median([c / b for c, b in zip(cold_s, bare_s, strict=False)]), 3),
                    "bare_bytes": int(statistics.median(bare_b)),
                    "verdict_bytes": int(statistics.median(cold_b)),
                    "boot_modes": sorted(set(modes)),
                    # bytes per file of the last pair (the same in every run)
                    "bare_files": bare_files,
                    "verdict_files": verdict_files,
                    "runs": {"bare_s": bare_s, "first_verdict_s": cold_s, "bare_bytes": bare_b,
                             "verdict_bytes": cold_b},
                }
                if warm_s:
                    row["second_visit_s"] = round(statistics.median(warm_s), 3)
                    row["runs"]["second_visit_s"] = warm_s
                out[name] = row
                print(f"  {name}: {format_row(name, row)}", flush=True)
        finally:
            bare.stop()
            site.stop()
            browser.close()
    results["network"] = out
    results["network_load_average"] = os.getloadavg()
    results["snapshot_restore"] = restore_measure(DIST, runs)
    print(f"  snapshot start in Node (CPU, no network): {results['snapshot_restore']}", flush=True)


def restore_measure(dist: Path, runs: int) -> dict[str, Any]:
    """Medians of the restore and of the first answer, from the snapshot in
    Node (tests/bench_restore.mjs), with the load average of the machine."""
    import json
    import subprocess

    tool = Path(__file__).with_name("bench_restore.mjs")
    rows = []
    for _ in range(runs):
        proc = subprocess.run(["node", str(tool), str(dist)], capture_output=True, text=True, timeout=300)
        if proc.returncode != 0:
            return {"error": proc.stderr.strip().splitlines()[-1:]}
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return {"restore_ms": statistics.median(r["restore_ms"] for r in rows),
            "first_answer_ms": statistics.median(r["first_answer_ms"] for r in rows),
            "imported_from_files": sorted({r["imported_from_files"] for r in rows} - {""}),
            "load_average": [round(x, 2) for x in os.getloadavg()], "runs": rows}


def format_row(name: str, row: dict[str, Any]) -> str:
    text = (f"bare {row['bare_boot_s']:.2f} s ({row['bare_bytes'] / 1e6:.2f} MB), "
            f"first verdict {row['first_verdict_s']:.2f} s ({row['verdict_bytes'] / 1e6:.2f} MB), "
            f"ratio {row['ratio']:.2f}")
    if "second_visit_s" in row:
        text += f", second visit {row['second_visit_s']:.2f} s"
    return text


def print_network_table(results: dict[str, Any]) -> None:
    rows = results.get("network") or {}
    if not rows:
        return
    print("  | profile | bare boot | first verdict | ratio | bytes bare | bytes first verdict |")
    print("  |---|---|---|---|---|---|")
    for name, r in rows.items():
        print(f"  | {name} | {r['bare_boot_s']:.2f} s | {r['first_verdict_s']:.2f} s | {r['ratio']:.2f} | "
              f"{r['bare_bytes'] / 1e6:.2f} MB | {r['verdict_bytes'] / 1e6:.2f} MB |")
    first = next(iter(rows.values()))
    for label, key in (("bare boot", "bare_files"), ("first verdict", "verdict_files")):
        big = {path: n for path, n in first.get(key, {}).items() if n >= 10_000}
        print(f"  bytes on the wire, {label}: " + ", ".join(f"{p} {n / 1e6:.3f} MB" for p, n in big.items()))
