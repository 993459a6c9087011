"""action.yml, the composite GitHub Action: valid action metadata (SchemaStore's
schema, vendored by check-jsonschema from PyPI), and its shell steps, run as
the runner would run them, on fixture repositories.

Only the `uses: actions/setup-python` step is not run: the test's own Python
stands in for it. Inputs are substituted the way the runner substitutes
`${{ inputs.* }}` and `${{ github.action_path }}`: into `env`, never into a
script (a test checks that no script holds an expression).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
ACTION = ROOT / "action.yml"
FIXTURES = ROOT / "tests" / "check" / "fixtures"
EXPR = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


def action() -> dict:
    return YAML(typ="safe").load(ACTION.read_text(encoding="utf-8"))


def validate(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-actions",
                           str(path)], capture_output=True, text=True)


def test_action_metadata_is_valid():
    out = validate(ACTION)
    assert out.returncode == 0, out.stdout + out.stderr


def test_the_schema_check_can_fail(tmp_path):
    bad = tmp_path / "action.yml"
    bad.write_text(ACTION.read_text().replace("\nruns:", "\nrunz:"))
    assert validate(bad).returncode == 1


def test_scripts_hold_no_expressions():
    """An input spliced into a script is shell code: inputs go through env."""
    for step in action()["runs"]["steps"]:
        if "run" in step:
            assert not EXPR.search(step["run"]), step["name"]


def test_readme_workflow_uses_the_action():
    readme = (ROOT / "README.md").read_text()
    assert "uses: OWNER/roledoctor@" in readme


# ---- the shell steps, run

@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A fresh environment: what setup-python gives the job, before the install step."""
    where = tmp_path_factory.mktemp("action") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
    return where / ("Scripts" if os.name == "nt" else "bin")


def run_steps(venv: Path, workdir: Path, inputs: dict, tmp_path: Path, steps: tuple[str, ...]) -> tuple[int, dict]:
    meta = action()
    values = {name: str(spec.get("default", "")) for name, spec in meta["inputs"].items()}
    values.update(inputs)
    context = {f"inputs.{k}": v for k, v in values.items()} | {"github.action_path": str(ROOT)}
    out_file = tmp_path / "github_output"
    out_file.write_text("")
    code = 0
    for step in meta["runs"]["steps"]:
        if "run" not in step or step["name"] not in steps:
            continue
        assert step["shell"] == "bash"
        env = {**os.environ, "PATH": f"{venv}{os.pathsep}{os.environ['PATH']}", "GITHUB_OUTPUT": str(out_file),
               "VIRTUAL_ENV": str(venv.parent)}
        for key, value in step.get("env", {}).items():
            env[key] = EXPR.sub(lambda m: context[m.group(1)], str(value))
        # the runner's bash: bash --noprofile --norc -eo pipefail {0}
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                              cwd=workdir, env=env, capture_output=True, text=True, timeout=600)
        code = proc.returncode
        if code != 0 and step["name"].startswith("Install"):
            pytest.fail(f"install step failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    outputs = dict(line.split("=", 1) for line in out_file.read_text().splitlines() if "=" in line)
    return code, outputs


INSTALL = "Install roledoctor (from this action's own checkout)"
CHECK = "roledoctor check"


@pytest.fixture(scope="module")
def installed(venv, tmp_path_factory):
    code, _ = run_steps(venv, ROOT, {}, tmp_path_factory.mktemp("install"), (INSTALL,))
    assert code == 0 and (venv / "roledoctor").exists()
    return venv


def repo_with(tmp_path: Path, fixture: str) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / fixture, repo / "infra")
    return repo


def test_clean_repository_passes_and_writes_sarif(installed, tmp_path):
    repo = repo_with(tmp_path, "clean")
    code, outputs = run_steps(installed, repo, {"path": "infra"}, tmp_path, (CHECK,))
    assert code == 0 and outputs == {"report": "roledoctor.sarif", "exit-code": "0"}
    sarif = json.loads((repo / "roledoctor.sarif").read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"] == []


def test_insecure_repository_fails_the_step_with_findings(installed, tmp_path):
    repo = repo_with(tmp_path, "insecure")
    code, outputs = run_steps(installed, repo, {"path": "infra", "caller": ""}, tmp_path, (CHECK,))
    assert code == 1 and outputs["exit-code"] == "1"
    results = json.loads((repo / "roledoctor.sarif").read_text())["runs"][0]["results"]
    assert results and all(r["ruleId"].isupper() for r in results)


def test_inputs_choose_format_output_and_threshold(installed, tmp_path):
    repo = repo_with(tmp_path, "hardening-only")
    inputs = {"path": "infra", "format": "json", "output": "out/report.json", "fail-on": "input"}
    (repo / "out").mkdir()
    code, outputs = run_steps(installed, repo, inputs, tmp_path, (CHECK,))
    report = json.loads((repo / "out" / "report.json").read_text())
    assert code == 0 and outputs["report"] == "out/report.json" and report["findings"]
    code, _ = run_steps(installed, repo, {**inputs, "fail-on": "hardening"}, tmp_path, (CHECK,))
    assert code == 1


def test_hostile_inputs_stay_data(installed, tmp_path):
    """A path or caller from a pull request is an argument, never shell code."""
    repo = repo_with(tmp_path, "clean")
    marker = tmp_path / "pwned"
    hostile = {"path": f"infra\n$(touch {marker})\n-rf", "caller": f"x; touch {marker}", "format": "text",
               "output": "r.txt"}
    code, _ = run_steps(installed, repo, hostile, tmp_path, (CHECK,))
    assert not marker.exists()
    assert code == 2  # the paths "$(touch …)" and "-rf" do not exist: unusable input, said so
