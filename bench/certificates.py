"""Benchmark: certificates per second per core, for a 個人票 and a four-person 世帯連記式, beside a plain
WeasyPrint render of the same HTML in the same run.

    .venv/bin/python -m bench.certificates [--seconds 5]

Single process (= one core).  "ours" is the whole rendering path of ``issue_certificate`` after the content
is composed: Jinja, printed-text digest, signed QR code (segno SVG), WeasyPrint PDF with the process-wide
FontConfiguration, the pre-parsed stylesheet and the cached IPAmj core subset.  "plain" renders the very same
final HTML the way a first WeasyPrint program does: a new FontConfiguration and stylesheet per document and
the full IPAmj font.  Not a test: it prints, it does not assert.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from handlers.certificates.catalog import TYPES
from handlers.certificates.content import CertificateContent, PersonBlock, fit_cells, paginate, person_cells
from handlers.certificates.fonts import FALLBACK_FAMILIES
from handlers.certificates.officials import Official
from handlers.certificates.options import CertificateOptions
from handlers.certificates.render import TEMPLATES, render_certificate
from handlers.rules.dates import format_wareki

ISSUE_NUMBER = "20261126 横浜市 本庁1 プリンタ001 000011"
OPTIONS = CertificateOptions(include_head_relation=True, include_kana=True)
PEOPLE = [("太郎", "タロウ", "世帯主", "1980-04-01", "1"), ("花子", "ハナコ", "妻", "1982-06-15", "2"),
          ("一郎", "イチロウ", "子", "2010-01-20", "1"), ("髙子", "タカコ", "子", "2013-03-03", "2")]  # fmt: skip


def snapshot(given: str, kana: str, relation: str, born: str, sex: str) -> dict[str, Any]:
    return {
        "atena_number": f"00000{len(given)}{ord(given[0]) % 10000:04d}", "resident_kind": "japanese",
        "status": "resident", "family_name": "山田", "given_name": given, "family_name_kana": "ヤマダ",
        "given_name_kana": kana, "birth_date": born, "sex": sex, "relation_to_head": relation,
        "became_resident_date": "2020-04-01", "address_set_date": "2020-04-01",
        "previous_address": "東京都千代田区千代田1番1号", "household_address": "神奈川県横浜市中区港町1丁目1番地",
        "household_address_katagaki": "港ハイツ101号室", "head_name": "山田 太郎",
    }  # fmt: skip


def content_for(code: str, count: int) -> CertificateContent:
    kind = TYPES[code]
    today = dt.date(2026, 11, 26)
    blocks = [
        PersonBlock(s["atena_number"], fit_cells(person_cells(s, kind, OPTIONS, today), 60.0, "truncate", []))
        for s in (snapshot(*p) for p in PEOPLE[:count])
    ]
    official = Official("横浜市長", "山中 竹春", False, "神奈川県横浜市長")
    return CertificateContent(kind, "141003", "横浜市", "神奈川県", [], paginate(blocks, kind.layout), official,
                              today, format_wareki(today), OPTIONS)  # fmt: skip


def plain_render(html: str) -> bytes:
    """What a first WeasyPrint program does: everything fresh per document, the full MJ font."""
    from weasyprint import CSS, HTML

    families = ", ".join(f"'{f}'" for f in FALLBACK_FAMILIES)
    css = CSS(
        string=f"html {{ font-family: {families}, serif; }}\n" + (TEMPLATES / "certificate.css").read_text()
    )
    pdf: bytes = HTML(string=html).write_pdf(stylesheets=[css])
    return pdf


def rate(work: Callable[[], object], seconds: float) -> float:
    work()  # warm-up (first use builds caches)
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds or done < 3:
        work()
        done += 1
    return done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    print(f"{'certificate':<26}{'ours /s/core':>14}{'plain /s/core':>15}{'ratio':>8}")
    for label, code, count in (("個人票", "copy_individual", 1), ("世帯連記式 (4人)", "copy_household", 4)):
        content = content_for(code, count)
        html = render_certificate(content, ISSUE_NUMBER).html
        ours = rate(partial(render_certificate, content, ISSUE_NUMBER), args.seconds)
        plain = rate(partial(plain_render, html), args.seconds)
        print(f"{label:<26}{ours:>14.1f}{plain:>15.1f}{ours / plain:>7.1f}×")


if __name__ == "__main__":
    main()
