"""A local HTTP receiver for delivery tests: de-duplicates by idempotency key, records the order, checks the
HMAC signature, and can be told to fail (answer 503) for a while."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from handlers.integration.messages import KEY_HEADER, SEQUENCE_HEADER, SIGNATURE_HEADER, signature_matches


@dataclass
class Received:
    key: str
    seq: int
    body: dict[str, Any]
    signed: bool
    at: float = field(default_factory=time.monotonic)  # when it arrived (monotonic clock)


@dataclass
class ReceiverState:
    secret: str
    received: list[Received] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)
    requests: int = 0
    duplicates: int = 0
    fail_remaining: int = 0  # answer 503 to this many requests
    failing: bool = False  # answer 503 to every request
    delay: float = 0.0  # seconds to wait before answering (to kill a worker mid-delivery)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def keys_in_order(self) -> list[str]:
        with self.lock:
            return [r.key for r in self.received]


def _handler(state: ReceiverState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            return

        def do_POST(self) -> None:  # noqa: N802 - http.server API
            data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if state.delay:
                time.sleep(state.delay)
            with state.lock:
                state.requests += 1
                if state.failing or state.fail_remaining > 0:
                    state.fail_remaining = max(0, state.fail_remaining - 1)
                    self.send_response(503)
                    self.end_headers()
                    return
                key = self.headers.get(KEY_HEADER, "")
                if key in state.keys:
                    state.duplicates += 1
                else:
                    state.keys.add(key)
                    state.received.append(
                        Received(
                            key,
                            int(self.headers.get(SEQUENCE_HEADER, "0")),
                            json.loads(data),
                            signature_matches(state.secret, data, self.headers.get(SIGNATURE_HEADER)),
                        )
                    )
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"{}")

    return Handler


class Receiver:
    def __init__(self, secret: str = "receiver-secret") -> None:
        self.state = ReceiverState(secret)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/notices"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
