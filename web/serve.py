#!/usr/bin/env python3
"""Serve roledoctor's static page on 127.0.0.1 with no network use.

  python3 serve.py [--port 8000] [--dir SITE]

Standard library only. Used by `python build.py serve` and shipped in the
offline bundle. Sends the right MIME types (`.wasm` must be application/wasm
for streaming compilation, `.mjs` text/javascript for module workers) and
the security headers of the site's `_headers` file (the Netlify / Cloudflare
Pages format, written by build.py): the Content-Security-Policy with
frame-ancestors, which a <meta> cannot carry, and X-Frame-Options.

As static hosts do, a file with a precompressed sibling (`x.wasm.br`,
`x.wasm.gz`, written by build.py) is sent as that sibling with
`Content-Encoding: br` or `gzip` when the browser accepts it, and with
`Vary: Accept-Encoding` (https://www.rfc-editor.org/rfc/rfc9110#section-8.4);
the browser decodes it natively. Other files of a compressible type are
gzipped on the fly (once; kept in memory), as hosts do.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import os
import sys
import threading
from pathlib import Path

# The page's policy when the site has no _headers file: the <meta> of
# web/index.html (a test keeps them equal) plus frame-ancestors.
CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; "
    "connect-src 'self' https://api.openai.com https://api.anthropic.com "
    "http://localhost:* http://127.0.0.1:*; img-src 'self' data:; style-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
    "require-trusted-types-for 'script'; trusted-types roledoctor"
)
# Framing: https://developer.mozilla.org/docs/Web/HTTP/Headers/Content-Security-Policy/frame-ancestors
# and, for browsers without CSP level 2, X-Frame-Options.
DEFAULT_HEADERS = {
    "Content-Security-Policy": CSP + "; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def read_headers_file(path: Path) -> dict[str, str]:
    """The headers of the `/*` rule of a `_headers` file
    (https://docs.netlify.com/routing/headers/#syntax-for-the-headers-file):
    a path on its own line, then indented `Name: value` lines."""
    headers: dict[str, str] = {}
    rule = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            rule = line.strip()
        elif rule == "/*" and ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip()] = value.strip()
    return headers


def headers_for(directory: Path) -> dict[str, str]:
    """What every response of the site carries: its _headers file, or the defaults."""
    path = Path(directory) / "_headers"
    return read_headers_file(path) if path.is_file() else dict(DEFAULT_HEADERS)


MIME = {
    ".wasm": "application/wasm",
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".json": "application/json",
    ".whl": "application/zip",
    ".zip": "application/zip",
    ".bin": "application/octet-stream",
    ".css": "text/css",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
    ".tf": "text/plain; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


# Content codings in the server's order of preference, and the sibling file of each.
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))
# Types a host compresses when it has no sibling file (a zip or wheel is compressed already).
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "application/wasm", "image/svg+xml")
_GZIPPED: dict[tuple[str, float], bytes] = {}
_GZIP_LOCK = threading.Lock()


def gzipped(path: str) -> bytes:
    key = (path, os.stat(path).st_mtime)
    with _GZIP_LOCK:
        if key not in _GZIPPED:
            with open(path, "rb") as f:
                _GZIPPED[key] = gzip.compress(f.read(), 6, mtime=0)
        return _GZIPPED[key]


def accepted_encodings(header: str | None) -> set[str]:
    """The codings an Accept-Encoding header allows (q=0 refuses one):
    https://www.rfc-editor.org/rfc/rfc9110#section-12.5.3"""
    accepted = set()
    for item in (header or "").split(","):
        name, _, params = item.strip().partition(";")
        q = params.strip().removeprefix("q=").strip() if params.strip().startswith("q=") else "1"
        try:
            if name.strip() and float(q) > 0:
                accepted.add(name.strip().lower())
        except ValueError:
            continue
    return accepted


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **MIME}

    site_headers: dict[str, str] = DEFAULT_HEADERS
    _vary = False

    def send_head(self):
        # the headers file is for the server, as on the hosts that read it
        if self.path.split("?", 1)[0] == "/_headers":
            self.send_error(404)
            return None
        self._vary = False
        path = self.translate_path(self.path)
        if os.path.isdir(path) and self.path.split("?", 1)[0].endswith("/"):
            path = os.path.join(path, "index.html")
        if os.path.isfile(path):
            # (a sibling older than its file is stale: the file was changed after the build)
            siblings = [(enc, path + suffix) for enc, suffix in ENCODINGS if os.path.isfile(path + suffix)
                        and os.stat(path + suffix).st_mtime >= os.stat(path).st_mtime]
            self._vary = bool(siblings)
            accepted = accepted_encodings(self.headers.get("Accept-Encoding"))
            for enc, sibling in siblings:
                if enc in accepted:
                    return self._send_encoded(path, open(sibling, "rb"), enc)
            if (not siblings and self.guess_type(path).startswith(COMPRESSIBLE)
                    and os.path.getsize(path) > 1024):
                self._vary = True
                if "gzip" in accepted:
                    return self._send_encoded(path, io.BytesIO(gzipped(path)), "gzip")
        return super().send_head()

    def _send_encoded(self, path: str, f, encoding: str):
        try:
            body_size = len(f.getbuffer()) if isinstance(f, io.BytesIO) else os.fstat(f.fileno()).st_size
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(path))
            self.send_header("Content-Encoding", encoding)
            self.send_header("Content-Length", str(body_size))
            self.send_header("Last-Modified", self.date_time_string(int(os.stat(path).st_mtime)))
            self.end_headers()
            return f
        except Exception:
            f.close()
            raise

    def end_headers(self):
        for name, value in self.site_headers.items():
            self.send_header(name, value)
        if self._vary:
            self.send_header("Vary", "Accept-Encoding")
        # Revalidate everything: the service worker keeps the offline copy.
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, fmt, *args):
        if self.server.verbose:
            super().log_message(fmt, *args)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    verbose = False

    def handle_error(self, request, client_address):
        # A browser that closes the tab mid-download is not an error worth a traceback.
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


def make_server(directory: Path, host: str = "127.0.0.1", port: int = 8000, verbose: bool = False) -> Server:
    handler = type("SiteHandler", (Handler,), {"site_headers": headers_for(directory)})
    handler = functools.partial(handler, directory=str(directory))
    server = Server((host, port), handler)
    server.verbose = verbose
    return server


def serve(directory: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    server = make_server(directory, host, port, verbose=True)
    print(f"roledoctor: serving {directory} at http://{host}:{server.server_address[1]}/  (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main(argv: list[str] | None = None) -> int:
    here = Path(__file__).resolve().parent
    default = here / "site" if (here / "site").is_dir() else here
    parser = argparse.ArgumentParser(description="Serve roledoctor offline.")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--dir", type=Path, default=default)
    args = parser.parse_args(argv)
    if not (args.dir / "index.html").exists():
        print(f"serve.py: no index.html in {args.dir}", file=sys.stderr)
        return 2
    try:
        serve(args.dir, args.host, args.port)
    except OSError as err:
        print(f"serve.py: cannot listen on {args.host}:{args.port}: {err.strerror}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
