"""The certificate types (j300 list, ch.4 様式 20.x), their titles, 認証文 and default fees.

The 認証文 wording of ch.4 is not in our corpus; the texts below are the customary ones used by municipalities.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CertificateType:
    code: str
    label: str  # 証明書の種別 as recorded in the issuance history
    title: str  # printed title
    layout: str  # individual / household / notice
    source: str  # current / removed / moving_out / any
    statement: str  # 認証文 (last page only)
    fee: int  # default fee (円) per copy
    entry_certificate: bool = False  # 記載事項証明書: 方書 may be omitted on request (j1030)
    official_use_allowed: bool = False  # 「公用」 may be printed (j1060)


TYPES: dict[str, CertificateType] = {
    t.code: t
    for t in (
        CertificateType(
            "copy_individual", "住民票の写し（個人票）", "住民票の写し", "individual", "current",
            "この写しは、住民票の原本と相違ないことを証明する。", 300, official_use_allowed=True,
        ),
        CertificateType(
            "copy_household", "住民票の写し（世帯連記式）", "住民票の写し", "household", "current",
            "この写しは、世帯の住民票の原本と相違ないことを証明する。", 300, official_use_allowed=True,
        ),
        CertificateType(
            "entry_certificate", "住民票記載事項証明書", "住民票記載事項証明書", "individual", "current",
            "上記の事項は、住民票に記載されていることを証明する。", 300, True, True,
        ),
        CertificateType(
            "removed_copy", "住民票の除票の写し", "住民票の除票の写し", "individual", "removed",
            "この写しは、住民票の除票の原本と相違ないことを証明する。", 300, official_use_allowed=True,
        ),
        CertificateType(
            "removed_entry_certificate", "住民票除票記載事項証明書", "住民票除票記載事項証明書", "individual",
            "removed", "上記の事項は、住民票の除票に記載されていることを証明する。", 300, True, True,
        ),
        CertificateType(
            "move_out_certificate", "転出証明書", "転出証明書", "household", "moving_out",
            "上記の者から転出の届出があったことを証明する。", 0,
        ),
        CertificateType(
            "move_out_equivalent", "転出証明書に準ずる証明書", "転出証明書に準ずる証明書", "household", "removed",
            "上記の者は、転出により住民票が消除されていることを証明する。", 300,
        ),
        CertificateType(
            "resident_code_notice", "住民票コード通知票", "住民票コード通知票", "notice", "current",
            "あなたの住民票に記載された住民票コードを通知します。", 0,
        ),
        CertificateType(
            "resident_code_change_notice", "住民票コード変更通知票", "住民票コード変更通知票", "notice", "current",
            "あなたの住民票コードを変更しましたので通知します。", 0,
        ),
        CertificateType(
            "resident_code_correction_notice", "住民票コード修正通知票", "住民票コード修正通知票", "notice",
            "current", "あなたの住民票コードを修正しましたので通知します。", 0,
        ),
        CertificateType(
            "adult_ward_notice", "成年被後見人転出通知書", "成年被後見人の転出に関する通知書", "notice",
            "moving_out", "上記の者は成年被後見人であり、転出しましたので通知します。", 0,
        ),
        CertificateType(
            "support_end_notice", "支援措置期間終了通知", "支援措置期間終了通知", "notice", "any",
            "あなたの住民基本台帳事務における支援措置の期間は、下記の日をもって終了しますので通知します。", 0,
        ),
    )
}  # fmt: skip

RESIDENT_CODE_NOTICES = frozenset(
    {"resident_code_notice", "resident_code_change_notice", "resident_code_correction_notice"}
)

# The certificates of a 除票: their 統合記載欄 carries the 除票's own items (j140, 20.1.3), the copy's as the
# 記載事項証明書's
REMOVED_RECORD_TYPES = frozenset({"removed_copy", "removed_entry_certificate"})

# Notices one office sends another: made at the office's own request (公用) only
OFFICE_NOTICES = frozenset({"adult_ward_notice"})

# Whom a resident-code notice may go to: the person, or the office (in-flow issuance).  Never a third party.
NOTICE_REQUESTER_KINDS = frozenset({"self", "same_household", "agent", "official"})
