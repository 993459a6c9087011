"""The parser tables (lark's LALR tables, a pickle): built at build time inside
Pyodide, installed at start-up after the worker checked their sha256; and the
warming that runs while the user reads."""

from __future__ import annotations

import os
from typing import Any


def build_caches(directory: str) -> list[str]:
    """At build time, inside Pyodide: write the parser caches the page
    pre-seeds (lark's LALR tables), return their file names. The build lists
    each with its sha256 in cache/manifest.json; the worker checks it."""
    os.makedirs(directory, exist_ok=True)
    from roledoctor.inputs import hcl

    with open(os.path.join(directory, hcl.CACHE_NAME), "wb") as f:
        f.write(hcl.fresh_tables())
    return [hcl.CACHE_NAME]


def install_cache(name: str, data: Any) -> bool:
    """The worker hands over a cache file it fetched and checked against the
    manifest's sha256; never read from a shared place (it is a pickle)."""
    from roledoctor.inputs import hcl

    if name != hcl.CACHE_NAME:
        raise ValueError(f"unknown cache file {name}")
    raw = data.to_bytes() if hasattr(data, "to_bytes") else bytes(data)  # a JsProxy of a Uint8Array
    return hcl.install_tables(raw)


def warm_up() -> None:
    """Import and exercise what the first answer needs, while the user reads."""
    from roledoctor import warm

    warm.prepare()
