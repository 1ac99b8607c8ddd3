"""Which form serves which change type, with its title and the sections the page shows in reading order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_wtf import FlaskForm

from handlers.immigration_notices import pending_notice_choices
from handlers.uow import UnitOfWork
from webui.counter.forms_foreign import (
    ForeignArrivalForm,
    ForeignStatusAcquiredForm,
    NationalityLossForm,
    NaturalizationForm,
)
from webui.counter.forms_move import MoveInForm, MoveOutForm, MoveWithinForm
from webui.counter.forms_names import AliasForm, FormerSurnameForm
from webui.counter.forms_numbers import (
    ChangeCancellationForm,
    MyNumberChangeForm,
    ResidentCodeChangeForm,
    ResidentCodeCorrectionForm,
    ResidentCodeIssueForm,
)
from webui.counter.forms_origin import NOTIFIER_FIELDS, ORIGIN_FIELDS
from webui.counter.forms_other import (
    AddressSettingForm,
    CorrectionForm,
    DeathForm,
    HouseholdChangeForm,
    ImmigrationNoticeForm,
    NewPersonForm,
    NoticeReceiptForm,
)

Sections = tuple[tuple[str, tuple[str, ...]], ...]
EX_OFFICIO = ("ex_officio_record", "koseki_date", "on_request", "requested_date", "notify_person")


@dataclass(frozen=True)
class IntakeSpec:
    form: type[FlaskForm]
    sections: Sections = ()
    aliases: tuple[tuple[str, str], ...] = ()  # handler problem field → form field id
    without: tuple[str, ...] = ()  # fields of a shared form that this change type does not read (not shown)
    choices: Callable[[UnitOfWork], dict[str, list[tuple[str, str]]]] | None = None  # select field → offers


MOVE_IN_SECTIONS: Sections = (
    ("届出の内容", ("kind", "change_date", "notified_date")),
    ("転入先の住所・世帯", ("postal_code", "address", "address_code", "address_katagaki", "join_existing", "household_number")),
    ("転入前の住所", ("former_postal_code", "former_address", "former_municipality_code",
                  "planned_move_out_date", "unnotified_address", "relay_inbox_id")),
    ("転入者", ("members", "add_member", "remove_member")),
    ("その他", ("note",)),
    ("届出人", NOTIFIER_FIELDS),
    ("職権で行う場合（届出の準用）", ORIGIN_FIELDS),
)  # fmt: skip
MOVE_IN_ALIASES = (
    ("household", "address"),
    ("move_out_certificate", "planned_move_out_date"),
    ("former_address", "former_address"),
    ("former_address.municipality_code", "former_municipality_code"),
    ("members", "members-0-family_name"),
)
NEW_PERSON_SECTIONS: Sections = (
    ("世帯", ("household_number", "postal_code", "address", "address_code", "address_katagaki")),
    ("本人", ("address_set_date", "member", "copy_koseki_from", "previous_address_kind")),
    ("職権記載等", EX_OFFICIO),
)
PERSON_ALIASES = (("member", "member-family_name"),)
CORRECTION_SECTIONS: Sections = (
    ("対象者", ("atena_number", "change_date")),
    ("修正内容", ("changes", "same_koseki_household", "household_item", "household_value", "minor_category",
              "corrected_history_no", "koseki_event")),
    ("職権記載等", EX_OFFICIO),
)  # fmt: skip
CORRECTION_ALIASES = (("changes", "changes-0-item"), ("household_changes", "household_item"))
FOREIGN_SECTIONS: Sections = (
    ("届出の内容", ("atena_number", "change_date", "notified_date")),
    ("住所・世帯", ("postal_code", "address", "address_code", "address_katagaki")),
    ("外国人住民", ("members", "add_member", "remove_member")),
    ("その他", ("note",)),
)
FOREIGN_ALIASES = (("household", "address"), ("members", "members-0-name_alphabet"))
MOVERS_ALIASES = (
    ("atena_numbers", "atena_numbers"),
    ("destination", "destination_kind"),
    ("relations", "relations"),
)
MOVE_OUT_ALIASES = (("destination", "municipality_code"), ("atena_numbers", "atena_numbers"))

# The shared forms' items that only some of their change types read.
NOT_KOSEKI = ("koseki_date",)  # 戸籍届出・通知日: read by 出生, 死亡, 失踪 and 戸籍通知 only (j780)
CORRECTION_ONLY = {
    "minor_category": "minor_correction", "corrected_history_no": "clerical_correction",
    "koseki_event": "koseki_notice", "koseki_date": "koseki_notice",
}  # fmt: skip


def _correction(code: str) -> IntakeSpec:
    without = tuple(name for name, owner in CORRECTION_ONLY.items() if owner != code)
    return IntakeSpec(CorrectionForm, CORRECTION_SECTIONS, CORRECTION_ALIASES, without)


INTAKE_SPECS: dict[str, IntakeSpec] = {
    "move_in": IntakeSpec(MoveInForm, MOVE_IN_SECTIONS, MOVE_IN_ALIASES),
    "move_within": IntakeSpec(MoveWithinForm, aliases=MOVERS_ALIASES),
    "move_out": IntakeSpec(MoveOutForm, aliases=MOVE_OUT_ALIASES),
    "household_change": IntakeSpec(HouseholdChangeForm, aliases=MOVERS_ALIASES),
    "birth": IntakeSpec(NewPersonForm, NEW_PERSON_SECTIONS, PERSON_ALIASES, ("previous_address_kind",)),
    "address_setting": IntakeSpec(
        AddressSettingForm, NEW_PERSON_SECTIONS, PERSON_ALIASES, ("copy_koseki_from", *NOT_KOSEKI)
    ),
    "death": IntakeSpec(DeathForm),
    "disappearance": IntakeSpec(DeathForm),
    "ex_officio_correction": _correction("ex_officio_correction"),
    "minor_correction": _correction("minor_correction"),
    "clerical_correction": _correction("clerical_correction"),
    "koseki_notice": _correction("koseki_notice"),
    "move_in_notice_receipt": IntakeSpec(NoticeReceiptForm),
    "immigration_notice": IntakeSpec(
        ImmigrationNoticeForm, choices=lambda uow: {"notice_id": pending_notice_choices(uow)}
    ),
    "foreign_move_in_30_46": IntakeSpec(ForeignArrivalForm, FOREIGN_SECTIONS, FOREIGN_ALIASES),
    "foreign_status_acquired_30_47": IntakeSpec(ForeignStatusAcquiredForm, FOREIGN_SECTIONS, FOREIGN_ALIASES),
    "naturalization": IntakeSpec(NaturalizationForm),
    "nationality_acquisition": IntakeSpec(NaturalizationForm),
    "nationality_loss": IntakeSpec(NationalityLossForm),
    "my_number_change": IntakeSpec(MyNumberChangeForm, without=NOT_KOSEKI),
    "former_surname": IntakeSpec(FormerSurnameForm),
    "alias": IntakeSpec(AliasForm),
    "resident_code_issue": IntakeSpec(ResidentCodeIssueForm, without=NOT_KOSEKI),
    "resident_code_change": IntakeSpec(ResidentCodeChangeForm),
    "resident_code_correction": IntakeSpec(ResidentCodeCorrectionForm, without=NOT_KOSEKI),
    "change_cancellation": IntakeSpec(ChangeCancellationForm, without=NOT_KOSEKI),
}
# Change types with a form, in the order the counter offers them.
COUNTER_ORDER = (
    "move_in", "move_within", "move_out", "household_change", "birth", "death", "disappearance", "address_setting",
    "ex_officio_correction", "minor_correction", "clerical_correction", "koseki_notice", "move_in_notice_receipt",
    "immigration_notice", "foreign_move_in_30_46", "foreign_status_acquired_30_47", "naturalization",
    "nationality_acquisition", "nationality_loss", "my_number_change", "former_surname", "alias", "resident_code_issue",
    "resident_code_change", "resident_code_correction", "change_cancellation",
)  # fmt: skip
# Change types the bulk page offers (j550: the same correction for many persons).
BULK_TYPES = ("minor_correction", "ex_officio_correction")


LEADING = ("kind", "atena_number", "atena_numbers")  # what the change is and whom it concerns come first


def sections_of(spec: IntakeSpec, form: FlaskForm) -> Sections:
    """The spec's sections, with any field it does not name appended in a last section.  A spec without
    sections gets the change's own items first (its kind and person leading), then 届出人 and the 職権 items."""
    shown = [n for n in form._fields if n not in spec.without]
    named = {name for _title, names in spec.sections for name in names}
    rest = tuple(n for n in shown if n not in named and n != "csrf_token")
    if not spec.sections:
        return _default_sections(rest)
    present = tuple((title, tuple(n for n in names if n in shown)) for title, names in spec.sections)
    return present + ((("その他の項目", rest),) if rest else ())


def _default_sections(names: tuple[str, ...]) -> Sections:
    origin = ORIGIN_FIELDS if "ex_officio" in names else EX_OFFICIO
    groups = (
        ("届出人", tuple(n for n in NOTIFIER_FIELDS if n in names)),
        ("職権で行う場合（届出の準用）" if "ex_officio" in names else "職権記載等", tuple(n for n in origin if n in names)),
    )  # fmt: skip
    grouped = {n for _title, group in groups for n in group}
    own = sorted(
        (n for n in names if n not in grouped), key=lambda n: LEADING.index(n) if n in LEADING else 99
    )
    title = "届出の内容" if groups[0][1] else "異動の内容"
    return ((title, tuple(own)), *((t, group) for t, group in groups if group))
