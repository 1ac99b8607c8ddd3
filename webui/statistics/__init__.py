"""The statistics pages (j1080): dashboard, 年報 tables, 中長期在留者 report, CSV / XLSX downloads."""
