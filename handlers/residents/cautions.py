"""留意事項 (統合記載欄 type B, j140): a note printed with one history line, linked to the items of the change
it concerns, kept apart from the row's internal ``note`` (職権記録書 …, never printed).

It is written when a change is registered — the text entered at intake (``caution``, ``caution_items``), or
else the one the administrator registered in advance for the 異動事由 (``CautionTemplate``; filled in
automatically when the municipality's ``caution_autofill`` choice is on, required of a designated city) — and
may be corrected afterwards on the record, each correction logged.  The wording of 特別養子縁組 and of its
dissolution is the standard's, and such a 留意事項 is linked to the addresses the standard names
(``adoption_items``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, select

from handlers.audit import record_access
from handlers.errors import NotFoundError, Problem, ValidationError
from handlers.permissions import require
from handlers.residents.items import HOUSEHOLD_ITEM_BY_FIELD, RESIDENT_ITEM_BY_FIELD
from handlers.residents.parsing import clean_text
from handlers.row_writes import run_prebuilt
from handlers.rules.change_reasons import REASONS
from handlers.tenancy import CROSS_TENANT_KEY, session_tenant
from handlers.tenants import setting_of
from handlers.uow import UnitOfWork
from models.resident import CautionTemplate, ResidentHistory
from models.tenant import Municipality

CAUTION_LIMIT = 400
ADOPTION = "特別養子縁組"
ADOPTION_DISSOLVED = "特別養子縁組解消"
MOVE_OUT_ITEMS = ("destination_planned_address", "destination_confirmed_address")
MOVE_IN_ITEMS = ("previous_address",)
MOVE_IN_REASONS = frozenset({"domestic_move_in", "move_in_from_abroad"})
MOVE_OUT_REASONS = frozenset({"domestic_move_out", "move_out_abroad"})
# the 異動事由 a change type's registration may write, where they are not the change type's own code
CHANGE_TYPE_REASONS = {
    "move_in": ("domestic_move_in", "move_in_from_abroad"),
    "move_out": ("domestic_move_out", "move_out_abroad"),
}


@dataclass(frozen=True)
class Caution:
    text: str
    items: tuple[str, ...]


def item_label(field: str) -> str:
    spec = RESIDENT_ITEM_BY_FIELD.get(field) or HOUSEHOLD_ITEM_BY_FIELD.get(field)
    return spec.label if spec else field


def split_items(value: Any) -> tuple[str, ...]:
    """The items a 留意事項 concerns, from a list or a comma-separated text (stored form)."""
    if value is None:
        return ()
    parts = value if isinstance(value, list | tuple) else str(value).split(",")
    return tuple(dict.fromkeys(p.strip() for p in parts if str(p).strip()))


def adoption_items(reason: str) -> tuple[str, ...] | None:
    """j140: the 留意事項 of 特別養子縁組 (or its dissolution) goes with 転出先住所（予定・確定） on the 除票 of the
    adoptee who moved out, with 転入前住所 on the record made by the adoptee's move in (None: other reasons)."""
    if reason in MOVE_OUT_REASONS:
        return MOVE_OUT_ITEMS
    if reason in MOVE_IN_REASONS:
        return MOVE_IN_ITEMS
    return None


def caution_problems(text: str | None, items: Sequence[str], reason: str) -> list[Problem]:
    found = []
    if text and len(text) > CAUTION_LIMIT:
        found.append(Problem("caution", "留意事項", f"{CAUTION_LIMIT}文字を超えています",
                             f"{CAUTION_LIMIT}文字以内で入力してください", "too_long"))  # fmt: skip
    unknown = [f for f in items if f not in RESIDENT_ITEM_BY_FIELD and f not in HOUSEHOLD_ITEM_BY_FIELD]
    if unknown:
        found.append(Problem("caution_items", "関連する異動項目", f"項目「{'、'.join(unknown)}」はありません",
                             "異動項目を選び直してください", "unknown_item"))  # fmt: skip
    if not text and items:
        found.append(Problem("caution", "留意事項", "関連する異動項目だけが指定されています",
                             "留意事項を入力してください", "required"))  # fmt: skip
    required = adoption_items(reason) if text and ADOPTION in text else None
    if required and not set(required) <= set(items):
        labels = "・".join(item_label(f) for f in required)
        found.append(Problem("caution_items", "関連する異動項目", f"特別養子縁組の留意事項が{labels}と紐付いていません",
                             f"関連する異動項目に{labels}を含めてください", "adoption_items"))  # fmt: skip
    return found


