"""The 住民異動届受理通知 (j580) as a PDF: a Jinja template rendered by WeasyPrint with the certificates' fonts and
stylesheet (``render.html_to_pdf``: IPAmj明朝 core subset, Noto CJK fallback).  A notice is no certificate: no
発行番号, no QR code, no seal; what it says is only what ``ReceiptNoticeContent`` carries."""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import Environment, FileSystemLoader, select_autoescape

from handlers.certificates.render import TEMPLATES, html_to_pdf

TITLE = "住民異動届受理通知"
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
        digits = self.postal_code.replace("-", "")
        return f"〒{digits[:3]}-{digits[3:]}" if len(digits) == 7 else ""


def notice_html(content: ReceiptNoticeContent) -> str:
    return _env.get_template("receipt_notice.html").render(c=content, title=TITLE)


def render_receipt_notice(content: ReceiptNoticeContent) -> bytes:
    return html_to_pdf(notice_html(content))
