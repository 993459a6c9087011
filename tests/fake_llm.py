"""A local stand-in for the LLM APIs, on 127.0.0.1 only, speaking the real
wire formats: OpenAI chat completions and Anthropic messages, streamed (SSE)
or as one JSON body, plus their error shapes, 401, 429 and a hang.

Shapes: https://platform.openai.com/docs/api-reference/chat and
https://docs.anthropic.com/en/api/messages-streaming.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict


@dataclass
class Behaviour:
    mode: str = "stream"  # stream | json | error-event | 401 | 429 | hang
    answer: Callable[[str], str] = lambda prompt: "The trust policy does not name the caller."
    chunk: int = 12  # characters per streamed delta
    delay: float = 0.0  # seconds between deltas


class FakeLLM:
    def __init__(self):
        self.requests: list[Recorded] = []
        self.behaviour = Behaviour()
        self.release = threading.Event()  # ends a "hang"
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _cors(self):
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Access-Control-Allow-Headers", "*")
                self.send_header("Access-Control-Allow-Methods", "POST, OPTIONS")

            def do_OPTIONS(self):
                self.send_response(204)
                self._cors()
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                owner.requests.append(Recorded(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                owner.respond(self, body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    # ---- responses

    def respond(self, h, body: dict):
        anthropic = h.path.endswith("/messages")
        b = self.behaviour
        if anthropic and h.headers.get("anthropic-dangerous-direct-browser-access") != "true":
            return self._json(h, 401, {"type": "error", "error": {
                "type": "authentication_error",
                "message": "CORS requests must set 'anthropic-dangerous-direct-browser-access' header"}})
        if b.mode == "401":
            err = ({"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}
                   if anthropic else {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error",
                                                "code": "invalid_api_key"}})
            return self._json(h, 401, err)
        if b.mode == "429":
            err = ({"type": "error", "error": {"type": "rate_limit_error", "message": "rate limited"}}
                   if anthropic else {"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}})
            return self._json(h, 429, err)
        if b.mode == "hang":
            self.release.wait(120)
            return self._json(h, 504, {"error": {"message": "gateway timeout"}})
        prompt = self._prompt(body, anthropic)
        text = b.answer(prompt)
        if b.mode == "json" or not body.get("stream"):
            if anthropic:
                return self._json(h, 200, {"id": "msg_1", "type": "message", "role": "assistant", "model": body.get("model"),
                                           "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
                                           "usage": {"input_tokens": 10, "output_tokens": 10}})
            return self._json(h, 200, {"id": "chatcmpl-1", "object": "chat.completion", "model": body.get("model"),
                                       "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                                    "finish_reason": "stop"}],
                                       "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}})
        h.send_response(200)
        h._cors()
        h.send_header("Content-Type", "text/event-stream")
        h.send_header("Cache-Control", "no-cache")
        h.send_header("Connection", "close")
        h.end_headers()
        pieces = [text[i:i + b.chunk] for i in range(0, len(text), b.chunk)]
        events = self._anthropic_events(pieces, body) if anthropic else self._openai_events(pieces, body)
        try:
            for i, (event, data) in enumerate(events):
                if b.mode == "error-event" and i == 3:
                    if anthropic:
                        event, data = "error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
                    else:
                        event, data = None, {"error": {"message": "The server had an error", "type": "server_error"}}
                frame = (f"event: {event}\n" if event else "") + f"data: {data if isinstance(data, str) else json.dumps(data)}\n\n"
                h.wfile.write(frame.encode())
                h.wfile.flush()
                if b.mode == "error-event" and i == 3:
                    break
                if b.delay:
                    time.sleep(b.delay)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the page cancelled
        h.close_connection = True

    @staticmethod
    def _prompt(body: dict, anthropic: bool) -> str:
        parts = [body.get("system", "")] if anthropic else []
        for m in body.get("messages", []):
            c = m.get("content")
            parts.append(c if isinstance(c, str) else json.dumps(c))
        return "\n".join(parts)

    @staticmethod
    def _openai_events(pieces, body):
        for p in pieces:
            yield None, {"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": body.get("model"),
                         "choices": [{"index": 0, "delta": {"content": p}, "finish_reason": None}]}
        yield None, {"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": body.get("model"),
                     "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        yield None, "[DONE]"

    @staticmethod
    def _anthropic_events(pieces, body):
        yield "message_start", {"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant",
                                                                     "model": body.get("model"), "content": []}}
        yield "content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}
        yield "ping", {"type": "ping"}
        for p in pieces:
            yield "content_block_delta", {"type": "content_block_delta", "index": 0,
                                          "delta": {"type": "text_delta", "text": p}}
        yield "content_block_stop", {"type": "content_block_stop", "index": 0}
        yield "message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 5}}
        yield "message_stop", {"type": "message_stop"}

    @staticmethod
    def _json(h, status, obj):
        data = json.dumps(obj).encode()
        h.send_response(status)
        h._cors()
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)
