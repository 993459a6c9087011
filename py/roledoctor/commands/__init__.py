"""One module per `roledoctor` subcommand (see roledoctor.cli.COMMANDS)."""

from __future__ import annotations

import os
import sys


def read_limited(path: str, errors: str = "replace") -> str:
    """The text of a CLI input file (`-` is stdin), refused with a one-line
    UsageError (exit 2) when over roledoctor.limits.MAX_INPUT_BYTES."""
    from roledoctor.cli import UsageError
    from roledoctor.limits import MAX_EVIDENCE_FILE_BYTES, MAX_INPUT_BYTES, check_text, too_large_message

    label = "stdin" if path == "-" else path
    if path == "-":
        text = sys.stdin.read(MAX_INPUT_BYTES + 1)
        more = bool(text) and len(text) > MAX_INPUT_BYTES
    else:
        try:
            size = os.stat(path).st_size
            limit = MAX_INPUT_BYTES
            if size > MAX_INPUT_BYTES and _authorization_details(path):
                limit = MAX_EVIDENCE_FILE_BYTES  # roledoctor.limits: large AWS output, as a file only
            if size > limit:
                raise UsageError(f"{label}: {too_large_message(size)}")
            with open(path, encoding="utf-8", errors=errors, newline="") as f:
                text = f.read(limit + 1)
                more = bool(f.read(1))
            if limit > MAX_INPUT_BYTES:
                if more:
                    raise UsageError(f"{label}: {too_large_message(size)}")
                return text
        except UnicodeDecodeError:
            raise UsageError(f"{label}: not UTF-8 text") from None
        except OSError as err:
            raise UsageError(f"cannot read {path}: {err.strerror or err}") from None
    if more:  # a stream (pipe, device): its full size is unknown
        raise UsageError(f"{label}: input too large: over {MAX_INPUT_BYTES // 1_000_000} MB, "
                         f"the limit is {MAX_INPUT_BYTES // 1_000_000} MB")
    message = check_text(text)
    if message:
        raise UsageError(f"{label}: {message}")
    return text


def _authorization_details(path: str) -> bool:
    from roledoctor.inputs.evidence.authdetails import recognise_text as large_file_allowed  # authorization details
    try:
        with open(path, encoding="utf-8", errors="replace", newline="") as f:
            return large_file_allowed(f.read(4096))
    except OSError:
        return False
