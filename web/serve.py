#!/usr/bin/env python3
"""Serve roledoctor's static page on 127.0.0.1 with no network use.

  python3 serve.py [--port 8000] [--dir SITE]

Standard library only. Used by `python build.py serve` and shipped in the
offline bundle. Sends the right MIME types (`.wasm` must be application/wasm
for streaming compilation, `.mjs` text/javascript for module workers) and
the security headers of the site's `_headers` file (the Netlify / Cloudflare
Pages format, written by build.py): the Content-Security-Policy with
frame-ancestors, which a <meta> cannot carry, and X-Frame-Options.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
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


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **MIME}

    site_headers: dict[str, str] = DEFAULT_HEADERS

    def send_head(self):
        # the headers file is for the server, as on the hosts that read it
        if self.path.split("?", 1)[0] == "/_headers":
            self.send_error(404)
            return None
        return super().send_head()

    def end_headers(self):
        for name, value in self.site_headers.items():
            self.send_header(name, value)
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
