"""The load tool's client side: the counter mix's operations (``Workload``) and a lean HTTP/1.1 client.

The tool shares the two cores with the server it measures, so each closed-loop user is a forked process with
one blocking socket and a few lines of HTTP: no threads contending for one interpreter lock, no
``http.client`` header parsing (``email.parser``) per answer.  The same ``Workload`` drives the Flask test
client in ``bench.api_profile``.
"""

from __future__ import annotations

import json
import random
import socket
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from bench import cluster

# (method, path, bearer token, JSON body or None) → (status, parsed body); raises OSError when the connection fails
Call = Callable[[str, str, str, Any], tuple[int, Any]]


@dataclass
class Prepared:
    tokens: dict[str, str]
    atena_numbers: list[str]
    kana_prefixes: list[str]
    serial_base: int


@dataclass
class Tally:
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    acknowledged: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))
    review_tasks: list[int] = field(default_factory=list)  # opened cases waiting for approval (client side)
    samples: dict[str, str] = field(default_factory=dict)  # the first answer of each kind of error

    def merge(self, other: Tally) -> None:
        for op, values in other.timings.items():
            self.timings[op].extend(values)
        for key, count in other.errors.items():
            self.errors[key] += count
        for kind, values in other.acknowledged.items():
            self.acknowledged[kind].extend(values)
        self.review_tasks.extend(other.review_tasks)
        for key, sample in other.samples.items():
            self.samples.setdefault(key, sample)

    def plain(self) -> Tally:
        """A copy without defaultdicts of lambdas (which cannot be pickled back to the parent process)."""
        return Tally(dict(self.timings), dict(self.errors), dict(self.acknowledged), list(self.review_tasks),
                     dict(self.samples))  # fmt: skip


class Workload:
    """The operations of the mix and their dependencies: an approval takes a case an intake opened (an intake
    instead when none is open); serials keep every 転入 at its own address and マイナンバー."""

    def __init__(self, prepared: Prepared, serials: Iterator[int] | None = None,
                 rng: random.Random | None = None) -> None:  # fmt: skip
        self.p, self.tally = prepared, Tally()
        self.serials = serials or iter(range(prepared.serial_base, prepared.serial_base + 10**6))
        self.rng = rng or random.Random()

    def call(
        self, op: str, call: Call, method: str, path: str, token: str, body: Any = None
    ) -> tuple[int, Any]:
        started = time.perf_counter()
        try:
            status, payload = call(method, path, token, body)
        except OSError:
            self.tally.errors[f"{op}:connection"] += 1
            return 0, None
        self.tally.timings[op].append(time.perf_counter() - started)
        if status >= 400:
            self.tally.errors[f"{op}:{status}"] += 1
            self.tally.samples.setdefault(f"{op}:{status}", str(payload)[:300])
        return status, payload

    def run(self, op: str, call: Call) -> None:
        clerk = self.p.tokens["clerk"]
        if op == "approve" and not self.tally.review_tasks:
            op = "intake"
        if op == "search":
            kana = quote(self.rng.choice(self.p.kana_prefixes))
            self.call(op, call, "GET", f"/api/residents?kana={kana}", clerk)
        elif op == "view":
            self.call(op, call, "GET", f"/api/residents/{self.rng.choice(self.p.atena_numbers)}", clerk)
        elif op == "me":  # not in a mix: the floor every API request pays (token, scope, one read, no log)
            self.call(op, call, "GET", "/api/me", clerk)
        elif op == "intake":
            self.intake(call)
        elif op == "approve":
            self.approve(call, self.tally.review_tasks.pop())
        elif op == "certificate":
            body = {
                "certificate_type": "copy_individual",
                "subjects": [self.rng.choice(self.p.atena_numbers)],
            }
            status, issued = self.call(op, call, "POST", "/api/certificates", clerk, body)
            if status == 201:
                self.tally.acknowledged["issue_numbers"].extend(issued["issue_numbers"])
        else:
            raise ValueError(f"unknown operation {op!r}")

    def intake(self, call: Call) -> None:
        body = {"change_type": "move_in", "intake": cluster.move_in_intake(next(self.serials))}
        status, case = self.call("intake", call, "POST", "/api/cases", self.p.tokens["clerk"], body)
        if status == 201:
            self.tally.acknowledged["cases"].append(case["id"])
            self.tally.review_tasks.extend(t["id"] for t in case["tasks"] if t["bpmn_id"] == "review_move_in")

    def approve(self, call: Call, task_id: int) -> None:
        body = {"decision": "approve", "acknowledgements": []}
        path = f"/api/tasks/{task_id}/complete"
        status, _ = self.call("approve", call, "POST", path, self.p.tokens["supervisor"], body)
        if status == 200:
            self.tally.acknowledged["approved_tasks"].append(task_id)

    def ensure_open_cases(self, count: int, call: Call) -> None:
        """Open cases until ``count`` wait for approval (before a run of approvals alone)."""
        while len(self.tally.review_tasks) < count:
            self.intake(call)


class ClosedError(OSError):
    """The server closed the connection before a whole answer arrived."""


class HttpConnection:
    """One keep-alive HTTP/1.1 connection to 127.0.0.1 (reopened when the server answers ``Connection: close``,
    as gunicorn's sync workers do).  JSON in, JSON out; nothing is retried."""

    def __init__(self, port: int, timeout: float = 60.0) -> None:
        self.port, self.timeout = port, timeout
        self.sock: socket.socket | None = None

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def __call__(self, method: str, path: str, token: str, body: Any) -> tuple[int, Any]:
        data = b"" if body is None else json.dumps(body).encode()
        head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n").encode()  # fmt: skip
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=self.timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            self.sock.sendall(head + data)
            status, close, raw = self._answer(self.sock)
        except OSError:
            self.close()
            raise
        if close:
            self.close()
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw.decode("utf-8", "replace")

    @staticmethod
    def _answer(sock: socket.socket) -> tuple[int, bool, bytes]:
        buffer = b""
        while b"\r\n\r\n" not in buffer:
            chunk = sock.recv(65536)
            if not chunk:
                raise ClosedError("connection closed before the answer's head")
            buffer += chunk
        head, _, body = buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status, length, close = int(lines[0].split(" ", 2)[1]), None, lines[0].startswith("HTTP/1.0")
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection":
                close = value.strip().lower() == "close"
            elif name == "transfer-encoding":
                raise ClosedError("chunked answers are not expected from this API")
        if length is None:
            close = True  # the body runs to the end of the connection
            while chunk := sock.recv(65536):
                body += chunk
            return status, close, body
        while len(body) < length:
            chunk = sock.recv(max(65536, length - len(body)))
            if not chunk:
                raise ClosedError("connection closed inside the answer's body")
            body += chunk
        return status, close, body
