"""HCL2 with positions: python-hcl2's grammar, our own lark parser and walker.

We do not `import hcl2`: its __init__ imports a reconstructor that builds a
second LALR parser at import time (about 2 s in Pyodide). We only read its
grammar file and build one parser, its tables cached in a private folder of
the user's (`LARK_CACHE`); the page gets them from the build, checked against
the build's sha256 (`build_lark_cache`, `install_tables`). The walker keeps the offsets of every
attribute, block, key and value; evaluation lives in hcleval.py.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from roledoctor import privatefile
from roledoctor.source import quoted_end

_lark: Any = None  # the lark module, imported on first parse: importing roledoctor.inputs stays cheap


def _load_lark():
    global _lark
    if _lark is None:
        import lark
        _lark = lark
    return _lark


def _user_cache_dir() -> str | None:
    """$XDG_CACHE_HOME/roledoctor or ~/.cache/roledoctor: a folder of this
    user's, never the shared temp folder, where anyone could plant a file
    (https://specifications.freedesktop.org/basedir-spec/latest/)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "roledoctor") if os.path.isabs(base) else None


# Where the parser's tables are kept between runs, read at parse time (the
# build and tests may point it elsewhere first); None: no disk cache. The file
# is a pickle: roledoctor.privatefile reads it only when no other user could
# have written it.
CACHE_NAME = "hcl2-lark.tables"  # the grammar and lark it was built from: its header (_key)
_CACHE_DIR = _user_cache_dir()
LARK_CACHE: str | None = os.path.join(_CACHE_DIR, CACHE_NAME) if _CACHE_DIR else None
_TABLES_MAGIC = b"roledoctor-lark-tables 2 "  # + the grammar key + newline, then lark's save()

_PARSER = None
_PARSER_CACHE_PATH = None

# Cheap pre-check before building the parser: a top-level block or attribute.
_BLOCK_START = re.compile(
    r"^[ \t]*(?:provider|resource|data|terraform|variable|locals|module|output|backend|moved|import|check)"
    r"[ \t]+[^\n{]*\{", re.M)
_ATTR_START = re.compile(r"^[ \t]*[A-Za-z_][A-Za-z0-9_-]*[ \t]*=[^=>]", re.M)
_COMMENT_OR_BLANK = re.compile(r"[ \t]*(?:#[^\n]*|//[^\n]*)?\n")


class HCLSyntaxError(ValueError):
    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.message = message
        self.offset = offset


def grammar_path() -> str:
    spec = importlib.util.find_spec("hcl2")  # locates the package without running it
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("python-hcl2 is not installed")
    return os.path.join(list(spec.submodule_search_locations)[0], "hcl2.lark")


def _grammar() -> str:
    with open(grammar_path(), encoding="utf-8") as f:
        return f.read()


def _key(grammar: str) -> bytes:
    """Tables built from another grammar or lark version are rebuilt."""
    _load_lark()
    return hashlib.sha256(f"{_lark.__version__}\0{grammar}".encode()).hexdigest().encode()


def _new_parser(grammar: str):
    """No propagate_positions: lark would compute every tree's extent as it
    builds it (about 40% of the parse); the walker takes a tree's extent from
    its first and last token, only for the trees it asks about (_pos). Every
    terminal of the grammar is named, so no token is filtered out of a tree
    and the two extents are the same."""
    _load_lark()
    return _lark.Lark(grammar, parser="lalr", propagate_positions=False, postlex=_PostLex())


def tables(p, key: bytes) -> bytes:
    buf = io.BytesIO()
    p.save(buf, {"postlex"})  # our _PostLex is given again at load time, never pickled
    return _TABLES_MAGIC + key + b"\n" + buf.getvalue()


def from_tables(data: bytes, key: bytes):
    """The parser saved in `data`, or None when it was made for another grammar.
    Only for bytes we trust (a private file, or checked against a build's sha256)."""
    head = _TABLES_MAGIC + key + b"\n"
    if not data.startswith(head):
        return None
    _load_lark()
    # Lark.load takes no options; _load is what lark's own cache uses to pass the postlexer again
    return _lark.Lark.__new__(_lark.Lark)._load(io.BytesIO(data[len(head):]), postlex=_PostLex())


def fresh_tables() -> bytes:
    """A new parser's tables. The build makes them inside Pyodide so the page
    loads tables in ~40 ms instead of building the parser."""
    grammar = _grammar()
    return tables(_new_parser(grammar), _key(grammar))


def build_lark_cache(path: str | None = None) -> str:
    """Build the parser and write its tables to `path` (default LARK_CACHE),
    a file in a private folder (roledoctor.privatefile)."""
    path = path or LARK_CACHE
    if not path:
        raise OSError("no cache location (no home folder)")
    privatefile.write(path, fresh_tables())
    return path


def install_tables(data: bytes) -> bool:
    """Use tables the page fetched (their sha256 checked against the build's
    manifest before this call); False when they do not fit this grammar."""
    global _PARSER, _PARSER_CACHE_PATH
    p = from_tables(data, _key(_grammar()))
    if p is None:
        return False
    _PARSER, _PARSER_CACHE_PATH = p, LARK_CACHE
    return True


def _cached_parser(path: str | None):
    grammar = _grammar()
    key = _key(grammar)
    data = privatefile.read(path) if path else None
    if data is not None:
        try:
            p = from_tables(data, key)
        except Exception:  # a damaged file of ours: rebuild it
            p = None
        if p is not None:
            return p
    p = _new_parser(grammar)
    if path:
        try:
            privatefile.write(path, tables(p, key))
        except OSError:  # no private place to keep it: build again next run
            pass
    return p


def parser():
    global _PARSER, _PARSER_CACHE_PATH
    if _PARSER is None or _PARSER_CACHE_PATH != LARK_CACHE:
        _PARSER = _cached_parser(LARK_CACHE)
        _PARSER_CACHE_PATH = LARK_CACHE
    return _PARSER


def looks_like_hcl(text: str) -> bool:
    if _BLOCK_START.search(text):
        return True
    # tfvars: the first significant line is an attribute.
    i = 0
    n = len(text)
    while i < n:
        m = _COMMENT_OR_BLANK.match(text, i)
        if not m or m.end() == i:
            break
        i = m.end()
    return bool(_ATTR_START.match(text, i))


# ---- the tree we hand on -------------------------------------------------

@dataclass
class Node:
    """An HCL expression. kind: str | num | bool | null | tuple | object |
    template | ref | call | heredoc | cond | binop | unary | for | expr
    (anything else, kept as source text)."""

    kind: str
    start: int
    end: int
    value: Any = None
    # str: decoded string. offsets: source offset of each decoded character
    # (plus the closing quote) so JSON inside a quoted string maps back exactly.
    offsets: list | None = None
    # object: list of ObjectItem; tuple: list of Node; template: list of str|Node;
    # call: (name, [Node]); heredoc: (body, body_start, body_end, trim); ref: "var.x";
    # cond: (condition, then, else); binop: (operator, left, right); unary: (operator, operand);
    # for: see _Walker.for_expr


@dataclass
class ObjectItem:
    key: str
    key_start: int
    key_end: int
    value: Node
    key_node: Node | None = None  # when the key is an expression like (var.k)


@dataclass
class Attribute:
    name: str
    name_start: int
    name_end: int
    value: Node
    start: int
    end: int


@dataclass
class Block:
    type: str
    labels: list[str]
    body: Body
    start: int
    end: int
    type_start: int
    type_end: int
    label_spans: list = field(default_factory=list)


@dataclass
class Body:
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    duplicates: list[Attribute] = field(default_factory=list)

    def blocks_of(self, type_: str) -> list[Block]:
        return [b for b in self.blocks if b.type == type_]


def parse(text: str, every_block: bool = False) -> Body:
    """Parse HCL; raise HCLSyntaxError with the offset of the offending text.

    Most of a configuration is resources roledoctor never reads, and building
    lark's tree costs more than checking the syntax: when the text splits
    cleanly into top-level blocks (top_level_blocks), the blocks the Terraform
    reader uses (`read_block`) are parsed into trees, each at its own offset,
    and every other block is checked by the same parser without a tree
    (`check_syntax`: a broken block is the same error, at the same place); its
    Block keeps its type, labels and span, with an empty body. `every_block`:
    parse every block (terragrunt files read blocks Terraform has not)."""
    key = (text, every_block)
    cached = _PARSED.get(key)
    if cached is not None:
        return cached
    body = _parse_uncached(text, every_block)
    if len(text) > 2000:  # small texts parse in microseconds; keep the few big ones
        _PARSED[key] = body
        while len(_PARSED) > 8:
            _PARSED.pop(next(iter(_PARSED)))
    return body


# The page re-diagnoses as the user types in *another* box, and fixes are
# verified by reading the inputs again: a big main.tf that did not change is
# not parsed again. Bodies are never modified after parsing.
_PARSED: dict[tuple[str, bool], "Body"] = {}


def _parse_uncached(text: str, every_block: bool = False) -> Body:
    _load_lark()
    # Offsets must stay those of the user's text: replace, never delete.
    src = text.replace("\r", " ").replace("\ufeff", " ")
    _check_depth(src, 0, len(src))
    blocks = top_level_blocks(src)
    if blocks is None:
        return _parse_slice(src, 0, len(src))
    out, piece = Body(), 0
    for start, end, wanted in blocks:
        # each piece runs from the end of the block before it: lark reads the
        # blank lines and comments between as in the whole text, so a broken
        # block fails at the same token with the same message
        stub = None if wanted or every_block else _stub(src, start, end)
        if stub is None:
            out.blocks.extend(_parse_slice(src, piece, end).blocks)
        else:
            check_syntax(src[piece:end] + "\n", piece)
            out.blocks.append(stub)
        piece = end
    return out


# Deeper bracket nesting is refused before lark and the (recursive) walker
# see it: real configurations stay under 20, Python's stack does not.
MAX_DEPTH = 100
_NESTING = re.compile(r'[\[\](){}"#]')


def _check_depth(src: str, start: int, end: int) -> None:
    """HCLSyntaxError "nesting too deep" at the bracket that opens level MAX_DEPTH + 1.
    Brackets inside one-line strings and # comments do not count."""
    depth, i = 0, start
    while True:
        m = _NESTING.search(src, i, end)
        if not m:
            return
        ch, i = m.group(), m.end()
        if ch == '"':
            q = quoted_end(src, m.start(), end, one_line=True)
            i = q if q != -1 else _line_end(src, i, end)
        elif ch == "#":
            i = _line_end(src, i, end)
        elif ch in "[({":
            depth += 1
            if depth > MAX_DEPTH:
                raise HCLSyntaxError(f"nesting too deep (more than {MAX_DEPTH} levels)", m.start())
        else:
            depth = max(0, depth - 1)


def _line_end(src: str, i: int, end: int) -> int:
    """The offset of the next newline in src[i:end], or end."""
    nl = src.find("\n", i, end)
    return end if nl == -1 else nl


# The grammar's heredoc terminal ends with `\r?\n\s*DELIMITER`: at every newline
# of a body, `\s*` runs over all the blank lines that follow, so a body of n
# blank lines costs n² (80,000 blank lines: a minute). In the copy lark reads,
# the inside of a long run of blank lines becomes one `#` comment line: in code
# that is a comment, in a heredoc body or a /* */ comment it is never read (the
# walker takes heredoc bodies from the user's text). Same length, same offsets.
_BLANK_RUN = re.compile(r"\n(?:[ \t]*\n){64,}")


def _unblank(piece: str) -> str:
    if "\n\n" not in piece:
        return piece
    return _BLANK_RUN.sub(lambda m: "\n" + "#" * (len(m.group()) - 2) + "\n", piece)


def _lark_parse(raw: str, start: int, parse: Callable[[str], Any]) -> Any:
    """parse(the copy lark reads of raw); lark's errors as HCLSyntaxError at their offset in the text."""
    try:
        return parse(_unblank(raw))
    except _lark.exceptions.UnexpectedInput as err:
        raise HCLSyntaxError(_describe(err, raw), start + _offset(err, raw)) from None
    except _lark.exceptions.LarkError as err:
        raise HCLSyntaxError(str(err).splitlines()[0], start) from None
    except RecursionError:
        raise HCLSyntaxError("nesting too deep", start) from None


def _parse_slice(src: str, start: int, end: int) -> Body:
    tree = _lark_parse(src[start:end] + "\n", start, parser().parse)
    _BASE[0] = start
    try:
        return _Walker(src).body(tree.children[0])
    except RecursionError:
        raise HCLSyntaxError("nesting too deep", start) from None
    finally:
        _BASE[0] = 0


# The syntax check of a block no reader uses: lark's own parser tables and
# lexer, with rule callbacks that build nothing (lark's LALR parser, its
# internal interface: tests/unit/inputs/test_hcl.py holds the check and the
# parse to the same verdicts).
_CHECKER: list = [None, None]  # [the parser it was made from, the checking parser]


def _discard(children) -> None:
    return None


def _checker():
    p = parser()
    if _CHECKER[0] is not p:
        from lark.parsers.lalr_parser import _Parser
        lalr = p.parser.parser
        _CHECKER[:] = [p, _Parser(lalr._parse_table, dict.fromkeys(lalr.parser.callbacks, _discard))]
    return p, _CHECKER[1]


def check_syntax(text: str, start: int = 0) -> None:
    """HCLSyntaxError where lark's parse of `text` would fail, without building its tree."""
    p, check = _checker()
    _lark_parse(text, start, lambda piece: check.parse(p.parser._make_lexer_thread(piece), "start"))


# Top-level blocks the Terraform reader (terraform.py) uses: every other block is
# only checked. A module block matters when it calls a local module (its arguments
# are followed); registry and git sources are not read.
_READ_KINDS = ("provider", "terraform", "variable", "locals")
_LOCAL_SOURCE = re.compile(r'[\n{][ \t]*source[ \t]*=[ \t]*"\.\.?[/"]')
_HEADER = re.compile(r'[ \t]*([A-Za-z_][A-Za-z0-9_-]*)[ \t]*"?([A-Za-z0-9_-]*)')


def read_block(src: str, start: int, end: int) -> bool:
    """Whether the top-level block in src[start:end] (leading comments included) is one
    the Terraform reader uses: provider, terraform, variable, locals, aws_iam_* resources
    and data sources, local module calls."""
    head = _HEADER.match(src, _after_comments(src, start, end))
    kind, label = (head.group(1), head.group(2)) if head else ("", "")
    if kind in ("resource", "data"):
        return label.startswith("aws_iam_")
    if kind == "module":
        return _LOCAL_SOURCE.search(src, start, end) is not None
    return kind in _READ_KINDS


# A block's header as the stub of a block that is only checked: `type "label" label {`
# on one line, labels without escapes or templates; any other header is parsed.
_STUB_TYPE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_STUB_LABEL = re.compile(r'[ \t]*(?:"([^"\\$%\n]*)"|([A-Za-z_][A-Za-z0-9_-]*))')
_STUB_OPEN = re.compile(r"[ \t]*\{")


def _stub(src: str, start: int, end: int) -> Block | None:
    ts = _after_comments(src, start, end)
    t = _STUB_TYPE.match(src, ts, end)
    if t is None:
        return None
    labels, spans, i = [], [], t.end()
    while not _STUB_OPEN.match(src, i, end):
        lab = _STUB_LABEL.match(src, i, end)
        if lab is None or lab.end() == i:
            return None
        labels.append(lab.group(1) if lab.group(1) is not None else lab.group(2))
        spans.append((lab.start(1) - 1, lab.end(1) + 1) if lab.group(1) is not None else lab.span(2))
        i = lab.end()
    return Block(t.group(), labels, Body(), ts, end, ts, t.end(), spans)


# Patterns built at run time (ReDoS tests, tests/hostile/redos.py): the
# functions that build them, and representative instances.
DYNAMIC_PATTERN_SITES = ("_heredoc_close",)


def _heredoc_close(delimiter: str) -> re.Pattern:
    """The line that closes a heredoc opened with `delimiter` (an identifier): as the
    grammar's heredoc terminal, blanks before it and the newline right after it."""
    return re.compile(r"^[ \t]*" + re.escape(delimiter) + r"(?=\n|\Z)", re.M)


def redos_patterns() -> list[tuple[str, re.Pattern]]:
    return [("heredoc-close:EOT", _heredoc_close("EOT")), ("heredoc-close:long", _heredoc_close("E." * 40))]


def top_level_blocks(src: str) -> list[tuple[int, int, bool]] | None:
    """[(start, end, read)] for each top-level block, each with its leading
    comments, `read` as read_block; or None when the text does not split
    cleanly (then the whole text is parsed, for exact errors): an attribute at
    the top (tfvars), a header over several lines, text after a block's `}` on
    its line, or anything unclosed."""
    out: list[tuple[int, int, bool]] = []
    close, n = 0, len(src)
    while True:
        head = _skip_comments(src, close)
        if head == -1:
            return None
        if head == n:
            return out
        brace = _header_brace(src, head)
        end = _closing_brace(src, brace) if brace != -1 else -1
        if end == -1 or not _LINE_REST.match(src, end):
            return None
        first = _skip_space(src, close)
        start = src.rfind("\n", close, first) + 1 or close
        out.append((start, end, read_block(src, start, end)))
        close = end


_LINE_REST = re.compile(r"[ \t]*(?:(?:#|//)[^\n]*)?(?:\n|\Z)")  # after a block's `}`: a comment at most
_SPACE = re.compile(r"\s*")
_HEADER_STOP = re.compile(r'["{\n#/]')
_BLOCK_STOP = re.compile(r'["#/{}<]')
_HEREDOC_OPEN = re.compile(r"<<-?([A-Za-z][A-Za-z0-9._-]*)\n")


def _skip_space(src: str, i: int) -> int:
    m = _SPACE.match(src, i)
    return m.end() if m else i


def _skip_comments(src: str, i: int) -> int:
    """The first offset at or after i that is neither blank nor in a comment; -1 in an unclosed /*."""
    n = len(src)
    while True:
        i = _skip_space(src, i)
        if src.startswith("#", i) or src.startswith("//", i):
            i = _line_end(src, i, n)
        elif src.startswith("/*", i):
            k = src.find("*/", i + 2)
            if k == -1:
                return -1
            i = k + 2
        else:
            return i


def _header_brace(src: str, i: int) -> int:
    """The `{` that ends the header starting at i on the same line, or -1."""
    while True:
        m = _HEADER_STOP.search(src, i)
        if m is None or m.group() in "\n#/":
            return -1
        if m.group() == "{":
            return m.start() if m.start() > i else -1
        i = quoted_end(src, m.start(), one_line=True, templates=True)
        if i == -1:
            return -1


def _closing_brace(src: str, i: int) -> int:
    """src[i] == "{": the offset just past the `}` that closes it, or -1. Strings
    (templates with their own strings), comments and heredocs are skipped."""
    depth, n = 0, len(src)
    while True:
        m = _BLOCK_STOP.search(src, i)
        if m is None:
            return -1
        ch, i = m.group(), m.start()
        if ch == "{" or ch == "}":
            depth += 1 if ch == "{" else -1
            i += 1
            if depth == 0:
                return i
        elif ch == '"':
            i = quoted_end(src, i, one_line=True, templates=True)
        elif ch == "<":
            i = _heredoc_end(src, i)
        else:
            i = _comment_end(src, i, n)
        if i == -1:
            return -1


def _heredoc_end(src: str, i: int) -> int:
    """src[i] == "<": past the heredoc that opens there (-1 when it is unclosed), or i + 1."""
    h = _HEREDOC_OPEN.match(src, i)
    if h is None:
        return i + 1
    d = _heredoc_close(h.group(1)).search(src, h.end())
    return d.end() if d else -1


def _comment_end(src: str, i: int, n: int) -> int:
    """src[i] is "#" or "/": past the comment that starts there (-1 when unclosed), or i + 1."""
    if src.startswith("/*", i):
        k = src.find("*/", i + 2)
        return -1 if k == -1 else k + 2
    if src[i] == "#" or src.startswith("//", i):
        return _line_end(src, i, n)
    return i + 1


def _after_comments(src: str, i: int, end: int) -> int:
    """The first offset in src[i:end] that is not a blank or a comment: where a
    block's header starts when comments precede it."""
    while i < end:
        ch = src[i]
        if ch.isspace() or ch == "\ufeff":
            i += 1
        elif ch == "#" or src.startswith("//", i):
            j = src.find("\n", i, end)
            i = end if j < 0 else j + 1
        elif src.startswith("/*", i):
            j = src.find("*/", i + 2, end)
            i = end if j < 0 else j + 2
        else:
            break
    return i


def only_comments(text: str) -> bool:
    """True when the text holds nothing but blanks and #, // or /* */ comments."""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace() or ch == "\ufeff":
            i += 1
        elif ch == "#" or text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        else:
            return False
    return True


def _offset(err, src: str) -> int:
    tok = getattr(err, "token", None)
    if tok is not None and getattr(tok, "start_pos", None) is not None:
        return min(tok.start_pos, max(len(src) - 1, 0))
    pos = getattr(err, "pos_in_stream", None)
    if pos is not None:
        return min(pos, max(len(src) - 1, 0))
    return max(len(src) - 1, 0)


def _describe(err, src: str) -> str:
    tok = getattr(err, "token", None)
    if isinstance(err, _lark.exceptions.UnexpectedEOF) or (tok is not None and tok.type == "$END"):
        return "unexpected end of input (unclosed block, bracket or string?)"
    if tok is not None:
        text = str(tok)
        if getattr(tok, "start_pos", None) is not None and getattr(tok, "end_pos", None) is not None:
            text = src[tok.start_pos:tok.end_pos]  # the user's text, not the copy lark read (_unblank)
        # its first line: a token the lexer ran on over lines (string characters) ends
        # where the text lark read ends, the whole text or one block of it
        shown = text.split("\n", 1)[0][:40]
        return f"unexpected {shown!r}" if shown.strip() else "unexpected line break"
    if isinstance(err, _lark.exceptions.UnexpectedCharacters):
        ch = src[err.pos_in_stream] if err.pos_in_stream < len(src) else ""
        return f"unexpected character {ch!r}"
    return "syntax error"


# ---- walker ---------------------------------------------------------------

_SKIP = ("new_line_or_comment",)
_PUNCT = frozenset(("LPAR", "RPAR", "LBRACE", "RBRACE", "LSQB", "RSQB", "COMMA", "DOT", "EQ", "COLON",
                    "DBLQUOTE", "INTERP_START", "ELLIPSIS", "COLONS"))
_HEREDOC = re.compile(r"<<(-?)([A-Za-z][A-Za-z0-9._-]*)\n")


def _kids(tree) -> list:
    """Children that carry meaning: no newlines or comments, no punctuation."""
    return [c for c in tree.children
            if not (isinstance(c, _lark.Tree) and c.data in _SKIP)
            and not (isinstance(c, _lark.Token) and c.type in _PUNCT)]


# Operators that continue an expression on the next line. HCL ignores newlines
# inside ( ) and [ ] (https://github.com/hashicorp/hcl/blob/main/hclsyntax/spec.md,
# "Expressions"), so `(a\n || b)` is one expression; an LALR parser cannot tell
# that newline from the one ending an attribute, so, as python-hcl2's own
# postlexer does, a newline directly before a binary operator is folded into the
# operator token. MINUS is left out: it also starts a negative number.
_CONTINUING = frozenset(("DOUBLE_EQ", "NEQ", "LT", "GT", "LEQ", "GEQ", "ASTERISK", "SLASH", "PERCENT",
                         "DOUBLE_AMP", "DOUBLE_PIPE", "PLUS", "QMARK"))


class _PostLex:
    always_accept = ()

    def process(self, stream):
        pending = None
        for tok in stream:
            if tok.type == "NL_OR_COMMENT":
                if pending is not None:
                    yield pending
                pending = tok
                continue
            if pending is not None:
                if tok.type not in _CONTINUING:
                    yield pending
                pending = None
            yield tok
        if pending is not None:
            yield pending


_BASE = [0]  # offset of the parsed slice in the user's text (one parse at a time)


def _edge_token(tree, step: int):
    """The first (step 1) or last (step -1) token below `tree`, None when it holds none."""
    for c in tree.children[::step]:
        if isinstance(c, _lark.Token):
            return c
        t = _edge_token(c, step)
        if t is not None:
            return t
    return None


def _pos(x) -> tuple[int, int]:
    """(start, end) of a token or tree in the user's text, as lark's
    propagate_positions would give them."""
    b = _BASE[0]
    if isinstance(x, _lark.Token):
        return x.start_pos + b, x.end_pos + b
    first = _edge_token(x, 1)
    if first is None:
        return b, b
    return first.start_pos + b, _edge_token(x, -1).end_pos + b


def _span(x) -> tuple[int, int]:
    """Like _pos, without the newlines and comments a binary operation may end with."""
    s, e = _pos(x)
    while isinstance(x, _lark.Tree) and x.children:
        last = x.children[-1]
        if isinstance(last, _lark.Tree) and last.data in _SKIP:
            rest = [c for c in x.children if not (isinstance(c, _lark.Tree) and c.data in _SKIP)]
            return s, _span(rest[-1])[1] if rest else e
        x = last
    return s, e


def _name(x) -> str:
    """identifier, keyword or literal_value (HCL reserves no keywords) -> its text."""
    return str(x.children[0]) if isinstance(x, _lark.Tree) else str(x)


class _Walker:
    def __init__(self, text: str):
        self.text = text

    def body(self, tree) -> Body:
        out = Body()
        for c in _kids(tree):
            if not isinstance(c, _lark.Tree):
                continue
            if c.data == "attribute":
                a = self.attribute(c)
                if a.name in out.attributes:
                    out.duplicates.append(a)
                else:
                    out.attributes[a.name] = a
            elif c.data == "block":
                out.blocks.append(self.block(c))
        return out

    def attribute(self, tree) -> Attribute:
        ident, expr = _kids(tree)[0], _kids(tree)[-1]
        s, e = _pos(ident)
        node = self.expr(expr)
        return Attribute(_name(ident), s, e, node, s, node.end)

    def block(self, tree) -> Block:
        kids = _kids(tree)
        ident, body = kids[0], kids[-1]
        labels, lspans = [], []
        for lab in kids[1:-1]:
            if isinstance(lab, _lark.Tree) and lab.data == "string":
                n = self.string(lab)
                labels.append(n.value if n.kind == "str" else self.text[n.start:n.end].strip('"'))
            else:
                labels.append(_name(lab))
            lspans.append(_pos(lab))
        s, e = _pos(tree)
        ts, te = _pos(ident)
        return Block(_name(ident), labels, self.body(body), s, e, ts, te, lspans)

    def string(self, x) -> Node:
        """A quoted template: str when it is all literal text, template when it
        interpolates, expr when it holds %{ } directives (decided at plan time)."""
        s, e = _pos(x)
        parts: list = []
        offs: list[int] = []
        literal = True
        for p in _kids(x):
            k = p.children[0] if isinstance(p, _lark.Tree) and p.data == "string_part" else p
            if isinstance(k, _lark.Token):  # STRING_CHARS, ESCAPED_INTERPOLATION, ESCAPED_DIRECTIVE
                val, o = _decode(str(k), k.start_pos + _BASE[0])
                if parts and isinstance(parts[-1], str):
                    parts[-1] += val
                else:
                    parts.append(val)
                offs.extend(o[:-1])
            elif k.data == "interpolation":
                literal = False
                parts.append(self.expr(_kids(k)[0]))
            else:  # template_if_start, template_for_start, ...
                return Node("expr", s, e, self.text[s:e])
        if literal:
            offs.append(e - 1)
            return Node("str", s, e, parts[0] if parts else "", offs)
        return Node("template", s, e, parts)

    def expr(self, x) -> Node:
        s, e = _span(x)
        if isinstance(x, _lark.Token):
            return Node("expr", s, e, str(x))
        if x.data in ("int_lit", "float_lit"):
            raw = "".join(str(t) for t in x.children)
            try:
                return Node("num", s, e, int(raw) if x.data == "int_lit" else float(raw))
            except ValueError:
                return Node("expr", s, e, raw)
        reader = _EXPR_READERS.get(x.data)
        if reader is None:
            return Node("expr", s, e, self.text[s:e])
        return reader(self, x, s, e)

    def _expr_term(self, x, s: int, e: int) -> Node:
        kids = _kids(x)
        paren = any(isinstance(k, _lark.Token) and k.type == "LPAR" for k in x.children)
        if paren and kids:  # ( expression )
            inner = self.expr(kids[0])
            return inner if inner.kind != "expr" else Node("expr", s, e, self.text[s:e])
        return self.expr(kids[0]) if kids else Node("expr", s, e, self.text[s:e])

    def _identifier(self, x, s: int, e: int) -> Node:
        return Node("ref", s, e, str(x.children[0]))

    def _literal_value(self, x, s: int, e: int) -> Node:
        name = str(x.children[0])
        return Node("null", s, e, None) if name == "null" else Node("bool", s, e, name == "true")

    def _string(self, x, s: int, e: int) -> Node:
        return self.string(x)

    def _tuple(self, x, s: int, e: int) -> Node:
        return Node("tuple", s, e, [self.expr(k) for k in _kids(x) if isinstance(k, _lark.Tree)])

    def _object(self, x, s: int, e: int) -> Node:
        items = []
        for el in _kids(x):
            if isinstance(el, _lark.Tree) and el.data == "object_elem":
                items.append(self._object_item(el))
        return Node("object", s, e, items)

    def _object_item(self, el) -> ObjectItem:
        ek = _kids(el)
        key_t, val_t = ek[0], ek[-1]
        ks, ke = _pos(key_t)
        inner = _kids(key_t)[0] if isinstance(key_t, _lark.Tree) and key_t.data == "object_elem_key" else key_t
        if isinstance(inner, _lark.Tree) and inner.data == "keyword":
            key_node = Node("ref", ks, ke, _name(inner))
        else:
            key_node = self.expr(inner)
        if key_node.kind == "ref" and "." not in key_node.value and "[" not in key_node.value \
                and self.text[ks:ke].strip() == key_node.value:
            key = key_node.value  # bare identifier key
        elif key_node.kind in ("str", "num", "bool"):
            key = str(key_node.value)
        else:
            key = self.text[ks:ke]
        return ObjectItem(key, ks, ke, self.expr(val_t), key_node)

    def _function_call(self, x, s: int, e: int) -> Node:
        kids = _kids(x)
        names = [k for k in kids if isinstance(k, _lark.Tree) and k.data == "identifier"]
        name = "::".join(_name(k) for k in names)  # provider::aws::arn_parse
        args = []
        for k in kids:
            if isinstance(k, _lark.Tree) and k.data == "arguments":
                args = [self.expr(a) for a in _kids(k) if isinstance(a, _lark.Tree)]
        return Node("call", s, e, (name, args))

    def _get_attr(self, x, s: int, e: int) -> Node:
        base = self.expr(x.children[0])
        attr = _name(_kids(x.children[1])[0])
        if base.kind == "ref":
            return Node("ref", s, e, f"{base.value}.{attr}")
        return Node("expr", s, e, self.text[s:e])

    def _index(self, x, s: int, e: int) -> Node:
        base = self.expr(x.children[0])
        index = x.children[1]
        idx = _kids(index)
        if base.kind == "ref" and len(idx) == 1:
            if isinstance(idx[0], _lark.Token):  # short_index: a.0
                i = Node("num", s, e, int(str(idx[0])))
            else:
                i = self.expr(idx[0])
            if i.kind in ("num", "str"):
                return Node("ref", s, e, f"{base.value}[{i.value!r}]" if i.kind == "str" else f"{base.value}[{i.value}]")
        return Node("expr", s, e, self.text[s:e])

    def _heredoc(self, x, s: int, e: int) -> Node:
        tok = x.children[0]
        raw = str(tok).rstrip("\n")  # the token ends with the closing line's newline
        m = _HEREDOC.match(raw)
        if not m:
            return Node("expr", s, e, raw)
        body_start = tok.start_pos + _BASE[0] + m.end()
        # body ends before the last line holding the closing delimiter
        last_nl = raw.rfind("\n")
        body_end = tok.start_pos + _BASE[0] + last_nl + 1 if last_nl >= m.end() - 1 else body_start
        body = self.text[body_start:body_end].replace("\r", "")
        if m.group(1):
            body = _trim_heredoc(body)
        return Node("heredoc", s, e - (len(str(tok)) - len(raw)), (body, body_start, body_end, bool(m.group(1))))

    def _unary(self, x, s: int, e: int) -> Node:
        kids = x.children
        inner = self.expr(kids[1])
        if str(kids[0]) == "-" and inner.kind == "num":
            return Node("num", s, e, -inner.value)
        return Node("unary", s, e, (str(kids[0]), inner))

    def _conditional(self, x, s: int, e: int) -> Node:  # cond ? a : b
        parts = [k for k in _kids(x) if isinstance(k, _lark.Tree)]
        if len(parts) == 3:
            return Node("cond", s, e, tuple(self.expr(k) for k in parts))
        return Node("expr", s, e, self.text[s:e])

    def _binary(self, x, s: int, e: int) -> Node:  # left (binary_term: operator right)
        kids = [k for k in _kids(x) if isinstance(k, _lark.Tree)]
        if len(kids) == 2 and kids[1].data == "binary_term":
            term = [k for k in _kids(kids[1]) if isinstance(k, _lark.Tree)]
            if len(term) == 2:
                op = str(term[0].children[0])
                return Node("binop", s, e, (op, self.expr(kids[0]), self.expr(term[1])))
        return Node("expr", s, e, self.text[s:e])

    def for_expr(self, x, s: int, e: int) -> Node:
        """[for k, v in coll : value if cond] / {for k, v in coll : key => value if cond}:
        Node("for", value=(object?, key name|None, value name, coll, key expr|None, value expr, cond|None))."""
        trees = [k for k in x.children if isinstance(k, _lark.Tree) and k.data not in _SKIP]
        intro = next((k for k in trees if k.data == "for_intro"), None)
        cond = next((k for k in trees if k.data == "for_cond"), None)
        exprs = [k for k in trees if k.data not in ("for_intro", "for_cond")]
        if intro is None:
            return Node("expr", s, e, self.text[s:e])
        names = [str(k.children[0]) for k in intro.children if isinstance(k, _lark.Tree) and k.data == "identifier"]
        coll = [k for k in intro.children if isinstance(k, _lark.Tree) and k.data not in _SKIP
                and k.data != "identifier"]
        is_obj = x.data == "for_object_expr"
        if not names or len(coll) != 1 or len(exprs) != (2 if is_obj else 1):
            return Node("expr", s, e, self.text[s:e])
        key_name, value_name = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        cond_node = None
        if cond is not None:
            ct = [k for k in cond.children if isinstance(k, _lark.Tree) and k.data not in _SKIP]
            cond_node = self.expr(ct[0]) if ct else None
        grouped = any(isinstance(k, _lark.Token) and k.type == "ELLIPSIS" for k in x.children)
        if grouped:  # {for ... : k => v...} groups values: not evaluated
            return Node("expr", s, e, self.text[s:e])
        return Node("for", s, e, (is_obj, key_name, value_name, self.expr(coll[0]),
                                  self.expr(exprs[0]) if is_obj else None, self.expr(exprs[-1]), cond_node))


# The walker's reader for each expression rule of the grammar; any other rule
# is an expression the code does not evaluate ("expr", its text).
_EXPR_READERS: dict[str, Callable[[Any, Any, int, int], Node]] = {
    "expr_term": _Walker._expr_term, "identifier": _Walker._identifier,
    "literal_value": _Walker._literal_value, "string": _Walker._string, "tuple": _Walker._tuple,
    "object": _Walker._object, "function_call": _Walker._function_call,
    "get_attr_expr_term": _Walker._get_attr, "index_expr_term": _Walker._index,
    "heredoc_template": _Walker._heredoc, "heredoc_template_trim": _Walker._heredoc,
    "unary_op": _Walker._unary, "conditional": _Walker._conditional, "binary_op": _Walker._binary,
    "for_tuple_expr": _Walker.for_expr, "for_object_expr": _Walker.for_expr,
}

def _trim_heredoc(body: str) -> str:
    # HCL spec, template expressions: "<<-" strips the smallest common indent.
    lines = body.split("\n")
    indents = [len(ln) - len(ln.lstrip(" \t")) for ln in lines if ln.strip()]
    n = min(indents) if indents else 0
    return "\n".join(ln[n:] for ln in lines)


_ESC = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def _decode(raw: str, base: int) -> tuple[str, list[int]]:
    """Decode an HCL quoted-string body; offsets map each character to the
    source (HCL spec: \\n \\r \\t \\" \\\\ \\uNNNN \\UNNNNNNNN, $${ and %%{)."""
    out: list[str] = []
    offs: list[int] = []
    i, n = 0, len(raw)
    while i < n:
        ch = raw[i]
        if ch == "\\" and i + 1 < n:
            nx = raw[i + 1]
            if nx in _ESC:
                out.append(_ESC[nx]); offs.append(base + i); i += 2; continue
            width = 4 if nx == "u" else 8 if nx == "U" else 0
            if width and re.fullmatch(r"[0-9A-Fa-f]+", raw[i + 2:i + 2 + width] or "x"):
                try:
                    out.append(chr(int(raw[i + 2:i + 2 + width], 16)))
                    offs.append(base + i); i += 2 + width; continue
                except (ValueError, OverflowError):
                    pass
        if ch in "$%" and raw.startswith(ch + ch + "{", i):
            out.append(ch); offs.append(base + i); i += 2; continue
        out.append(ch); offs.append(base + i); i += 1
    offs.append(base + n)
    return "".join(out), offs
