"""異動事由 (j210): our stable codes for exactly the reasons the standard lists, in its three categories.

record = 記載の事由, removal = 消除の事由, amendment = 修正の事由.  The standard forbids a 「転居取消」 reason: a
mistaken 転居 is undone with 異動の取消し（修正）.  Codes are stored in history rows; never rename one.

``resident_kinds``: the 帰化/国籍喪失 limits are the standard's (※日本人住民のみ / ※外国人住民のみ); 旧氏 is recorded
only for Japanese residents (令第30条の13) and 通称 only for foreign residents (令第30条の16).
"""

from __future__ import annotations

from dataclasses import dataclass

CATEGORIES = {"record": "記載", "removal": "消除", "amendment": "修正"}
BOTH_KINDS = frozenset({"japanese", "foreign"})
JAPANESE_ONLY = frozenset({"japanese"})
FOREIGN_ONLY = frozenset({"foreign"})


@dataclass(frozen=True)
class ChangeReason:
    code: str
    label: str  # the standard's wording
    category: str  # record / removal / amendment
    resident_kinds: frozenset[str] = BOTH_KINDS  # who the reason may apply to

    @property
    def category_label(self) -> str:
        return CATEGORIES[self.category]

    @property
    def choice_label(self) -> str:
        """The label a list of every reason shows: 改製 and 再製 are reasons of 記載 and of 消除 alike, so
        theirs say which (改製（記載）, 改製（消除）)."""
        return f"{self.label}（{self.category_label}）" if self.label in _SHARED_LABELS else self.label

    def applies_to(self, resident_kind: str) -> bool:
        return resident_kind in self.resident_kinds


_TABLE: tuple[ChangeReason, ...] = (
    # 記載の事由
    ChangeReason("domestic_move_in", "国内転入", "record"),
    ChangeReason("move_in_from_abroad", "国外転入等", "record"),
    ChangeReason("birth", "出生", "record"),
    ChangeReason("naturalization_record", "職権記載（帰化等）", "record", JAPANESE_ONLY),
    ChangeReason("nationality_loss_record", "職権記載（国籍喪失）", "record", FOREIGN_ONLY),
    ChangeReason("ex_officio_record", "職権記載", "record"),
    ChangeReason("reorganization_record", "改製", "record"),
    ChangeReason("remake_record", "再製", "record"),
    ChangeReason("cancellation_increase", "異動の取消し（増）", "record"),
    # 消除の事由
    ChangeReason("domestic_move_out", "国内転出", "removal"),
    ChangeReason("move_out_abroad", "国外転出", "removal"),
    ChangeReason("death", "死亡", "removal"),
    ChangeReason("naturalization_removal", "職権消除（帰化等）", "removal", FOREIGN_ONLY),
    ChangeReason("nationality_loss_removal", "職権消除（国籍喪失）", "removal", JAPANESE_ONLY),
    ChangeReason("ex_officio_removal", "職権消除", "removal"),
    ChangeReason("reorganization_removal", "改製", "removal"),
    ChangeReason("remake_removal", "再製", "removal"),
    ChangeReason("cancellation_decrease", "異動の取消し（減）", "removal"),
    # 修正の事由
    ChangeReason("move_within", "転居", "amendment"),
    ChangeReason("minor_correction", "軽微な修正", "amendment"),
    ChangeReason("ex_officio_correction", "職権修正", "amendment"),
    ChangeReason("clerical_correction", "誤記修正", "amendment"),
    ChangeReason("my_number_change_request", "個人番号の変更請求", "amendment"),
    ChangeReason("my_number_ex_officio_correction", "個人番号の職権修正", "amendment"),
    ChangeReason("my_number_ex_officio_record", "個人番号の職権記載", "amendment"),
    ChangeReason("resident_code_change_request", "住民票コードの変更請求", "amendment"),
    ChangeReason("resident_code_ex_officio_record", "住民票コードの職権記載", "amendment"),
    ChangeReason("household_split", "世帯分離", "amendment"),
    ChangeReason("household_merge", "世帯合併", "amendment"),
    ChangeReason("household_change", "世帯変更", "amendment"),
    ChangeReason("head_change", "世帯主変更", "amendment"),
    ChangeReason("former_surname_record", "旧氏の記載", "amendment", JAPANESE_ONLY),
    ChangeReason("former_surname_change", "旧氏の変更", "amendment", JAPANESE_ONLY),
    ChangeReason("former_surname_delete", "旧氏の削除", "amendment", JAPANESE_ONLY),
    ChangeReason("alias_record", "通称の記載", "amendment", FOREIGN_ONLY),
    ChangeReason("alias_delete", "通称の削除", "amendment", FOREIGN_ONLY),
    ChangeReason("cancellation_amendment", "異動の取消し（修正）", "amendment"),
)

REASONS: dict[str, ChangeReason] = {r.code: r for r in _TABLE}
_SHARED_LABELS = frozenset(r.label for r in _TABLE if sum(o.label == r.label for o in _TABLE) > 1)


def reason(code: str) -> ChangeReason:
    """The reason with this code; KeyError naming the code when there is none."""
    try:
        return REASONS[code]
    except KeyError:
        raise KeyError(
            f"unknown change reason code {code!r}; the standard's reasons are listed in REASONS"
        ) from None


def reasons_in(category: str, resident_kind: str | None = None) -> list[ChangeReason]:
    """The reasons of one category (record / removal / amendment), optionally only those for a resident kind."""
    if category not in CATEGORIES:
        raise KeyError(f"unknown change reason category {category!r}; expected one of {sorted(CATEGORIES)}")
    return [
        r for r in _TABLE if r.category == category and (resident_kind is None or r.applies_to(resident_kind))
    ]
