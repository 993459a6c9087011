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

Hostile repositories: a file or directory whose real path leaves the
repository (a symlink to /proc/self/environ or ~/.aws/credentials), and
anything that is not a regular file (FIFOs, devices), is skipped with a note,
never opened; at most MAX_FILE_BYTES + 1 bytes of a file are read, whatever
its size says (/proc files say 0).
"""

from __future__ import annotations

import os
import re
import stat
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


class Skipped(Exception):
    """A file of the repository that is not read; str() is the note."""


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


_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO swapped in after the stat must not block the open
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _too_large(path: str) -> DiscoveryError:
    return DiscoveryError(f"{path} is larger than {MAX_FILE_BYTES // 1_000_000} MB")


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")  # as open(errors="replace", newline="")


def read_text(path: str) -> str:
    """A file named on the command line (a plan): may be a pipe (`<(terraform
    show -json)`), read up to the limit."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise DiscoveryError(f"cannot read {path}: {err.strerror or err}") from None
    if len(data) > MAX_FILE_BYTES:
        raise _too_large(path)
    return _decode(data)


def read_repo_file(path: str, root: str) -> str:
    """A file found in the repository: raises Skipped when its real path leaves
    `root` or it is not a regular file, DiscoveryError when it is unreadable."""
    shown = _display(path)
    real = os.path.realpath(path)
    if not _inside(real, root):
        raise Skipped(f"{shown}: a link to a file outside the repository: not read")
    try:
        if not stat.S_ISREG(os.stat(real).st_mode):
            raise Skipped(f"{shown}: not a regular file: not read")
        fd = os.open(real, os.O_RDONLY | _O_NONBLOCK | _O_NOFOLLOW)
    except FileNotFoundError:
        raise Skipped(f"{shown}: a broken link: not read") from None
    except OSError as err:
        raise DiscoveryError(f"cannot read {shown}: {err.strerror or err}") from None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped since the stat
            raise Skipped(f"{shown}: not a regular file: not read")
        data = f.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise _too_large(shown)
    return _decode(data)


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
    """Real paths: a directory given through a symlink is its own repository's."""
    d = os.path.realpath(directory)
    while True:
        if os.path.exists(os.path.join(d, ".git")):
            return d
        parent = os.path.dirname(d)
        if parent == d:
            return os.path.realpath(directory)
        d = parent


def _inside(path: str, root: str) -> bool:
    """Whether the real path of `path` (every symlink resolved) is `root` or below it."""
    try:
        return os.path.commonpath([os.path.realpath(path), os.path.realpath(root)]) == os.path.realpath(root)
    except ValueError:  # different drives
        return False


def _display(path: str) -> str:
    p = os.path.normpath(path)
    return p.replace(os.sep, "/") if os.sep != "/" else p


def _tf_files(directory: str) -> list[str]:
    """Every *.tf / *.tfvars entry, whatever it is: read_repo_file judges each."""
    try:
        names = sorted(os.listdir(directory))
    except OSError as err:
        raise DiscoveryError(f"cannot read {directory}: {err.strerror or err}") from None
    return [n for n in names if n.endswith(TF_SUFFIXES) and not os.path.isdir(os.path.join(directory, n))]


def _walk_tf_dirs(top: str) -> list[str]:
    out = []
    for d, dirs, files in os.walk(top):
        dirs[:] = sorted(x for x in dirs if x not in SKIP_DIRS and not x.startswith("."))
        if any(f.endswith(TF_SUFFIXES) for f in files):
            out.append(d)
    return out


def _directories(paths: list[str], recursive: bool) -> tuple[list[str], list[str]]:
    """(module directories, plan files) the PATHs stand for."""
    dirs: list[str] = []
    plans: list[str] = []
    for path in paths:
        if not os.path.exists(path):
            raise DiscoveryError(f"{path}: no such file or directory")
        if os.path.isdir(path) and recursive:
            sub = _walk_tf_dirs(path)
            if not sub:
                raise DiscoveryError(f"{path}: no *.tf or *.tfvars files in it or below it")
            dirs += sub
        elif os.path.isdir(path):
            dirs.append(path)
        elif path.endswith(TF_SUFFIXES):
            dirs.append(os.path.dirname(path) or ".")
        else:
            plans.append(path)
    return dirs, plans


def _read_module(found: Discovery, d: str, root: str) -> tuple[Unit, list[str], list[tuple[str, str, str | None]]]:
    """One module directory's unit, the names of its Terraform files, and the local modules it calls."""
    names = _tf_files(d)
    unit = Unit("module", _display(d))
    calls: list[tuple[str, str, str | None]] = []
    for n in names:
        full = os.path.join(d, n)
        try:
            text = read_repo_file(full, root)
        except Skipped as skip:
            found.notes.append(str(skip))
            continue
        if only_comments(text):
            continue
        unit.files[_display(full)] = text
        if n.endswith(".tf"):
            _add_file_refs(found, unit, d, root, text)
            calls += _local_modules(found, d, root, full, text)
    return unit, names, calls


def discover(paths: list[str], recursive: bool = False) -> Discovery:
    """The units to read for the PATHs given; raises DiscoveryError when one is unusable."""
    found = Discovery()
    dirs, plans = _directories(paths, recursive)
    for plan in dict.fromkeys(plans):
        found.units.append(Unit("plan", _display(plan), {_display(plan): read_text(plan)}))
    seen: set[str] = set()
    queue: list[tuple[str, str, str | None]] = [(d, repo_root(d), None) for d in dict.fromkeys(dirs)]
    while queue:
        d, root, caller = queue.pop(0)
        real = os.path.realpath(d)
        if real in seen:
            continue
        seen.add(real)
        unit, names, calls = _read_module(found, d, root)
        queue += calls
        if not names and caller is None:
            raise DiscoveryError(f"{_display(d)}: no *.tf or *.tfvars files (give a Terraform directory, "
                                 "or leave out --single-module)")
        if unit.files:
            found.units.append(unit)
    return found


def _add_file_refs(found: Discovery, unit: Unit, d: str, root: str, text: str) -> None:
    """The policy files a .tf file reads (`file("${path.module}/trust.json")`) join its unit."""
    for ref in _FILE_REF.findall(text):
        rel = ref.replace("${path.module}", ".").replace("${path.root}", ".")
        target = os.path.join(d, rel)
        if "${" in rel or _display(target) in unit.files or not os.path.lexists(target):
            continue
        try:
            unit.files[_display(target)] = read_repo_file(target, root)
        except Skipped as skip:
            found.notes.append(str(skip))


def _local_modules(found: Discovery, d: str, root: str, full: str, text: str
                   ) -> list[tuple[str, str, str | None]]:
    """The local module directories a .tf file calls, to scan next; a note for each one not scanned."""
    out: list[tuple[str, str, str | None]] = []
    for mod, source in module_sources(text):
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
            out.append((target, root, _display(full)))
    return out
