"""The 届出/職権 choice of the 届出 procedures' forms (転入, 転居, 転出, 世帯変更等; 届出の準用 j760): ticked, the
procedure is done ex officio without a notification — no 届出日, a 職権記録書, the 申出 and the 職権記載等通知書."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from handlers.cases.notifier import NOTIFIER_KINDS
from webui.counter.form_support import CalendarDate, DateTextField, blank_to_none

ORIGIN_FIELDS = ("ex_officio", "ex_officio_record", "on_request", "requested_date", "notify_person")
NOTIFIER_FIELDS = ("notifier_name", "notifier_kind", "notifier_birth_date", "notifier_atena_number")


class OriginMixin:
    ex_officio = BooleanField("届出がないため職権で行う（届出日は空欄）")
    ex_officio_record = StringField(
        "職権記録書（職権で行った内容と理由）", validators=[Optional(), Length(max=400)]
    )
    on_request = BooleanField("申出による職権記載等")
    requested_date = DateTextField("申出日（空欄は今日）", validators=[Optional(), CalendarDate()])
    notify_person = BooleanField("職権記載等通知書を発行する")

    def origin_items(self) -> dict[str, Any]:
        """Nothing for a notification; ex officio, the items ``handlers.changes.notification_origin`` reads."""
        if not self.ex_officio.data:
            return {}
        return {
            "ex_officio": True,
            **blank_to_none({"ex_officio_record": self.ex_officio_record.data,
                             "requested_date": self.requested_date.data}),
            "on_request": bool(self.on_request.data),
            "notify_person": bool(self.notify_person.data),
        }  # fmt: skip

    def fill_origin(self, intake: dict[str, Any]) -> None:
        """Show an earlier intake's choice again (再入力 after a rejection)."""
        for name in ORIGIN_FIELDS:
            value = intake.get(name)
            getattr(self, name).data = bool(value) if name in ("ex_officio", "on_request", "notify_person") else (
                value or ""
            )  # fmt: skip


class NotifierMixin:
    """届出人 (j580): who made the notification, kept with the case for the 住民異動届受理通知."""

    notifier_name = StringField(
        "届出人氏名",
        validators=[Optional(), Length(max=100)],
        description="届出書の届出人欄のとおり（職権のときは空欄）",
    )
    notifier_kind = SelectField(
        "届出人の区分", choices=[SelectChoice(k, v) for k, v in NOTIFIER_KINDS.items()], default="self"
    )
    notifier_birth_date = StringField("届出人の生年月日（任意）", validators=[Optional(), Length(max=20)])
    notifier_atena_number = StringField(
        "届出人の宛名番号（住民の場合、任意）", validators=[Optional(), Length(max=10)]
    )

    def notifier_items(self) -> dict[str, Any]:
        """``notifier`` when a name was entered (the handler checks the rest); nothing otherwise."""
        name = (self.notifier_name.data or "").strip()
        if not name:
            return {}
        return {"notifier": {"name": name, "kind": self.notifier_kind.data or "self",
                             **blank_to_none({"birth_date": self.notifier_birth_date.data,
                                              "atena_number": self.notifier_atena_number.data})}}  # fmt: skip

    def fill_notifier(self, intake: dict[str, Any]) -> None:
        """Show an earlier intake's 届出人 again (再入力 after a rejection)."""
        notifier = intake.get("notifier") or {}
        self.notifier_name.data = notifier.get("name") or ""
        self.notifier_kind.data = notifier.get("kind") or "self"
        self.notifier_birth_date.data = notifier.get("birth_date") or ""
        self.notifier_atena_number.data = notifier.get("atena_number") or ""
