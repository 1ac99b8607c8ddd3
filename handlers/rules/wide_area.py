"""広域交付 (住基法12条の4, j1210) as pure rules: who may ask at another municipality's counter, which documents
prove who they are, how the person is identified, and which items a 広域交付 copy may carry.

- Only the person themself or a member of their household (本人・同一世帯員) may ask (12条の4 第1項);
- they show a photo identity document (個人番号カード, 運転免許証 …, 施行規則 第4条の2);
- the person is named by 住民票コード, or by 氏名・生年月日・住所;
- the copy never carries 本籍・筆頭者 nor 個人番号; 住民票コード only when asked; no history.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from handlers.errors import Problem
from handlers.rules.check_digit import municipality_code_valid
from handlers.rules.date_input import DateInputError, parse_calendar_date
from handlers.rules.digits import ascii_digits

WIDE_AREA_TYPES = {
    "copy_individual": "住民票の写し（個人票）",
    "copy_household": "住民票の写し（世帯連記式）",
}
RELATIONS = {"self": "本人", "same_household": "同一世帯員"}
ID_DOCUMENTS = {
    "my_number_card": "個人番号カード",
    "juki_card": "住民基本台帳カード（写真付き）",
    "driver_license": "運転免許証",
    "passport": "旅券",
    "residence_card": "在留カード・特別永住者証明書",
    "other_photo_id": "その他官公署発行の写真付き証明書",
}
# The snapshot items a 広域交付 copy may carry (never 本籍・筆頭者, 個人番号, the history or the household's ids).
CARRIED_ITEMS = (
    "resident_kind", "status", "family_name", "given_name", "family_name_kana", "given_name_kana",
    "name_alphabet", "former_surname", "former_surname_kana", "alias", "alias_kana", "birth_date",
    "birth_date_text", "sex", "became_resident_date", "became_resident_date_text", "address_set_date",
    "address_set_date_text", "notified_date", "previous_address", "household_address",
    "household_address_katagaki", "household_order", "nationality", "foreign_category",
    "foreign_resident_date", "residence_status", "period_of_stay", "landing_period", "stay_expiry_date",
    "residence_card_number", "special_permanent_certificate_number", "move_out_planned_date",
    "destination_planned_address",
)  # fmt: skip
HEAD_ITEMS = ("head_name", "relation_to_head")
RESIDENT_CODE_PATTERN = re.compile(r"^[0-9]{11}$")


def _problem(name: str, item: str, reason: str, remedy: str, code: str = "required") -> Problem:
    return Problem(name, item, reason, remedy, code)


def _text(fields: Mapping[str, Any], name: str) -> str:
    return str(fields.get(name) or "").strip()


def parse_birth(fields: Mapping[str, Any], name: str, item: str, problems: list[Problem]) -> str | None:
    text = _text(fields, name)
    if not text:
        return None
    try:
        return parse_calendar_date(text).isoformat()
    except DateInputError as err:
        problems.append(_problem(name, item, err.reason, err.remedy, "date_invalid"))
        return None


def person_problems(fields: Mapping[str, Any], person: dict[str, Any]) -> list[Problem]:
    """The person asked for: 住民票コード, or 氏名・生年月日・住所 all three (fills ``person``)."""
    problems: list[Problem] = []
    code = ascii_digits(_text(fields, "resident_code"))
    if code:
        if not RESIDENT_CODE_PATTERN.match(code):
            problems.append(_problem("resident_code", "住民票コード", "11桁の数字ではありません",
                                     "住民票コードを確認してください", "format"))  # fmt: skip
        person["resident_code"] = code
    birth = parse_birth(fields, "birth_date", "生年月日", problems)
    person.update(name=_text(fields, "name"), birth_date=birth, address=_text(fields, "address"))
    if code or problems:
        return problems
    missing = [(n, item) for n, item in (("name", "氏名"), ("birth_date", "生年月日"), ("address", "住所"))
               if not person.get(n)]  # fmt: skip
    return [
        _problem(
            n, item, "入力されていません", "住民票コードを入力するか、氏名・生年月日・住所を入力してください"
        )
        for n, item in missing
    ]


def home_code_of(fields: Mapping[str, Any]) -> str:
    """The 住所地's 全国地方公共団体コード as typed, full-width digits read as ASCII."""
    return ascii_digits(_text(fields, "home_code"))


def counter_problems(fields: Mapping[str, Any], own_code: str) -> list[Problem]:
    """The 住所地 (a real code: its check digit agrees), the certificate and the 本人確認 done at the counter."""
    problems: list[Problem] = []
    home = home_code_of(fields)
    if not municipality_code_valid(home):
        problems.append(_problem("home_code", "住所地市区町村", "6桁の団体コードではないか、検査数字が一致しません",
                                 "住所地の全国地方公共団体コード（検査数字を含む6桁）を入力してください", "format"))  # fmt: skip
    elif home == own_code:
        problems.append(_problem("home_code", "住所地市区町村", "この市区町村の住民です",
                                 "通常の住民票の写しとして交付してください", "own_municipality"))  # fmt: skip
    if _text(fields, "certificate_type") not in WIDE_AREA_TYPES:
        problems.append(_problem("certificate_type", "証明書の種別", "選択されていません",
                                 "住民票の写しの種別を選んでください"))  # fmt: skip
    if _text(fields, "relation") not in RELATIONS:
        problems.append(_problem("relation", "請求者", "本人または同一世帯員ではありません",
                                 "広域交付は本人または同一世帯員だけが請求できます", "relation"))  # fmt: skip
    if _text(fields, "id_document") not in ID_DOCUMENTS:
        problems.append(_problem("id_document", "本人確認書類", "確認されていません",
                                 "写真付きの本人確認書類を確認し、その種類を選んでください"))  # fmt: skip
    if not _text(fields, "requester_name"):
        problems.append(_problem("requester_name", "請求者の氏名", "入力されていません",
                                 "本人確認書類の氏名を入力してください"))  # fmt: skip
    return problems


def carried_snapshot(snapshot: Mapping[str, Any], *, head: bool, resident_code: bool) -> dict[str, Any]:
    """Only the items a 広域交付 copy may carry (plus 世帯主・続柄 and 住民票コード when asked)."""
    items = CARRIED_ITEMS + (HEAD_ITEMS if head else ()) + (("resident_code",) if resident_code else ())
    return {k: snapshot[k] for k in items if snapshot.get(k) not in (None, "")}
