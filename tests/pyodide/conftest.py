"""A long-lived Node process running the built core in real Pyodide."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


class PyodideProcess:
    def __init__(self, dist: Path):
        self.proc = subprocess.Popen(["node", str(HERE / "runner.mjs"), str(dist)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, bufsize=1)
        hello = json.loads(self.proc.stdout.readline() or '{"ready": false}')
        if not hello.get("ready"):
            raise RuntimeError("Pyodide did not start under Node")
        self.python = hello["python"]

    def run(self, code: str) -> str:
        """Run a snippet; return its last expression (a string). Python errors raise."""
        self.proc.stdin.write(json.dumps({"code": textwrap.dedent(code)}) + "\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        if not answer["ok"]:
            raise AssertionError(f"Python error in Pyodide:\n{answer['error']}")
        return answer["value"]

    def json(self, code: str):
        return json.loads(self.run(code))

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="session")
def pyodide(dist):
    proc = PyodideProcess(dist)
    yield proc
    proc.close()
