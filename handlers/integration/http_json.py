"""JSON over HTTP: POST the envelope to the destination's URL, signed with HMAC-SHA256 of the body
(``X-Jumin-Signature: sha256=<hex>``), with ``X-Jumin-Idempotency-Key`` and ``X-Jumin-Sequence``.  Any 2xx
answer is a delivery; a receiver that already has the key must answer 2xx too (it de-duplicates)."""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

from handlers.integration.messages import encode, signed_headers
from handlers.integration.transport import Delivery, DeliveryError

TIMEOUT_SECONDS = 10.0


def post_signed(url: str, secret: str, body: dict[str, Any], *, key: str, seq: int, sender: str) -> bytes:
    data = encode(body)
    request = urllib.request.Request(
        url, data=data, method="POST", headers=signed_headers(secret, data, key, seq, sender)
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - configured URL
            answer: bytes = response.read()
            return answer
    except urllib.error.HTTPError as err:
        raise DeliveryError(f"HTTP {err.code} {err.reason} from {url}") from err
    except (urllib.error.URLError, OSError, TimeoutError) as err:
        raise DeliveryError(f"{url} unreachable: {err}") from err


def send_http_json(delivery: Delivery) -> None:
    config = delivery.config
    if not config.url:
        raise DeliveryError(f"宛先 {config.name} に URL が設定されていません")
    post_signed(
        config.url,
        config.secret or "",
        delivery.body,
        key=delivery.key,
        seq=delivery.seq,
        sender=delivery.sender_code,
    )
