"""Generic extraction (EUC, j1360), random and conditional sampling (j1330): a typed condition model with a
wizard, a data source over the live register, its history and the 除票 (live and archived), background jobs
with progress, and CSV / XML / address-label PDF outputs, with suppression and the access log applied."""

from handlers.extraction.conditions import FIELDS, OPERATORS, parse_conditions
from handlers.extraction.jobs import (
    create_extraction_job,
    job_result,
    job_status,
    recent_jobs,
    run_extraction_job,
)
from handlers.extraction.outputs import OUTPUTS
from handlers.extraction.wizard import FLAG_FIELDS, wizard_conditions

__all__ = [
    "FIELDS", "FLAG_FIELDS", "OPERATORS", "OUTPUTS", "create_extraction_job", "job_result", "job_status",
    "parse_conditions", "recent_jobs", "run_extraction_job", "wizard_conditions",
]  # fmt: skip
