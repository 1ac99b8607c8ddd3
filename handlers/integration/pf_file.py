"""The ``pf_file`` / ``pf_file_sjis`` transports (地域情報プラットフォーム連携, j1170): one XML document in our
platform layout (``pf_layout``) per delivery — one notice, or a near-real-time batch of them — written to
``<directory>/send/`` of the business unit's exchange folder under a temporary name and renamed into place
(the unit never reads half a file).  The name is ``<sender>_<unit>_<first seq, 10 digits>.xml``: a resend
after a crash writes the same file again.  An unwritable folder is a ``DeliveryError``: the outbox retries."""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

from handlers.integration.pf_layout import render
from handlers.integration.transport import Delivery, DeliveryError

PLATFORM_PREFIX = "platform:"
SEND_FOLDER = "send"


def file_name(sender: str, unit: str, seq: int) -> str:
    return f"{sender}_{unit}_{seq:010d}.xml"


def send_pf_file(delivery: Delivery) -> None:
    config = delivery.config
    if not config.directory:
        raise DeliveryError(f"連携先 {config.name} に連携フォルダが設定されていません")
    unit = config.name.removeprefix(PLATFORM_PREFIX)
    folder = Path(config.directory) / SEND_FOLDER
    target = folder / file_name(delivery.sender_code, unit, delivery.seq)
    temporary = folder / f".{target.name}.{uuid.uuid4().hex}.tmp"
    data = render(delivery.body, unit, sjis=config.kind == "pf_file_sjis")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(data)
        os.replace(temporary, target)
    except OSError as err:
        with contextlib.suppress(OSError):  # the folder itself may be what is wrong
            temporary.unlink(missing_ok=True)
        raise DeliveryError(f"{target} を書き込めません: {err}") from err
