"""A wheel and an sdist build with the standard tools: `python -m build` run
from the repository root, where build.py would otherwise shadow PyPA's build."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

from roledoctor import __version__

ROOT = Path(__file__).resolve().parents[2]


def test_python_m_build_from_the_root(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "build", "--outdir", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    wheel = tmp_path / f"roledoctor-{__version__}-py3-none-any.whl"
    sdist = tmp_path / f"roledoctor-{__version__}.tar.gz"
    assert wheel.exists() and sdist.exists(), sorted(p.name for p in tmp_path.iterdir())
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        meta = zf.read(f"roledoctor-{__version__}.dist-info/METADATA").decode()
    assert {"roledoctor/findings/catalogue.toml", "roledoctor/templates/report.md.j2", "roledoctor/cli.py"} <= names
    assert f"roledoctor-{__version__}.dist-info/licenses/LICENSE" in names
    assert f"Version: {__version__}" in meta and "License-Expression: MIT" in meta
    with tarfile.open(sdist) as tf:
        members = {m.name.split("/", 1)[1] for m in tf.getmembers() if "/" in m.name}
    assert {"LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml", "py/roledoctor/__init__.py"} <= members


def test_build_py_still_runs_as_a_script():
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "docs" in proc.stdout
