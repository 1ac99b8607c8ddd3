"""The batches that take the files CS left in the receiving folder (docs/integration.md "Files received from
CS"): ``cs_consistency_check`` (j1100, ``identity_extract``) and ``cs_received_files`` (j1140 ``code_result``,
j1120 ``card_destination_targets``, j1130 ``my_number_result``, j1160 ``certificate_serial_result``, j1110
``card_status`` and CS's ``operating_status``), and j960's 出入国在留管理庁長官通知 (法第30条の50, ``immigration_notice``), which CS relays
from the Immigration Services Agency and which join the pending list a case applies after review.  Each file
is applied in a SAVEPOINT of its own and taken once; a file that cannot be read or applied is recorded as
refused with its reasons and changes nothing."""

from __future__ import annotations

from collections.abc import Callable

from handlers.errors import Problem, ValidationError
from handlers.immigration_notices import import_immigration_notices
from handlers.juki_net.card_destinations import TARGETS_KIND, apply_card_targets
from handlers.juki_net.card_status import STATUS_KIND as CARD_STATUS_KIND
from handlers.juki_net.card_status import apply_card_states
from handlers.juki_net.certificate_serials import RESULT_KIND as SERIAL_KIND
from handlers.juki_net.certificate_serials import apply_serial_results
from handlers.juki_net.code_requests import RESULT_KIND, apply_code_results
from handlers.juki_net.consistency import EXTRACT_KIND, check_extract
from handlers.juki_net.cs_files import CsFile, CsFileError, files_in, refuse_file, take_file
from handlers.juki_net.cs_status import STATUS_KIND, take_status_file
from handlers.juki_net.my_number_requests import RESULT_KIND as MY_NUMBER_KIND
from handlers.juki_net.my_number_requests import apply_my_number_results
from handlers.uow import UnitOfWork


def _consistency(uow: UnitOfWork, cs_file: CsFile) -> str:
    check = check_extract(uow, cs_file)
    return f"CS {check.persons_at_cs} 人・住民記録 {check.persons_here} 人、不一致 {check.mismatch_count} 件"


def _code_results(uow: UnitOfWork, cs_file: CsFile) -> str:
    recorded, unknown = apply_code_results(uow, cs_file)
    return f"符号取得要求の応答 {recorded} 件" + (f"、該当する要求なし {len(unknown)} 件" if unknown else "")


def _card_targets(uow: UnitOfWork, cs_file: CsFile) -> str:
    persons = cs_file.payload.get("persons") or []
    codes = [str(p.get("resident_code") or "") for p in persons if isinstance(p, dict)]
    if not persons or not all(codes) or len(codes) != len(persons):
        problem = Problem("persons", "更新対象者", "住民票コードのない対象者があります（または対象者がいません）",
                          "CSからの更新対象者ファイルを確認してください", "cs_file")  # fmt: skip
        raise CsFileError([problem], file_name=cs_file.name, digest=cs_file.digest)
    sent, missing = apply_card_targets(uow, codes)
    take_file(uow, cs_file, {"targets": len(codes), "sent": len(sent), "not_found": missing})
    lines = [f"送付先情報の更新対象者 {len(codes)} 人、送信 {len(sent)} 人、該当なし {len(missing)} 人"]
    return "\n".join([*lines, *(f"  該当なし：住民票コード {code}" for code in missing)])


def _my_number_results(uow: UnitOfWork, cs_file: CsFile) -> str:
    recorded, unknown = apply_my_number_results(uow, cs_file)
    return f"個人番号の生成・変更要求の応答 {recorded} 件" + (
        f"、該当する要求なし {len(unknown)} 件" if unknown else ""
    )


def _serial_results(uow: UnitOfWork, cs_file: CsFile) -> str:
    recorded, unknown = apply_serial_results(uow, cs_file)
    return f"シリアル番号取得要求の応答 {recorded} 件" + (
        f"、該当する要求なし {len(unknown)} 件" if unknown else ""
    )


IMMIGRATION_KIND = "immigration_notice"


def _immigration_notices(uow: UnitOfWork, cs_file: CsFile) -> str:
    """法第30条の50の通知: every notice of the file joins the pending list, or none (one bad row refuses it)."""
    rows = cs_file.payload.get("notices")
    if not isinstance(rows, list) or not rows or not all(isinstance(row, dict) for row in rows):
        problem = Problem("notices", "長官通知", "通知がありません（または通知の形式が違います）",
                          "CSからの受信ファイルを確認してください", "cs_file")  # fmt: skip
        raise CsFileError([problem], file_name=cs_file.name, digest=cs_file.digest)
    try:
        notices = import_immigration_notices(uow, rows)
    except ValidationError as error:
        raise CsFileError(error.problems, file_name=cs_file.name, digest=cs_file.digest) from error
    take_file(uow, cs_file, {"notices": len(notices)})
    return f"出入国在留管理庁長官通知 {len(notices)} 件を未処理の一覧に追加"


APPLY: dict[str, Callable[[UnitOfWork, CsFile], str]] = {
    EXTRACT_KIND: _consistency,
    RESULT_KIND: _code_results,
    TARGETS_KIND: _card_targets,
    MY_NUMBER_KIND: _my_number_results,
    SERIAL_KIND: _serial_results,
    STATUS_KIND: take_status_file,
    IMMIGRATION_KIND: _immigration_notices,
    CARD_STATUS_KIND: apply_card_states,
}
RECEIVED_KINDS = (
    RESULT_KIND,
    TARGETS_KIND,
    MY_NUMBER_KIND,
    SERIAL_KIND,
    STATUS_KIND,
    IMMIGRATION_KIND,
    CARD_STATUS_KIND,
)  # cs_received_files


def take_received_files(uow: UnitOfWork, directory: str, kinds: tuple[str, ...]) -> list[str]:
    """Apply every new file of ``kinds`` in ``directory`` (name order); one output line per file."""
    lines = []
    for entry in files_in(uow, directory, kinds):
        if isinstance(entry, CsFileError):
            refuse_file(uow, entry)
            lines.append(f"{entry.file_name}: 取込不可（{entry.reasons}）")
            continue
        try:
            with uow.session.begin_nested():
                lines.append(f"{entry.name}: {APPLY[entry.kind](uow, entry)}")
        except CsFileError as error:
            refused = CsFileError(error.problems, file_name=entry.name, digest=entry.digest)
            refuse_file(uow, refused, entry.kind)
            lines.append(f"{entry.name}: 取込不可（{refused.reasons}）")
    return lines or ["新しい受信ファイルはありません"]
