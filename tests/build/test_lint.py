"""The habits checked on every run of `python build.py test`: ruff (pyflakes,
bugbear, a complexity limit) over the repository and mypy over the package,
both configured in pyproject.toml and pinned in its test extras (the same
revisions as .pre-commit-config.yaml). Each tool is also shown failing on a
deliberately bad file, so a broken setup cannot pass silently."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the tools are installed beside the test interpreter (.venv)


def _tool(name: str) -> str:
    exe = BIN / (name + (".exe" if os.name == "nt" else ""))
    assert exe.exists(), f"{name} is not installed in {BIN}: run the tests with `python build.py test`"
    return str(exe)


def _run(*cmd: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600)


def test_ruff_is_clean() -> None:
    proc = _run(_tool("ruff"), "check", "--no-cache", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_is_clean() -> None:
    proc = _run(_tool("mypy"), "--no-incremental", "--cache-dir", os.devnull)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Success" in proc.stdout


def _bad_project(tmp: Path) -> Path:
    """A copy of the repository's tool configuration around one bad module."""
    (tmp / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text(encoding="utf-8"), encoding="utf-8")
    pkg = tmp / "py" / "roledoctor"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    branches = "\n".join(f"    if x == {i}:\n        return {i}" for i in range(25))
    (pkg / "bad.py").write_text(
        "import os\n\n\n"                                   # F401: unused import
        "def f(x: int, acc: list = []) -> int:\n"           # B006: mutable default
        f"{branches}\n    return -1\n\n\n"                  # C901: 26 branches
        "def g() -> int:\n    return 'not an int'\n",       # mypy: wrong return type
        encoding="utf-8")
    return tmp


def test_ruff_fails_on_a_bad_file(tmp_path: Path) -> None:
    proj = _bad_project(tmp_path)
    proc = _run(_tool("ruff"), "check", "--no-cache", "--output-format", "concise", ".", cwd=proj)
    assert proc.returncode == 1
    codes = set(re.findall(r"\b(F401|B006|C901)\b", proc.stdout))
    assert codes == {"F401", "B006", "C901"}, proc.stdout


def test_mypy_fails_on_a_bad_file(tmp_path: Path) -> None:
    proj = _bad_project(tmp_path)
    proc = _run(_tool("mypy"), "--no-incremental", "--cache-dir", os.devnull, cwd=proj)
    assert proc.returncode == 1
    assert "bad.py:" in proc.stdout and "[return-value]" in proc.stdout, proc.stdout


def test_pre_commit_hooks_pin_the_test_extras_versions() -> None:
    """One set of versions: the hooks run the same ruff and mypy as the tests."""
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    pins = dict(re.findall(r"^(ruff|mypy)==(\S+)$", "\n".join(extras["test"]), re.M))
    hooks = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert set(pins) == {"ruff", "mypy"}
    for name, version in pins.items():
        assert re.search(rf"^\s+rev: v{re.escape(version)}\s*#\s*{name}\b", hooks, re.M), (name, version)


def test_pre_commit_mypy_sees_the_package_dependencies() -> None:
    """mypy's hook runs in its own environment: it gets the package's runtime dependencies, same pins."""
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    hooks = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    given = set(re.findall(r'"([A-Za-z0-9_.-]+==[^"]+)"', hooks))
    imported = {d for d in deps if not d.startswith("python-hcl2")}  # hcl2 is located, never imported
    assert imported <= given, imported - given
