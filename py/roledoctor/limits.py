"""Size limits on what the user gives us (hostile and broken input).

One limit, per input: a text box on the page, a file (or stdin) on the command
line. Up to it the answer comes within about 2 s per MB on CPython (measured by
`tests/bench.py`, size_measure); past it the input is refused with a clear
message instead of being read.
"""

from __future__ import annotations

MAX_INPUT_BYTES = 5_000_000  # 5 MB of UTF-8, per input box / per CLI input file
MB = 1_000_000
# `aws iam get-account-authorization-details` of a real account runs to tens of MB; given
# as a file on the command line it is read up to this size (pasted text keeps the 5 MB limit).
MAX_EVIDENCE_FILE_BYTES = 200_000_000
# The same output dropped on the page as a file is read (in the worker, never into a box) up to
# this size: Pyodide's heap is 32-bit (at most 4 GB, Chromium may give less), and the parsed
# entries take several times the text (`python build.py bench --only page_evidence` prints
# the worker's heap for 50 MB).
MAX_PAGE_FILE_BYTES = 100_000_000


def mb_text(n: int) -> str:
    """`n` bytes in MB, one decimal at most ("50.1", "5")."""
    return f"{n / MB:.1f}".rstrip("0").rstrip(".")


_mb = mb_text


def too_large_message(size: int) -> str:
    shown = _mb(size)
    if size > MAX_INPUT_BYTES and shown == _mb(MAX_INPUT_BYTES):
        shown = f"{size:,} bytes, over"
        return f"input too large: {shown} the limit of {_mb(MAX_INPUT_BYTES)} MB"
    return f"input too large: {shown} MB, the limit is {_mb(MAX_INPUT_BYTES)} MB"


def check_text(text: str) -> str | None:
    """None when `text` is within the limit, else the message to show."""
    if not isinstance(text, str):
        return None
    if len(text) * 4 <= MAX_INPUT_BYTES:  # fast path: cannot exceed the limit
        return None
    size = len(text.encode("utf-8", "surrogatepass"))
    return too_large_message(size) if size > MAX_INPUT_BYTES else None
