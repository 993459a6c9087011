"""IAM wildcards (`*` any run, `?` one character), matched by hand.

A pattern is split on `*` into segments, matched greedily left to right
(leftmost match of each segment is always safe for globs). Segments are
plain strings or quantifier-free regexes of re.escape'd chunks, so nothing
can backtrack catastrophically (the 100 KB adversarial-input rule).

Literal `*`/`?` coming from policy variables `${*}`/`${?}` or from substituted
values are passed in as LIT_STAR/LIT_QMARK so they are not wildcards.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-specialchars
"""

from __future__ import annotations

import re
from functools import lru_cache

LIT_STAR = "\ue000"
LIT_QMARK = "\ue001"


def _restore(text: str) -> str:
    return text.replace(LIT_STAR, "*").replace(LIT_QMARK, "?")


@lru_cache(maxsize=4096)
def compile_glob(pattern: str, ignore_case: bool = False) -> tuple:
    """-> tuple of segments (the text between `*`s): (length, literal or None, regex or None).

    A segment without `?` is a plain string (str.find / startswith). One with
    `?` becomes a fixed-length regex of escaped chunks joined by `.`: no
    quantifiers at all, so matching stays linear per start position and runs in C.
    """
    if ignore_case:
        pattern = pattern.lower()
    segs: list[tuple[int, str | None, re.Pattern[str] | None]] = []
    for seg in pattern.split("*"):
        chunks = [_restore(c) for c in seg.split("?")]
        size = sum(len(c) for c in chunks) + len(chunks) - 1
        if len(chunks) == 1:
            segs.append((size, chunks[0], None))
        else:
            segs.append((size, None, re.compile(".".join(re.escape(c) for c in chunks), re.DOTALL)))
    return tuple(segs)


# Patterns built at run time (ReDoS tests, tests/hostile/redos.py).
DYNAMIC_PATTERN_SITES = ("compile_glob",)


def redos_patterns() -> list[tuple[str, re.Pattern]]:
    """Segments with `?` as policies write them (account IDs, names, a long run)."""
    out = []
    for glob in ("arn:aws:iam::????????????:role/ci-?", "a?b?c", "?" * 64, "role/????-*-????", "x?" * 32):
        out += [(f"glob:{glob[:20]}", rx) for _, _, rx in compile_glob(glob) if rx is not None]
    return out


def _seg_at(text: str, seg: tuple, i: int) -> bool:
    size, lit, rx = seg
    if lit is not None:
        return text.startswith(lit, i)
    return i + size <= len(text) and rx.match(text, i) is not None


def _seg_find(text: str, seg: tuple, start: int, end: int) -> int:
    """Leftmost i in [start, end - size] where seg matches, or -1."""
    size, lit, rx = seg
    if lit is not None:
        return text.find(lit, start, end)
    m = rx.search(text, start, end)
    return m.start() if m else -1


def match(pattern: str, text: str, ignore_case: bool = False) -> bool:
    segs = compile_glob(pattern, ignore_case)
    if ignore_case:
        text = text.lower()
    if len(segs) == 1:
        return segs[0][0] == len(text) and _seg_at(text, segs[0], 0)
    head, tail = segs[0], segs[-1]
    lo, hi = head[0], len(text) - tail[0]
    if hi < lo or not _seg_at(text, head, 0) or not _seg_at(text, tail, hi):
        return False
    for seg in segs[1:-1]:
        i = _seg_find(text, seg, lo, hi)
        if i < 0:
            return False
        lo = i + seg[0]
    return True


def has_wildcard(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern
