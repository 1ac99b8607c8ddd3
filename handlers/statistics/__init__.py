"""Statistics (j1080): the 住民基本台帳関係年報 items and the 中長期在留者 report for any past date, the
dashboard's charts (server-side SVG) and the CSV / XLSX exports."""

from handlers.statistics.dashboard import dashboard
from handlers.statistics.export import report_csv, report_table, report_xlsx
from handlers.statistics.report import ChangeReport, PopulationReport, changes_between, population_on

__all__ = [
    "ChangeReport", "PopulationReport", "changes_between", "dashboard", "population_on", "report_csv",
    "report_table", "report_xlsx",
]  # fmt: skip
