"""CSV intake (j1430) and the bulk address change from CSV (j1340)."""

from handlers.csv_intake.intake import ImportReport, import_csv
from handlers.csv_intake.layouts import KIND_LABELS, LAYOUTS

__all__ = ["KIND_LABELS", "LAYOUTS", "ImportReport", "import_csv"]
