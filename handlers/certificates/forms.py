"""The fixed part of a certificate layout (様式), laid out once by WeasyPrint and kept for every later copy.

A ``Form`` is built from one copy's HTML: WeasyPrint lays it out (``HTML.render``); we read from its box tree
where each text node of the HTML was set (line by line: position, baseline, size, alignment, the room the line
has) and where the QR code goes; then we take the text and the image out of the box tree and let WeasyPrint
draw what remains (rules, frames, the seal box) — the page's *static graphics*, kept as PDF content bytes.

Every line is checked against our own shaping (``typeset.CoreFace``) when the form is built: same glyphs
from the same font, same width within a fraction of a pixel.  Anything we cannot reproduce exactly (a
character outside the core font, a text colour other than black, a graphic needing more than ExtGState
resources) makes the form unusable, and the copy is rendered by WeasyPrint alone.
"""

from __future__ import annotations

import io
import re
import zlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from handlers.certificates.typeset import CoreFace, GlyphRun

CSS_SPACE = re.compile(r"[ \t\n\r\f]+")
WIDTH_TOLERANCE_PX = 0.5
BLACK = (0.0, 0.0, 0.0, 1.0)


@dataclass(frozen=True)
class Line:
    """One line of text as WeasyPrint set it (CSS px, y downwards, origin at the page's top left)."""

    x: float
    baseline: float
    width: float
    size: float
    letter_spacing: float
    align: str  # left / right / center / justify
    room: tuple[float, float]  # the left and right edges of the block the line is in (its content box)
    text: str
    run: GlyphRun


@dataclass(frozen=True)
class NodeLayout:
    """Where one HTML text node was set: on which page, in how many lines."""

    text: str
    page: int
    lines: tuple[Line, ...]

    @property
    def fixed(self) -> bool:
        """A node whose new text cannot be set in place of the old (it wrapped, or is spaced out)."""
        line = self.lines[0]
        return len(self.lines) != 1 or bool(line.letter_spacing) or line.align == "justify"


@dataclass
class PageGraphics:
    content: bytes  # the static drawing (PDF operators, WeasyPrint's coordinate system)
    states: dict[str, dict[str, float]]  # ExtGState resources it names
    width_pt: float
    height_pt: float

    @cached_property
    def compressed(self) -> bytes:
        """The drawing in its own q…Q, deflated once (best level) for every copy's first content stream."""
        return zlib.compress(b"q\n" + self.content + b"\nQ\n", 9)


@dataclass(frozen=True)
class QrPlacement:
    page: int
    x: float
    y: float
    width: float
    height: float


@dataclass
class Form:
    pages: list[PageGraphics]
    nodes: list[NodeLayout]
    qr: QrPlacement | None
    fixed_texts: dict[int, str] = field(default_factory=dict)


class UnsupportedFormError(Exception):
    """No form from this copy: for every copy of its layout (``permanent``) or for this copy's text only."""

    def __init__(self, reason: str, *, permanent: bool = True) -> None:
        super().__init__(reason)
        self.permanent = permanent


def collapse(text: str) -> str:
    return CSS_SPACE.sub(" ", text).strip(" ")


def _boxes_module() -> Any:
    from weasyprint.formatting_structure import boxes

    return boxes


def _walk(box: Any, page: int, block: Any, found: list[tuple[int, Any, Any]], images: list[Any]) -> None:
    """Collect the text boxes (with the block whose lines hold them) and the images, in document order."""
    boxes = _boxes_module()
    if isinstance(box, boxes.TextBox):
        if box.text.strip(" \t\n\r\f"):
            found.append((page, box, block))
        return
    if isinstance(box, boxes.InlineReplacedBox | boxes.BlockReplacedBox):
        images.append((page, box))
        return
    for child in getattr(box, "children", ()):
        _walk(child, page, box if isinstance(child, boxes.LineBox) else block, found, images)


def _strip_text_and_images(box: Any) -> None:
    boxes = _boxes_module()
    children = getattr(box, "children", None)
    if children is None:
        return
    box.children = [
        child
        for child in children
        if not isinstance(child, boxes.TextBox | boxes.InlineReplacedBox | boxes.BlockReplacedBox)
    ]
    for child in box.children:
        _strip_text_and_images(child)


