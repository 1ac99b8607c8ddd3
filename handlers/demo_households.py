"""The hand-written demo households, as a clerk would enter them (input dicts for ``register_household``).

Each shows something a demo should: a plain family, 髙/﨑/𠮷 characters, an elderly couple, foreign residents
(中長期在留者 with 西暦 dates, 特別永住者), a 年月日不詳 birth date, 除票 (one removed more than five years
ago) and a support-measure (支援措置) case.  Numbers come from the synthetic generator's valid series.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass, field
from typing import Any

from handlers.synthetic.foreigners import card_number
from handlers.synthetic.generator import synthetic_my_number, synthetic_resident_code

DEMO_SERIAL_BASE = 900_000_000  # far above the synthetic series, so the numbers never meet


@dataclass(frozen=True)
class DemoHousehold:
    key: str
    address: dict[str, Any]
    members: list[dict[str, Any]]
    reason: str = "domestic_move_in"
    change_date: str = "2015-04-01"
    removals: dict[int, tuple[str, str]] = field(default_factory=dict)  # member index → (reason, date)


ADDRESSES = {
    "yokohama": (
        ("神奈川県横浜市中区本町二丁目10番地", "2310005", "141046"),
        ("神奈川県横浜市鶴見区鶴見中央三丁目4番5号", "2300051", "141011"),
        ("神奈川県横浜市西区高島二丁目7番1号", "2200011", "141038"),
        ("神奈川県横浜市神奈川区六角橋一丁目2番3号", "2210802", "141020"),
    ),
    "saku": (
        ("長野県佐久市中込3000番地", "3850051", None),
        ("長野県佐久市岩村田1200番地", "3850022", None),
        ("長野県佐久市野沢100番地", "3850053", None),
        ("長野県佐久市臼田500番地", "3840301", None),
    ),
}


class _Numbers:
    def __init__(self, tenant_id: int) -> None:
        self.tenant_id = tenant_id
        self.serials = itertools.count(DEMO_SERIAL_BASE)

    def __call__(self) -> dict[str, str]:
        serial = next(self.serials)
        return {"my_number": synthetic_my_number(self.tenant_id, serial),
                "resident_code": synthetic_resident_code(self.tenant_id, serial)}  # fmt: skip


def _japanese(numbers: _Numbers, family: tuple[str, str], given: tuple[str, str], birth: str, sex: str,
              relation: str, **extra: Any) -> dict[str, Any]:  # fmt: skip
    member = {
        "resident_kind": "japanese", "family_name": family[0], "family_name_kana": family[1],
        "given_name": given[0], "given_name_kana": given[1], "birth_date": birth, "sex": sex,
        "relation_to_head": relation, "became_resident_date": extra.pop("since", "2015-04-01"),
        "address_set_date": extra.pop("address_set", "2015-04-01"), "honseki": "東京都千代田区千代田1番地",
        "hittosha": extra.pop("hittosha", None) or f"{family[0]}　{given[0]}",
        "previous_address": "東京都千代田区千代田1番1号", **numbers(),
    }  # fmt: skip
    member.update(extra)
    return member


def _foreign(numbers: _Numbers, alphabet: str, kana: tuple[str, str], birth: str, sex: str, relation: str,
             **extra: Any) -> dict[str, Any]:  # fmt: skip
    since = extra.pop("since", "2021-04-01")
    member = {
        "resident_kind": "foreign", "name_alphabet": alphabet, "family_name_kana": kana[0],
        "given_name_kana": kana[1], "birth_date": birth, "sex": sex, "relation_to_head": relation,
        "became_resident_date": since, "address_set_date": since, "foreign_resident_date": since, **numbers(),
    }  # fmt: skip
    member.update(extra)
    return member


def _mid_long_term(status: str, period: str, expiry: str, seed: str) -> dict[str, Any]:
    return {"foreign_category": "mid_long_term", "residence_status": status, "period_of_stay": period,
            "stay_expiry_date": expiry, "residence_card_number": card_number(random.Random(seed))}  # fmt: skip


def _place(slug: str, index: int) -> dict[str, Any]:
    address, postal, ward = ADDRESSES[slug][index % 4]
    return {"address": address, "postal_code": postal, "ward_code": ward}


def demo_households(slug: str, city: str, tenant_id: int) -> list[DemoHousehold]:
    """The demo households of one city (``city`` is 都道府県+市, used in texts only)."""
    n = _Numbers(tenant_id)
    yamada, takahashi, sato = ("山田", "ヤマダ"), ("髙橋", "タカハシ"), ("佐藤", "サトウ")
    nguyen = ("NGUYEN VAN AN", ("グエン", "ヴァン アン"))
    return [
        DemoHousehold("yamada", _place(slug, 0), [
            _japanese(n, yamada, ("太郎", "タロウ"), "昭和55年4月1日", "1", "世帯主"),
            _japanese(n, yamada, ("花子", "ハナコ"), "昭和57年6月15日", "2", "妻", hittosha="山田　太郎"),
            _japanese(n, yamada, ("一郎", "イチロウ"), "平成22年1月20日", "1", "子", hittosha="山田　太郎"),
        ]),
        DemoHousehold("takahashi", _place(slug, 1), [
            _japanese(n, takahashi, ("𠮷男", "ヨシオ"), "昭和48年11月3日", "1", "世帯主"),
            _japanese(n, takahashi, ("恵子", "ケイコ"), "昭和50年2月14日", "2", "妻", hittosha="髙橋　𠮷男",
                      former_surname="山﨑", former_surname_kana="ヤマザキ"),
        ]),
        DemoHousehold("sato", _place(slug, 2), [
            _japanese(n, sato, ("茂", "シゲル"), "昭和10年3月3日", "1", "世帯主", since="1970-05-01",
                      address_set="1970-05-01"),
            _japanese(n, sato, ("節子", "セツコ"), "昭和13年8月20日", "2", "妻", since="1970-05-01",
                      address_set="1970-05-01", hittosha="佐藤　茂"),
        ], change_date="1970-05-01"),
        DemoHousehold("nguyen", _place(slug, 3), [
            _foreign(n, nguyen[0], nguyen[1], "1990-05-12", "1", "世帯主", nationality="ベトナム",
                     **_mid_long_term("技術・人文知識・国際業務", "5年", "2029-03-31", f"{slug}-1")),
            _foreign(n, "TRAN THI HA", ("チャン", "ティ ハー"), "1992-09-30", "2", "妻", nationality="ベトナム",
                     **_mid_long_term("家族滞在", "5年", "2029-03-31", f"{slug}-2")),
            _foreign(n, "NGUYEN MINH DUC", ("グエン", "ミン ドゥック"), "2019-08-01", "1", "子",
                     nationality="ベトナム", **_mid_long_term("家族滞在", "5年", "2029-03-31", f"{slug}-3")),
        ], change_date="2021-04-01"),
        DemoHousehold("kim", _place(slug, 0), [
            _foreign(n, "KIM MINJUN", ("キム", "ミンジュン"), "1955-02-11", "1", "世帯主", nationality="韓国",
                     family_name="金", given_name="民俊", since="2012-07-09",
                     foreign_category="special_permanent",
                     special_permanent_certificate_number=card_number(random.Random(f"{slug}-k"))),
        ], change_date="2012-07-09"),
        DemoHousehold("fusho", _place(slug, 1), [
            _japanese(n, ("野口", "ノグチ"), ("一", "ハジメ"), "年月日不詳", "1", "世帯主", honseki="不明",
                      hittosha=None),
        ], change_date="2018-10-01"),
        DemoHousehold("tanaka", _place(slug, 2), [
            _japanese(n, ("田中", "タナカ"), ("健一", "ケンイチ"), "昭和45年7月7日", "1", "世帯主"),
            _japanese(n, ("田中", "タナカ"), ("和子", "カズコ"), "昭和20年1月5日", "2", "母",
                      hittosha="田中　健一"),
        ], removals={0: ("domestic_move_out", "2025-10-01"), 1: ("death", "2024-12-24")}),
        DemoHousehold("nakamura", _place(slug, 3), [
            _japanese(n, ("中村", "ナカムラ"), ("清", "キヨシ"), "昭和30年5月5日", "1", "世帯主",
                      since="2010-04-01", address_set="2010-04-01"),
        ], change_date="2010-04-01", removals={0: ("domestic_move_out", "2019-03-31")}),
        DemoHousehold("suzuki", _place(slug, 0), [
            _japanese(n, ("鈴木", "スズキ"), ("美咲", "ミサキ"), "昭和63年3月14日", "2", "世帯主",
                      since="2024-06-01", address_set="2024-06-01"),
            _japanese(n, ("鈴木", "スズキ"), ("陽菜", "ヒナ"), "平成28年9月9日", "2", "子",
                      since="2024-06-01", address_set="2024-06-01", hittosha="鈴木　美咲"),
        ], change_date="2024-06-01"),
    ]  # fmt: skip


def support_case(registered: dict[str, list[str]], city: str, today: dt.date) -> dict[str, Any] | None:
    """The 支援措置申出 (``open_support_measure_case``) of the 鈴木 household (DV; the perpetrator lives
    in another municipality and is not on the register)."""
    suzuki = registered.get("suzuki")
    if not suzuki:
        return None
    return {
        "applicant": {"name": "鈴木 美咲", "name_kana": "スズキ ミサキ", "atena_number": suzuki[0],
                      "birth_date": "1988-03-14", "sex": "2", "address": city},
        "co_applicants": [{"name": "鈴木 陽菜", "name_kana": "スズキ ヒナ", "atena_number": suzuki[1],
                           "relation_to_applicant": "子"}],
        "perpetrators": [{"name": "鈴木 健二", "name_kana": "スズキ ケンジ", "birth_date": "1985-07-07", "sex": "1",
                          "address": "東京都世田谷区太子堂二丁目1番1号", "note": "元配偶者（他市区町村に居住）"}],
        "protected_services": ["inspection", "certificate", "koseki_fuhyo"],
        "protected_addresses": ["current", "previous"],
        "request_date": today,
        "victim_kind": "dv",
        "opinion_source": "警察署",
    }  # fmt: skip
