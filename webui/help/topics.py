"""Which section of the operations manual (docs/manual/) explains each screen (j1400).

``SCREEN_HELP``: endpoint → (chapter, anchor) for every screen; ``NOT_SCREENS``: the GET endpoints that answer no
page (JSON, files, probes), each with the reason.  ``tests/web/test_help_pages.py`` fails when a GET endpoint is in
neither, or a section named here is missing from its chapter: a new screen cannot ship without its help.
"""

from __future__ import annotations

SCREEN_HELP: dict[str, tuple[str, str]] = {
    # sign-in and the own account
    "auth.login": ("login", "login"),
    "auth.totp": ("login", "totp"),
    "auth.enrol": ("login", "enrol"),
    "auth.account": ("login", "account"),
    "auth.change_password": ("login", "password"),
    # residents and removed records
    "residents.index": ("residents", "search"),
    "residents.search": ("residents", "search"),
    "residents.show": ("residents", "record"),
    "residents.characters": ("residents", "characters"),
    "residents.history_search": ("residents", "history-search"),
    "residents.reorganize": ("residents", "reorganize"),
    "integrated.show": ("residents", "integrated"),
    "integrated.remarks": ("residents", "integrated"),
    "integrated.caution": ("residents", "integrated"),
    "removed_records.search": ("residents", "removed-search"),
    "removed_records.show": ("residents", "removed-record"),
    # counter intake, tasks, cases
    "counter.choose_type": ("counter", "choose-type"),
    "counter.new_case": ("counter", "intake"),
    "counter.resubmit": ("counter", "resubmit"),
    "counter.bulk": ("counter", "bulk"),
    "counter.tasks": ("counter", "tasks"),
    "counter.case": ("counter", "case"),
    "counter.receipt_notice": ("counter", "receipt-notice"),
    "counter.receipt_notice_release": ("counter", "receipt-notice"),
    "counter.cancel": ("counter", "case"),
    # review and approval
    "counter.review": ("review", "review"),
    "counter.decide": ("review", "review"),
    "counter.confirmation": ("review", "confirmation"),
    "counter.provisional": ("review", "provisional"),
    "counter.approve_provisional_changes": ("review", "provisional"),
    # certificates and inspection
    "certificates.index": ("certificates", "issue"),
    "certificates.issue": ("certificates", "issue"),
    "certificates.history": ("certificates", "history"),
    "certificates.verify": ("certificates", "verify"),
    "wide_area.index": ("certificates", "wide-area"),
    "wide_area.new": ("certificates", "wide-area"),
    "wide_area.show": ("certificates", "wide-area"),
    "inspection.inspection": ("certificates", "inspection"),
    # support measures and suppression
    "support_measures.new": ("support", "new"),
    "support_measures.create": ("support", "new"),
    "support_measures.show": ("support", "measure"),
    "support_measures.tasks": ("support", "tasks"),
    "support_measures.task": ("support", "task"),
    "support_measures.complete": ("support", "task"),
    "support_measures.suppressed": ("support", "suppressed"),
    "support_measures.suppressions": ("support", "suppressions"),
    "support_measures.set_one": ("support", "suppressions"),
    "support_measures.releases": ("support", "releases"),
    "support_measures.lift_form": ("support", "lift"),
    "support_measures.lift": ("support", "lift"),
    # notices received and sent
    "inbound.relay": ("inbound", "relay"),
    "inbound.certificates": ("inbound", "move-out-certificates"),
    "inbound.koseki": ("inbound", "koseki"),
    "inbound.koseki_notice": ("inbound", "koseki-notice"),
    "outbox.index": ("inbound", "outbox"),
    "outbox.platform_receipts": ("inbound", "platform"),
    "juki_net.consistency": ("inbound", "cs-consistency"),
    "juki_net.code_requests": ("inbound", "code-requests"),
    "juki_net.card_destinations": ("inbound", "card-destinations"),
    "juki_net.my_number_requests": ("inbound", "my-number-requests"),
    "juki_net.certificate_serials": ("inbound", "certificate-serials"),
    "juki_net.status": ("inbound", "juki-net-status"),
    # batches and CSV intake
    "batches.index": ("batches", "batches"),
    "batches.show": ("batches", "batch"),
    "batches.run": ("batches", "run"),
    "csv_intake.upload": ("batches", "csv-intake"),
    "csv_intake.result": ("batches", "csv-result"),
    "csv_intake.bulk_upload": ("batches", "bulk-address"),
    "csv_intake.bulk_show": ("batches", "bulk-address-show"),
    # statistics and extraction
    "statistics.index": ("statistics", "dashboard"),
    "statistics.report": ("statistics", "report"),
    "extraction.index": ("statistics", "extraction"),
    "extraction.builder": ("statistics", "builder"),
    "extraction.wizard": ("statistics", "wizard"),
    "extraction.sampling": ("statistics", "sampling"),
    "extraction.job": ("statistics", "job"),
    # the access log
    "audit_log.index": ("audit", "audit-log"),
    # administration
    "user_admin.index": ("admin", "users"),
    "user_admin.create": ("admin", "user-new"),
    "user_admin.edit": ("admin", "user-edit"),
    "destinations.index": ("admin", "destinations"),
    "destinations.create": ("admin", "destination-edit"),
    "destinations.edit": ("admin", "destination-edit"),
    "katagaki.index": ("admin", "katagaki"),
    "katagaki.create": ("admin", "katagaki-edit"),
    "katagaki.edit": ("admin", "katagaki-edit"),
    "address_dictionary.index": ("admin", "address-dictionary"),
    "address_dictionary.create": ("admin", "address-dictionary-edit"),
    "address_dictionary.edit": ("admin", "address-dictionary-edit"),
    "options.index": ("admin", "settings"),
    "integrated.templates": ("admin", "cautions"),
    "input_places.index": ("admin", "places"),
    "input_places.create_place": ("admin", "place-edit"),
    "input_places.edit_place": ("admin", "place-edit"),
    "input_places.create_terminal": ("admin", "place-edit"),
    "input_places.edit_terminal": ("admin", "place-edit"),
    "officials.index": ("admin", "officials"),
    "officials.create": ("admin", "official-edit"),
    "officials.edit": ("admin", "official-edit"),
    "officials.end": ("admin", "official-end"),
    "officials.delete": ("admin", "official-end"),
    "flows.index": ("admin", "flows"),
    "flows.modeler": ("admin", "modeler"),
    "flows.versions": ("admin", "versions"),
    "flows.migration": ("admin", "migration"),
    "flows.migration_job": ("admin", "migration-job"),
    "flows.scenarios": ("admin", "modeler"),
    "conformance.report": ("admin", "conformance"),
    # the help itself
    "help.index": ("index", "help"),
    "help.chapter": ("index", "help"),
}

