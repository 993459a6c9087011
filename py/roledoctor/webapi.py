"""The page's entry points: the web worker calls `handle(method, args_json)`
and gets JSON back ({"ok": true, "result": ...} or {"ok": false, "error": ...}).
Only the method table lives here: every method is in roledoctor.pageapi.

Methods (args -> result; every input dict is {box name: text}, the box names
of roledoctor.pageapi.boxes):

  about        {}                          -> {version, python}
  inspect      {inputs}                    -> {inputs: [{input, recognised, problems[{code,message,line,column,text}]}]}
  summary      same as inspect (older name)
  diagnose     {inputs}                    -> diagnose_for_page's object (pageapi/view.py)
  export       {inputs, format}            -> {text}: the report as "markdown" or an "html" document, rendered
                                              only when asked for (the one part that needs jinja2)
  route        {files: [{name, text}]}     -> {files: [{name, kinds, parts: [{input, text, what}], note}]}
  split        {text, input}               -> {parts: [{input, text, what}]} (one part: nothing to split)
  redact       {inputs}                    -> {texts: {box: {text, spans}}}; keeps the map here
  unredact     {placeholder, inputs, report?} -> like prompt
  redact_more  {fragment, type?, inputs, report?} -> like prompt
  prompt       {inputs, report?}           -> {system, user, spans[{start,end,type,placeholder,original}], count}
  restore      {text}                      -> {text}: placeholders mapped back
  review_answer {answer, inputs}           -> {restored, blocks[{language,target,title,text,problems}], verdict,
                                              note}; verdict {word, sentence, codes, unsafe[finding]}:
                                              word "Allowed, but unsafe" with critical/high hardening
  reset_redaction {}                       -> {}
  release_file {input}                     -> {}: forget a large file held by hold_file
  bench        {inputs, repeat?}           -> {n, first_ms, median_ms, min_ms, p90_ms, verdict}

A large AWS evidence file dropped on the page is read by the worker and given
to hold_file(name, text, size) (pageapi/held.py) once; `inputs.held` then names
it in every request above.

The worker also calls install_cache and warm_up at start-up, and the build
calls build_caches (pageapi/caches.py). Offsets sent to the page are UTF-16
code units (JavaScript string indices). The redaction map never leaves this
worker and the page.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

from roledoctor import __version__
from roledoctor.pageapi import held, prompt, review, routing, session, split
from roledoctor.pageapi.bench import bench
from roledoctor.pageapi.caches import build_caches, install_cache, warm_up
from roledoctor.pageapi.engine import EngineMissing


def _about(args: dict) -> dict:
    # this module's __version__: the start-up tests plant a pickle that changes it
    return {"version": __version__, "python": sys.version.split()[0]}


def _inspect(args: dict) -> dict:
    from roledoctor.pageapi.view import inspect
    return inspect(args)


def _diagnose(args: dict) -> dict:
    from roledoctor.pageapi.engine import engine
    engine()  # EngineMissing in a build without the engine
    from roledoctor.pageapi.held import trim
    from roledoctor.pageapi.view import diagnose_method
    return trim(diagnose_method(args))


def _export(args: dict) -> dict:
    from roledoctor.pageapi.engine import engine
    engine()
    from roledoctor.pageapi.view import export_method
    return export_method(args)


METHODS: dict[str, Callable[[dict], dict]] = {
    "about": _about,
    "bench": bench,
    "inspect": _inspect,
    "summary": _inspect,
    "diagnose": _diagnose,
    "export": _export,
    "route": routing.route,
    "split": split.split,
    "redact": session.redact,
    "unredact": prompt.unredact,
    "redact_more": prompt.redact_more,
    "prompt": prompt.prompt,
    "restore": session.restore,
    "review_answer": review.review,
    "reset_redaction": session.reset,
    "release_file": held.release,
}

__all__ = ["METHODS", "handle", "hold_file", "build_caches", "install_cache", "warm_up"]
hold_file = held.hold_json  # the worker gives a large dropped file's text here, not as JSON


def handle(method: str, args_json: str = "{}") -> str:
    """Run one request; errors come back as {"error": "..."} (never a traceback)."""
    if method not in METHODS:
        return json.dumps({"ok": False, "error": f"unknown method {method!r}"})
    try:
        result = METHODS[method](json.loads(args_json or "{}"))
        return json.dumps({"ok": True, "result": result})
    except EngineMissing as err:
        return json.dumps({"ok": False, "error": str(err), "code": "engine-missing"})
    except Exception as err:  # the page shows one line, never a traceback
        return json.dumps({"ok": False, "error": f"{type(err).__name__}: {err}"})
