"""Every code a handler can store has a Japanese name in the one label catalogue (``handlers/labels.py``): the
screens showed raw codes where a clerk expects a name — outbox destinations (``municipality:141003``) and kinds
(``identity_change``) on the case page, case states on the migration page, 前月/当月 on /batches — and the case
page kept its own dicts, which had no name for a migrated case's events or a 在留カード's endorsement."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pytest

from handlers.changes.move_out_register import HEAD_DOCUMENTS
from handlers.changes.resident_codes import NOTICES
from handlers.csv_intake.reading import decode
from handlers.labels import destination_label, families, label, label_choices
from handlers.rules.move_out import move_out_documents
from models.case import CASE_STATUSES, TASK_STATES
from models.change import OUTBOX_STATUSES, PENDING_STATUSES
from models.flow import MIGRATION_JOB_STATUSES
from models.immigration_notice import NOTICE_STATUSES
from models.input_place import PLACE_KINDS
from models.integration import DESTINATION_KINDS, SUBSCRIPTIONS
from models.juki_net import CARD_DESTINATION_TRIGGERS, MISMATCH_KINDS, PERSON_REQUEST_KINDS
from models.katagaki import KATAGAKI_KINDS
from models.koseki_notice_inbox import KOSEKI_NOTICE_STATUSES
from models.other_systems import RECEIPT_STATUSES
from models.relay import RELAY_STATUSES
from models.reporting import (
    BATCH_RUN_STATUSES,
    BATCH_TRIGGERS,
    BULK_ADDRESS_STATUSES,
    CSV_IMPORT_STATUSES,
    EXTRACTION_JOB_STATUSES,
)
from models.support import SUPPORT_MEASURE_STATUSES
from models.suppression import SUPPRESSION_LEVELS, SUPPRESSION_PROCESSES
from models.wide_area import WIDE_AREA_STATUSES
from workflows.engine.elements import NODE_KINDS
from workflows.engine.timeline import EVENT_KINDS

HANDLERS = Path(__file__).resolve().parents[2] / "handlers"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")

# family → the codes the models declare for that column
DECLARED: dict[str, Iterable[str]] = {
    "case_status": CASE_STATUSES, "task_state": TASK_STATES, "case_event": EVENT_KINDS,
    "pending_change_status": PENDING_STATUSES, "outbox_status": OUTBOX_STATUSES,
    "migration_job_status": MIGRATION_JOB_STATUSES, "immigration_notice_status": NOTICE_STATUSES,
    "koseki_notice_status": KOSEKI_NOTICE_STATUSES, "relay_status": RELAY_STATUSES,
    "wide_area_status": WIDE_AREA_STATUSES, "support_measure_status": SUPPORT_MEASURE_STATUSES,
    "extraction_job_status": EXTRACTION_JOB_STATUSES, "csv_intake_status": CSV_IMPORT_STATUSES,
    "bulk_address_status": BULK_ADDRESS_STATUSES, "batch_run_status": BATCH_RUN_STATUSES,
    "batch_trigger": BATCH_TRIGGERS, "pf_receipt_status": RECEIPT_STATUSES,
    "person_request_kind": PERSON_REQUEST_KINDS, "destination_kind": DESTINATION_KINDS,
    "subscription": SUBSCRIPTIONS, "cs_mismatch_kind": MISMATCH_KINDS,
    "card_destination_trigger": CARD_DESTINATION_TRIGGERS, "input_place_kind": PLACE_KINDS,
    "katagaki_kind": KATAGAKI_KINDS, "suppression_process": SUPPRESSION_PROCESSES,
    "suppression_level": SUPPRESSION_LEVELS,
    "bpmn_element": NODE_KINDS | {"sequenceFlow", "lane"},
}  # fmt: skip

SNAKE = r"[a-z]+(?:_[a-z]+)*"
# Where the handlers name an outbox message's kind: NoticeDraft("dest", "kind", …) and cs_notice("kind", …) with
# a literal; a module constant *KIND* = "kind" (queue_copy, queue_person_requests, the received files' kinds)
LITERAL_KINDS = (
    re.compile(rf'NoticeDraft\(\s*(?:f?"[^"]*"|\w+),\s*"({SNAKE})"'),
    re.compile(rf'cs_notice\(\s*"({SNAKE})"'),
    re.compile(rf'^[A-Z_]*KIND[A-Z_]* = "({SNAKE})"', re.MULTILINE),
    re.compile(rf'^(?:CHANGE|GENERATION) = "({SNAKE})"', re.MULTILINE),  # juki_net's person request kinds
    re.compile(rf'queue_copy\(\s*uow,\s*\w+,\s*"({SNAKE})"'),
)
KIND_CONSTANT = re.compile(
    r"NoticeDraft\((?:[^()]|\([^()]*\))*?\bkind=([A-Z_]+)", re.DOTALL
)  # kind=NAME, NAME = "…"
# queue_measure_notices(uow, m, "in_force") → support_measure_in_force; queue_suppression_notices → suppression_…
EVENT_KINDS_OF = (
    (re.compile(rf'queue_measure_notices\(\s*uow,\s*\w+,\s*"({SNAKE})"'), "support_measure_"),
    (re.compile(rf'queue_suppression_notices\(\s*uow,\s*\w+,\s*"({SNAKE})"'), "suppression_"),
)
LITERAL_DESTINATIONS = (
    re.compile(rf'NoticeDraft\(\s*"({SNAKE})"'),
    re.compile(rf'^[A-Z_]*DESTINATIONS = \(((?:"{SNAKE}",?\s*)+)\)', re.MULTILINE),
    re.compile(rf'^(?:CS|IMMIGRATION) = "({SNAKE})"', re.MULTILINE),
)
# documents=[…], documents = […], documents(proposal, X) and the change types' own document constants
LITERAL_DOCUMENTS = (
    re.compile(rf'documents\s*=\s*\[\s*"({SNAKE})"'),
    re.compile(rf'^[A-Z_]*(?:NOTICE|DOCUMENT|CERTIFICATE)[A-Z_]* = "({SNAKE})"', re.MULTILINE),
)
NOT_DOCUMENTS = {"move_in_notice", "municipality_notice", "koseki_notice"}  # message kinds, change types


def _sources() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in HANDLERS.rglob("*.py")]


def written_message_kinds() -> set[str]:
    found: set[str] = set()
    for text in _sources():
        for pattern in LITERAL_KINDS:
            found.update(pattern.findall(text))
        for name in KIND_CONSTANT.findall(text):
            found.update(re.findall(rf'^{name} = "({SNAKE})"', text, re.MULTILINE))
        for pattern, prefix in EVENT_KINDS_OF:
            found.update(prefix + event for event in pattern.findall(text))
    return found


def written_destinations() -> set[str]:
    found: set[str] = set()
    for text in _sources():
        for pattern in LITERAL_DESTINATIONS:
            for match in pattern.findall(text):
                found.update(re.findall(SNAKE, match))
    return found


def issued_documents() -> set[str]:
    changes = [p.read_text(encoding="utf-8") for p in (HANDLERS / "changes").glob("*.py")]
    found = {code for text in changes for pattern in LITERAL_DOCUMENTS for code in pattern.findall(text)}
    found |= set(HEAD_DOCUMENTS.values()) | set(NOTICES.values())
    found |= {
        *move_out_documents(ex_officio=True, special=False),
        *move_out_documents(ex_officio=False, special=False),
    }
    return found - NOT_DOCUMENTS


@pytest.mark.req("j530")
@pytest.mark.parametrize("family", sorted(DECLARED))
def test_every_code_a_model_declares_has_a_japanese_name(family: str) -> None:
    names = families()[family]
    assert sorted(set(DECLARED[family]) - names.keys()) == []
    assert all(JAPANESE.search(name) for name in names.values())


@pytest.mark.req("j1090")
@pytest.mark.req("j1150")
def test_every_message_kind_the_handlers_write_has_a_japanese_name() -> None:
    found = written_message_kinds()
    assert {
        "identity_change",
        "move_in_notice",
        "municipality_notice",
        "support_measure_in_force",
        "full_extract",
    } <= found
    assert len(found) > 25, "the scan no longer finds where the handlers name a message's kind"
    assert sorted(found - families()["message_kind"].keys()) == []


@pytest.mark.req("j1090")
@pytest.mark.req("j1150")
def test_every_destination_the_handlers_write_reads_in_japanese() -> None:
    found = written_destinations()
    assert {"cs", "addressee", "kiosk", "immigration"} <= found, "the scan no longer finds the destinations"
    assert sorted(d for d in found if not JAPANESE.search(destination_label(d))) == []


@pytest.mark.req("j530")
def test_every_document_issued_after_registration_has_a_japanese_name() -> None:
    found = issued_documents()
    assert {"resident_code_notice", "move_out_certificate_equivalent", "residence_card_endorsement"} <= found
    assert sorted(found - families()["issued_document"].keys()) == []


@pytest.mark.req("j680")
@pytest.mark.parametrize(
    ("destination", "shown"),
    [
        ("municipality:141003", "他市区町村（神奈川県横浜市）"),
        ("municipality:202177", "他市区町村（長野県佐久市）"),
        ("municipality:999999", "他市区町村（999999）"),  # no such municipality: its code
        ("municipality:*", "他市区町村（中継・全団体）"),
        ("subscriber:nhi", "宛名連携先「国民健康保険」"),
        ("subscriber:tax", "宛名連携先「tax」"),  # a subscriber we know no name for: its own name
        ("inquiry:election", "他業務照会「選挙人名簿」"),
        ("platform:child_allowance", "地域情報PF「児童手当」ユニット"),
        ("koseki_fuhyo", "戸籍附票システム"),
        ("somewhere_else", "somewhere_else"),
    ],
)
def test_a_destination_reads_as_the_system_it_names(destination: str, shown: str) -> None:
    assert destination_label(destination) == shown


@pytest.mark.req("j1430")
@pytest.mark.parametrize("data", [b"\xef\xbb\xbfa,b", b"a,b", "氏名".encode("cp932")])
def test_every_encoding_a_csv_is_read_in_has_a_name(data: bytes) -> None:
    _text, encoding = decode(data)
    assert encoding in families()["csv_encoding"]


def test_an_unknown_code_reads_as_itself_and_none_as_nothing() -> None:
    assert label("no_such_state", "case_status") == "no_such_state"
    assert label(None, "case_status") == ""
    assert label("running", "case_status") == "処理中"
    assert ("agent", "代理人") in label_choices("notifier_kind")
    with pytest.raises(KeyError):
        label("running", "no_such_family")
