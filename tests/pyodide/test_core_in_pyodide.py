"""The core in real Pyodide (Python 3.14) under Node, from the built wheels."""

from __future__ import annotations


def test_runs_python_314_with_our_wheels(pyodide):
    assert pyodide.python.startswith("3.14")
    about = pyodide.json("import roledoctor.webapi as w; w.handle('about')")
    assert about["ok"] and about["result"]["python"].startswith("3.14")


def test_markupsafe_pure_python_fallback_escapes(pyodide):
    # build.py ships MarkupSafe without its C speedups; jinja2 must still escape
    out = pyodide.run("""
        import jinja2
        jinja2.Environment(autoescape=True).from_string("{{ x }}").render(x="<script>&")
    """)
    assert out == "&lt;script&gt;&amp;"


def test_unknown_method_is_an_error_not_a_traceback(pyodide):
    reply = pyodide.json("import roledoctor.webapi as w; w.handle('nope', '{}')")
    assert reply == {"ok": False, "error": "unknown method 'nope'"}