def read_caution(values: Mapping[str, Any], reason: str) -> Caution | None:
    """The 留意事項 entered with a change (``caution``, ``caution_items``), checked; None when none was."""
    text = clean_text(values.get("caution"))
    items = split_items(values.get("caution_items"))
    problems = caution_problems(text, items, reason)
    if problems:
        raise ValidationError(problems)
    return Caution(text, items) if text else None


_TEMPLATES = cast(Table, CautionTemplate.__table__)
_MUNICIPALITIES = cast(Table, Municipality.__table__)
# Built once (its cache key is kept): the municipality's kind and choices with its templates of up to two
# 異動事由, in one statement; Core, naming the session's tenant.
_FILLING_IN = (
    select(
        _MUNICIPALITIES.c.kind,
        _MUNICIPALITIES.c.settings,
        _TEMPLATES.c.change_reason,
        _TEMPLATES.c["text"],
        _TEMPLATES.c["items"],
    )
    .select_from(
        _MUNICIPALITIES.outerjoin(
            _TEMPLATES,
            and_(
                _TEMPLATES.c.tenant_id == _MUNICIPALITIES.c.id,
                _TEMPLATES.c.change_reason.in_([bindparam("first"), bindparam("second")]),
            ),
        )
    )
    .where(_MUNICIPALITIES.c.id == bindparam("tenant"))
)


def _fills_in(kind: str | None, settings: Mapping[str, Any] | None) -> bool:
    return kind == "designated_city" or bool(setting_of(settings, "caution_autofill"))


def _templates_orm(uow: UnitOfWork, reasons: Sequence[str]) -> dict[str, Caution | None]:
    """``templates_for`` in a session without a tenant of its own: ORM reads naming the actor's tenant."""
    municipality = uow.session.get(Municipality, uow.actor.tenant_id)
    if municipality is None or not _fills_in(municipality.kind, municipality.settings):
        return dict.fromkeys(reasons)
    found = {}
    for reason in reasons:
        row = uow.session.scalars(
            select(CautionTemplate).where(
                CautionTemplate.change_reason == reason, CautionTemplate.tenant_id == uow.actor.tenant_id
            )
        ).first()
        found[reason] = Caution(row.text, split_items(row.items)) if row else None
    return found


def templates_for(uow: UnitOfWork, reasons: Sequence[str]) -> dict[str, Caution | None]:
    """The 留意事項 registered in advance for each of ``reasons``, when the municipality fills them in (None
    where none is, or it does not): one statement per two reasons."""
    wanted = list(dict.fromkeys(reasons))
    tenant = session_tenant(uow.session)
    if tenant is None or uow.session.info.get(CROSS_TENANT_KEY):
        return _templates_orm(uow, wanted)
    if uow.session.autoflush:
        uow.session.flush()  # as the ORM statement's autoflush did
    found: dict[str, Caution | None] = dict.fromkeys(wanted)
    for start in range(0, len(wanted), 2):
        first, second = wanted[start], wanted[min(start + 1, len(wanted) - 1)]
        rows = run_prebuilt(
            uow.session, _FILLING_IN, {"tenant": tenant, "first": first, "second": second}
        ).rows
        if not rows or not _fills_in(rows[0][0], rows[0][1]):
            return dict.fromkeys(wanted)
        for _kind, _settings, reason, text, items in rows:
            if reason is not None:
                found[reason] = Caution(text, split_items(items))
    return found


def template_for(uow: UnitOfWork, reason: str) -> Caution | None:
    """The 留意事項 registered in advance for ``reason``, when the municipality fills them in."""
    return templates_for(uow, [reason])[reason]


def intake_default(uow: UnitOfWork, change_type: str) -> Caution | None:
    """The 留意事項 the intake page starts with (editable): the one registered for the change's 異動事由."""
    require(uow.actor, "resident.change")
    found = templates_for(uow, reasons_of(change_type))
    return next((caution for caution in found.values() if caution is not None), None)


