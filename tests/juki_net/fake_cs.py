"""A fake 住基ネット CS for the tests: it reads what our file drop wrote to it (the ``cs`` destination's folder)
and writes its own files into our receiving folder, in the layout of docs/integration.md ("Files received
from CS") — the same H/D/T fixed layout our file drop writes, built here by that module's ``render``."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handlers.integration.file_drop import render
from handlers.juki_net.cs_files import CsFile, parse_cs_file

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
