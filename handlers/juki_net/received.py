"""The batches that take the files CS left in the receiving folder (docs/integration.md "Files received from
CS"): ``cs_consistency_check`` (j1100, ``identity_extract``) and ``cs_received_files`` (j1140 ``code_result``,
j1120 ``card_destination_targets``).  Each file is applied in a SAVEPOINT of its own and taken once; a file
that cannot be read or applied is recorded as refused with its reasons and changes nothing."""

from __future__ import annotations

from collections.abc import Callable

from handlers.errors import Problem
from handlers.juki_net.card_destinations import TARGETS_KIND, apply_card_targets
from handlers.juki_net.code_requests import RESULT_KIND, apply_code_results
from handlers.juki_net.consistency import EXTRACT_KIND, check_extract
from handlers.juki_net.cs_files import CsFile, CsFileError, files_in, refuse_file, take_file
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


APPLY: dict[str, Callable[[UnitOfWork, CsFile], str]] = {
    EXTRACT_KIND: _consistency,
    RESULT_KIND: _code_results,
    TARGETS_KIND: _card_targets,
}


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