NOT_SCREENS: dict[str, str] = {
    "static": "static files",
    "favicon": "the site icon (SVG)",
    "ops.healthz": "liveness probe (text)",
    "ops.readyz": "readiness probe (text)",
    "ops.metrics": "Prometheus metrics (text)",
    "certificates.verify_api": "public verification API (JSON)",
    "counter.households": "household lookup for the intake page's script (JSON)",
    "counter.honseki": "本籍 candidates for the intake page's script (JSON, j510)",
    "counter.address_dictionary": "the address dictionary for the intake page's script (JSON, j250)",
    "counter.address_kana": "住所カナ入力 candidates for the intake page's script (JSON, j250)",
    "counter.address_levels_list": "the 都道府県→市区町村→大字→小字 lists for the intake page's script (JSON, j250)",
    "counter.katagaki": "方書 candidates for the intake page's script (JSON, j520)",
    "extraction.job_json": "an extraction job's progress (JSON)",
    "extraction.download": "the extract file",
    "csv_intake.bulk_notice_file": "the PDF or CSV of a bulk address change's notices",
    "flows.flow_xml": "the BPMN file",
    "flows.standard": "the national standard's BPMN file",
    "flows.migration_job_json": "a migration job's progress (JSON)",
    "statistics.report_csv_download": "the report as CSV",
    "statistics.report_xlsx_download": "the report as XLSX",
    "batches.run_result": "a batch run's output file",
    "audit_log.download": "the access log's search or analysis as CSV (j1370)",
}
API_PREFIX = "api."  # the JSON API: described by /api/openapi.json, not by screen help


def help_target(endpoint: str | None) -> tuple[str, str]:
    """(chapter, anchor) of the screen ``endpoint``; the manual's contents for anything else."""
    return SCREEN_HELP.get(endpoint or "", ("index", "contents"))
