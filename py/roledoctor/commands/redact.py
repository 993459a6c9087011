"""`roledoctor redact [FILE|-] [--map OUT.json] [--json]`: print the text with
secrets and identifiers replaced by placeholders."""

from __future__ import annotations

import argparse
import json
import os
import sys

from roledoctor.cli import UsageError
from roledoctor.redaction import Redactor


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", default="-", metavar="FILE", help="text to redact; - or nothing for stdin")
    parser.add_argument(
        "--map",
        metavar="OUT.json",
        help="write the placeholder map here (it holds the secrets: keep it local); "
        "an existing map is extended, so several files share placeholders",
    )
    parser.add_argument("--json", action="store_true", help="print the redacted text and its replaced spans as JSON")


def read_input(name: str) -> str:
    from roledoctor.commands import read_limited

    return read_limited(name, errors="strict")


def load_map(name: str) -> Redactor:
    try:
        return Redactor.from_json(read_input(name))
    except ValueError as err:
        raise UsageError(f"{name}: {err}") from None


def write_private(name: str, data: str) -> None:
    """Write a file only the user can read (the map holds the secrets)."""
    try:
        fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(data)
    except OSError as err:
        raise UsageError(f"cannot write {name}: {err.strerror or err}") from None


def run(args: argparse.Namespace) -> int:
    text = read_input(args.file)
    red = load_map(args.map) if args.map and os.path.exists(args.map) else Redactor()
    result = red.redact(text)
    if args.map:
        write_private(args.map, red.to_json() + "\n")
    if args.json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n")
    else:
        sys.stdout.write(result.text)
    return 0
