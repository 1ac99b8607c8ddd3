"""The printed content of a certificate, built from registered snapshots only (j1000–j1070).

Pure: the snapshots (``handlers.residents.history.resident_as_of`` dicts, which hold 本登録 data only, never
a PendingChange's provisional data), the options already narrowed by ``options.effective_options``, the
certifier and the date come in; a ``CertificateContent`` of sheets, rows and cells comes out.  Pagination is
decided here (fixed row budget per sheet, at most four persons a sheet on a 世帯連記式) so each page's 発行番号
``n/m`` is known before rendering.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from handlers.certificates.catalog import CertificateType
from handlers.certificates.fitting import fit_label, fit_text
from handlers.certificates.officials import Official
from handlers.certificates.options import CertificateOptions
from handlers.errors import Problem
from handlers.residents.items import SEX_LABELS
from handlers.rules.change_reasons import REASONS
from handlers.rules.dates import format_resident_date, format_wareki
from handlers.rules.foreign import FOREIGN_CATEGORIES
from handlers.rules.move_out import municipality
from handlers.rules.names import PersonNames, names_in_order

ROWS_PER_SHEET = 30
PERSONS_PER_HOUSEHOLD_SHEET = 4
VALUE_WIDTH_MM = {"individual": 130.0, "household": 58.0, "notice": 130.0}
# The label column less its padding, and the form's label size (certificate.css: col.label, th)
LABEL_FIT = {"individual": (39.0, 9.0), "household": (24.4, 7.0), "notice": (39.0, 9.0)}
MOVE_OUT_FIELDS = ("move_out_planned_date", "destination_planned_address")
WIDE_SPACE = "\u3000"
NAME_LABELS = {"name": "氏名", "alias": "通称"}
PREVIOUS_CODE_LABELS = {  # the replaced code, printed beside the new one
    "resident_code_change_notice": "変更前の住民票コード",
    "resident_code_correction_notice": "修正前の住民票コード",
}


@dataclass(frozen=True)
class Cell:
    field: str
    label: str
    text: str
    size_pt: float = 10.5
    label_pt: float | None = None  # the label's size when the form's does not hold it (fitting.fit_label)
    label_wraps: bool = False


@dataclass
class PersonBlock:
    atena_number: str
    cells: list[Cell]
    history: list[Cell] = field(default_factory=list)
    continued: bool = False  # the rest of a block begun on an earlier sheet

    def rows(self, layout: str) -> int:
        per_row = 2 if layout == "household" else 1
        return 1 + math.ceil(len(self.cells) / per_row) + len(self.history)


@dataclass
class Sheet:
    persons: list[PersonBlock]


@dataclass
class CertificateContent:
    certificate_type: CertificateType
    municipality_code: str
    municipality_name: str
    prefecture: str
    header: list[Cell]
    sheets: list[Sheet]
    official: Official | None
    issue_date: dt.date
    issue_date_text: str
    options: CertificateOptions
    alerts: list[Problem] = field(default_factory=list)

    @property
    def layout(self) -> str:
        return self.certificate_type.layout

    @property
    def items_printed(self) -> list[str]:
        seen: dict[str, None] = {}
        for cell in self.header:
            seen.setdefault(cell.field, None)
        for sheet in self.sheets:
            for person in sheet.persons:
                for cell in [*person.cells, *person.history]:
                    seen.setdefault(cell.field, None)
        return list(seen)

    @property
    def subjects(self) -> list[str]:
        return list(dict.fromkeys(p.atena_number for s in self.sheets for p in s.persons))


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _kind_date(snapshot: dict[str, Any], name: str) -> str:
    return format_resident_date(
        name, _date(snapshot.get(name)), snapshot.get(f"{name}_text"), snapshot["resident_kind"]
    )


def _with_kana(text: str, kana: str, options: CertificateOptions) -> str:
    """j1020: the katakana reading in parentheses after the name, 旧氏 and 通称 when asked."""
    return f"{text}{WIDE_SPACE}（{kana}）" if options.include_kana and kana else text


def _joined(*parts: Any) -> str:
    return WIDE_SPACE.join(str(p) for p in parts if p)


def name_text(snapshot: dict[str, Any], options: CertificateOptions) -> str:
    kanji = _joined(snapshot.get("family_name"), snapshot.get("given_name"))
    kana = _joined(snapshot.get("family_name_kana"), snapshot.get("given_name_kana"))
    shown = _joined(snapshot.get("name_alphabet"), kanji) if snapshot["resident_kind"] == "foreign" else kanji
    return _with_kana(shown, kana, options)


def moving_out_items_shown(snapshot: dict[str, Any], on: dt.date) -> bool:
    """j1000: before the planned move-out date, what was recorded from the 転出届 is not printed."""
    planned = _date(snapshot.get("move_out_planned_date"))
    if snapshot.get("status") != "moving_out":
        return snapshot.get("status") == "removed"
    return planned is not None and planned <= on


def certificate_names(snapshot: dict[str, Any], options: CertificateOptions) -> PersonNames:
    """氏名 and 通称 as a certificate prints them (kana in parentheses when asked), for ``handlers.rules.names``."""
    alias = snapshot.get("alias") or ""
    alias_text = _with_kana(alias, snapshot.get("alias_kana") or "", options) if alias else ""
    return PersonNames(name_text(snapshot, options), alias_text, snapshot.get("name_priority"))


def _name_cells(snapshot: dict[str, Any], options: CertificateOptions) -> list[Cell]:
    """氏名, 旧氏 and 通称 in the record's order (``names_in_order``'s ``record``: the 氏名優先区分 reorders no
    certificate, so whether the municipality keeps it does not matter here)."""
    names = names_in_order(certificate_names(snapshot, options), "record", priority_kept=False)
    cells = [Cell(line.item, NAME_LABELS[line.item], line.text) for line in names]
    if snapshot.get("former_surname"):
        text = _with_kana(snapshot["former_surname"], snapshot.get("former_surname_kana") or "", options)
        cells.insert(1, Cell("former_surname", "旧氏", text))
    return cells


def _personal_cells(snapshot: dict[str, Any], options: CertificateOptions, layout: str) -> list[Cell]:
    cells = [
        Cell("birth_date", "生年月日", _kind_date(snapshot, "birth_date")),
        Cell("sex", "性別", SEX_LABELS.get(snapshot.get("sex") or "", "")),
    ]
    if options.include_head_relation:
        if layout != "household":
            cells.append(Cell("head_name", "世帯主", snapshot.get("head_name") or ""))
        cells.append(Cell("relation_to_head", "続柄", snapshot.get("relation_to_head") or ""))
    cells.append(
        Cell("became_resident_date", "住民となった年月日", _kind_date(snapshot, "became_resident_date"))
    )
    address_set = _kind_date(snapshot, "address_set_date")
    notified = _kind_date(snapshot, "notified_date")
    cells.append(
        Cell(
            "address_set_date",
            "住所を定めた年月日",
            _joined(address_set, f"{notified}届出" if notified else ""),
        )
    )
    if snapshot.get("previous_address"):
        cells.append(Cell("previous_address", "前住所", snapshot["previous_address"]))
    return cells  # fmt: skip


def _foreign_cells(snapshot: dict[str, Any]) -> list[Cell]:
    category = FOREIGN_CATEGORIES.get(snapshot.get("foreign_category") or "")
    card = snapshot.get("residence_card_number") or snapshot.get("special_permanent_certificate_number")
    cells = [
        Cell("nationality", "国籍・地域", snapshot.get("nationality") or ""),
        Cell("foreign_category", "法第30条の45に規定する区分", category.label if category else ""),
        Cell(
            "foreign_resident_date", "外国人住民となった年月日", _kind_date(snapshot, "foreign_resident_date")
        ),
    ]
    optional = (
        ("residence_status", "在留資格", snapshot.get("residence_status")),
        ("period_of_stay", "在留期間等", snapshot.get("period_of_stay") or snapshot.get("landing_period")),
        ("stay_expiry_date", "在留期間の満了の日", _kind_date(snapshot, "stay_expiry_date")),
        ("residence_card_number", "在留カード等の番号", card),
    )
    cells += [Cell(f, label, str(value)) for f, label, value in optional if value]
    return cells


def _number_cells(snapshot: dict[str, Any], options: CertificateOptions) -> list[Cell]:
    cells = []
    if options.include_honseki and snapshot["resident_kind"] == "japanese":
        cells.append(Cell("honseki", "本籍", snapshot.get("honseki") or ""))
        cells.append(Cell("hittosha", "筆頭者", snapshot.get("hittosha") or ""))
    if options.include_resident_code:
        cells.append(Cell("resident_code", "住民票コード", snapshot.get("resident_code") or ""))
    if options.include_my_number:
        cells.append(Cell("my_number", "個人番号", snapshot.get("my_number") or ""))
    return cells


def _removal_cells(snapshot: dict[str, Any], on: dt.date, *, move_out_certificate: bool) -> list[Cell]:
    if not (move_out_certificate or moving_out_items_shown(snapshot, on)):
        return []
    cells = []
    if snapshot.get("status") == "moving_out":
        cells.append(
            Cell("move_out_planned_date", "転出予定年月日", _kind_date(snapshot, "move_out_planned_date"))
        )
        cells.append(
            Cell(
                "destination_planned_address",
                "転出先（予定）",
                snapshot.get("destination_planned_address") or "",
            )
        )
        return cells
    reason = REASONS.get(snapshot.get("removal_reason") or "")
    cells.append(
        Cell("removal_reason", "消除事由", reason.label if reason else snapshot.get("removal_reason") or "")
    )
    cells.append(Cell("removal_date", "消除事由の生じた年月日", _kind_date(snapshot, "removal_date")))
    destination = snapshot.get("destination_confirmed_address") or snapshot.get("destination_planned_address")
    if destination:
        cells.append(Cell("destination", "転出先", destination))
    return cells  # fmt: skip


def address_cells(snapshot: dict[str, Any], options: CertificateOptions) -> list[Cell]:
    """住所 and, always unless a 記載事項証明書 request asked to omit it, 方書 (j1030)."""
    cells = [Cell("address", "住所", snapshot.get("household_address") or "")]
    if snapshot.get("household_address_katagaki") and not options.omit_katagaki:
        cells.append(Cell("address_katagaki", "方書", snapshot["household_address_katagaki"]))
    return cells


def person_cells(
    snapshot: dict[str, Any], kind: CertificateType, options: CertificateOptions, on: dt.date
) -> list[Cell]:
    """The items of one person, in print order."""
    if kind.layout == "notice":
        return _notice_cells(snapshot, kind, options)
    cells = _name_cells(snapshot, options) + _personal_cells(snapshot, options, kind.layout)
    if kind.layout != "household":
        cells[1:1] = address_cells(snapshot, options)
    if snapshot["resident_kind"] == "foreign" and options.include_foreign_items:
        cells += _foreign_cells(snapshot)
    cells += _number_cells(snapshot, options)
    cells += _removal_cells(snapshot, on, move_out_certificate=kind.source == "moving_out")
    return cells


def _notice_cells(snapshot: dict[str, Any], kind: CertificateType, options: CertificateOptions) -> list[Cell]:
    cells = [Cell("name", "氏名", name_text(snapshot, options)), *address_cells(snapshot, options)]
    cells.append(Cell("birth_date", "生年月日", _kind_date(snapshot, "birth_date")))
    if kind.code == "adult_ward_notice":
        return cells + adult_ward_cells(snapshot)
    if kind.code == "support_end_notice":
        cells.append(Cell("measure_end_date", "支援措置の終了日", format_wareki(options.measure_end_date)))
    else:
        cells.append(Cell("resident_code", "住民票コード", snapshot.get("resident_code") or ""))
    if snapshot.get("previous_resident_code") and kind.code in PREVIOUS_CODE_LABELS:
        label = PREVIOUS_CODE_LABELS[kind.code]
        cells.append(Cell("previous_resident_code", label, snapshot["previous_resident_code"]))
    return cells


def adult_ward_cells(snapshot: dict[str, Any]) -> list[Cell]:
    """成年被後見人の転出 (j1310): where to and when the person moved out, and the office the notice is for
    (the destination's 市区町村長, from its 全国地方公共団体コード)."""
    destination = snapshot.get("destination_confirmed_address") or snapshot.get("destination_planned_address")
    code = snapshot.get("destination_confirmed_code") or snapshot.get("destination_planned_code") or ""
    found = municipality(str(code)[:6]) if code else None
    moved = snapshot.get("removal_date") or snapshot.get("move_out_planned_date")
    return [
        Cell("destination", "転出先", destination or ""),
        Cell("move_out_date", "転出年月日（予定）", format_wareki(_date(moved))),
        Cell("addressee", "宛先", f"{found.name}長" if found else "転出先市区町村長"),
    ]


def household_header(snapshot: dict[str, Any], options: CertificateOptions) -> list[Cell]:
    cells = address_cells(snapshot, options)
    if options.include_head_relation:
        cells.append(Cell("head_name", "世帯主", snapshot.get("head_name") or ""))
    return cells


def fit_cells(
    cells: list[Cell], width_mm: float, behaviour: str, alerts: list[Problem], layout: str = "individual"
) -> list[Cell]:
    """j1070: shrink each value to fit; an alert for each value that still does not.  Each item's name is
    fitted to the label column of ``layout`` too (smaller, or on two lines), never cut."""
    fitted = []
    for cell in cells:
        label = fit_label(cell.label, *LABEL_FIT[layout])
        result = fit_text(cell.text, width_mm, behaviour=behaviour)
        if result.overflowed:
            reason = f"文字数が多く欄に収まりません（{'収まる分のみ印字' if behaviour == 'truncate' else '空欄で印字'}）"
            alerts.append(
                Problem(
                    cell.field,
                    cell.label,
                    reason,
                    "文字超過リストで内容を確認してください",
                    "overflow",
                    "alert",
                )
            )
        fitted.append(Cell(cell.field, cell.label, result.text, result.size_pt, label.size_pt, label.wraps))
    return fitted  # fmt: skip


def paginate(blocks: list[PersonBlock], layout: str) -> list[Sheet]:
    """Fill sheets within the row budget (and four persons a sheet on a 世帯連記式); a block too long for one
    sheet continues on the next (its history split)."""
    sheets: list[Sheet] = [Sheet([])]
    used = 0
    for block in blocks:
        pending: PersonBlock | None = block
        while pending is not None:
            sheet = sheets[-1]
            full = layout == "household" and len(sheet.persons) >= PERSONS_PER_HOUSEHOLD_SHEET
            room = ROWS_PER_SHEET - used
            if sheet.persons and (full or pending.rows(layout) > room):
                sheets.append(Sheet([]))
                used = 0
                continue
            pending, placed = _split(pending, room, layout)
            sheet.persons.append(placed)
            used += placed.rows(layout)
    return sheets


def _split(block: PersonBlock, room: int, layout: str) -> tuple[PersonBlock | None, PersonBlock]:
    if block.rows(layout) <= room:
        return None, block
    head_rows = block.rows(layout) - len(block.history)
    keep = max(room - head_rows, 0)
    placed = PersonBlock(block.atena_number, block.cells, block.history[:keep], block.continued)
    rest = PersonBlock(
        block.atena_number, [Cell("name", "氏名", block.cells[0].text)], block.history[keep:], True
    )
    return rest, placed
