#!/usr/bin/env python3
"""Serve roledoctor's static page on 127.0.0.1 with no network use.

  python3 serve.py [--port 8000] [--dir SITE]

Standard library only. Used by `python build.py serve` and shipped in the
offline bundle. Sends the right MIME types (`.wasm` must be application/wasm
for streaming compilation, `.mjs` text/javascript for module workers) and the
Content-Security-Policy as a header, which, unlike the page's <meta>, also
covers the worker script.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
from pathlib import Path

# The same policy as the <meta> in index.html (a test keeps them equal).
CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; "
    "connect-src 'self' https://api.openai.com https://api.anthropic.com "
    "http://localhost:* http://127.0.0.1:*; img-src 'self' data:; style-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'"
)

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

    def end_headers(self):
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
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
    handler = functools.partial(Handler, directory=str(directory))
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
