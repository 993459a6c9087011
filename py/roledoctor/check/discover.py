"""Which files `roledoctor check` reads: Terraform directories (modules), local
module sources they call, or one `terraform show -json` plan.

A directory is one Terraform module: its `*.tf` and `*.tfvars` files (not its
subdirectories, as Terraform). `module "x" { source = "./modules/x" }` and
`"../modules"` are followed when they stay inside the repository (the nearest
ancestor with `.git`, else the directory scanned); registry, git and other
remote sources are skipped with a note. A file argument ending in `.tf` or
`.tfvars` stands for its directory (pre-commit passes changed files); any
other file is read as a plan. JSON files a module reads with
`file("${path.module}/….json")` are read with it (policies kept in JSON).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from roledoctor.inputs.hcl import only_comments  # one definition of "nothing but comments"

TF_SUFFIXES = (".tf", ".tfvars")
SKIP_DIRS = {".terraform", ".git", ".terragrunt-cache", "node_modules"}
MAX_FILE_BYTES = 5_000_000  # a larger .tf is not hand-written configuration

# `module "name" {`; the block's end is found by brace matching (strings and comments skipped).
_MODULE = re.compile(r'^[ \t]*module[ \t]+"([^"\n]{1,200})"[ \t]*\{', re.M)
_SOURCE = re.compile(r'^[ \t]*source[ \t]*=[ \t]*"([^"\n]{0,1000})"', re.M)
# file("${path.module}/policies/trust.json"): JSON policies a module reads, read with it
_FILE_REF = re.compile(r'\b(?:file|templatefile)\([ \t]*"([^"\n]{1,500}?\.json)"')


class DiscoveryError(Exception):
    """PATH is unusable (missing, unreadable, no Terraform files): exit 2."""


@dataclass
class Unit:
    """One Terraform module directory or one plan file, read together by read_all."""

    kind: str  # "module" | "plan"
    path: str  # directory or file as displayed
    files: dict[str, str] = field(default_factory=dict)  # display name -> text


@dataclass
class Discovery:
    units: list[Unit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def file_count(self) -> int:
        return sum(len(u.files) for u in self.units)


def read_text(path: str) -> str:
    try:
        if os.path.getsize(path) > MAX_FILE_BYTES:
            raise DiscoveryError(f"{path} is larger than {MAX_FILE_BYTES // 1_000_000} MB")
        with open(path, encoding="utf-8", errors="replace", newline="") as f:
            return f.read()
    except OSError as err:
        raise DiscoveryError(f"cannot read {path}: {err.strerror or err}") from None


def _block_end(text: str, start: int) -> int:
    """Offset just past the `}` closing the `{` at `start` (len(text) if unclosed)."""
    depth, i, n = 0, start, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            i += 1
            while i < n and text[i] not in '"\n':
                i += 2 if text[i] == "\\" else 1
        elif ch == "#" or text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
            continue
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


def module_sources(text: str) -> list[tuple[str, str]]:
    """(module name, source) of every `module` block in one file."""
    out = []
    for m in _MODULE.finditer(text):
        end = _block_end(text, m.end() - 1)
        body = text[m.end():end]
        # only the block's own top-level `source` (nested blocks rarely have one; take the first)
        s = _SOURCE.search(body)
        if s:
            out.append((m.group(1), s.group(1)))
    return out


def is_local_source(source: str) -> bool:
    return source.startswith("./") or source.startswith("../") or source in (".", "..")


def repo_root(directory: str) -> str:
    d = os.path.abspath(directory)
    while True:
        if os.path.exists(os.path.join(d, ".git")):
            return d
        parent = os.path.dirname(d)
        if parent == d:
            return os.path.abspath(directory)
        d = parent


def _inside(path: str, root: str) -> bool:
    try:
        return os.path.commonpath([os.path.realpath(path), os.path.realpath(root)]) == os.path.realpath(root)
    except ValueError:  # different drives
        return False


def _display(path: str) -> str:
    p = os.path.normpath(path)
    return p.replace(os.sep, "/") if os.sep != "/" else p


def _tf_files(directory: str) -> list[str]:
    try:
        names = sorted(os.listdir(directory))
    except OSError as err:
        raise DiscoveryError(f"cannot read {directory}: {err.strerror or err}") from None
    return [n for n in names if n.endswith(TF_SUFFIXES) and os.path.isfile(os.path.join(directory, n))]


def _walk_tf_dirs(top: str) -> list[str]:
    out = []
    for d, dirs, files in os.walk(top):
        dirs[:] = sorted(x for x in dirs if x not in SKIP_DIRS and not x.startswith("."))
        if any(f.endswith(TF_SUFFIXES) for f in files):
            out.append(d)
    return out


def discover(paths: list[str], recursive: bool = False) -> Discovery:
    """The units to read for the PATHs given; raises DiscoveryError when one is unusable."""
    found = Discovery()
    dirs: list[str] = []
    plans: list[str] = []
    for path in paths:
        if not os.path.exists(path):
            raise DiscoveryError(f"{path}: no such file or directory")
        if os.path.isdir(path):
            if recursive:
                sub = _walk_tf_dirs(path)
                if not sub:
                    raise DiscoveryError(f"{path}: no *.tf or *.tfvars files in it or below it")
                dirs += sub
            else:
                dirs.append(path)
        elif path.endswith(TF_SUFFIXES):
            dirs.append(os.path.dirname(path) or ".")
        else:
            plans.append(path)
    for plan in dict.fromkeys(plans):
        found.units.append(Unit("plan", _display(plan), {_display(plan): read_text(plan)}))
    seen: set[str] = set()
    queue = [(d, repo_root(d), None) for d in dict.fromkeys(dirs)]
    while queue:
        d, root, caller = queue.pop(0)
        real = os.path.realpath(d)
        if real in seen:
            continue
        seen.add(real)
        names = _tf_files(d)
        unit = Unit("module", _display(d))
        for n in names:
            full = os.path.join(d, n)
            text = read_text(full)
            if only_comments(text):
                continue
            unit.files[_display(full)] = text
            for ref in _FILE_REF.findall(text) if n.endswith(".tf") else []:
                rel = ref.replace("${path.module}", ".").replace("${path.root}", ".")
                target = os.path.join(d, rel)
                if "${" not in rel and os.path.isfile(target) and _inside(target, root):
                    unit.files.setdefault(_display(target), read_text(target))
            for mod, source in module_sources(text) if n.endswith(".tf") else []:
                if not is_local_source(source):
                    found.notes.append(f"{_display(full)}: module \"{mod}\" has a non-local source "
                                       f"({source}): not scanned")
                    continue
                target = os.path.join(d, source)
                if not os.path.isdir(target):
                    found.notes.append(f"{_display(full)}: module \"{mod}\" source {source} is not a directory")
                elif not _inside(target, root):
                    found.notes.append(f"{_display(full)}: module \"{mod}\" source {source} is outside the "
                                       "repository: not scanned")
                else:
                    queue.append((target, root, _display(full)))
        if not names and caller is None:
            raise DiscoveryError(f"{_display(d)}: no *.tf or *.tfvars files (give a Terraform directory, "
                                 "or --recursive)")
        if unit.files:
            found.units.append(unit)
    return found
