"""A fake 住基ネット CS for the tests: it reads what our file drop wrote to it (the ``cs`` destination's folder)
and writes its own files into our receiving folder, in the layout of docs/integration.md ("Files received
from CS") — the same H/D/T fixed layout our file drop writes, built here by that module's ``render``."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handlers.batches import run_batch_now
from handlers.db import Database
from handlers.integration.file_drop import render
from handlers.juki_net.cs_files import CsFile, parse_cs_file
from models import Municipality

CS_CODE = "JLIS01"


@dataclass
class FakeCs:
    outbound: Path  # where our file drop writes the messages to CS
    inbound: Path  # our receiving folder, where CS leaves its files
    municipality: str = "141003"
    seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def received(self, kind: str | None = None) -> list[CsFile]:
        """The messages we sent CS (in seq order), optionally of one kind."""
        files = [parse_cs_file(p.name, p.read_bytes()) for p in sorted(self.outbound.glob("*.dat"))]
        return [f for f in files if kind is None or f.kind == kind]

    def send(self, kind: str, payload: dict[str, Any], name: str | None = None) -> Path:
        """Leave one file of ``kind`` in our receiving folder."""
        seq = next(self.seq)
        body = {
            "sender": {"code": CS_CODE}, "destination": self.municipality, "kind": kind, "seq": seq,
            "idempotency_key": f"{CS_CODE}:{kind}:{seq}", "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "payload": payload,
        }  # fmt: skip
        path = self.inbound / (name or f"{CS_CODE}_{kind}_{seq:010d}.dat")
        path.write_bytes(render(body))
        return path

    def send_extract(self, persons: list[dict[str, Any]], extract_date: str = "2026-11-01") -> Path:
        return self.send("identity_extract", {"extract_date": extract_date, "persons": persons})

    def answer_code_requests(self, refuse: dict[str, str] | None = None) -> Path:
        """Answer every 符号取得要求 received: accepted, or refused with the reason given per 宛名番号."""
        refuse = refuse or {}
        results = []
        for request in self.received("code_request"):
            atena = request.payload["atena_number"]
            result = {"request_key": request.payload["request_key"], "result": "accepted"}
            if atena in refuse:
                result.update(result="refused", error=refuse[atena])
            results.append(result)
        return self.send("code_result", {"results": results})

    def answer_requests(self, kind: str, answers: dict[str, dict[str, Any]], result_kind: str) -> Path:
        """Answer every request of ``kind`` received (by its key: the payload's ``request_key``, else the
        message's own key): ``answers`` per 宛名番号 adds to or replaces the default ``{"result": "done"}``."""
        results = []
        for request in self.received(kind):
            key = request.payload.get("request_key") or request.header["key"]
            results.append({"request_key": key, "result": "done",
                            **answers.get(request.payload["atena_number"], {})})  # fmt: skip
        return self.send(result_kind, {"results": results})

    def generate_my_numbers(self, numbers: dict[str, str], refuse: dict[str, str] | None = None) -> Path:
        """Answer every 個人番号生成要求 with the number generated per 宛名番号 (or a refusal)."""
        answers: dict[str, dict[str, Any]] = {a: {"my_number": n} for a, n in numbers.items()}
        answers.update({a: {"result": "refused", "error": e} for a, e in (refuse or {}).items()})
        return self.answer_requests("my_number_generation", answers, "my_number_result")

    def send_status(self, status: str, message: str = "") -> Path:
        return self.send(
            "operating_status", {"status": status, "message": message, "as_of": "2026-11-27T09:00"}
        )


def take_files(db: Database, city: Municipality, fake_cs: FakeCs) -> str:
    """Run the ``cs_received_files`` batch over the fake CS's files; its output (the batch must succeed)."""
    run = run_batch_now(
        db, city.id, "cs_received_files", {"directory": str(fake_cs.inbound)}, started_by="test"
    )
    assert run.status == "succeeded", run.output
    return run.output or ""
