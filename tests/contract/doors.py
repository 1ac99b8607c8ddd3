"""The door registry: every way in to resident data, declared once, so a door added without coverage fails
``test_door_coverage``.

- ``ROUTES``: every rule of the Flask URL map, by endpoint: how to call it (method, URL with ``{key}`` filled from
  ``tests.contract.world.World.url_values``, form or JSON body), who calls (``web`` a signed-in user, ``api`` a
  bearer token, ``anonymous``) and what kind of door it is:
  * ``public``  – no resident data at all (static files, sign-in pages, the public verification page);
  * ``object``  – the URL names one object of a municipality: another municipality's user gets 404/403;
  * ``named``   – the URL names a shared name (a process id, a change type): each municipality sees its own;
  * ``list``    – no object in the URL (lists, searches, forms, actions whose body names the object).
  ``discloses`` marks a door that hands resident data to someone outside the resident register's staff view
  (a certificate, the inspection list, an extract): each has a probe in ``test_no_leak_of_a_protected_person``.
- ``OPERATORS``: every BPMN service-task operator (``workflows.engine.registry.names()`` and the resolver-supplied
  ``<code>.<step>`` of every change type) with what it does with resident data.
- ``CELERY_TASKS``: every Celery task but ``celery.*``, with what it does with resident data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PUBLIC, OBJECT, NAMED, LIST = "public", "object", "named", "list"


@dataclass(frozen=True)
class Door:
    method: str
    url: str  # with {key} placeholders from World.url_values
    kind: str  # PUBLIC / OBJECT / NAMED / LIST
    caller: str = "web"  # web / api / anonymous
    form: dict[str, Any] | None = None
    json: dict[str, Any] | None = None
    discloses: bool = False
    note: str = ""
    query: dict[str, str] = field(default_factory=dict)


def web(method: str, url: str, kind: str, **kw: Any) -> Door:
    return Door(method, url, kind, "web", **kw)


def api(method: str, url: str, kind: str, **kw: Any) -> Door:
    return Door(method, url, kind, "api", **kw)


def public(url: str, note: str, method: str = "GET") -> Door:
    return Door(method, url, PUBLIC, "anonymous", note=note)


# A search that would find city A's family by a part of their kana (the full kana is a marker, so an echo of
# the query in the form is not mistaken for a leak).
KANA_PART = {"kana": "ミタラ"}

ROUTES: dict[str, Door] = {
    # --- public, no resident data --------------------------------------------------------------------------
    "static": public("/static/css/app.css", "static assets"),
    "favicon": public("/favicon.ico", "the site icon (the static SVG)"),
    "auth.login": public("/login", "sign-in page"),
    "auth.totp": public("/login/totp", "second factor page (redirects without a pending sign-in)"),
    "auth.enrol": public("/login/enrol", "TOTP enrolment (redirects without a pending sign-in)"),
    "certificates.verify": public("/verify", "public verification page: answers genuine or not, no data"),
    "certificates.verify_api": public("/verify/api", "public verification API: answers genuine or not"),
    "api.openapi_document": public("/api/openapi.json", "the API description"),
    "ops.healthz": public("/healthz", "liveness probe: process up, no data"),
    "ops.readyz": public("/readyz", "readiness probe: database and broker answer, no data"),
    "ops.metrics": public("/metrics", "Prometheus metrics: aggregated counts across tenants, no resident data"),
    "help.index": public("/help", "the operations manual's contents (j1400): no resident data"),
    "help.chapter": public("/help/counter", "a chapter of the operations manual (j1400): no resident data"),
    # --- the signed-in user's own account ------------------------------------------------------------------
    "auth.logout": web("POST", "/logout", LIST, note="ends the caller's own session"),
    "auth.account": web("GET", "/account", LIST, note="the caller's own account"),
    "auth.change_password": web("GET", "/account/password", LIST, note="the caller's own password"),
    "api.me": api("GET", "/api/me", LIST, note="the token's own municipality and roles"),
    # --- residents -----------------------------------------------------------------------------------------
    "residents.index": web("GET", "/", LIST),
    "residents.search": web("GET", "/residents/search", LIST, query=KANA_PART),
    "residents.history_search": web("GET", "/residents/history-search", LIST, query={"change_reason": "domestic_move_in"}),
    "residents.show": web("GET", "/residents/{atena_victim}", OBJECT),
    "removed_records.search": web("GET", "/removed-records", LIST, query={"kana": "ジョヒョウ"}),
    "removed_records.show": web("GET", "/removed-records/{atena_removed}", OBJECT),
    "api.search_residents_api": api("GET", "/api/residents", LIST, query=KANA_PART),
    "api.view_resident_api": api("GET", "/api/residents/{atena_victim}", OBJECT),
    "api.register_household_api": api(
        "POST", "/api/households", LIST,
        json={"household": {"household_number": "{household_family}"}, "members": []},
        note="registers into the token's own municipality; a refused body writes nothing",
    ),
    "counter.households": web("GET", "/counter/households", LIST, query={"q": "{household_family}"}),
    "counter.address_dictionary": web(
        "GET", "/counter/address-dictionary", LIST, note="j250: the caller's municipality's address dictionary only",
    ),
    "counter.address_kana": web(
        "GET", "/counter/address-kana", LIST, query={"q": "テシ"}, note="j250: the caller's dictionary only",
    ),
    "counter.address_levels_list": web(
        "GET", "/counter/address-levels", LIST, query={"area": "14104"},
        note="j250: JIS X 0402 lists, and the 大字 of the caller's dictionary only",
    ),
    "counter.katagaki": web(
        "GET", "/counter/katagaki", LIST, query={"address": "神奈川県横浜市中区本町勅使5番"},
        note="j520: the 方書 registered at an address of the caller's municipality only",
    ),
    "counter.honseki": web(
        "GET", "/counter/honseki", LIST, query={"household_number": "{household_family}"},
        note="j510: 本籍 candidates of a household of the caller's municipality, through the 異動入力 decision",
    ),
    # --- certificates --------------------------------------------------------------------------------------
    "api.issue_certificate_api": api(
        "POST", "/api/certificates", LIST, discloses=True,
        json={"subjects": ["{atena_victim}"], "certificate_type": "copy_individual",
              "requester_kind": "third_party", "requester_name": "斎藤 鷹雄", "purpose": "確認", "copies": 1},
        note="issues into the token's own municipality; the one disclosure decision applies",
    ),
    "api.issue_at_kiosk_api": api(
        "POST", "/api/kiosk/certificates", LIST, discloses=True,
        json={"request_id": "contract-1", "person": {"resident_code": "12345678901", "card_serial": "ABC123"},
              "terminal": {"code": "store-1", "name": "本町店"}, "document": "residence_copy", "scope": "household"},
        note="j1210: the kiosk system's token; the person is found in the token's own municipality only",
    ),
    "api.list_household_at_kiosk_api": api(
        "POST", "/api/kiosk/household", LIST, discloses=True,
        json={"request_id": "contract-2", "person": {"resident_code": "12345678901", "card_serial": "ABC123"},
              "terminal": {"code": "store-1", "name": "本町店"}},
        note="j1210: the kiosk system's token; the card holder's household in the token's own municipality only, "
             "refused whole when anyone in it is protected",
    ),
    "api.receive_e_application_api": api(
        "POST", "/api/e-applications", LIST, json={"application": "", "signature": "", "certificate": ""},
        note="opens a certificate request of the token's own municipality for the signer only; the counter's checks apply",
    ),
    "certificates.index": web("GET", "/certificates", LIST),
    "certificates.issue": web(
        "POST", "/certificates/issue", LIST, discloses=True,
        form={"subjects": "{atena_victim}", "certificate_type": "copy_individual", "requester_kind": "third_party",
              "requester_name": "斎藤 鷹雄", "purpose": "確認", "copies": "1", "seal": "y",
              "include_foreign_items": "y", "official": "auto"},
    ),
    "certificates.history": web(
        "GET", "/certificates/history/{atena_victim}", LIST,
        note="交付履歴 looked up by 宛名番号 in the caller's municipality: another city's number gives an empty list",
    ),
    "certificates.dispose": web(
        "POST", "/certificates/dispose", LIST, form={"issue_number": "{issue_number}", "reason": "汚損"}
    ),
    "wide_area.index": web("GET", "/wide-area", LIST, note="j1210: the caller's municipality's 広域交付 requests"),
    "wide_area.new": web(
        "POST", "/wide-area/new", LIST,
        form={"home_code": "141003", "certificate_type": "copy_individual", "resident_code": "12345678901",
              "relation": "self", "requester_name": "斎藤 鷹雄", "id_document": "driver_license"},
        note="j1210: sends a request to the home municipality, which makes the disclosure decision itself",
    ),
    "wide_area.show": web("GET", "/wide-area/{wide_area_request_id}", OBJECT),
    "wide_area.print_copy": web(
        "POST", "/wide-area/{wide_area_request_id}/print", OBJECT, discloses=True,
        note="j1210: prints only what the home municipality answered after its disclosure decision",
    ),
    # --- support measures and suppression ------------------------------------------------------------------
    "support_measures.show": web("GET", "/support-measures/{measure_id}", OBJECT),
    "support_measures.extend": web("POST", "/support-measures/{measure_id}/extend", OBJECT, form={}),
    "support_measures.terminate": web(
        "POST", "/support-measures/{measure_id}/terminate", OBJECT,
        form={"reason": "victim_request", "termination_date": "2026-01-05"},
    ),
    "support_measures.suppressed": web("GET", "/support-measures/suppressed", LIST, discloses=True,
                                       note="j1290: the officer's list of suppressed persons"),
    "support_measures.releases": web("GET", "/support-measures/releases", LIST),
    "support_measures.grant": web(
        "POST", "/support-measures/releases/{release_id}/grant", OBJECT, form={"reason": "確認した"}
    ),
    "support_measures.lift_form": web("GET", "/support-measures/lift", LIST),
    "support_measures.lift": web(
        "POST", "/support-measures/lift", LIST,
        form={"target": "measure", "target_id": "{measure_id}", "purpose": "certificate", "minutes": "10",
              "reason": "確認"},
    ),
    "support_measures.suppressions": web(
        "GET", "/support-measures/suppressions", LIST, query={"atena_number": "{atena_stranger}"}
    ),
    "support_measures.set_one": web(
        "POST", "/support-measures/suppressions", LIST,
        form={"atena_number": "{atena_stranger}", "process": "certificate", "level": "error",
              "start_date": "2024-01-01", "reason": "確認"},
    ),
    "support_measures.release_one": web(
        "POST", "/support-measures/suppressions/{suppression_id}/release", OBJECT, form={"reason": "終了"}
    ),
    "support_measures.new": web("GET", "/support-measures/new", LIST),
    "support_measures.create": web(
        "POST", "/support-measures/new", LIST, form={"applicant_atena_number": "{atena_victim}"}
    ),
    "support_measures.tasks": web("GET", "/support-measures/tasks", LIST),
    "support_measures.task": web("GET", "/support-measures/tasks/{task_id}", OBJECT),
    "support_measures.complete": web("POST", "/support-measures/tasks/{task_id}", OBJECT, form={}),
    "inspection.inspection": web(
        "GET", "/inspection-list", LIST, discloses=True, query={"area": "神奈川県横浜市"},
        note="j1320: the inspection list excludes households with a protected person",
    ),
    # --- the access log ------------------------------------------------------------------------------------
    "audit_log.index": web("GET", "/audit-log", LIST, discloses=True, query={"atena_number": "{atena_victim}"},
                           note="auditors only; rows never carry an address"),
    "audit_log.download": web("GET", "/audit-log/download", LIST, discloses=True,
                              query={"target": "{atena_victim}"},
                              note="j1370: the search or an analysis as CSV; auditors only, no address"),
    # --- counter cases and tasks ---------------------------------------------------------------------------
    "counter.choose_type": web("GET", "/cases/new", LIST),
    "counter.new_case": web("GET", "/cases/new/{code}", NAMED),
    "counter.bulk": web("GET", "/cases/bulk", LIST),
    "counter.tasks": web("GET", "/tasks", LIST),
    "counter.case": web("GET", "/cases/{case_id}", OBJECT),
    "counter.cancel": web("POST", "/cases/{case_id}/cancel", OBJECT, form={"reason": "取消"}),
    "counter.retry": web("POST", "/cases/{case_id}/retry", OBJECT),
    "counter.ask_cs_again": web("POST", "/cases/{case_id}/my-number/ask-again", OBJECT,
                                note="j1130: a new 変更要求 of a waiting 個人番号の異動"),
    "counter.receipt_notice": web(
        "POST", "/cases/{case_id}/receipt-notice", OBJECT, discloses=True, form={"notifier_name": "斎藤 鷹雄"},
        note="j580 住民異動届受理通知 of a registered case: the one disclosure decision applies",
    ),
    "counter.receipt_notice_release": web(
        "POST", "/cases/{case_id}/receipt-notice/release", OBJECT, form={"notifier_name": "斎藤 鷹雄"},
        note="asks the officer to release one stopped 受理通知: discloses nothing",
    ),
    "counter.claim": web("POST", "/tasks/{task_id}/claim", OBJECT),
    "counter.complete_task": web("POST", "/tasks/{task_id}/complete", OBJECT, note="交付物の発行 done: no data"),
    "counter.release": web("POST", "/tasks/{task_id}/release", OBJECT),
    "counter.assign": web("POST", "/tasks/{task_id}/assign", OBJECT, form={"user_id": "{b_user_id}"}),
    "counter.resubmit": web("GET", "/tasks/{task_id}/intake", OBJECT),
    "counter.review": web("GET", "/tasks/{task_id}/review", OBJECT),
    "counter.decide": web("POST", "/tasks/{task_id}/review", OBJECT, form={"decision": "approve"}),
    "counter.confirmation": web("GET", "/tasks/{task_id}/confirmation", OBJECT),
    "counter.provisional": web("GET", "/cases/provisional", LIST, note="j530 仮登録一覧: supervisors only"),
    "counter.approve_provisional_changes": web(
        "POST", "/cases/provisional/approve", LIST, form={"scope": "selected", "case_ids": "{case_id}"},
        note="本登録 of the selected cases: another municipality's case id gives 404",
    ),
    "api.open_case_api": api(
        "POST", "/api/cases", LIST, json={"change_type": "move_within", "subjects": ["{atena_victim}"]},
    ),
    "api.send_wide_area_request_api": api(
        "POST", "/api/wide-area-requests", LIST, note="j1210: answered by the home municipality through the relay",
        json={"home_code": "141003", "certificate_type": "copy_individual", "name": "御手洗 桜子",
              "birth_date": "1988-03-03", "address": "横浜市泉区", "relation": "self",
              "requester_name": "御手洗 桜子", "id_document": "my_number_card"},
    ),
    "api.wide_area_requests_api": api("GET", "/api/wide-area-requests", LIST),
    "api.wide_area_request_api": api("GET", "/api/wide-area-requests/{wide_area_request_id}", OBJECT),
    "api.print_wide_area_copy_api": api(
        "POST", "/api/wide-area-requests/{wide_area_request_id}/print", OBJECT, discloses=True,
        note="j1210: prints only what the home municipality answered; a protected person is refused there",
    ),
    "api.case_view_api": api("GET", "/api/cases/{case_id}", OBJECT),
    "api.cancel_case_api": api("POST", "/api/cases/{case_id}/cancel", OBJECT, json={"reason": "取消"}),
    "api.retry_case_api": api("POST", "/api/cases/{case_id}/retry", OBJECT),
    "api.ask_cs_again_api": api("POST", "/api/cases/{case_id}/my-number/ask-again", OBJECT,
                                note="j1130: a new 変更要求 of a waiting 個人番号の異動"),
    "api.receipt_notice_api": api(
        "POST", "/api/cases/{case_id}/receipt-notice", OBJECT, discloses=True, json={"notifier_name": "斎藤 鷹雄"},
        note="j580 住民異動届受理通知 (PDF): the one disclosure decision applies",
    ),
    "api.list_tasks_api": api("GET", "/api/tasks", LIST),
    "api.claim_task_api": api("POST", "/api/tasks/{task_id}/claim", OBJECT),
    "api.complete_task_api": api("POST", "/api/tasks/{task_id}/complete", OBJECT, json={"data": {}}),
    # --- flows (BPMN) --------------------------------------------------------------------------------------
    "flows.index": web("GET", "/flows", LIST),
    "flows.modeler": web("GET", "/flows/{process_id}", NAMED),
    "flows.flow_xml": web("GET", "/flows/{process_id}/flow.bpmn", NAMED),
    "flows.standard": web("GET", "/flows/{process_id}/standard.bpmn", NAMED),
    "flows.deploy": web("POST", "/flows/{process_id}/deploy", NAMED, form={"xml": ""}),
    "flows.versions": web("GET", "/flows/{process_id}/versions", NAMED),
    "flows.rollback": web("POST", "/flows/{process_id}/versions/1/rollback", NAMED),
    "flows.migration": web("GET", "/flows/{process_id}/migration", NAMED),
    "flows.start_migration": web("POST", "/flows/{process_id}/migration", NAMED),
    "flows.migration_job": web("GET", "/flows/migrations/{job_id}", OBJECT),
    "flows.migration_job_json": web("GET", "/flows/migrations/{job_id}.json", OBJECT),
    "flows.revert": web("POST", "/flows/cases/{case_id}/revert-migration", OBJECT),
    "flows.scenarios": web("POST", "/flows/{process_id}/scenarios", NAMED),
    "residents.characters": web("GET", "/residents/{atena_victim}/characters", OBJECT),
    "residents.reorganize": web("POST", "/residents/{atena_victim}/reorganize", OBJECT, form={"note": "改製"}),
    # --- 統合記載欄 (j140): a record's 留意事項 and 備考, read and written like the record ------------------------
    "integrated.show": web("GET", "/residents/{atena_victim}/integrated", OBJECT),
    "integrated.remarks": web("POST", "/residents/{atena_victim}/integrated/remarks", OBJECT, form={"remarks": "備考"}),
    "integrated.caution": web(
        "POST", "/residents/{atena_victim}/integrated/cautions/1", OBJECT, form={"caution": "留意事項"}
    ),
    "integrated.templates": web("GET", "/settings/cautions", LIST),
    # --- 他業務照会 (j1180): asking is a 照会 of the person (suppression, audit); answers come via the outbox -----
    "residents.inquire_other_systems": web("POST", "/residents/{atena_victim}/other-systems/inquiries", OBJECT),
    "api.other_systems_api": api("GET", "/api/residents/{atena_victim}/other-systems", OBJECT),
    "api.inquire_other_systems_api": api(
        "POST", "/api/residents/{atena_victim}/other-systems/inquiries", OBJECT, json={"systems": ["nhi"]}
    ),
    # --- extraction (EUC j1360, sampling j1330) ------------------------------------------------------------
    "extraction.index": web("GET", "/extraction", LIST),
    "extraction.builder": web("GET", "/extraction/builder", LIST),
    "extraction.wizard": web("GET", "/extraction/wizard", LIST),
    "extraction.sampling": web("GET", "/extraction/sampling", LIST),
    "extraction.job": web("GET", "/extraction/jobs/{extraction_job_id}", OBJECT),
    "extraction.job_json": web("GET", "/extraction/jobs/{extraction_job_id}.json", OBJECT),
    "extraction.download": web("GET", "/extraction/jobs/{extraction_job_id}/download", OBJECT, discloses=True,
                               note="the extract file: protected persons left out for non-officers"),
    # --- CSV intake and bulk address changes ---------------------------------------------------------------
    "csv_intake.upload": web("GET", "/csv-intake", LIST),
    "csv_intake.result": web("GET", "/csv-intake/imports/{import_id}", OBJECT),
    "csv_intake.bulk_upload": web("GET", "/csv-intake/bulk-address", LIST),
    "csv_intake.bulk_show": web("GET", "/csv-intake/bulk-address/{change_id}", OBJECT),
    "csv_intake.bulk_apply": web("POST", "/csv-intake/bulk-address/{change_id}/apply", OBJECT),
    "csv_intake.bulk_notices": web("POST", "/csv-intake/bulk-address/{change_id}/notices", OBJECT,
                                   form={"timing": "advance"}),
    "csv_intake.bulk_notice_file": web("GET", "/csv-intake/bulk-address/notices/{notice_job_id}.pdf", OBJECT,
                                       discloses=True, note="the notices to the households of a bulk change"),
    "csv_intake.bulk_withheld_outputs": web("GET", "/csv-intake/bulk-address/withheld", LIST,
                                            note="the outputs that held notices back: support-measure officer only"),
    "csv_intake.bulk_withheld_notices": web("GET", "/csv-intake/bulk-address/notices/{notice_job_id}/withheld", OBJECT,
                                            note="the held-back keys of an output: support-measure officer only"),
    "csv_intake.bulk_withheld_notice_file": web(
        "GET", "/csv-intake/bulk-address/notices/{notice_job_id}/withheld/{atena_stranger}.pdf", OBJECT,
        note="one held-back notice: support-measure officer only (withheld nothing by the rule); 404 for a key "
             "the output did not hold back"),
    # --- statistics (j1080): aggregates only ---------------------------------------------------------------
    "statistics.index": web("GET", "/statistics", LIST),
    "statistics.report": web("GET", "/statistics/report", LIST),
    "statistics.report_csv_download": web("GET", "/statistics/report.csv", LIST),
    "statistics.report_xlsx_download": web("GET", "/statistics/report.xlsx", LIST),
    "conformance.report": web("GET", "/conformance", LIST, note="the standard's conformance table: no resident data"),
    # --- batches -------------------------------------------------------------------------------------------
    "batches.index": web("GET", "/batches", LIST),
    "batches.show": web("GET", "/batches/{batch_code}", NAMED),
    "batches.schedule": web("POST", "/batches/{batch_code}/schedule", NAMED, form={}),
    "batches.start": web("POST", "/batches/{batch_code}/run", NAMED, form={}),
    "batches.run": web("GET", "/batches/runs/{run_id}", OBJECT),
    "batches.run_result": web("GET", "/batches/runs/{run_id}/result", OBJECT),
    # --- outbox --------------------------------------------------------------------------------------------
    "outbox.index": web("GET", "/outbox", LIST),
    "outbox.resend_message": web("POST", "/outbox/{message_id}/resend", OBJECT),
    "outbox.platform_receipts": web("GET", "/outbox/platform", LIST, note="the caller's municipality's received PF files"),
    # --- inbound notices: the CS relay inbox, 転出証明書情報, 戸籍の通知 (j680-j710, j770) ----------------------
    "inbound.relay": web("GET", "/inbound/relay", LIST, note="the caller's municipality's relay inbox"),
    "inbound.decide_relay": web(
        "POST", "/inbound/relay/{relay_inbox_id}/decision", OBJECT, form={"decision": "refuse", "reason": "確認"}
    ),
    "inbound.certificates": web(
        "GET", "/inbound/move-out-certificates", LIST, query={"name": "勅使"},
        note="転出証明書情報 received by the caller's municipality only",
    ),
    "inbound.koseki": web("GET", "/inbound/koseki", LIST),
    "inbound.koseki_notice": web("GET", "/inbound/koseki/{koseki_notice_id}", OBJECT),
    "inbound.apply_koseki": web("POST", "/inbound/koseki/{koseki_notice_id}/apply", OBJECT),
    "inbound.refuse_koseki": web("POST", "/inbound/koseki/{koseki_notice_id}/refuse", OBJECT, form={"reason": "確認"}),
    # --- 住基ネット CS: consistency (j1100), 符号 (j1140), 送付先情報 (j1120) ---------------------------------------
    "juki_net.consistency": web("GET", "/juki-net/consistency", LIST, note="the caller's municipality's checks"),
    "juki_net.code_requests": web("GET", "/juki-net/code-requests", LIST),
    "juki_net.new_code_request": web(
        "POST", "/juki-net/code-requests", LIST, form={"atena_number": "{atena_victim}"},
        note="another municipality's 宛名番号 is not found: nothing queued",
    ),
    "juki_net.card_destinations": web(
        "GET", "/juki-net/card-destinations", LIST, query={"atena_number": "{atena_victim}"},
        note="送付先情報 of the caller's municipality only",
    ),
    "juki_net.set_residence": web(
        "POST", "/juki-net/card-destinations/residence", LIST,
        form={"atena_number": "{atena_victim}", "address": "東京都港区芝1番", "reason": "確認"},
        note="another municipality's 宛名番号 is not found: nothing set",
    ),
    "juki_net.end_residence": web(
        "POST", "/juki-net/card-destinations/residence/end", LIST, form={"atena_number": "{atena_victim}"},
        note="another municipality's 宛名番号 is not found: nothing ended",
    ),
    # --- 住基ネット CS: 個人番号の生成・変更要求 (j1130), シリアル番号・稼働状況 (j1160) ---------------------------------
    "juki_net.my_number_requests": web("GET", "/juki-net/my-number-requests", LIST),
    "juki_net.certificate_serials": web("GET", "/juki-net/certificate-serials", LIST),
    "juki_net.new_certificate_serial": web(
        "POST", "/juki-net/certificate-serials", LIST, form={"atena_number": "{atena_victim}"},
        note="another municipality's 宛名番号 is not found: nothing queued",
    ),
    "juki_net.status": web("GET", "/juki-net/status", LIST, note="the caller's municipality's 電文 and files"),
    # --- destination settings (administrators) -------------------------------------------------------------
    "destinations.index": web("GET", "/settings/destinations", LIST),
    "destinations.create": web("GET", "/settings/destinations/new", LIST),
    "destinations.edit": web("GET", "/settings/destinations/{destination_id}", OBJECT),
    "options.index": web("GET", "/settings/options", LIST),
    "input_places.index": web("GET", "/settings/places", LIST),
    "input_places.create_place": web("GET", "/settings/places/new", LIST),
    "input_places.edit_place": web("GET", "/settings/places/{place_id}", OBJECT),
    "input_places.create_terminal": web("GET", "/settings/places/terminals/new", LIST),
    "input_places.edit_terminal": web("GET", "/settings/places/terminals/{terminal_id}", OBJECT),
    "officials.index": web("GET", "/settings/officials", LIST),
    "officials.create": web("GET", "/settings/officials/new", LIST),
    "officials.edit": web("GET", "/settings/officials/{official_number}", OBJECT),
    "officials.end": web("GET", "/settings/officials/{official_number}/end", OBJECT),
    "officials.delete": web("POST", "/settings/officials/{official_number}/delete", OBJECT),
    # --- 方書管理 (supervisors and administrators, j260) -------------------------------------------------------
    "katagaki.index": web("GET", "/settings/katagaki", LIST, query={"address": "神奈川県横浜市"}),
    "katagaki.create": web("GET", "/settings/katagaki/new", LIST),
    "katagaki.edit": web("GET", "/settings/katagaki/{katagaki_id}", OBJECT),
    "katagaki.retire": web("POST", "/settings/katagaki/{katagaki_id}/retire", OBJECT),
    "katagaki.reinstate": web("POST", "/settings/katagaki/{katagaki_id}/reinstate", OBJECT),
    # --- 住所辞書管理 (administrators, j250) ----------------------------------------------------------------------
    "address_dictionary.index": web("GET", "/settings/addresses", LIST, query={"q": "勅使"}),
    "address_dictionary.create": web("GET", "/settings/addresses/new", LIST),
    "address_dictionary.edit": web("GET", "/settings/addresses/{address_entry_id}", OBJECT),
    "address_dictionary.retire": web("POST", "/settings/addresses/{address_entry_id}/retire", OBJECT),
    "address_dictionary.reinstate": web("POST", "/settings/addresses/{address_entry_id}/reinstate", OBJECT),
    # --- user administration -------------------------------------------------------------------------------
    "user_admin.index": web("GET", "/admin/users", LIST),
    "user_admin.create": web("GET", "/admin/users/new", LIST),
    "user_admin.edit": web("GET", "/admin/users/{user_id}", OBJECT),
    "user_admin.reset_password": web("POST", "/admin/users/{user_id}/password", OBJECT),
    "user_admin.reset_totp": web("POST", "/admin/users/{user_id}/reset-totp", OBJECT),
    "user_admin.unlock": web("POST", "/admin/users/{user_id}/unlock", OBJECT),
    "user_admin.set_active": web("POST", "/admin/users/{user_id}/active", OBJECT, form={"active": "0"}),
}  # fmt: skip


# --- BPMN service-task operators ---------------------------------------------------------------------------
# What each operator does with resident data.  ``DISCLOSURE_OPERATORS`` decide a disclosure and are called with
# the perpetrator as requester in the no-leak test; the others change records of the case's own subjects and
# return ids and statuses only (their paths are in tests/workflows/).
DISCLOSURE_OPERATORS = {
    "certificate_request.check_disclosure": "the one disclosure decision for a counter certificate request",
}
RECORD_OPERATORS = {
    "support_measure.record_request": "records the application (provisional protection); returns the measure id",
    "support_measure.record_opinion": "records the opinion of the police/consultation centre; returns ids",
    "support_measure.put_in_force": "the officer's decision; queues notices without addresses",
    "support_measure.refuse": "the officer's refusal; returns the status",
}
OPERATORS: dict[str, str] = {**DISCLOSURE_OPERATORS, **RECORD_OPERATORS}
# The case framework supplies these three for every change type (handlers.cases.operators): the provisional
# record, 本登録 and the notices, all on the case's own subjects; they return ids and counts.
CHANGE_TYPE_STEPS = {
    "record_provisional": "writes the provisional record of the case's subjects",
    "register": "本登録 of the case's subjects (history rows), returns ids",
    "queue_notices": "queues the change's notices in the outbox (payloads checked in test_outbound_payloads)",
}

# --- Celery tasks ------------------------------------------------------------------------------------------
CELERY_TASKS: dict[str, str] = {
    "jumin.ping": "opens a unit of work, returns 'pong': no resident data",
    "jumin.outbox.deliver_destination": "delivers queued outbox payloads (checked in test_outbound_payloads)",
    "jumin.outbox.deliver_destinations": "the same, for each destination of a unit of work's notices",
    "jumin.outbox.sweep": "starts deliveries: no payload of its own",
    "jumin.outbox.near_realtime": "starts 宛名連携 deliveries: no payload of its own",
    "jumin.flows.migrate_running_cases": "moves cases to a new flow version: no disclosure",
    "jumin.extraction.run": "runs an extraction job (its output excludes protected persons: extraction probe)",
    "jumin.bulk_address.notices": "makes a bulk address change's notices (protected households held back: "
    "bulk notice probe)",
    "jumin.batches.run_due": "starts due batches: no output of its own",
    "jumin.batches.run": "runs one registered batch (outputs are the batch's own doors)",
    "jumin.platform.exchange": "takes files from the regional platform's units into the register's side tables "
    "(他業務の登録情報, 戸籍の通知の保留一覧): no disclosure; what is sent to units goes through the outbox",
    "jumin.wide_area.expire": "marks 広域交付 requests past their answer time as failed: no disclosure",
    "jumin.kiosk.drop_expired_answers": "runs the batch kiosk_answer_retention where due: empties stored "
    "コンビニ交付 PDFs, discloses nothing",
}
