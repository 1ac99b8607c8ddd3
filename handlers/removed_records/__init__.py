"""Register B: 除票 (removed records, j50, j1300).

Live 除票 are ``Resident`` rows with status ``removed``; after five years the yearly batch moves them to the
除票用データベース (``RemovedRecordArchive``), where they stay until 150 years after removal.
"""

from handlers.removed_records.archive import ArchiveReport, archive_old_removed_records, purge_expired_archive
from handlers.removed_records.batch import TenantRun, run_yearly_archive
from handlers.removed_records.lookup import SOURCE_LABELS, RemovedHit, search_removed, view_removed_record

__all__ = [
    "SOURCE_LABELS",
    "ArchiveReport",
    "RemovedHit",
    "TenantRun",
    "archive_old_removed_records",
    "purge_expired_archive",
    "run_yearly_archive",
    "search_removed",
    "view_removed_record",
]
