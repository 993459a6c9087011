"""Plain helpers for the browser tests (fixtures are in conftest.py)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "seed-cross-account"  # the page's "Load example"
ARTIFACTS = ROOT / "tests" / "artifacts"  # screenshots and reports written by test runs


class Egress:
    """Records every request of a browser context (page, workers, service
    worker) and blocks any that would leave the site's origin."""

    def __init__(self, context, base_url: str):
        self.origin = urlparse(base_url).netloc
        self.seen: list[str] = []
        self.blocked: list[str] = []
        context.on("request", lambda r: self.seen.append(r.url))
        context.route("**/*", self._guard)

    def _guard(self, route):
        u = urlparse(route.request.url)
        if u.scheme in ("http", "https", "ws", "wss") and u.netloc != self.origin:
            self.blocked.append(route.request.url)
            return route.abort("blockedbyclient")
        return route.continue_()

    def foreign(self) -> list[str]:
        return self.blocked + [u for u in self.seen
                               if urlparse(u).scheme in ("http", "https") and urlparse(u).netloc != self.origin]


def wait_ready(page, timeout: int = 120_000):
    """The engine is loaded (the worker posted its last progress stage)."""
    page.wait_for_function("() => document.body.classList.contains('engine-ready')", timeout=timeout)


def save_screenshot(page, name: str):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
