"""Where the caller comes from, in Pyodide (the page): the YAML parser (ruamel.yaml's
pure-Python wheel) loads there, and every caller scenario (CI files, AWS
profiles, tokens; s80 onwards) gets the same verdict and findings as on CPython (the CLI)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from scenarios.scenario_io import folders, load  # noqa: E402

from roledoctor.diagnosis.diagnose import diagnose  # noqa: E402
from roledoctor.findings import to_json_obj  # noqa: E402

CALLER = [f for f in folders() if f.name.split("-", 1)[0][1:].isdigit()
          and 80 <= int(f.name.split("-", 1)[0][1:]) <= 110]

SNIPPET = """
import json
from roledoctor.diagnosis.diagnose import diagnose
from roledoctor.findings import to_json_obj
args = json.loads(ARGS)
obj = to_json_obj(diagnose(args["raw"], args["slots"]).report)
json.dumps({"verdict": obj["verdict"], "codes": sorted({f["code"] for f in obj["findings"]})})
"""


def test_yaml_is_safe_in_pyodide(pyodide):
    out = pyodide.json("""
        import json
        from roledoctor.inputs import yamlsafe
        docs = yamlsafe.parse("a: !!python/object/apply:os.system [echo]\\nb: &x [1]\\nc: *x\\n")
        json.dumps(docs[0].value)
    """)
    assert out == {"a": ["echo"], "b": [1], "c": [1]}


@pytest.mark.parametrize("folder", CALLER, ids=[f.name for f in CALLER])
def test_caller_scenario_same_in_pyodide(pyodide, folder):
    raw, slots, _, _ = load(folder)
    obj = to_json_obj(diagnose(raw, slots).report)
    here = {"verdict": obj["verdict"], "codes": sorted({f["code"] for f in obj["findings"]})}
    args = json.dumps({"raw": raw, "slots": slots})
    there = pyodide.json(f"ARGS = {args!r}\n" + SNIPPET)
    assert there == here
