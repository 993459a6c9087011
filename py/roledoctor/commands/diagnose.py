"""`roledoctor diagnose`: say which gate refuses the role, and show the proven fix.

Exit codes (README.md): 0 allowed, 1 denied, 2 undetermined or unusable input,
with a one-line reason on stderr.
"""

from __future__ import annotations

import sys

from roledoctor.cli import UsageError

FORMATS = ("json", "text", "markdown", "sarif")
# option -> slot (facts.SLOTS)
OPTIONS = (("error", "error"), ("provider", "provider"), ("trust_policy", "trust_policy"),
           ("caller_policy", "caller_policy"), ("scp", "scp"), ("rcp", "rcp"), ("boundary", "boundary"))


def add_arguments(parser) -> None:
    parser.add_argument("--error", metavar="F", help="Terraform / STS error output")
    parser.add_argument("--provider", metavar="F", help='Terraform with the provider "aws" block')
    parser.add_argument("--trust-policy", dest="trust_policy", metavar="F", help="the role's trust policy")
    parser.add_argument("--caller-policy", dest="caller_policy", metavar="F",
                        help="the caller's identity (permissions) policy")
    parser.add_argument("--scp", action="append", default=[], metavar="F", help="a service control policy (repeatable)")
    parser.add_argument("--rcp", action="append", default=[], metavar="F", help="a resource control policy (repeatable)")
    parser.add_argument("--boundary", metavar="F", help="the caller's permissions boundary")
    parser.add_argument("--caller", metavar="ARN", help="the identity that runs Terraform, when no error text names it")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument("files", nargs="*", metavar="FILE", help="more inputs, classified automatically; - is stdin")


def _load(path: str, used_stdin: list) -> str:
    from roledoctor.commands import read_limited

    if path == "-":
        if used_stdin:
            raise UsageError("stdin (-) can be given only once")
        used_stdin.append(True)
    return read_limited(path)


def collect(args) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """-> (raw texts by input name, slots, file names) from the parsed arguments."""
    raw: dict[str, str] = {}
    slots: dict[str, str] = {}
    files: dict[str, str] = {}
    used: list = []

    def add(name: str, slot: str, path: str):
        base, n = name, 2
        while name in raw:
            name, n = f"{base}{n}", n + 1
        raw[name], slots[name], files[name] = _load(path, used), slot, path

    for opt, slot in OPTIONS:
        value = getattr(args, opt, None)
        for path in (value if isinstance(value, list) else [value] if value else []):
            add(slot, slot, path)
    for path in args.files:
        add("stdin" if path == "-" else path, "auto", path)
    if not raw:
        raise UsageError("no input given: pass --error/--provider/--trust-policy/... or FILEs (- for stdin)")
    return raw, slots, files


def reason(d) -> str:
    rep = d.report
    blockers = [f for f in rep.ordered_findings() if f.kind == "blocker"]
    if d.verdict == "allowed":
        return "allowed"
    if d.verdict == "denied":
        codes = ", ".join(dict.fromkeys(f.code for f in blockers)) or "see the report"
        return f"denied: {codes}"
    missing = [f for f in rep.findings if f.code in ("INPUT_MISSING", "INPUT_UNPARSEABLE", "POLICY_INVALID")]
    return "undetermined: " + (missing[0].message.replace("\n", " ")[:200] if missing else "not enough input")


def run(args) -> int:
    from roledoctor.diagnosis.diagnose import diagnose
    from roledoctor.render import render

    raw, slots, files = collect(args)
    d = diagnose(raw, slots, caller=args.caller, filenames={k: v for k, v in files.items()})
    out = render(d.report, args.format)
    sys.stdout.write(out)
    sys.stdout.flush()
    from roledoctor.cli import error_line

    error_line(reason(d))
    return {"allowed": 0, "denied": 1}.get(d.verdict, 2)
