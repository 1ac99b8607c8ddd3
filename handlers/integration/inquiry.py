"""The ``inquiry`` transport (他業務照会, j1180): POST the signed ``registration_inquiry`` envelope to the other
system's URL exactly as ``http_json`` does, and keep its answer (``jumin.inquiry-answer/1``) as the person's
latest registration in that system, in the delivering transaction.

* Not reached, or an HTTP error: ``DeliveryError`` (the outbox retries with backoff); the reason is kept on the
  person's row so the page says why no answer came yet.
* Reached, but the answer breaks the layout: the reason is kept on the row and the message counts as delivered
  (asking again would get the same answer; the clerk asks anew once the other system is put right).
"""

from __future__ import annotations

import datetime as dt

from handlers.integration.http_json import post_signed
from handlers.integration.transport import Delivery, DeliveryError
from handlers.other_systems.catalog import INQUIRY_PREFIX
from handlers.other_systems.registrations import AnswerError, note_failure, parse_answer, store_answer


def send_inquiry(delivery: Delivery) -> None:
    config = delivery.config
    session = delivery.uow.session
    system = config.name.removeprefix(INQUIRY_PREFIX)
    atena_number = str((delivery.message.payload or {}).get("atena_number") or "")
    if not config.url:
        raise DeliveryError(f"照会先 {config.name} に URL が設定されていません")
    try:
        body = post_signed(
            config.url,
            config.secret or "",
            delivery.body,
            key=delivery.key,
            seq=delivery.seq,
            sender=delivery.sender_code,
        )
    except DeliveryError as err:
        note_failure(session, atena_number, system, f"照会先に接続できません（再試行します）：{err}")
        raise
    try:
        answer = parse_answer(system, atena_number, body)
    except AnswerError as err:
        note_failure(session, atena_number, system, f"回答を取り込めません：{err}")
        return
    store_answer(session, answer, source="inquiry", at=dt.datetime.now(dt.UTC))
