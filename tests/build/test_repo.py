"""The repository stands on its own: nothing read from outside it, no
third-party tree tracked, one version, a licence, its own finding reference."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from roledoctor import __version__
from roledoctor.findings import reference

ROOT = Path(__file__).resolve().parents[2]


def tracked() -> list[str]:
    if not (ROOT / ".git").exists() or not shutil.which("git"):
        pytest.skip("not a git checkout (an sdist): nothing tracked to check")
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [p for p in out.decode().split("\0") if p]


def load_build():
    spec = importlib.util.spec_from_file_location("roledoctor_build", ROOT / "build.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_findings_reference_is_generated_from_the_catalogue():
    doc = (ROOT / "docs" / "findings.md").read_text(encoding="utf-8")
    assert doc == reference.render(), "docs/findings.md is stale: run `python build.py docs`"


def test_findings_reference_lists_every_code():
    from roledoctor.findings.catalogue import load
    doc = reference.render()
    for code in load().entries:
        assert f"| `{code}` |" in doc


def test_no_third_party_tree_is_tracked():
    files = tracked()
    assert not [f for f in files if "node_modules/" in f]
    assert not [f for f in files if f.startswith((".venv/", ".cache/", "dist/")) or f in (".venv", ".cache", "dist")]


def test_no_link_is_tracked():
    """A tracked symlink would point a fresh clone at whatever the link names
    on its machine (a build cache once came in as `.cache -> <a local folder>`)."""
    if not (ROOT / ".git").exists() or not shutil.which("git"):
        pytest.skip("not a git checkout (an sdist): nothing tracked to check")
    out = subprocess.run(["git", "ls-files", "-s", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    links = [e.split("\t", 1)[1] for e in out.decode().split("\0") if e.startswith("120000 ")]
    assert links == []


def test_the_ignore_file_covers_the_local_folders_whatever_they_are():
    """`/.cache/` matches only a directory: a link named `.cache` would be tracked."""
    rules = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    for name in ("/.cache", "/.venv", "/dist"):
        assert name in rules or name.lstrip("/") in rules, name


# Paths outside the repository: the development machine's folders and the
# notes beside the repository. Only the catalogue test may compare with the
# original contract there, and it skips when it is absent.
OUTSIDE_MARKS = (r"\.\./" + "shared", "/" + "work/", r"research/[a-z-]+\.md", r"\bresearch §", r"DESIGN\.md",
                 "seed-article")  # spelt in parts so this file does not match itself
OUTSIDE = re.compile("|".join(OUTSIDE_MARKS))
ALLOWED = {"tests/unit/findings/test_catalogue.py", "tests/build/test_repo.py"}


def test_nothing_reads_or_cites_outside_the_repository():
    bad = []
    for name in tracked():
        path = ROOT / name
        if name in ALLOWED or not path.is_file() or path.suffix in (".png", ".whl", ".gz", ".zip"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        bad += [f"{name}: {m.group(0)}" for m in OUTSIDE.finditer(text)]
    assert not bad


def test_no_issue_numbers_of_a_tracker_the_repository_does_not_carry():
    pattern = re.compile(r"\b[Ii]ssues? #?\d+\b")
    bad = []
    for name in tracked():
        if name.endswith((".py", ".mjs", ".js", ".toml", ".md", ".html", ".css", ".yml", ".j2")) and name not in ALLOWED:
            text = (ROOT / name).read_text(encoding="utf-8", errors="replace")
            bad += [f"{name}: {m.group(0)}" for m in pattern.finditer(text)]
    assert not bad


def test_one_version():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in meta["project"] and "version" in meta["project"]["dynamic"]
    assert meta["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "roledoctor.__version__"}
    assert load_build().project_version() == __version__
    assert f"## [{__version__}]" in (ROOT / "CHANGELOG.md").read_text() or "## [Unreleased]" in (
        ROOT / "CHANGELOG.md").read_text()


def test_licence_matches_the_metadata():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert meta["license"] == "MIT" and meta["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
