"""HTML (Jinja) → PDF for certificates, with a signed QR code (segno).

Each copy is written by ``fastpdf`` from the cached form of its layout (WeasyPrint lays a layout out once;
later copies only place their text and QR code: see bench/RESULTS.md); WeasyPrint renders a copy whole when the
fast writer cannot reproduce it (``html_to_pdf``).  For WeasyPrint: one Jinja environment with compiled
templates, one FontConfiguration and one pre-parsed stylesheet per process, and the cached IPAmj core subset
(``fonts.py``) so that embedding the glyphs of a common name does not mean subsetting the 45 MB MJ font.
"""

from __future__ import annotations

import base64
import io
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import segno
from jinja2 import Environment, FileSystemLoader, select_autoescape

from handlers.certificates.content import CertificateContent
from handlers.certificates.fastpdf import HtmlText, write_pdf
from handlers.certificates.fonts import font_face_css
from handlers.certificates.signing import Payload, sign_payload, text_digest

TEMPLATES = Path(__file__).parent / "templates"
QR_MARK = "<!--jumin-qr-->"
PAYLOAD_MARK = "JMN-PAYLOAD-MARK"  # the PDF's Subject carries the payload too
VERIFY_HINT = "左のコードで真正性を確認できます（/verify）"

_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
_lock = threading.Lock()
_weasy: dict[str, Any] = {}


def _weasy_objects() -> tuple[Any, Any]:
    """The process-wide FontConfiguration and parsed stylesheet (built once)."""
    with _lock:
        if not _weasy:
            from weasyprint import CSS
            from weasyprint.text.fonts import FontConfiguration

            font_config = FontConfiguration()
            css_text = font_face_css() + (TEMPLATES / "certificate.css").read_text(encoding="utf-8")
            _weasy["font_config"] = font_config
            _weasy["css"] = CSS(string=css_text, font_config=font_config)
            _weasy["css_text"] = css_text
        return _weasy["font_config"], _weasy["css"]


def stylesheet_text() -> str:
    _weasy_objects()
    return str(_weasy["css_text"])


def printed_text(html: str) -> str:
    """The text a reader sees, in document order (what the digest covers)."""
    return HtmlText(html).printed_text


def seal_text(content: CertificateContent) -> str:
    return f"{content.official.title}之印" if content.official else ""


def render_html(content: CertificateContent, issue_number: str) -> str:
    """The certificate's HTML with a placeholder where the QR code goes."""
    template = _env.get_template("certificate.html")
    return template.render(
        c=content,
        issue_number=issue_number,
        qr_svg=QR_MARK,
        seal_text=seal_text(content),
        verify_hint=VERIFY_HINT,
    )


def qr_image(text: str) -> str:
    """The QR code as an <img> of a 1-pixel-per-module PNG, drawn unsmoothed (image-rendering: pixelated), so
    it prints sharp at any size.  A PNG costs WeasyPrint a fraction of what parsing an SVG path of a few
    thousand segments does; the fixed mask pattern skips segno's mask scoring (any of the 8 masks is valid
    and readers take it from the format information)."""
    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False, mask=0).save(buffer, kind="png", scale=1, border=2)
    encoded = base64.b64encode(buffer.getvalue()).decode()
    return f'<img class="qr-code" alt="" src="data:image/png;base64,{encoded}">'


def qr_svg(text: str) -> str:
    """The same QR code as inline SVG (for screens)."""
    return str(segno.make(text, error="m", micro=False).svg_inline(scale=1, omitsize=True, border=2))


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    font_config, css = _weasy_objects()
    pdf: bytes = HTML(string=html, base_url=str(TEMPLATES)).write_pdf(
        stylesheets=[css], font_config=font_config
    )
    return pdf


def render_document(html: str) -> Any:
    """WeasyPrint's laid-out ``Document`` of ``html`` (what ``fastpdf`` builds a form from)."""
    from weasyprint import HTML

    font_config, css = _weasy_objects()
    return HTML(string=html, base_url=str(TEMPLATES)).render(stylesheets=[css], font_config=font_config)


@dataclass(frozen=True)
class RenderedCertificate:
    pdf: bytes
    source_html: str  # with the QR and payload placeholders
    digest: str
    payload: str
    signature: str
    pages: int

    @property
    def html(self) -> str:
        """The final HTML, QR code included (what WeasyPrint renders when the fast writer cannot)."""
        return final_html(self.source_html, self.payload)


def final_html(source_html: str, payload_text: str) -> str:
    return source_html.replace(QR_MARK, qr_image(payload_text)).replace(PAYLOAD_MARK, payload_text)


def render_certificate(content: CertificateContent, issue_number: str) -> RenderedCertificate:
    """Render one copy: digest the printed text, sign it into the QR code, write the PDF (from the cached form
    of its layout when ``fastpdf`` can, else with WeasyPrint)."""
    html = render_html(content, issue_number)
    reader = HtmlText(html)
    digest = text_digest(reader.printed_text)
    payload = Payload(
        content.municipality_code,
        issue_number,
        content.issue_date.isoformat(),
        content.certificate_type.code,
        digest,
    )
    payload_text, signature = sign_payload(payload)
    title = content.certificate_type.title
    pdf = write_pdf(reader, payload_text, title, lambda: render_document(final_html(html, payload_text)))
    if pdf is None:
        pdf = html_to_pdf(final_html(html, payload_text))
    return RenderedCertificate(pdf, html, digest, payload_text, signature, len(content.sheets))
