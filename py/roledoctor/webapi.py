"""The page's entry points: the web worker calls `handle(method, args_json)`
and gets JSON back. Kept thin: every real step lives in the core modules.
"""

from __future__ import annotations

import json
import os
import sys

from roledoctor import __version__


def build_caches(directory: str) -> list[str]:
    """At build time, inside Pyodide: write the parser caches the page
    pre-seeds (lark's LALR tables), return their file names."""
    os.makedirs(directory, exist_ok=True)
    from roledoctor.inputs import hcl

    name = os.path.basename(hcl.LARK_CACHE)
    hcl.build_lark_cache(os.path.join(directory, name))
    return [name]


def cache_target(name: str) -> str:
    """Where the worker must write a pre-built cache file before first use."""
    from roledoctor.inputs import hcl

    if name == os.path.basename(hcl.LARK_CACHE):
        return hcl.LARK_CACHE
    raise ValueError(f"unknown cache file {name}")


def warm_up() -> None:
    """Import and exercise what the first answer needs, while the user reads."""
    from roledoctor.inputs import hcl

    hcl.parse_hcl('provider "aws" {\n  region = "us-east-1"\n}\n', "warmup")


def _summary(args: dict) -> dict:
    from roledoctor.inputs import read_all

    inputs = read_all(args.get("inputs", {}))
    return {"inputs": inputs.summary()}


def _about(args: dict) -> dict:
    return {"version": __version__, "python": sys.version.split()[0]}


METHODS = {
    "about": _about,
    "summary": _summary,
}


def handle(method: str, args_json: str = "{}") -> str:
    """Run one request; errors come back as {"error": "..."} (never a traceback)."""
    if method not in METHODS:
        return json.dumps({"ok": False, "error": f"unknown method {method!r}"})
    try:
        result = METHODS[method](json.loads(args_json or "{}"))
        return json.dumps({"ok": True, "result": result})
    except Exception as err:  # the page shows one line, never a traceback
        return json.dumps({"ok": False, "error": f"{type(err).__name__}: {err}"})