def reasons_of(change_type: str) -> tuple[str, ...]:
    """The 異動事由 a change type's registration writes (its own code unless ``CHANGE_TYPE_REASONS`` says)."""
    return CHANGE_TYPE_REASONS.get(change_type, (change_type,))


def templates_needed(
    uow: UnitOfWork, change_type: str, intake: Mapping[str, Any]
) -> dict[str, Caution | None]:
    """Before 本登録: the templates ``apply_cautions`` will want for the change's 異動事由 — none when the
    intake has a 留意事項 of its own (it wins on every row)."""
    if clean_text(intake.get("caution")):
        return {}
    return templates_for(uow, reasons_of(change_type))


def check_intake_caution(intake: Mapping[str, Any], change_type: str) -> None:
    """At intake: the entered 留意事項 checked against the change's (first) 異動事由, before anything is kept."""
    read_caution(intake, reasons_of(change_type)[0])


def apply_cautions(
    uow: UnitOfWork,
    rows: Iterable[ResidentHistory],
    intake: Mapping[str, Any],
    known: Mapping[str, Caution | None] | None = None,
) -> None:
    """At 本登録: each history row of the case's subjects gets the 留意事項 entered at intake, or else the
    one registered for its 異動事由 (``known``: those read already, ``templates_needed``; any other read once
    per 異動事由)."""
    templates: dict[str, Caution | None] = dict(known or {})
    for row in rows:
        if row.case_id is None:
            continue  # a household member's row changed along, not the case's
        caution = read_caution(intake, row.change_reason)
        if caution is None:
            if row.change_reason not in templates:
                templates[row.change_reason] = template_for(uow, row.change_reason)
            caution = templates[row.change_reason]
        if caution is not None:
            row.caution, row.caution_items = caution.text, ",".join(caution.items) or None


def correct_caution(
    uow: UnitOfWork, atena_number: str, history_no: int, values: Mapping[str, Any]
) -> Caution:
    """Correct (or clear) the 留意事項 of one history row; logged."""
    require(uow.actor, "resident.change")
    row = uow.session.scalars(
        select(ResidentHistory).where(
            ResidentHistory.atena_number == atena_number, ResidentHistory.history_no == history_no
        )
    ).first()
    if row is None:
        raise NotFoundError("指定された履歴はありません。")
    caution = read_caution(values, row.change_reason) or Caution("", ())
    row.caution, row.caution_items = caution.text or None, ",".join(caution.items) or None
    record_access(uow, "caution_corrected", "change", [atena_number], detail={"history_no": history_no})
    return caution


def list_templates(uow: UnitOfWork) -> list[dict[str, Any]]:
    require(uow.actor, "admin.settings")
    rows = uow.session.scalars(select(CautionTemplate).order_by(CautionTemplate.change_reason))
    return [
        {"change_reason": r.change_reason, "reason_label": REASONS[r.change_reason].choice_label
         if r.change_reason in REASONS else r.change_reason, "text": r.text, "items": list(split_items(r.items))}
        for r in rows
    ]  # fmt: skip


def save_template(uow: UnitOfWork, values: Mapping[str, Any]) -> Caution | None:
    """Register, replace or (blank text) delete the 留意事項 of one 異動事由; logged."""
    require(uow.actor, "admin.settings")
    reason = str(values.get("change_reason") or "")
    if reason not in REASONS:
        raise ValidationError([Problem("change_reason", "異動事由", "異動事由を選んでください",
                                       "一覧から選んでください", "required")])  # fmt: skip
    caution = read_caution(values, reason)
    row = uow.session.scalars(select(CautionTemplate).where(CautionTemplate.change_reason == reason)).first()
    if caution is None:
        if row is not None:
            uow.session.delete(row)
    elif row is None:
        uow.session.add(CautionTemplate(tenant_id=uow.actor.tenant_id, change_reason=reason, text=caution.text,
                                        items=",".join(caution.items) or None, updated_by=uow.actor.user_id))  # fmt: skip
    else:
        row.text, row.items, row.updated_by = caution.text, ",".join(caution.items) or None, uow.actor.user_id
    record_access(uow, "caution_template_saved", "setting", detail={"change_reason": reason})
    return caution
