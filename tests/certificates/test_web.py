"""Certificate pages: the clerk's issuance form gives a PDF, the history page lists and disposes copies, and the
verification page and API answer anyone without signing in, showing only what the copy shows."""

from __future__ import annotations

import io
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from tests import factories
from tests.certificates.conftest import atena_numbers
from tests.certificates.pdf_tools import flat, pdf_text
from tests.web.conftest import login_as


def issue_form(subject: str, **overrides: str) -> dict[str, str]:
    data = {"subjects": subject, "certificate_type": "copy_individual", "requester_kind": "self",
            "requester_name": "山田 太郎", "official": "auto", "copies": "1", "seal": "y", "include_foreign_items": "y"}  # fmt: skip
    data.update(overrides)
    return data


@pytest.mark.req("j1000", "j300", "j360")
def test_clerk_issues_a_pdf_and_sees_it_in_the_history_then_disposes_it(
    client: FlaskClient, users_a: dict[str, models.User], family: models.Household, setup_session: Session
) -> None:
    login_as(client, users_a["clerk"])
    hanako = atena_numbers(family)[1]
    assert "証明書発行" in client.get("/certificates/issue").get_data(as_text=True)
    response = client.post("/certificates/issue", data=issue_form(hanako))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "氏名山田花子" in flat(pdf_text(response.data))
    row = setup_session.scalars(select(models.CertificateIssuance)).one()
    page = client.get(f"/certificates/history/{hanako}").get_data(as_text=True)
    assert row.issue_number in page and "処分" in page
    client.post(
        "/certificates/dispose",
        data={"issue_number": row.issue_number, "reason": "紙詰まり", "atena_number": hanako},
    )
    setup_session.expire_all()
    assert setup_session.scalars(select(models.CertificateIssuance)).one().status == "disposed"
    assert "処分済み（紙詰まり）" in client.get(f"/certificates/history/{hanako}").get_data(as_text=True)


@pytest.mark.req("j300")
def test_the_history_page_of_another_municipalitys_person_is_not_found(
    client: FlaskClient,
    users_a: dict[str, models.User],
    family: models.Household,
    setup_session: Session,
    city_b: models.Municipality,
) -> None:
    saku = factories.make_household_row(setup_session, city_b, number=902)
    other = factories.make_resident_row(setup_session, saku, number=902).atena_number
    setup_session.flush()
    login_as(client, users_a["clerk"])
    assert client.get(f"/certificates/history/{other}").status_code == 404
    assert client.get(f"/certificates/history/{atena_numbers(family)[0]}").status_code == 200


@pytest.mark.req("j1000")
def test_third_party_asking_for_my_number_gets_a_japanese_refusal(
    client: FlaskClient, users_a: dict[str, models.User], family: models.Household
) -> None:
    login_as(client, users_a["clerk"])
    form = issue_form(
        atena_numbers(family)[1], requester_kind="third_party", include_my_number="y", purpose="債権回収"
    )
    response = client.post("/certificates/issue", data=form)
    assert response.status_code == 403
    assert "個人番号" in response.get_data(as_text=True)


@pytest.mark.req("j1000")
def test_an_auditor_cannot_issue(
    client: FlaskClient, users_a: dict[str, models.User], family: models.Household
) -> None:
    login_as(client, users_a["auditor"])
    assert client.post("/certificates/issue", data=issue_form(atena_numbers(family)[0])).status_code == 403


@pytest.mark.req("j300")
def test_anyone_can_verify_a_copy_by_payload_or_pdf_and_sees_no_personal_data(
    client: FlaskClient, users_a: dict[str, models.User], family: models.Household, setup_session: Session
) -> None:
    login_as(client, users_a["clerk"])
    pdf = client.post("/certificates/issue", data=issue_form(atena_numbers(family)[0])).data
    number = setup_session.scalars(select(models.CertificateIssuance)).one().issue_number
    public = client.application.test_client()
    from pypdf import PdfReader

    payload = str(PdfReader(io.BytesIO(pdf)).metadata["/Subject"])
    answer = public.get("/verify/api", query_string={"payload": payload})
    assert answer.status_code == 200
    assert answer.get_json() == {
        "outcome": "valid", "message": "真正な証明書です（改ざんされていません）", "municipality": "神奈川県横浜市",
        "certificate_type": "住民票の写し（個人票）", "issue_date": answer.get_json()["issue_date"], "issue_number": number,
    }  # fmt: skip
    page = public.post(
        "/verify", data={"pdf": (io.BytesIO(pdf), "copy.pdf")}, content_type="multipart/form-data"
    )
    text = page.get_data(as_text=True)
    assert "真正な証明書です" in text and number in text
    assert re.search(r"<dt>発行日</dt><dd>令和\d+年\d+月\d+日</dd>", text)  # in 和暦 (j90), not 2026-11-26
    assert "山田" not in text and "港町" not in text
    tampered = public.get("/verify/api", query_string={"payload": payload[:-3] + "AAA"}).get_json()
    assert tampered["outcome"] == "altered"
    assert public.get("/verify/api").status_code == 400
