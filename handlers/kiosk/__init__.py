"""コンビニ交付 (j1210): certificates issued at kiosks with the resident's マイナンバーカード, at the request of the
証明書交付センター.  ``issue_at_kiosk(uow, body) -> KioskAnswer``; the layout in ``handlers.kiosk.layout`` and
docs/integration.md.  ``list_household_at_kiosk(uow, body)``: the card holder's household members, for a
世帯の一部 choice (``handlers.kiosk.members``)."""

from handlers.kiosk.issuance import REASONS, KioskAnswer, issue_at_kiosk
from handlers.kiosk.layout import KioskCertificateRequest, parse_kiosk_request
from handlers.kiosk.members import list_household_at_kiosk

__all__ = [
    "REASONS",
    "KioskAnswer",
    "KioskCertificateRequest",
    "issue_at_kiosk",
    "list_household_at_kiosk",
    "parse_kiosk_request",
]
