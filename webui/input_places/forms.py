"""Forms of the input places and terminals register (Japanese labels).  ``handlers.input_places`` checks
everything again; the choices come from the handler's views."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from handlers.input_places import KIND_LABELS, PlaceView, TerminalView


class PlaceForm(FlaskForm):
    code = StringField("場所コード", validators=[InputRequired("場所コードを入力してください。"), Length(max=10)],
                       description="英数字10文字以内（例：HQ、BR01）")  # fmt: skip
    name = StringField("入力場所名", validators=[InputRequired("入力場所名を入力してください。"), Length(max=40)],
                       description="入力場所・交付場所として記録される名前（例：本庁市民課、北支所）")  # fmt: skip
    kind = SelectField(
        "種別",
        choices=[SelectChoice(code, label) for code, label in KIND_LABELS.items()],
        validate_choice=False,  # the handler refuses an unknown one, in Japanese
    )
    ward_code = SelectField(
        "行政区（指定都市）", choices=[SelectChoice("", "（なし）")], validate_choice=False
    )
    enabled = BooleanField("使用中", default=True)

    def offer_wards(self, wards: dict[str, str]) -> None:
        self.ward_code.choices = [
            SelectChoice("", "（なし）"),
            *(SelectChoice(c, n) for c, n in wards.items()),
        ]

    def fill(self, view: PlaceView) -> None:
        for name in ("code", "name", "kind", "ward_code", "enabled"):
            getattr(self, name).data = getattr(view, name)

    def values(self) -> dict[str, Any]:
        return {"code": (self.code.data or "").strip(), "name": (self.name.data or "").strip(), "kind": self.kind.data,
                "ward_code": self.ward_code.data or None, "enabled": bool(self.enabled.data)}  # fmt: skip


class TerminalForm(FlaskForm):
    code = StringField("端末名", validators=[InputRequired("端末名を入力してください。"), Length(max=60)],
                       description="端末が X-Terminal-Id として送る名前（例：HQ-COUNTER-01）")  # fmt: skip
    name = StringField("説明", validators=[InputRequired("説明を入力してください。"), Length(max=60)],
                       description="例：市民課 窓口1番")  # fmt: skip
    place_id = SelectField("入力場所", choices=[], validate_choice=False)
    enabled = BooleanField("使用中", default=True)

    def offer_places(self, places: list[PlaceView]) -> None:
        self.place_id.choices = [SelectChoice(str(p.id), f"{p.name}（{p.kind_label}）") for p in places]

    def fill(self, view: TerminalView) -> None:
        self.code.data, self.name.data, self.enabled.data = view.code, view.name, view.enabled
        self.place_id.data = str(view.place_id)

    def values(self) -> dict[str, Any]:
        return {"code": (self.code.data or "").strip(), "name": (self.name.data or "").strip(),
                "place_id": self.place_id.data or "", "enabled": bool(self.enabled.data)}  # fmt: skip
