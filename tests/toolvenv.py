"""Test-only tools (Checkov, pre-commit) in their own venvs under .cache/.

A venv is usable only where it was made: its scripts start with the absolute
path of its python. A venv copied or moved (a .cache carried between
checkouts) keeps scripts that point at a python that is gone, so it is made
again rather than trusted because the script exists.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bin(venv: Path) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin")


def usable(exe: Path) -> bool:
    if not exe.exists():
        return False
    if os.name == "nt":
        return True
    with open(exe, "rb") as f:
        first = f.readline()
    if not first.startswith(b"#!"):
        return True
    interpreter = first[2:].strip().split(b" ")[0].decode("utf-8", "replace")
    return Path(interpreter).exists()


def tool_exe(venv: Path, requirement: str, script: str) -> Path:
    """The venv's `script`, installing `requirement` from PyPI when the venv is
    missing or was made somewhere else. Raises RuntimeError saying which step failed."""
    exe = _bin(venv) / (script + (".exe" if os.name == "nt" else ""))
    if usable(exe):
        return exe
    venv.parent.mkdir(parents=True, exist_ok=True)
    for cmd in ([sys.executable, "-m", "venv", "--clear", str(venv)],
                [str(_bin(venv) / "python"), "-m", "pip", "install", "--quiet", requirement]):
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
        if p.returncode != 0:
            raise RuntimeError(f"could not install {requirement} into {venv} ({' '.join(cmd[-3:])}):\n"
                               f"{(p.stderr or p.stdout)[-2000:]}")
    if not usable(exe):
        raise RuntimeError(f"{requirement} installed, but {exe} is missing")
    return exe
