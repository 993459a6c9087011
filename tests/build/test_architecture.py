"""The import layering that ARCHITECTURE.md states: lower layers never import higher ones."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[2] / "py" / "roledoctor"
TOP = "roledoctor"  # `from roledoctor import __version__`

# unit -> units it may import (a unit is a subpackage or a top-level module)
ALLOWED = {
    "source": set(),
    "limits": set(),
    "privatefile": set(),
    "policy": {"source"},
    "evaluation": {"policy", "source"},
    "inputs": {"policy", "source", "limits", "privatefile", TOP},
    "redaction": {"limits"},
    "findings": {"render", TOP},
    "render": {"findings", "redaction", TOP},
    "fixes": {"source", "policy", "inputs", "evaluation"},
    "diagnosis": {"evaluation", "inputs", "findings", "fixes", "policy", "source", "limits", "render"},
    "check": {"inputs", "diagnosis", "evaluation", "findings", "render", "limits", "source", TOP},
    # the page adapter: a front end, below only the method table (webapi) and the CLI
    "pageapi": {"source", "limits", "privatefile", "policy", "evaluation", "inputs", "redaction", "findings",
                "render", "fixes", "diagnosis", "warm", TOP},
}


def unit_of(path: Path) -> str:
    rel = path.relative_to(PKG).with_suffix("")
    return rel.parts[0]


def imported_units(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "roledoctor":
                out.add(parts[1] if len(parts) > 1 else TOP)
    return out


def test_layers_import_only_what_architecture_md_allows():
    bad = []
    for path in sorted(PKG.rglob("*.py")):
        unit = unit_of(path)
        if unit not in ALLOWED:
            continue  # commands, cli, webapi, pageapi, warm: the front ends may import everything
        extra = imported_units(path) - ALLOWED[unit] - {unit}
        bad += [f"{path.relative_to(PKG)} imports {sorted(extra)}"] if extra else []
    assert not bad


def test_the_check_sees_imports():
    assert "policy" in imported_units(PKG / "evaluation" / "decision.py") | imported_units(
        PKG / "evaluation" / "model.py")


def test_webapi_is_only_the_method_table():
    """webapi.py holds `handle`, its table and the worker's start-up entry points; the methods live in pageapi."""
    tree = ast.parse((PKG / "webapi.py").read_text(encoding="utf-8"))
    defs = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    assert set(defs) <= {"handle", "_about", "_inspect", "_diagnose", "_export"}, defs
