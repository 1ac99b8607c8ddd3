"""住民票記載事項通知 (j770): pending list, before/after 確認票, applied after confirmation by a koseki_notice case."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from handlers.cases import doors
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import ValidationError
from handlers.koseki_notices import (
    apply_koseki_notice,
    import_koseki_notices,
    koseki_notice_view,
    pending_koseki_notices,
)
from handlers.uow import unit_of_work
from models.case import CaseTask
from models.resident import Resident
from tests.factories import make_household

pytestmark = pytest.mark.req("j770")
TODAY = japan_today().isoformat()


def test_a_koseki_notice_waits_in_the_pending_list_shows_before_and_after_and_applies_after_approval(
    db: Database, clerk_a: Actor, supervisor_a: Actor
) -> None:
    home = make_household(db, clerk_a)
    taro = home.members[0].atena_number
    row = {"atena_number": taro, "notice_date": TODAY, "sender_code": "131016",
           "payload": {"honseki": "東京都千代田区丸の内1丁目1番", "hittosha": "山田 太郎"}}  # fmt: skip
    with unit_of_work(db, clerk_a) as uow:
        [notice] = import_koseki_notices(uow, [row])
    with unit_of_work(db, clerk_a) as uow:
        assert [n.id for n in pending_koseki_notices(uow)] == [notice.id]
        view = koseki_notice_view(uow, notice.id)
    assert [(i["field"], i["before"], i["after"], i["changed"]) for i in view["items"]] == [
        ("honseki", "東京都千代田区千代田1番", "東京都千代田区丸の内1丁目1番", True),
        ("hittosha", "山田 太郎", "山田 太郎", False),
    ]
    with unit_of_work(db, clerk_a) as uow:
        case_id = apply_koseki_notice(uow, notice.id)
    with unit_of_work(db, clerk_a) as uow:
        assert pending_koseki_notices(uow) == []
        assert (
            uow.session.get(Resident, home.members[0].id).honseki == "東京都千代田区千代田1番"
        )  # not before approval
        task = uow.session.scalars(
            select(CaseTask).where(CaseTask.case_id == case_id, CaseTask.bpmn_id.startswith("review_"))
        ).one()
    with unit_of_work(db, supervisor_a) as uow:
        doors.approve(uow, task.id, [])
    with unit_of_work(db, clerk_a) as uow:
        assert uow.session.get(Resident, home.members[0].id).honseki == "東京都千代田区丸の内1丁目1番"


def test_a_koseki_notice_file_with_a_bad_row_is_refused_whole(db: Database, clerk_a: Actor) -> None:
    good = {"resident_code": "12345678901", "notice_date": TODAY, "payload": {"honseki": "x"}}
    bad = {"notice_date": "令和99年", "payload": {"my_number": "1"}}
    with pytest.raises(ValidationError) as refused, unit_of_work(db, clerk_a) as uow:
        import_koseki_notices(uow, [good, bad])
    assert {p.field for p in refused.value.problems} == {
        "rows[1].atena_number",
        "rows[1].payload",
        "rows[1].notice_date",
    }
    with unit_of_work(db, clerk_a) as uow:
        assert pending_koseki_notices(uow) == []
