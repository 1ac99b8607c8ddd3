"""Fast certificate PDFs: the fixed layout from a cached ``Form``, only the text and the QR code per copy.

A copy's HTML is reduced to its *skeleton* (the markup with every text node blanked out and the QR image's
data left out) and its text nodes.  Copies with the same skeleton share a layout: WeasyPrint lays out the
first of them once (``forms.build_form``), and every copy is then written here — the form's static
graphics, each text node as a glyph run at the place WeasyPrint gave it (re-aligned when a left-, right- or
centre-aligned single line changed), the QR code as a 1-bit image — into a small PDF with pydyf.  Text is
written in the HTML's order, so extracting it (pdftotext, pypdf) gives what ``render.printed_text`` gives
and the verification digest is unchanged.

``write_pdf`` answers None whenever it cannot reproduce WeasyPrint's page (a character outside the core
font, a changed line that would not fit its cell, a layout it cannot read); the caller then uses WeasyPrint.
"""

from __future__ import annotations

import hashlib
import io
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any

import pydyf

from handlers.certificates.forms import (
    WIDTH_TOLERANCE_PX,
    Form,
    NodeLayout,
    UnsupportedFormError,
    build_form,
    collapse,
)
from handlers.certificates.qr_matrix import qr_matrix
from handlers.certificates.typeset import (
    FONT_NAME,
    CoreFace,
    GlyphRun,
    core_face,
    to_unicode_cmap,
    widths_array,
)

SKIPPED = ("head", "style", "script", "svg")
MAX_SKELETONS = 64
MAX_FORMS_PER_SKELETON = 8
PX_TO_PT = 0.75


