"""Do once, ahead of the first question, what the first answer would pay for:
import every module the page uses and run one diagnosis, so that lark's
parser tables exist.

Called by the build inside Pyodide before the memory snapshot is taken (the
page then starts with all of this already in memory), and by the worker on
the normal start-up path right after loading.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys

MODULES = (
    "roledoctor.inputs", "roledoctor.evaluation", "roledoctor.findings", "roledoctor.render",
    "roledoctor.fixes.edits", "roledoctor.fixes.apply", "roledoctor.redaction", "roledoctor.webapi", "roledoctor.diagnosis",
    "roledoctor.pageapi.view", "json", "difflib",
    # Not jinja2 (with markupsafe, 0.7 MB of the compressed image): only the
    # report exports need it, rendered when asked for (pageapi.view.export_for_page).
    # readers of caller files (roledoctor.inputs.kinds). Not the YAML parser
    # (ruamel.yaml, 0.5 MB of the page's compressed image): the first answer
    # does not read YAML, and a YAML input imports it from the files, which
    # the page writes after the first answer (a request that needs them waits).
    "roledoctor.inputs.kinds", "roledoctor.inputs.cifiles", "roledoctor.inputs.awsconfig",
    "roledoctor.inputs.oidctoken",
)

SAMPLE = {
    "error": "Error: Cannot assume IAM Role\n\nUser: arn:aws:sts::222222222222:assumed-role/ci/s is not "
             "authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111111111111:role/deploy\n",
    "provider": 'provider "aws" {\n  assume_role {\n    role_arn    = "arn:aws:iam::111111111111:role/deploy"\n'
                '    external_id = "x-1"\n  }\n}\n',
    "trust_policy": '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": '
                    '"arn:aws:iam::222222222222:role/old"}, "Action": "sts:AssumeRole"}]}',
    "caller_policy": '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", '
                     '"Resource": "*"}]}',
}


def prepare() -> list[str]:
    """Import and exercise; return the modules that could not be imported (none, normally)."""
    missing = []
    for name in MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    try:
        from roledoctor.pageapi.view import diagnose_for_page
    except ImportError:
        from roledoctor.inputs import read_all

        read_all(dict(SAMPLE))
    else:
        diagnose_for_page(dict(SAMPLE))
    return missing


def build_lexers() -> int:
    """Before the memory snapshot: build the scanner of every parser state's
    lexer. lark builds each one the first time its state is reached, and
    the page's first HCL text reaches states the sample did not (measured:
    a third of the first answer's calls; 23 KB more compressed image).
    Returns how many lexers there are (0 when lark's layout is not as expected)."""
    from roledoctor.inputs import hcl

    lexer = getattr(hcl.parser().parser, "lexer", None)
    lexer = getattr(lexer, "lexer", lexer)  # behind the post-lexer
    lexers = list(getattr(lexer, "lexers", {}).values()) + [getattr(lexer, "root_lexer", None)]
    unique = {id(each): each for each in lexers if hasattr(each, "scanner")}
    for each in unique.values():
        each.scanner  # noqa: B018 (a property that builds and keeps the scanner)
    return len(unique)


class _MissedImports:
    """First on sys.meta_path while the page has restored its memory image but
    not yet written the files (the standard library's zip, the wheels): a
    module that is not in memory yet would be read from a file that may not be
    there, so each such import is noted, even where some code catches the
    error, and the worker runs the request again once the files are in."""

    missed: list[str] = []

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if importlib.machinery.BuiltinImporter.find_spec(name) is None:
            _MissedImports.missed.append(name)
        return None  # the other finders go on as usual


_WATCH = _MissedImports()


def watch_imports() -> None:
    """Note imports of modules not in memory (the page's snapshot start)."""
    if _WATCH not in sys.meta_path:
        sys.meta_path.insert(0, _WATCH)


def imports_missed() -> str:
    """The modules imported from files since the last call, comma-separated
    ("" for none), and forget them."""
    missed, _MissedImports.missed = _MissedImports.missed, []
    return ",".join(dict.fromkeys(missed))


def files_written() -> None:
    """The files are in: stop noting, and let the finders look again."""
    if _WATCH in sys.meta_path:
        sys.meta_path.remove(_WATCH)
    importlib.invalidate_caches()


def settle() -> None:
    """Before the memory snapshot: drop what only the build needed, so that
    the image holds less (caches of compiled regexes and source lines, lark's
    parser of grammars, the standard library zip's table of contents, the
    type attribute cache, unreachable objects). Each is rebuilt on demand."""
    import gc
    import linecache
    import re
    import zipimport

    re.purge()
    linecache.clearcache()
    grammar_parser = getattr(sys.modules.get("lark.load_grammar"), "_get_parser", None)
    if grammar_parser is not None and hasattr(grammar_parser, "cache"):
        del grammar_parser.cache  # lark builds it again for the next grammar it reads
    importlib.invalidate_caches()
    # (after invalidate_caches, which reads it again; read from the zip on the
    # next lookup: the page writes the real zip after the first answer and
    # invalidate_caches reads it then, files_written)
    zipimport._zip_directory_cache.clear()  # type: ignore[attr-defined]
    sys._clear_type_cache()
    gc.collect()
