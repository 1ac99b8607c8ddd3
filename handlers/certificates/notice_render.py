"""Notices as PDF: the 住民異動届受理通知 (j580) and the notices of a 住所一括変更 (j1340, several notices in one
document, one page each).  Jinja templates rendered by WeasyPrint with the certificates' fonts and stylesheet
(``render.html_to_pdf``: IPAmj明朝 core subset, Noto CJK fallback).  A notice is no certificate: no 発行番号, no
QR code, no seal; what it says is only what its content class carries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from jinja2 import Environment, FileSystemLoader, select_autoescape

from handlers.certificates.render import TEMPLATES, html_to_pdf

TITLE = "住民異動届受理通知"
BULK_TITLE = "住所一括変更の通知"
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


@dataclass(frozen=True)
class ReceiptNoticeContent:
    postal_code: str  # the addressee's 〒 (7 digits or empty)
    address: str
    katagaki: str
    addressee_name: str
    issue_date_text: str  # 和暦
    issuer: str  # e.g. 横浜市長
    notified_date_text: str  # 届出日 (和暦)
    reason_label: str  # 異動事由
    notifier_name: str  # 届出人氏名
    mover_names: tuple[str, ...]  # 異動者氏名
    statement: str  # 受理した旨
    case_number: str  # 受付番号 (for an enquiry about the notice)

    @property
    def postal_text(self) -> str:
        return postal_text(self.postal_code)


def postal_text(postal_code: str) -> str:
    """〒123-4567 from 7 digits (with or without the hyphen); empty for anything else."""
    digits = postal_code.replace("-", "")
    return f"〒{digits[:3]}-{digits[3:]}" if len(digits) == 7 else ""


def notice_html(content: ReceiptNoticeContent) -> str:
    return _env.get_template("receipt_notice.html").render(c=content, title=TITLE)


def render_receipt_notice(content: ReceiptNoticeContent) -> bytes:
    return html_to_pdf(notice_html(content))


@dataclass(frozen=True)
class BulkChangeNoticeContent:
    """One notice of a 住所一括変更 (j1340) to a household (住所) or a person (本籍)."""

    postal_code: str
    address: str
    katagaki: str
    addressee_name: str
    issue_date_text: str  # 和暦
    issuer: str  # the 認証者 line, e.g. 神奈川県横浜市長　山中 竹春
    title: str  # e.g. 住所変更のお知らせ（事前通知）
    statement: str
    item_label: str  # 住所 / 本籍
    before: str
    after: str
    change_date_text: str  # 和暦
    reason_label: str  # the run's 軽微な修正 category
    subject_names: tuple[str, ...]
    closing: str
    reference: str  # the run and the household or person, for an enquiry

    @property
    def postal_text(self) -> str:
        return postal_text(self.postal_code)


def bulk_change_notices_html(notices: Sequence[BulkChangeNoticeContent]) -> str:
    return _env.get_template("bulk_change_notice.html").render(notices=notices, title=BULK_TITLE)


def render_bulk_change_notices(notices: Sequence[BulkChangeNoticeContent]) -> bytes:
    """The notices in one PDF, one A4 page each."""
    return html_to_pdf(bulk_change_notices_html(notices))
