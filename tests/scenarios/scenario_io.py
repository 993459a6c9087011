"""Reading a scenario folder (inputs + README.md + expected.json), shared by the scenario tests."""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = HERE.parents[1] / "examples" / "seed-cross-account"

# file name (without extension) -> slot / the CLI option
SLOTS = {"error": "error", "provider": "provider", "backend": "provider", "trust-policy": "trust_policy",
         "caller-policy": "caller_policy", "scp": "scp", "rcp": "rcp", "boundary": "boundary",
         "org-policies": "org_policies"}
OPTIONS = {"error": "--error", "provider": "--provider", "trust_policy": "--trust-policy",
           "caller_policy": "--caller-policy", "scp": "--scp", "rcp": "--rcp", "boundary": "--boundary"}


def folders() -> list[Path]:
    return sorted(p for p in HERE.iterdir() if p.is_dir() and (p / "expected.json").exists())


def load(folder: Path):
    """-> (raw texts by slot name, slots, file paths by slot name, expected)."""
    raw, slots, paths = {}, {}, {}
    for f in sorted(folder.iterdir()):
        if f.name in ("README.md", "expected.json") or not f.is_file():
            continue
        slot = SLOTS.get(f.stem, "auto")
        name = slot if slot != "auto" else f.name
        raw[name], slots[name], paths[name] = f.read_text(encoding="utf-8"), slot, str(f)
    return raw, slots, paths, json.loads((folder / "expected.json").read_text(encoding="utf-8"))
