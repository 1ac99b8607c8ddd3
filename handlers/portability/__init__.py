"""Whole-tenant export and import in the standard layout (docs/data-layout.md; j1360, j1410)."""

from handlers.portability.export import ExportReport, export_tenant
from handlers.portability.importer import ImportReport, TenantNotEmptyError, import_tenant
from handlers.portability.validation import ImportProblem, ImportRefusedError

__all__ = [
    "ExportReport",
    "ImportProblem",
    "ImportRefusedError",
    "ImportReport",
    "TenantNotEmptyError",
    "export_tenant",
    "import_tenant",
]
