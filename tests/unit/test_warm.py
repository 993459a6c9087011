"""What the build does inside Pyodide before the memory snapshot (roledoctor.warm),
run here in CPython: the parts that reach into lark must still find what they
look for, or the page's image silently grows or its first answer slows down."""

from __future__ import annotations

import subprocess
import sys
import zipimport

from roledoctor import warm
from roledoctor.inputs import hcl


def _lexers():
    lexer = hcl.parser().parser.lexer
    lexer = getattr(lexer, "lexer", lexer)
    return {id(each): each for each in [*lexer.lexers.values(), lexer.root_lexer]}.values()


def test_build_lexers_builds_the_scanner_of_every_lexer_state():
    count = warm.build_lexers()
    lexers = list(_lexers())
    assert count == len(lexers) > 10  # one per distinct set of terminals the parser's states accept
    assert all(each._scanner is not None for each in lexers)


def test_the_page_image_leaves_the_yaml_parser_to_the_files():
    # the first answer reads no YAML; a YAML input imports ruamel.yaml once the files are written
    assert not any(name.startswith(("ruamel", "roledoctor.inputs.yamlsafe")) for name in warm.MODULES)


def test_the_page_image_leaves_the_template_engine_to_the_files():
    # the first answer draws no report export (rendered when asked for): jinja2 and markupsafe are imported
    # from the files then
    assert not any(name.split(".")[0] in ("jinja2", "markupsafe") for name in warm.MODULES)
    code = ("import sys; from roledoctor import warm; assert warm.prepare() == []; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'jinja2', 'markupsafe', 'ruamel'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]"


def test_settle_drops_lark_grammar_parser_and_the_zip_directory_cache():
    import lark.load_grammar as lg

    lg._get_parser()  # lark's parser of grammars, as building a parser leaves it
    assert hasattr(lg._get_parser, "cache")
    warm.settle()
    assert not hasattr(lg._get_parser, "cache")
    assert not zipimport._zip_directory_cache  # type: ignore[attr-defined]
    assert "lark.load_grammar" in sys.modules
    # lark builds it again when it next reads a grammar
    assert lg._get_parser() is lg._get_parser.cache
