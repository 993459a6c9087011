"""Linear time on hostile sizes, for the hand-written scanners and matchers
(the regexes are timed one by one in test_redos.py).

Measured in CPU time of this thread (time.thread_time), which other processes
on a busy machine do not inflate, and as growth, not as a budget: the same
input four times longer must cost at most eight times more. Linear code costs
about four times more; quadratic code sixteen."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from roledoctor.evaluation.wildcard import match
from roledoctor.findings.prevention import go_duration_seconds
from roledoctor.fixes.edits import EditError, scan_container
from roledoctor.inputs import read_all
from roledoctor.render import inline

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "seed-cross-account"
FLOOR_S = 0.002  # below this, a measurement is noise


def cpu(run, text) -> float:
    best = float("inf")
    for _ in range(3):
        t = time.thread_time()
        run(text)
        best = min(best, time.thread_time() - t)
    return best


def quietly(fn, *errors):
    def run(text):
        try:
            fn(text)
        except errors:
            pass
    return run


def provider_blocks(n: int) -> str:
    block = (EXAMPLE / "provider.tf").read_text() + 'resource "aws_instance" "w" {\n  tags = { a = "}" }\n}\n'
    return block * max(1, n // len(block))


CASES = {
    "wildcard *a*a*a*b": (lambda n: "a" * n, lambda t: match("*a*a*a*a*a*b", t)),
    "wildcard a?…b*": (lambda n: "a" * n, lambda t: match("*" + "a?" * 200 + "b*", t)),
    "edits: unclosed json nesting": (lambda n: "[" * n, quietly(lambda t: scan_container(t, 0, "json"), EditError)),
    "edits: json escapes": (lambda n: '{"a": "' + "\\" * n, quietly(lambda t: scan_container(t, 0, "json"), EditError)),
    "edits: hcl template openers": (lambda n: '{ a = "' + "${" * (n // 2),
                                    quietly(lambda t: scan_container(t, 0, "hcl"), EditError)),
    "edits: hcl comments": (lambda n: "{" + "/*" * (n // 2), quietly(lambda t: scan_container(t, 0, "hcl"), EditError)),
    "inline markdown": (lambda n: "`<*_[(" * (n // 6), inline.md_inline),
    "inline code split": (lambda n: "`<*_[(" * (n // 6), inline.split_code),
    "go duration digits": (lambda n: "1" * n + "x", quietly(go_duration_seconds, ValueError)),
    "go duration units": (lambda n: "1h" * (n // 2) + "!", quietly(go_duration_seconds, ValueError)),
    "HCL reader, many blocks": (provider_blocks, lambda t: read_all({"big.tf": t})),
    # the grammar's heredoc terminal backtracks over blank lines (hcl._unblank)
    "HCL reader, blank lines in an unclosed heredoc": (lambda n: "a = <<EOT\n" + "\n" * n, lambda t: read_all({"h.tf": t})),
    "HCL reader, blank lines in a heredoc": (lambda n: "a = <<EOT\n" + " \n" * (n // 2) + "EOT\n",
                                             lambda t: read_all({"h.tf": t})),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_grows_linearly(name):
    make, run = CASES[name]
    n = 200_000 if name.startswith("HCL") else 25_000
    small, big = cpu(run, make(n)), cpu(run, make(4 * n))
    assert big <= 8 * max(small, FLOOR_S), f"{name}: {small * 1000:.1f} ms at {n}, {big * 1000:.1f} ms at {4 * n}"


def test_the_measure_catches_quadratic_code():
    def quadratic(text):
        for i in range(len(text)):
            for _ in range(i):
                pass
    small, big = cpu(quadratic, "a" * 800), cpu(quadratic, "a" * 3_200)
    assert big > 8 * max(small, FLOOR_S)
