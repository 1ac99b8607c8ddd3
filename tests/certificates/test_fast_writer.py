"""The fast writer (handlers/certificates/fastpdf.py) prints what WeasyPrint prints: same page image within the
reference tolerance, same text in the same order (pdftotext and the verification digest), IPAmj embedded — and
hands the copy to WeasyPrint when it cannot (a rare character, a value that would not fit its cell)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from handlers.certificates import render
from handlers.certificates.catalog import TYPES
from handlers.certificates.content import CertificateContent, PersonBlock, fit_cells, paginate, person_cells
from handlers.certificates.officials import Official
from handlers.certificates.options import CertificateOptions
from handlers.certificates.signing import text_digest
from handlers.certificates.verification import extract_pdf_text
from tests.certificates.pdf_tools import page_images, pdf_fonts, pdf_text
from tests.certificates.test_reference_images import MAX_DIFFERENT_PIXELS, difference_ratio

TODAY = dt.date(2026, 11, 26)
OPTIONS = CertificateOptions(include_head_relation=True, include_kana=True)


def snapshot(
    given: str, relation: str = "世帯主", address: str = "神奈川県横浜市中区港町1丁目1番地"
) -> dict[str, Any]:
    return {
        "atena_number": f"0000{abs(hash(given)) % 10**8:08d}", "resident_kind": "japanese", "status": "resident",
        "family_name": "山田", "given_name": given, "family_name_kana": "ヤマダ", "given_name_kana": "タロウ",
        "birth_date": "1980-04-01", "sex": "1", "relation_to_head": relation, "became_resident_date": "2020-04-01",
        "address_set_date": "2020-04-01", "household_address": address, "head_name": "山田 太郎",
    }  # fmt: skip


MAYOR = Official("横浜市長", "山中 竹春", False, "神奈川県横浜市長")


def content(code: str, people: list[dict[str, Any]], official: Official = MAYOR) -> CertificateContent:
    kind = TYPES[code]
    blocks = [
        PersonBlock(
            p["atena_number"], fit_cells(person_cells(p, kind, OPTIONS, TODAY), 130.0, "truncate", [])
        )
        for p in people
    ]
    return CertificateContent(kind, "141003", "横浜市", "神奈川県", [], paginate(blocks, kind.layout), official,
                              TODAY, "令和8年11月26日", OPTIONS)  # fmt: skip


def weasyprint_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count what WeasyPrint is asked to do: a whole copy (the fallback) or laying out a new form."""
    calls: list[str] = []
    for name in ("html_to_pdf", "render_document"):
        original = getattr(render, name)

        def counted(html: str, name: str = name, original: Any = original) -> Any:
            calls.append(name)
            return original(html)

        monkeypatch.setattr(render, name, counted)
    return calls


def same_page_images(a: bytes, b: bytes, tmp_path: Path) -> None:
    first, second = page_images(a, tmp_path / "a"), page_images(b, tmp_path / "b")
    assert len(first) == len(second)
    for x, y in zip(first, second, strict=True):
        assert difference_ratio(Image.open(x), Image.open(y)) <= MAX_DIFFERENT_PIXELS


@pytest.mark.req("j1000", "j1040")
@pytest.mark.parametrize(
    ("code", "names"), [("copy_individual", ["太郎"]), ("copy_household", ["太郎", "花子", "一郎", "髙子"])]
)
def test_later_copies_come_from_the_cached_form_and_print_what_weasyprint_prints(
    code: str, names: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    render.render_certificate(
        content(code, [snapshot(n) for n in names]), "20261126 横浜市 本庁1 プリンタ001 000001"
    )
    calls = weasyprint_calls(monkeypatch)
    # another person, another 発行番号 (right-aligned), a shorter address: same layout, new text
    other = content(code, [snapshot(n[::-1], address="東京都港区芝公園四丁目2番8号") for n in names])
    copy = render.render_certificate(other, "20261126 横浜市 本庁1 プリンタ001 000123")
    assert calls == []
    same_page_images(copy.pdf, render.html_to_pdf(copy.html), tmp_path)
    assert pdf_text(copy.pdf) == pdf_text(render.html_to_pdf(copy.html))
    assert text_digest(extract_pdf_text(copy.pdf)) == copy.digest
    fonts = pdf_fonts(copy.pdf, tmp_path).splitlines()[2:]
    assert fonts and all("IPAmj" in line and " yes yes yes " in line for line in fonts), fonts


@pytest.mark.req("j1000")
def test_a_character_outside_the_core_font_is_left_to_weasyprint(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = weasyprint_calls(monkeypatch)
    copy = render.render_certificate(
        content("copy_individual", [snapshot("𠮷男")]), "20261126 横浜市 本庁1 端末 000002"
    )
    assert calls == ["html_to_pdf"]
    assert "𠮷" in pdf_text(copy.pdf)


@pytest.mark.req("j1070")
def test_a_value_wider_than_its_cell_is_left_to_weasyprint(monkeypatch: pytest.MonkeyPatch) -> None:
    render.render_certificate(
        content("copy_individual", [snapshot("太郎")]), "20261126 横浜市 本庁1 端末 000003"
    )
    calls = weasyprint_calls(monkeypatch)
    wide = content("copy_individual", [snapshot("太郎")])
    cells = wide.sheets[0].persons[0].cells
    address = next(i for i, cell in enumerate(cells) if cell.field == "address")
    cells[address] = replace(
        cells[address], text="神奈川県横浜市中区港町" + "一丁目" * 12
    )  # unfitted: same size
    copy = render.render_certificate(wide, "20261126 横浜市 本庁1 端末 000004")
    assert calls == ["render_document", "html_to_pdf"]  # tried as a form of its own: clipped, so not kept
    assert text_digest(extract_pdf_text(copy.pdf)) == copy.digest


@pytest.mark.req("j1050", "j310")
def test_a_longer_seal_title_gets_a_form_of_its_own_that_later_copies_reuse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    render.render_certificate(
        content("copy_individual", [snapshot("太郎")]), "20261126 横浜市 本庁1 端末 000005"
    )
    acting = Official("横浜市長職務代理者 副市長", "平原 敏英", True, "神奈川県横浜市長職務代理者 副市長")
    calls = weasyprint_calls(monkeypatch)
    render.render_certificate(
        content("copy_individual", [snapshot("花子")], acting), "20261205 横浜市 本庁1 端末 000006"
    )
    assert calls == ["render_document"]  # the seal text wraps in its box: a new form, from this copy
    copy = render.render_certificate(
        content("copy_individual", [snapshot("一郎")], acting), "20261205 横浜市 本庁1 端末 000007"
    )
    mayor = render.render_certificate(
        content("copy_individual", [snapshot("次郎")]), "20261126 横浜市 本庁1 端末 000008"
    )
    assert calls == ["render_document"]
    same_page_images(copy.pdf, render.html_to_pdf(copy.html), tmp_path)
    assert "横浜市長職務代理者副市長之印" in pdf_text(copy.pdf).replace(" ", "").replace("\n", "")
    assert "横浜市長之印" in pdf_text(mayor.pdf)