class HtmlText(HTMLParser):
    """One pass over a certificate's HTML: the printed text, its non-blank text nodes and its skeleton."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.nodes: list[str] = []
        self._skeleton: list[str] = []
        self._skip = 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self._skip += 1
        varying = tag in ("img", "meta")  # the QR code's data and the payload differ per copy
        self._skeleton.append(f"<{tag}>" if varying else self.get_starttag_text() or tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self._skip -= 1
        self._skeleton.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.parts.append(data)
        if data.strip(" \t\n\r\f"):
            self.nodes.append(data)
            self._skeleton.append("\0")

    @property
    def printed_text(self) -> str:
        return "".join(self.parts)

    @property
    def skeleton(self) -> str:
        return hashlib.blake2b("".join(self._skeleton).encode(), digest_size=16).hexdigest()


@dataclass(frozen=True)
class PlacedLine:
    run: GlyphRun
    x: float
    baseline: float
    size: float
    letter_spacing: float


_lock = threading.Lock()
_forms: OrderedDict[str, list[Form]] = OrderedDict()
_unsupported: set[str] = set()


def _cached_form(reader: HtmlText) -> Form | None:
    with _lock:
        for form in _forms.get(reader.skeleton, ()):
            if all(reader.nodes[i] == text for i, text in form.fixed_texts.items()):
                _forms.move_to_end(reader.skeleton)
                return form
    return None


def _new_form(face: CoreFace, reader: HtmlText, layout: Callable[[], Any], pinned: set[int]) -> Form | None:
    """Lay this copy out with WeasyPrint and keep it as a form of its skeleton (None if it cannot be one)."""
    if reader.skeleton in _unsupported or any(face.shape(collapse(text)) is None for text in reader.nodes):
        return None  # a rare character: WeasyPrint's font fallback is needed
    try:
        form = build_form(face, layout(), reader.nodes, pinned)
    except UnsupportedFormError as error:
        if error.permanent:
            with _lock:
                _unsupported.add(reader.skeleton)
        return None
    with _lock:
        forms = _forms.setdefault(reader.skeleton, [])
        forms[:] = [form, *forms][:MAX_FORMS_PER_SKELETON]
        _forms.move_to_end(reader.skeleton)
        while len(_forms) > MAX_SKELETONS:
            _forms.popitem(last=False)
    return form


def _place(face: CoreFace, node: NodeLayout, text: str) -> list[PlacedLine] | None:
    if text == node.text:
        return [
            PlacedLine(line.run, line.x, line.baseline, line.size, line.letter_spacing) for line in node.lines
        ]
    line = node.lines[0]
    run = face.shape(collapse(text))
    if run is None:
        return None
    width = run.width(line.size)
    x = {"right": line.x + line.width - width, "center": line.x + (line.width - width) / 2}.get(
        line.align, line.x
    )
    if x < line.room[0] - WIDTH_TOLERANCE_PX or x + width > line.room[1] + WIDTH_TOLERANCE_PX:
        return None  # would not fit its cell: WeasyPrint clips or wraps it
    return [PlacedLine(run, x, line.baseline, line.size, 0.0)]


def _text_ops(face: CoreFace, line: PlacedLine) -> str:
    parts = []
    for glyph, advance in zip(line.run.glyphs, line.run.advances, strict=True):
        parts.append(f"{glyph:04x}")
        delta = face.nominal_advance(glyph) - advance
        if abs(delta) > 1e-6:
            parts.append(f">{delta * 1000:.3f}<")
    return (f"BT /F1 {line.size:.6f} Tf {line.letter_spacing:.4f} Tc 1 0 0 -1 {line.x:.6f} {line.baseline:.6f} Tm "
            f"[<{''.join(parts)}>] TJ ET")  # fmt: skip


COMPRESSION = 6  # zlib level per copy: pydyf's 9 costs ~3× the time for ~5 % smaller files


def _flate(data: bytes, extra: dict[str, Any] | None = None, *, level: int = COMPRESSION) -> pydyf.Stream:
    """A FlateDecode stream compressed here, once (pydyf recompresses at level 9 every time it is written)."""
    return pydyf.Stream(
        [zlib.compress(data, level)], pydyf.Dictionary({**(extra or {}), "Filter": "/FlateDecode"})
    )


_LIGHT_DARK = bytes.maketrans(b"\x00\x01", b"10")  # a module's value → its bit (1 = white, 0 = black)


def _qr_image(payload: str) -> pydyf.Stream:
    """The QR code as a 1-bit grey image, one pixel per module with a 2-module quiet zone, drawn unsmoothed."""
    matrix = qr_matrix(payload)  # = segno.make(payload, error="m", micro=False, mask=0).matrix
    size = len(matrix) + 4
    padding = -size % 8
    quiet = (1 << (size + padding)) - 1
    rows = [quiet, quiet]
    for row in matrix:
        bits = b"11" + bytes(row).translate(_LIGHT_DARK) + b"11" + b"1" * padding
        rows.append(int(bits, 2))
    rows += [quiet, quiet]
    width = (size + padding) // 8
    data = b"".join(row.to_bytes(width, "big") for row in rows)
    extra = {"Type": "/XObject", "Subtype": "/Image", "Width": size, "Height": size,
             "ColorSpace": "/DeviceGray", "BitsPerComponent": 1, "Interpolate": "false"}  # fmt: skip
    return _flate(data, extra)


@lru_cache(maxsize=1)
def _descriptor_values() -> dict[str, Any]:
    from fontTools.ttLib import TTFont

    from handlers.certificates.fonts import core_font_path

    font = TTFont(str(core_font_path()), lazy=True)
    scale = 1000 / font["head"].unitsPerEm
    head, hhea = font["head"], font["hhea"]
    bbox = [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)]
    return {"Flags": 4, "FontBBox": pydyf.Array(bbox), "ItalicAngle": 0, "Ascent": round(hhea.ascent * scale),
            "Descent": round(hhea.descent * scale), "CapHeight": bbox[3], "StemV": 80, "StemH": 80}  # fmt: skip


def _font(pdf: pydyf.PDF, face: CoreFace, texts: dict[int, str]) -> pydyf.Dictionary:
    data = face.subset(set(texts))
    tag = "".join(chr(65 + b % 26) for b in hashlib.md5(data, usedforsecurity=False).digest()[:6])
    base = f"/{tag}+{FONT_NAME}"
    file = _flate(data, {"Length1": len(data)})
    unicode_map = _flate(to_unicode_cmap(texts))
    pdf.add_object(file)
    pdf.add_object(unicode_map)
    descriptor = pydyf.Dictionary({"Type": "/FontDescriptor", "FontName": base, "FontFile2": file.reference,
                                   **_descriptor_values()})  # fmt: skip
    pdf.add_object(descriptor)
    cid_font = pydyf.Dictionary({
        "Type": "/Font", "Subtype": "/CIDFontType2", "BaseFont": base, "CIDToGIDMap": "/Identity",
        "CIDSystemInfo": pydyf.Dictionary({"Registry": pydyf.String("Adobe"), "Ordering": pydyf.String("Identity"),
                                           "Supplement": 0}),
        "W": widths_array({g: face.nominal_advance(g) for g in texts}), "FontDescriptor": descriptor.reference,
    })  # fmt: skip
    pdf.add_object(cid_font)
    font = pydyf.Dictionary({"Type": "/Font", "Subtype": "/Type0", "BaseFont": base, "Encoding": "/Identity-H",
                             "DescendantFonts": pydyf.Array([cid_font.reference]),
                             "ToUnicode": unicode_map.reference})  # fmt: skip
    pdf.add_object(font)
    return font


def _assemble(
    face: CoreFace, form: Form, placed: list[tuple[int, list[PlacedLine]]], payload: str, title: str
) -> bytes:
    pdf = pydyf.PDF()
    pdf.info.update({"Title": pydyf.String(title), "Subject": pydyf.String(payload),
                     "Producer": pydyf.String("Jumin (WeasyPrint layout)")})  # fmt: skip
    pdf.catalog["Lang"] = pydyf.String("ja")
    texts: dict[int, str] = {}
    for _, lines in placed:
        for line in lines:
            for glyph, text in zip(line.run.glyphs, line.run.texts, strict=True):
                texts.setdefault(glyph, text)
    font = _font(pdf, face, texts)
    image = _qr_image(payload) if form.qr else None
    if image is not None:
        pdf.add_object(image)
    for index, graphics in enumerate(form.pages):
        ops = [f"q 1 0 0 -1 0 {graphics.height_pt:.6f} cm {PX_TO_PT} 0 0 {PX_TO_PT} 0 0 cm 0 g"]
        ops += [_text_ops(face, line) for page, lines in placed if page == index for line in lines]
        if image is not None and form.qr is not None and form.qr.page == index:
            qr = form.qr
            ops.append(f"q {qr.width:.6f} 0 0 {-qr.height:.6f} {qr.x:.6f} {qr.y + qr.height:.6f} cm /Q1 Do Q")
        ops.append("Q")
        static = pydyf.Stream([graphics.compressed], pydyf.Dictionary({"Filter": "/FlateDecode"}))
        content = _flate("\n".join(ops).encode())
        pdf.add_object(static)
        pdf.add_object(content)
        states = pydyf.Dictionary({name: pydyf.Dictionary(state) for name, state in graphics.states.items()})
        resources = pydyf.Dictionary({"Font": pydyf.Dictionary({"F1": font.reference}), "ExtGState": states})
        if image is not None:
            resources["XObject"] = pydyf.Dictionary({"Q1": image.reference})
        pdf.add_page(pydyf.Dictionary({
            "Type": "/Page", "Parent": pdf.pages.reference, "Resources": resources,
            "Contents": pydyf.Array([static.reference, content.reference]),
            "MediaBox": pydyf.Array([0, 0, graphics.width_pt, graphics.height_pt]),
        }))  # fmt: skip
    output = io.BytesIO()
    pdf.write(output, version=b"1.7", identifier=True)
    return output.getvalue()


def _place_all(
    face: CoreFace, form: Form, reader: HtmlText
) -> tuple[list[tuple[int, list[PlacedLine]]], set[int]]:
    """Each text node placed on its page, and the indexes of those that could not be placed."""
    placed, failed = [], set()
    for index, (node, text) in enumerate(zip(form.nodes, reader.nodes, strict=True)):
        lines = _place(face, node, text)
        if lines is None:
            failed.add(index)
        placed.append((node.page, lines or []))
    return placed, failed


def write_pdf(reader: HtmlText, payload: str, title: str, layout: Callable[[], Any]) -> bytes | None:
    """The copy's PDF from its form, or None when WeasyPrint must render it.  ``reader`` is the parsed HTML of
    the copy; ``layout()`` lays the copy out with WeasyPrint (a ``Document``) when no form fits it.  A text
    that cannot take the place of the form's (it would wrap, or overflow its cell) gets a form of its own,
    kept for the copies with the same text there (an acting mayor's longer 公印 title, say)."""
    face = core_face()
    if face is None:
        return None
    form = _cached_form(reader) or _new_form(face, reader, layout, set())
    if form is None:
        return None
    placed, failed = _place_all(face, form, reader)
    if failed:
        form = _new_form(face, reader, layout, failed)
        if form is None:
            return None
        placed, failed = _place_all(face, form, reader)
        if failed:
            return None
    return _assemble(face, form, placed, payload, title)
