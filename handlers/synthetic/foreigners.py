"""Foreign-resident households (外国人住民, Act art. 30-45): 中長期在留者 families and 特別永住者."""

from __future__ import annotations

import datetime as dt
import random
import string
from itertools import accumulate

from handlers.rules.foreign import FOREIGN_CATEGORIES
from handlers.synthetic.people import HEAD, MALE, Member, household_members, weighted
from handlers.synthetic.vocabulary import FAMILY_STATUS, FOREIGN_NAMES, RESIDENCE_STATUSES

MID_LONG_TERM = FOREIGN_CATEGORIES["mid_long_term"].code  # 中長期在留者
SPECIAL_PERMANENT = FOREIGN_CATEGORIES["special_permanent"].code  # 特別永住者
SPECIAL_PERMANENT_SHARE = {"韓国": 0.5, "中国": 0.05}
FOREIGN_RESIDENT_SYSTEM_START = dt.date(2012, 7, 9)  # 外国人住民 were first recorded on this day


def card_number(rng: random.Random) -> str:
    """在留カード番号 / 特別永住者証明書番号: 2 letters + 8 digits + 2 letters."""
    letters = string.ascii_uppercase
    return (
        "".join(rng.choice(letters) for _ in range(2))
        + f"{rng.randrange(10**8):08d}"
        + "".join(rng.choice(letters) for _ in range(2))
    )


_NATIONALITIES = list(FOREIGN_NAMES)
_NATIONALITY_CUM_WEIGHTS = list(accumulate(v[0] for v in FOREIGN_NAMES.values()))


def foreign_household(rng: random.Random, size: int) -> list[Member]:
    """A household of ``size`` persons of one nationality (head, spouse, children); the head's status decides
    the family's (家族滞在)."""
    nationality = weighted(rng, _NATIONALITIES, _NATIONALITY_CUM_WEIGHTS)
    _weight, surnames, given_names = FOREIGN_NAMES[nationality]
    members = household_members(rng, size, with_parents=False)
    special = rng.random() < SPECIAL_PERMANENT_SHARE.get(nationality, 0.0)
    head_status = rng.choice(RESIDENCE_STATUSES)
    family = rng.choice(surnames)
    for member in members:
        given = rng.choice(given_names)
        member.family = (family[0], family[1])
        member.given = (given[0], given[1])
        member.extra.update(
            kind="foreign",
            nationality=nationality,
            name_alphabet=f"{family[2]} {given[2]}",
        )
        if special:
            member.extra.update(
                foreign_category=SPECIAL_PERMANENT, special_permanent_certificate_number=card_number(rng)
            )
        else:
            status, periods = head_status if member.relation == HEAD else FAMILY_STATUS
            member.extra.update(
                foreign_category=MID_LONG_TERM,
                residence_status=status,
                period_of_stay=rng.choice(periods),
                residence_card_number=card_number(rng),
            )
    members[0].sex = members[0].sex or MALE
    return members


def foreign_dates(rng: random.Random, member: Member, moved_in: dt.date, as_of: dt.date) -> dict[str, object]:
    """外国人住民となった年月日, 旧外登法の登録日 and the 在留期間の満了の日 of one person."""
    became = max(moved_in, FOREIGN_RESIDENT_SYSTEM_START)
    values: dict[str, object] = {"foreign_resident_date": became}
    if moved_in < FOREIGN_RESIDENT_SYSTEM_START:
        values["old_alien_registration_date"] = moved_in
    if member.extra.get("foreign_category") == MID_LONG_TERM:
        values["stay_expiry_date"] = as_of + dt.timedelta(days=rng.randint(20, 3 * 365))
        values["residence_notified"] = True
    return values
