"""`roledoctor restore --map MAP.json [FILE|-]`: put the original values back
in place of placeholders (also ones a model re-cased or bracketed)."""

from __future__ import annotations

import argparse
import sys

from roledoctor.commands.redact import load_map, read_input


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", default="-", metavar="FILE", help="text with placeholders; - or nothing for stdin")
    parser.add_argument("--map", required=True, metavar="MAP.json", help="the map written by `roledoctor redact --map`")


def run(args: argparse.Namespace) -> int:
    red = load_map(args.map)
    sys.stdout.write(red.restore(read_input(args.file)))
    return 0
