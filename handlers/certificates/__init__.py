"""Certificates (証明書): content from the registered state, PDF rendering, issuance history, verification.

Public API:
- ``issue_certificate(uow, CertificateRequest) -> IssuedCertificate``
- ``dispose_certificate(uow, issue_number, reason)``, ``issuance_history(uow, atena_number)``
- ``verify_certificate(session, payload)``, ``verify_pdf(session, pdf)``, ``verify_issue(session, code, number, digest)``
- ``set_officials(uow, officials)``, ``official_on(municipality, date)``
"""

from handlers.certificates.catalog import TYPES, CertificateType
from handlers.certificates.issuance import (
    CertificateRefusedError,
    IssuedCertificate,
    IssuedCopy,
    ReleaseRequiredError,
    dispose_certificate,
    issuance_history,
    issue_certificate,
    overflow_alerts,
)
from handlers.certificates.officials import official_on, set_officials
from handlers.certificates.options import CertificateOptions, CertificateRequest, request_from_case
from handlers.certificates.verification import (
    VerificationResult,
    verification_session,
    verify_certificate,
    verify_issue,
    verify_pdf,
)

__all__ = [
    "TYPES",
    "CertificateOptions",
    "CertificateRefusedError",
    "CertificateRequest",
    "CertificateType",
    "IssuedCertificate",
    "IssuedCopy",
    "ReleaseRequiredError",
    "VerificationResult",
    "dispose_certificate",
    "issuance_history",
    "issue_certificate",
    "official_on",
    "overflow_alerts",
    "request_from_case",
    "set_officials",
    "verification_session",
    "verify_certificate",
    "verify_issue",
    "verify_pdf",
]
