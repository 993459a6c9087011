"""The `roledoctor` command: one subcommand per module in roledoctor.commands.

Exit codes (README.md): 0 allowed, 1 denied, 2 undetermined or unusable input,
with a one-line reason on stderr.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from roledoctor import __version__

# name -> (module, one-line help); modules are imported only when used.
COMMANDS = {
    "diagnose": ("roledoctor.commands.diagnose", "say which gate refuses the role and show the proven fix"),
    "inspect": ("roledoctor.commands.inspect", "print what each input was recognised as, as JSON"),
    "redact": ("roledoctor.commands.redact", "replace secrets and identifiers by placeholders"),
    "restore": ("roledoctor.commands.restore", "map placeholders back using a map file"),
    "check": ("roledoctor.commands.check", "scan a Terraform directory or plan JSON for CI"),
}


class UsageError(Exception):
    """A bad input or argument: printed as one line on stderr, exit 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="roledoctor", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"roledoctor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, helptext) in COMMANDS.items():
        p = sub.add_parser(name, help=helptext, description=helptext)
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as err:
            if err.name != module:
                raise
            p.set_defaults(_missing=name)
            continue
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def error_line(message: str) -> None:
    """One line on stderr; the message may hold file names and input text."""
    from roledoctor.render.inline import ci_safe, escape_name

    print(ci_safe(f"roledoctor: {escape_name(message)}"), file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return 2
    if getattr(args, "_missing", None):
        print(f"roledoctor: the {args._missing} command is not available in this build", file=sys.stderr)
        return 2
    try:
        return int(args._run(args) or 0)
    except UsageError as err:
        error_line(str(err))
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `roledoctor inspect x | head`
        sys.stderr.close()
        return 0
