"""Find every regular expression of the core and time it on adversarial input.

Sources of patterns (all of them together make the ReDoS run):
  * the source: every re.compile/search/match/fullmatch/findall/finditer/sub/
    subn/split call in py/roledoctor, found with `ast`; its pattern argument is
    evaluated in the module's namespace (module constants, concatenations);
  * the objects: every module is imported and each re.Pattern reachable from
    its globals (through lists, tuples, dicts, sets and dataclass instances,
    e.g. the redaction rule table) is collected;
  * registries: a call whose pattern depends on run-time values (a heredoc's
    delimiter, an IAM wildcard, a rule's own pattern) must sit in a function
    that its module names in DYNAMIC_PATTERN_SITES, and the module's
    redos_patterns() returns representative instances of those patterns.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import pkgutil
import re
import time
from pathlib import Path

import roledoctor

PKG_DIR = Path(roledoctor.__file__).resolve().parent
RE_FUNCS = {"compile": 1, "search": 2, "match": 2, "fullmatch": 2, "findall": 2, "finditer": 2, "sub": 4,
            "subn": 4, "split": 3}  # name -> positional index of `flags`
N = 100_000
LIMIT_S = 0.100
GENERIC = ["a", "A1", "a" * 7 + "-", " ", "\t", "\n", " \n", "_1", "a@", "1.", "\\", '"', "'", "[", "{", "=:",
           "/a", "aA1+/", "x://a:", "arn:aws:", "${", "<<EOT\n", "/*", "#", "*", "\x1b[", "\u2502 ", "\x00"]

# Modules owned by others that build patterns at run time and do not (yet)
# register them: representative instances kept here until they do.
FOREIGN_DYNAMIC: dict = {}


@dataclasses.dataclass
class Site:
    module: str
    function: str  # qualified name of the enclosing function, "<module>" at top level
    line: int
    pattern: str | None  # None: depends on run-time values
    flags: int
    mode: str = "search"  # "match": only ever anchored at one position (re.match/fullmatch, X.match)
    target: str | None = None  # the name a re.compile result is assigned to


_METHOD_CALL = re.compile(r"(\w+)(?:\[[^\]\n]{0,80}\])?\.(match|fullmatch|search|finditer|findall|sub|subn|split)\(")


def method_uses() -> dict[str, set[str]]:
    """NAME -> the regex methods called on it anywhere in the package (`NAME.match(`, `P["x"].search(`)."""
    uses: dict[str, set[str]] = {}
    for path in PKG_DIR.rglob("*.py"):
        for m in _METHOD_CALL.finditer(path.read_text(encoding="utf-8")):
            uses.setdefault(m.group(1), set()).add(m.group(2))
    return uses


def mode_of_name(name: str | None, uses: dict[str, set[str]]) -> str:
    """"match" when every use of the name anchors it (match/fullmatch); "search" otherwise or unknown."""
    used = uses.get(name or "", set())
    return "match" if used and used <= {"match", "fullmatch"} else "search"


def modules() -> list[str]:
    names = ["roledoctor"]
    for info in pkgutil.walk_packages([str(PKG_DIR)], prefix="roledoctor."):
        if not info.name.endswith("__main__"):
            names.append(info.name)
    return sorted(set(names))


def module_file(name: str) -> Path:
    mod = importlib.import_module(name)
    return Path(mod.__file__)


class _Finder(ast.NodeVisitor):
    def __init__(self, module: str, namespace: dict):
        self.module, self.ns = module, namespace
        self.stack: list[str] = []
        self.sites: list[Site] = []

    def _scoped(self, node):
        self.stack.append(node.name)
        self.generic_visit(node)
        self.stack.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _scoped

    def _eval(self, expr):
        try:
            return eval(compile(ast.Expression(expr), "<regex-arg>", "eval"), dict(self.ns))  # noqa: S307
        except Exception:
            return None

    def visit_Assign(self, node):
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Call):
            self._target = node.targets[0].id
        self.generic_visit(node)
        self._target = None

    _target = None

    def visit_Call(self, node):
        f = node.func
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "re" \
                and f.attr in RE_FUNCS and node.args:
            pattern = self._eval(node.args[0])
            flags_expr = next((k.value for k in node.keywords if k.arg == "flags"), None)
            if flags_expr is None and len(node.args) > RE_FUNCS[f.attr]:
                flags_expr = node.args[RE_FUNCS[f.attr]]
            flags = self._eval(flags_expr) if flags_expr is not None else 0
            ok = isinstance(pattern, str) and isinstance(flags, (int, re.RegexFlag))
            qual = ".".join(s for s in self.stack) or "<module>"
            target = self._target
            mode = "match" if f.attr in ("match", "fullmatch") else "search"
            self.sites.append(Site(self.module, qual, node.lineno, pattern if ok else None,
                                   int(flags or 0) if ok else 0, mode, target if f.attr == "compile" else None))
        self.generic_visit(node)


def source_sites() -> list[Site]:
    out = []
    for name in modules():
        mod = importlib.import_module(name)
        path = Path(mod.__file__)
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        finder = _Finder(name, vars(mod))
        finder.visit(tree)
        out += finder.sites
    return out


def _walk(obj, seen: set, out: list, label: str, depth: int = 0):
    if depth > 6 or id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, re.Pattern):
        out.append((label, obj))
        return
    if isinstance(obj, (str, bytes, int, float)):
        return
    elif isinstance(obj, dict):
        for k, v in list(obj.items())[:5000]:
            _walk(v, seen, out, f"{label}[{k!r}]" if depth else f"{label}.{k}", depth + 1)
    elif isinstance(obj, (list, tuple, set, frozenset)):
        for i, v in enumerate(list(obj)[:5000]):
            _walk(v, seen, out, f"{label}[{i}]", depth + 1)
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            _walk(getattr(obj, f.name, None), seen, out, f"{label}.{f.name}", depth + 1)


def object_patterns() -> list[tuple[str, re.Pattern]]:
    out: list = []
    seen: set = set()
    for name in modules():
        mod = importlib.import_module(name)
        for k, v in vars(mod).items():
            if k.startswith("__"):
                continue
            if isinstance(v, (re.Pattern, dict, list, tuple, set, frozenset)) or (
                    dataclasses.is_dataclass(v) and not isinstance(v, type)):
                _walk(v, seen, out, f"{name}.{k}")
    return out


def registry_patterns() -> tuple[list[tuple[str, re.Pattern]], list[str]]:
    """Patterns from each module's redos_patterns(), and the dynamic call sites
    not covered by a registry (the test fails on those)."""
    out, uncovered = [], []
    registered_modules = set()
    for site in source_sites():
        if site.pattern is not None:
            continue
        mod = importlib.import_module(site.module)
        sites = getattr(mod, "DYNAMIC_PATTERN_SITES", ())
        if site.function in sites and callable(getattr(mod, "redos_patterns", None)):
            registered_modules.add(site.module)
        elif (site.module, site.function) in FOREIGN_DYNAMIC:
            out += FOREIGN_DYNAMIC[(site.module, site.function)]()
        else:
            uncovered.append(f"{site.module}:{site.line} in {site.function}")
    for name in sorted(registered_modules):
        out += [(f"{name}:{n}", p) for n, p in importlib.import_module(name).redos_patterns()]
    return out, uncovered


def all_patterns() -> list[tuple[str, re.Pattern]]:
    """Every distinct (pattern, flags) of the core, with a name for reports."""
    return [(name, rx) for name, rx, _ in all_patterns_with_modes()]


def all_patterns_with_modes() -> list[tuple[str, re.Pattern, str]]:
    """(name, pattern, mode): mode "match" when every use found anchors it at one
    position (then one match call is timed), else "search" (finditer over the
    whole string: every start position)."""
    uses = method_uses()
    found: dict = {}
    modes: dict = {}

    def note(key, mode):
        modes[key] = "search" if modes.get(key, mode) == "search" or mode == "search" else "match"

    for site in source_sites():
        if site.pattern is not None:
            rx = re.compile(site.pattern, site.flags)
            key = (rx.pattern, rx.flags)
            found.setdefault(key, (f"{site.module}:{site.line}", rx))
            note(key, site.mode if site.mode == "match" else mode_of_name(site.target, uses))
    mods = set(modules())
    for label, rx in object_patterns():
        key = (rx.pattern, rx.flags)
        if key not in found or ":" in found[key][0]:
            found[key] = (label, rx)  # a named object reads better than module:line
        head = label.split("[")[0]
        mod = max((m for m in mods if head.startswith(m + ".")), key=len, default="")
        attr = head[len(mod) + 1:].split(".")[0] if mod else None
        # a pattern inside a container or dataclass (P["x"], RULES[1].regex): the last attribute
        # name on the path is how the code reaches it (rule.regex.finditer)
        last = re.findall(r"\.([A-Za-z_]\w*)", label[len(mod):])
        name = last[-1] if last and (last[-1] != attr or "[" not in label) else attr
        note(key, mode_of_name(name, uses))
    for label, rx in registry_patterns()[0]:
        key = (rx.pattern, rx.flags)
        found.setdefault(key, (label, rx))
        note(key, "search")
    return sorted(((name, rx, modes[k]) for k, (name, rx) in found.items()), key=lambda t: t[0])


# ---- adversarial strings from a pattern's own pieces ---------------------------

def _parser():
    try:
        import re._parser as p  # Python >= 3.11
    except ImportError:  # pragma: no cover
        import sre_parse as p
    return p


def pieces_and_sample(rx: re.Pattern) -> tuple[list[str], str]:
    """Literal runs of the pattern, and one string built from it (first
    branches, two rounds of each repeat, one character of each class)."""
    p = _parser()
    pieces: list[str] = []
    run: list[str] = []

    def flush():
        if run:
            pieces.append("".join(run))
            run.clear()

    def expand(items, depth=0) -> str:
        out = []
        for op, av in items:
            name = str(op)
            if name == "LITERAL":
                run.append(chr(av))
                out.append(chr(av))
                continue
            flush()
            if name == "NOT_LITERAL":
                out.append("a" if av != ord("a") else "b")
            elif name == "IN":
                ch = "a"
                for iop, iav in av:
                    if str(iop) == "LITERAL":
                        ch = chr(iav)
                        break
                    if str(iop) == "RANGE":
                        ch = chr(iav[0])
                        break
                    if str(iop) == "NEGATE":
                        ch = "\x01"
                        break
                    if str(iop) == "CATEGORY":
                        ch = {"CATEGORY_DIGIT": "1", "CATEGORY_SPACE": " "}.get(str(iav), "a")
                        break
                out.append(ch)
            elif name == "ANY":
                out.append("x")
            elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                lo, hi, sub = av
                n = max(lo, min(hi, 2)) if depth < 6 else lo
                body = expand(sub, depth + 1)
                flush()
                out.append(body * n)
            elif name == "SUBPATTERN":
                out.append(expand(av[-1], depth + 1))
                flush()
            elif name == "ATOMIC_GROUP":
                out.append(expand(av, depth + 1))
                flush()
            elif name == "BRANCH":
                alts = av[1]
                first = expand(alts[0], depth + 1)
                flush()
                for alt in alts[1:4]:
                    expand(alt, depth + 1)
                    flush()
                out.append(first)
            elif name in ("ASSERT", "ASSERT_NOT"):
                expand(av[1], depth + 1)
                flush()
            elif name == "GROUPREF":
                out.append("x")
            elif name in ("GROUPREF_EXISTS",):
                out.append(expand(av[1], depth + 1))
                flush()
        flush()
        return "".join(out)

    try:
        sample = expand(p.parse(rx.pattern, rx.flags & ~re.UNICODE if False else rx.flags))
    except Exception:
        sample = ""
    pieces = sorted({x for x in pieces if x}, key=len, reverse=True)
    return pieces, sample


def fill(unit: str, n: int = N) -> str:
    return (unit * (n // len(unit) + 1))[:n] if unit else ""


def adversarial(rx: re.Pattern) -> list[str]:
    pieces, sample = pieces_and_sample(rx)
    out = [fill(g) for g in GENERIC]
    for piece in pieces[:4]:
        out.append(fill(piece))
    if pieces:
        out.append(fill(pieces[0] + " "))
    if sample:
        out.append(fill(sample))
        if len(sample) > 1:
            out.append(fill(sample[:-1]))  # near-matches, back to back
            half = len(sample) // 2
            out.append(sample[:half] + fill(sample[half] if half < len(sample) else "a", N - half))
            out.append(sample[:-1] + fill(sample[-2], N - len(sample)))
    return [s for s in dict.fromkeys(out) if s]


def time_search(rx: re.Pattern, s: str, mode: str = "search") -> float:
    # CPU time of this thread: another process on a busy machine does not inflate it
    t = time.thread_time()
    if mode == "match":
        rx.match(s)
    else:
        for _ in rx.finditer(s):
            pass
    return time.thread_time() - t


def best_of_3(rx: re.Pattern, s: str, mode: str = "search") -> float:
    took = time_search(rx, s, mode)
    if LIMIT_S / 4 < took < LIMIT_S * 10:  # re-measure only what could matter: absorbs noise
        took = min(took, time_search(rx, s, mode), time_search(rx, s, mode))
    return took


def measure(patterns) -> list[tuple[float, str, str]]:
    """[(seconds, name, string head)] worst first, one row per pattern (its worst string).
    `patterns`: (name, rx) or (name, rx, mode)."""
    rows = []
    for name, rx, *rest in patterns:
        mode = rest[0] if rest else "search"
        worst = (0.0, name, "")
        for s in adversarial(rx):
            took = best_of_3(rx, s, mode)
            if took > 2.0:  # hopeless: do not spend minutes proving it
                worst = (took, name, s[:24])
                break
            took = took
            if took > worst[0]:
                worst = (took, name, s[:24])
        rows.append(worst)
    return sorted(rows, reverse=True)
