"""Fixed-layout file drop: one Shift_JIS (cp932) file per message in the destination's directory, written to a
temporary name and renamed into place (a reader never sees half a file).  Layout (byte widths, CRLF lines):

    H | sender code 6 | destination 30 | kind 40 | seq 10 (zero-padded) | idempotency key 100 | created 14
    D | item 60 | value 200          (one line per payload item, nested items as dotted names)
    T | item count 6

Text is padded with spaces to its width and cut at a character boundary; names and every other value are
made JIS X 0208-safe with ``to_network_charset`` (the MJ originals travel only in JSON transports).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from handlers.integration.charset import to_network_charset
from handlers.integration.transport import Delivery, DeliveryError

ENCODING = "cp932"
HEADER = (("sender", 6), ("destination", 30), ("kind", 40), ("seq", 10), ("key", 100), ("created", 14))
ITEM_WIDTH = 60
VALUE_WIDTH = 200


def fixed(value: Any, width: int) -> bytes:
    """``value`` in cp932, cut at a character boundary to ``width`` bytes and padded with spaces."""
    text = to_network_charset("" if value is None else str(value)) or ""
    out = b""
    for char in text:
        encoded = char.encode(ENCODING, errors="replace")
        if len(out) + len(encoded) > width:
            break
        out += encoded
    return out + b" " * (width - len(out))


def flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key in sorted(value):
            yield from flatten(value[key], f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from flatten(item, f"{prefix}.{index}")
    else:
        yield prefix, value


def render(body: Mapping[str, Any]) -> bytes:
    created = str(body.get("created_at") or "")
    stamp = re.sub(r"\D", "", created)[:14]
    header = {
        "sender": body["sender"]["code"],
        "destination": body["destination"],
        "kind": body["kind"],
        "seq": f"{int(body['seq']):010d}",
        "key": body["idempotency_key"],
        "created": stamp,
    }
    lines = [b"H" + b"".join(fixed(header[name], width) for name, width in HEADER)]
    items = list(flatten(body.get("payload") or {}))
    lines += [b"D" + fixed(name, ITEM_WIDTH) + fixed(value, VALUE_WIDTH) for name, value in items]
    lines.append(b"T" + f"{len(items):06d}".encode())
    return b"\r\n".join(lines) + b"\r\n"


def file_name(body: Mapping[str, Any]) -> str:
    destination = re.sub(r"[^0-9A-Za-z_-]", "_", str(body["destination"]))
    return f"{body['sender']['code']}_{destination}_{int(body['seq']):010d}.dat"


def send_file_drop(delivery: Delivery) -> None:
    if not delivery.config.directory:
        raise DeliveryError(f"宛先 {delivery.config.name} に出力先フォルダが設定されていません")
    directory = Path(delivery.config.directory)
    target = directory / file_name(delivery.body)
    temporary = directory / f".{target.name}.{os.getpid()}.{dt.datetime.now().timestamp():.0f}.tmp"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(render(delivery.body))
        os.replace(temporary, target)
    except OSError as err:
        temporary.unlink(missing_ok=True)
        raise DeliveryError(f"{target} を書き込めません: {err}") from err
