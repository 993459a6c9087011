"""Hostile and broken input (the core half).

Budget: ROLEDOCTOR_FUZZ_EXAMPLES=N sets the hypothesis examples per fuzz test
(default: a small number, so this folder runs in well under a minute);
`--fuzz-long` (only when tests/hostile is named on the command line, e.g.
`pytest tests/hostile --fuzz-long`) means 5,000.
"""

from __future__ import annotations

import faulthandler
import os
import random
import signal
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[2]
LONG_EXAMPLES = 5000
CALL_LIMIT_S = 5.0  # one call on one input: more than this is a hang


def pytest_addoption(parser):
    parser.addoption("--fuzz-long", action="store_true", default=False,
                     help="hostile tests: 5,000 hypothesis examples per fuzz test")


def pytest_configure(config):
    if config.getoption("--fuzz-long", default=False):
        os.environ["ROLEDOCTOR_FUZZ_EXAMPLES"] = str(LONG_EXAMPLES)


def examples(default: int) -> int:
    """Examples per fuzz test: `default` in the normal run, the env override otherwise."""
    value = os.environ.get("ROLEDOCTOR_FUZZ_EXAMPLES", "")
    return int(value) if value.isdigit() and int(value) > 0 else default


def fuzz_settings(default: int):
    return settings(max_examples=examples(default), deadline=None, derandomize=not os.environ.get(
        "ROLEDOCTOR_FUZZ_EXAMPLES"), database=None, suppress_health_check=list(HealthCheck))


class Hang(BaseException):
    """Raised inside a call that ran past CALL_LIMIT_S. A BaseException, so the
    code under test's own `except Exception` last resorts cannot swallow it."""


@contextmanager
def guard(what: str, limit: float = CALL_LIMIT_S):
    """Fail if the block takes more than `limit` seconds: an interval timer
    interrupts Python-level loops; a watchdog kills the run (with tracebacks)
    if even that does not come back, e.g. inside a C regex match."""
    # CPU time (ITIMER_PROF, process_time), which a busy machine does not inflate;
    # the wall-clock watchdog is the last resort
    use_signal = hasattr(signal, "setitimer") and os.name == "posix"
    if use_signal:
        def on_alarm(signum, frame):
            raise Hang(f"{what}: still running after {limit} s of CPU time")
        old = signal.signal(signal.SIGPROF, on_alarm)
        signal.setitimer(signal.ITIMER_PROF, limit)
    faulthandler.dump_traceback_later(max(60.0, limit * 6), exit=True)
    t0 = time.process_time()
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()
        if use_signal:
            signal.setitimer(signal.ITIMER_PROF, 0)
            signal.signal(signal.SIGPROF, old)
    took = time.process_time() - t0
    assert took <= limit, f"{what}: took {took:.1f} s of CPU time (limit {limit} s)"


def real_inputs() -> list[tuple[str, str, str]]:
    """(case, box, text) for every scenario and example input."""
    out = []
    dirs = sorted((ROOT / "tests" / "scenarios").iterdir()) + sorted((ROOT / "examples").iterdir())
    for d in dirs:
        if not d.is_dir():
            continue
        for f in sorted(d.iterdir()):
            caller_file = f.suffix in (".yml", ".yaml", ".jwt", ".sh", ".env", ".hcl") or f.name in ("config",
                                                                                                 "credentials")
            if (f.suffix in (".txt", ".tf", ".json") or caller_file) and f.name != "expected.json" and f.is_file():
                out.append((d.name, f.stem.replace("-", "_"), f.read_text(encoding="utf-8")))
    return out


def real_cases() -> list[tuple[str, dict[str, str]]]:
    cases: dict[str, dict[str, str]] = {}
    for case, box, text in real_inputs():
        cases.setdefault(case, {})[box] = text
    return sorted(cases.items())


# ---- mutations ---------------------------------------------------------------

HOSTILE_PIECES = ["\x00", "\ufeff", "\u202e", "\U0001f600", "\udcff"[:0] + "\u0301", "é", "\r", "\r\n", "\t",
                  "9" * 400, "1e999999", "-0", "0x", "${", "%{", "$${", "\\", '"', "'", "`", "/*", "*/", "#",
                  "//", "<<EOT\n", "<<-X\n", "EOT", "{", "}", "[", "]", "(", ")", ",", ":", "=", "\n",
                  "[" * 500, "{" * 500, '{"a":' * 300, "(" * 300, "arn:aws:", "*", "?", "\u2502 ", "\x1b[31m",
                  "Error: ", "AccessDenied", "is not authorized to perform: sts:AssumeRole", "null", "true",
                  "\u0000\u0000", "\x7f", "\ud800"[:0] + "\uffff", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢"]


def mutate(text: str, rnd: random.Random, steps: int | None = None) -> str:
    """Delete, duplicate, swap lines; flip, insert characters; cut the text;
    insert NULs, unicode, huge numbers, deep nesting, unterminated strings,
    heredocs and comments."""
    for _ in range(steps or rnd.randint(1, 4)):
        lines = text.split("\n")
        op = rnd.randrange(9)
        i = rnd.randrange(len(lines))
        if op == 0 and len(lines) > 1:
            del lines[i]
        elif op == 1:
            lines.insert(i, lines[i])
        elif op == 2 and len(lines) > 1:
            j = rnd.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 3 and text:
            k = rnd.randrange(len(text))
            return_text = text[:k] + chr(rnd.choice([ord(text[k]) ^ (1 << rnd.randrange(7)), 0, 0x2028, 0xFFFD]) or 1) + text[k + 1:]
            text = return_text
            continue
        elif op == 4:
            k = rnd.randrange(len(text) + 1)
            text = text[:k] + rnd.choice(HOSTILE_PIECES) + text[k:]
            continue
        elif op == 5:
            text = text[: rnd.randrange(len(text) + 1)]  # unterminated anything
            continue
        elif op == 6:
            lines[i] = lines[i].replace('"', "", 1)
        elif op == 7:
            k = rnd.randrange(len(text) + 1)
            text = text[:k] + text[k:].replace("}", "", 1).replace("]", "", 1)
            continue
        else:
            lines.insert(i, rnd.choice(["/* unterminated", "<<EOT", '"unterminated', "# " + "x" * 2000,
                                        "x = " + "9" * 1000, "\x00" * 10]))
        text = "\n".join(lines)
    return text


@pytest.fixture(scope="session", autouse=True)
def _warm():
    """Build the HCL parser once, outside the per-call time guards."""
    from roledoctor.inputs import read
    read("warm.tf", 'provider "aws" {\n  region = "eu-west-1"\n}\n')
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
