"""IAM wildcards (`*` any run, `?` one character), matched by hand.

No regex is built from user text: a pattern is split on `*` into segments,
segments on `?` into literal chunks, and matched greedily left to right with
str.find. That is linear in the text for a fixed pattern and cannot backtrack
catastrophically (the 100 KB adversarial-input rule).

Literal `*`/`?` coming from policy variables `${*}`/`${?}` or from substituted
values are passed in as LIT_STAR/LIT_QMARK so they are not wildcards.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-specialchars
"""

from __future__ import annotations

from functools import lru_cache

LIT_STAR = "\ue000"
LIT_QMARK = "\ue001"


def _restore(text: str) -> str:
    return text.replace(LIT_STAR, "*").replace(LIT_QMARK, "?")


@lru_cache(maxsize=4096)
def compile_glob(pattern: str, ignore_case: bool = False) -> tuple:
    """-> tuple of segments; a segment is a tuple of literal chunks joined by one `?` each."""
    if ignore_case:
        pattern = pattern.lower()
    return tuple(tuple(_restore(c) for c in seg.split("?")) for seg in pattern.split("*"))


def _seg_len(seg: tuple) -> int:
    return sum(len(c) for c in seg) + len(seg) - 1


def _seg_at(text: str, seg: tuple, i: int) -> bool:
    for n, chunk in enumerate(seg):
        if n:
            if i >= len(text):
                return False
            i += 1  # the `?`
        if not text.startswith(chunk, i):
            return False
        i += len(chunk)
    return True


def _seg_find(text: str, seg: tuple, start: int, end: int) -> int:
    """Leftmost i in [start, end - len] where seg matches, or -1."""
    size = _seg_len(seg)
    first = seg[0]
    if len(seg) == 1:
        return text.find(first, start, end)
    i = start
    while i + size <= end:
        if first:
            i = text.find(first, i, end)
            if i < 0 or i + size > end:
                return -1
        if _seg_at(text, seg, i):
            return i
        i += 1
    return -1


def match(pattern: str, text: str, ignore_case: bool = False) -> bool:
    segs = compile_glob(pattern, ignore_case)
    if ignore_case:
        text = text.lower()
    if len(segs) == 1:
        return _seg_len(segs[0]) == len(text) and _seg_at(text, segs[0], 0)
    head, tail = segs[0], segs[-1]
    lo, hi = _seg_len(head), len(text) - _seg_len(tail)
    if hi < lo or not _seg_at(text, head, 0) or not _seg_at(text, tail, hi):
        return False
    for seg in segs[1:-1]:
        i = _seg_find(text, seg, lo, hi)
        if i < 0:
            return False
        lo = i + _seg_len(seg)
    return True


def has_wildcard(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern
