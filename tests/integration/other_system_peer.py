"""A fake other business system for 他業務照会 tests (j1180): answers each signed ``registration_inquiry``
with the registration it holds for the asked person, in the ``jumin.inquiry-answer/1`` layout, and can be told
to fail (503) or to answer something broken.  One server serves every system: ``url(system)``."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from handlers.integration.messages import SIGNATURE_HEADER, signature_matches

SECRET = "other-system-secret"


@dataclass
class PeerState:
    registrations: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (system, 宛名番号)
    asked: list[dict[str, Any]] = field(default_factory=list)  # the envelopes received, signature checked
    fail_remaining: int = 0
    broken_answer: bytes | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


def _answer(state: PeerState, system: str, envelope: dict[str, Any]) -> bytes:
    atena = envelope["payload"]["atena_number"]
    held = state.registrations.get((system, atena), {"registered": False, "items": {}})
    answer = {"format": "jumin.inquiry-answer/1", "system": system, "atena_number": atena, **held}
    return json.dumps(answer, ensure_ascii=False).encode()


def _handler(state: PeerState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            return

        def do_POST(self) -> None:  # noqa: N802 - http.server API
            data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            system = self.path.rstrip("/").rsplit("/", 1)[-1]
            with state.lock:
                if state.fail_remaining > 0 or not signature_matches(
                    SECRET, data, self.headers.get(SIGNATURE_HEADER)
                ):
                    state.fail_remaining = max(0, state.fail_remaining - 1)
                    self.send_response(503)
                    self.end_headers()
                    return
                envelope = json.loads(data)
                state.asked.append(envelope)
                body = state.broken_answer or _answer(state, system, envelope)
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

    return Handler


class OtherSystemPeer:
    def __init__(self) -> None:
        self.state = PeerState()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, system: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/registrations/{system}"

    def hold(self, system: str, atena_number: str, **registration: Any) -> None:
        self.state.registrations[(system, atena_number)] = registration

    def __enter__(self) -> OtherSystemPeer:
        self.thread.start()
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