def _line(face: CoreFace, box: Any, block: Any) -> Line:
    style = box.style
    if tuple(style["color"]) != BLACK or style["visibility"] != "visible":
        raise UnsupportedFormError("coloured or hidden text")
    run = face.shape(box.text)
    spacing = 0.0 if style["letter_spacing"] == "normal" else float(style["letter_spacing"])
    size = round(float(style["font_size"]) * 1024) / 1024  # Pango's unit, as WeasyPrint writes it
    if run is None or abs(run.width(size, spacing) - box.width) > WIDTH_TOLERANCE_PX:
        raise UnsupportedFormError(f"cannot reproduce the line {box.text!r}", permanent=False)
    left = block.content_box_x() if block is not None else box.position_x
    right = left + (block.width if block is not None else box.width)
    if box.position_x < left - WIDTH_TOLERANCE_PX or box.position_x + box.width > right + WIDTH_TOLERANCE_PX:
        raise UnsupportedFormError(f"the line {box.text!r} overflows its block (clipped)", permanent=False)
    align = {"start": "left", "end": "right"}.get(style["text_align_all"], style["text_align_all"])
    return Line(box.position_x, box.position_y + box.baseline, box.width, size, spacing, align,
                (left, right), box.text, run)  # fmt: skip


def _node_layouts(face: CoreFace, texts: list[str], found: list[tuple[int, Any, Any]]) -> list[NodeLayout]:
    """Match the HTML's text nodes, in order, to the lines WeasyPrint set them in."""
    nodes, position = [], 0
    for text in texts:
        target, taken, lines = CSS_SPACE.sub("", text), "", []
        while len(taken) < len(target) and position < len(found):
            page, box, block = found[position]
            taken += CSS_SPACE.sub("", box.text)
            lines.append((page, _line(face, box, block)))
            position += 1
        if taken != target or len({page for page, _ in lines}) != 1:
            raise UnsupportedFormError(f"text node {text!r} does not match the layout")
        nodes.append(NodeLayout(text, lines[0][0], tuple(line for _, line in lines)))
    if position != len(found):
        raise UnsupportedFormError("the layout has text the HTML does not")
    return nodes


def _number(value: Any) -> float:
    return float(value)


def _page_graphics(pdf: bytes) -> list[PageGraphics]:
    from pypdf import PdfReader

    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources: Any = page["/Resources"].get_object()
        for kind in ("/XObject", "/Pattern", "/Shading", "/Font"):
            if kind in resources and len(resources[kind].get_object()):
                raise UnsupportedFormError(f"static graphics need {kind}")
        named = resources["/ExtGState"].get_object() if "/ExtGState" in resources else {}
        states = {
            str(name)[1:]: {str(key)[1:]: _number(value) for key, value in state.get_object().items()}
            for name, state in named.items()
        }
        contents = page.get_contents()
        data = contents.get_data() if contents is not None else b""
        box = page.mediabox
        pages.append(PageGraphics(data, states, float(box.width), float(box.height)))
    return pages


def build_form(face: CoreFace, document: Any, texts: list[str], pinned: set[int] | None = None) -> Form:
    """A Form from a rendered WeasyPrint ``Document`` of the HTML whose text nodes are ``texts``; the nodes in
    ``pinned`` (besides the wrapped and spaced-out ones) only match copies with the same text."""
    found: list[tuple[int, Any, Any]] = []
    images: list[Any] = []
    for index, page in enumerate(document.pages):
        _walk(page._page_box, index, None, found, images)
    nodes = _node_layouts(face, texts, found)
    if len(images) > 1:
        raise UnsupportedFormError("more than one image")
    qr = None
    if images:
        page_index, image = images[0]
        qr = QrPlacement(page_index, image.content_box_x(), image.content_box_y(), image.width, image.height)
    for page in document.pages:
        _strip_text_and_images(page._page_box)
    form = Form(_page_graphics(document.write_pdf()), nodes, qr)
    fixed = pinned or set()
    form.fixed_texts = {index: node.text for index, node in enumerate(nodes) if node.fixed or index in fixed}
    return form
