"""Benchmark: certificates per second per core, for a 個人票 and a four-person 世帯連記式, beside a plain
WeasyPrint render of the same HTML in the same run.

    taskset -c 0 .venv/bin/python -m bench.certificates [--seconds 5]

Single process (= one core).  "ours" is the whole rendering path of ``issue_certificate`` after the content
is composed: Jinja, printed-text digest, signed QR code, PDF — from the cached form of the layout
(``handlers/certificates/fastpdf.py``); each copy has its own 発行番号 and the people rotate among four
households, so every copy re-shapes and re-places its variable text.  "weasy" is the previous path (WeasyPrint
per copy with the process-wide FontConfiguration, pre-parsed stylesheet and IPAmj core subset).  "plain"
renders the very same final HTML the way a first WeasyPrint program does: a new FontConfiguration and
stylesheet per document and the full IPAmj font.  Rates are copies per wall-clock second and per CPU second
of this process (the CPU figure is the steadier one on a shared machine).  Not a test: it prints.
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
from handlers.certificates.render import TEMPLATES, html_to_pdf, render_certificate
from handlers.rules.dates import format_wareki

ISSUE_NUMBER = "20261126 横浜市 本庁1 プリンタ001 000011"
OPTIONS = CertificateOptions(include_head_relation=True, include_kana=True)
PEOPLE = [("太郎", "タロウ", "世帯主", "1980-04-01", "1"), ("花子", "ハナコ", "妻", "1982-06-15", "2"),
          ("一郎", "イチロウ", "子", "2010-01-20", "1"), ("髙子", "タカコ", "子", "2013-03-03", "2")]  # fmt: skip


FAMILIES = ("山田", "佐藤", "髙橋", "渡邉")


def snapshot(
    given: str, kana: str, relation: str, born: str, sex: str, family: str = "山田"
) -> dict[str, Any]:
    return {
        "atena_number": f"00000{len(given)}{ord(given[0]) % 10000:04d}", "resident_kind": "japanese",
        "status": "resident", "family_name": family, "given_name": given, "family_name_kana": "ヤマダ",
        "given_name_kana": kana, "birth_date": born, "sex": sex, "relation_to_head": relation,
        "became_resident_date": "2020-04-01", "address_set_date": "2020-04-01",
        "previous_address": "東京都千代田区千代田1番1号", "household_address": "神奈川県横浜市中区港町1丁目1番地",
        "household_address_katagaki": "港ハイツ101号室", "head_name": "山田 太郎",
    }  # fmt: skip


def content_for(code: str, count: int, family: str = "山田") -> CertificateContent:
    kind = TYPES[code]
    today = dt.date(2026, 11, 26)
    blocks = [
        PersonBlock(s["atena_number"], fit_cells(person_cells(s, kind, OPTIONS, today), 60.0, "truncate", []))
        for s in (snapshot(*p, family=family) for p in PEOPLE[:count])
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


def rate(work: Callable[[int], object], seconds: float) -> tuple[float, float]:
    """(copies per wall-clock second, copies per CPU second)."""
    work(0)  # warm-up (first use builds caches and the form)
    done, start, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds or done < 3:
        done += 1
        work(done)
    return done / (time.perf_counter() - start), done / (time.process_time() - cpu)


def ours(contents: list[CertificateContent], copy: int) -> object:
    return render_certificate(contents[copy % len(contents)], f"{ISSUE_NUMBER[:-6]}{copy:06d}")


def once(render: Callable[[str], bytes], html: str, copy: int) -> object:
    return render(html)  # the same final HTML every time (WeasyPrint caches nothing between documents)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    print(f"{'certificate':<20}{'ours /s':>9}{'(cpu)':>8}{'weasy /s':>10}{'(cpu)':>8}{'plain /s':>10}{'(cpu)':>8}"
          f"{'ours÷plain':>12}")  # fmt: skip
    for label, code, count in (("個人票", "copy_individual", 1), ("世帯連記式 (4人)", "copy_household", 4)):
        contents = [content_for(code, count, family) for family in FAMILIES]
        html = render_certificate(contents[0], ISSUE_NUMBER).html
        fast = rate(partial(ours, contents), args.seconds)
        weasy = rate(partial(once, html_to_pdf, html), args.seconds)
        plain = rate(partial(once, plain_render, html), args.seconds)
        print(f"{label:<20}{fast[0]:>9.1f}{fast[1]:>8.1f}{weasy[0]:>10.1f}{weasy[1]:>8.1f}{plain[0]:>10.1f}"
              f"{plain[1]:>8.1f}{fast[0] / plain[0]:>11.1f}×")  # fmt: skip


if __name__ == "__main__":
    main()
