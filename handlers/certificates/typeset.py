"""Glyph runs and the embedded font for the fast certificate writer (``fastpdf.py``).

Text is shaped with HarfBuzz (uharfbuzz) on the same cached IPAmj core subset that WeasyPrint/Pango use for
certificates, with the same default features and language, so the glyphs (ideographic variation sequences
included) and advances are Pango's.  Each PDF embeds a subset of only the glyphs it uses, cut from a face that
HarfBuzz pre-processed once per process (``subset_preprocess``): ~0.3 ms a document instead of the ~10 ms of
subsetting the face afresh.  Glyph ids are retained, so a glyph run shaped once can be reused by every copy.

A text with a character the core subset lacks (𠮷 and other rare MJ characters) has no run here: the caller
then renders that copy with WeasyPrint, whose per-glyph fallback reaches the full IPAmj font.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from math import ceil

import uharfbuzz as hb

from handlers.certificates.fonts import core_font_path

FONT_NAME = "IPAmjMincho-Core"
DROPPED_TABLES = ("BASE", "GDEF", "GPOS", "GSUB", "vhea", "vmtx", "gasp", "post", "DSIG", "name")
_lock = threading.Lock()


@dataclass(frozen=True)
class GlyphRun:
    """One line of text: glyph ids with their advances (in units of the font size, 1 = 1 em)."""

    glyphs: tuple[int, ...]
    advances: tuple[float, ...]
    texts: tuple[str, ...]  # the characters each glyph stands for (ToUnicode)

    def width(self, size: float, letter_spacing: float = 0.0) -> float:
        return sum(self.advances) * size + letter_spacing * len(self.glyphs)


class CoreFace:
    """The IPAmj core subset, loaded once: shaping, advances and per-document subsets."""

    def __init__(self, data: bytes) -> None:
        self.face = hb.Face(data)
        self.font = hb.Font(self.face)
        self.upem = self.face.upem
        self.font.scale = (self.upem, self.upem)
        self.prepared = hb.subset_preprocess(self.face)
        self._advances: dict[int, float] = {}

    def nominal_advance(self, glyph: int) -> float:
        """The glyph's advance in the font's metrics (what the PDF's /W array says), in em."""
        advance = self._advances.get(glyph)
        if advance is None:
            advance = self._advances[glyph] = self.font.get_glyph_h_advance(glyph) / self.upem
        return advance

    def shape(self, text: str) -> GlyphRun | None:
        """The glyph run of ``text``; None when a character has no glyph in the core subset."""
        buffer = hb.Buffer()
        buffer.add_str(text)
        buffer.guess_segment_properties()
        buffer.language = "ja"
        hb.shape(self.font, buffer, {})
        infos, positions = buffer.glyph_infos, buffer.glyph_positions
        if any(info.codepoint == 0 for info in infos):
            return None
        bounds = [info.cluster for info in infos] + [len(text)]  # clusters count code points here
        texts = tuple(text[bounds[i] : bounds[i + 1]] for i in range(len(infos)))
        return GlyphRun(
            tuple(info.codepoint for info in infos),
            tuple(position.x_advance / self.upem for position in positions),
            texts,
        )

    def subset(self, glyphs: set[int]) -> bytes:
        """A TrueType file with only ``glyphs`` (ids retained), for embedding as a CIDFontType2."""
        wanted = hb.SubsetInput()
        wanted.glyph_set.update(glyphs | {0})
        for tag in DROPPED_TABLES:
            wanted.drop_table_tag_set.add(_tag(tag))
        wanted.flags = hb.SubsetFlags.RETAIN_GIDS | hb.SubsetFlags.NO_HINTING
        with _lock:  # a HarfBuzz face is not documented as safe to subset from two threads at once
            result = hb.subset(self.prepared, wanted)
        if result is None:
            raise RuntimeError("HarfBuzz could not subset the IPAmj core font")
        return bytes(result.blob.data)


def _tag(name: str) -> int:
    padded = name.ljust(4).encode("latin-1")
    return int.from_bytes(padded, "big")


@lru_cache(maxsize=1)
def core_face() -> CoreFace | None:
    path = core_font_path()
    return CoreFace(path.read_bytes()) if path else None


def to_unicode_cmap(texts: dict[int, str]) -> bytes:
    """A ToUnicode CMap for glyph ids → text (so pdftotext and pypdf extract what was printed)."""
    lines = [
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        b"/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
        b"1 begincodespacerange <0000> <ffff> endcodespacerange",
    ]
    items = sorted(texts.items())
    for start in range(0, len(items), 100):
        batch = items[start : start + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines += [f"<{gid:04x}> <{text.encode('utf-16-be').hex()}>".encode() for gid, text in batch]
        lines.append(b"endbfchar")
    lines.append(b"endcmap CMapName currentdict /CMap defineresource pop end end")
    return b"\n".join(lines)


def widths_array(widths: dict[int, float]) -> str:
    """The CIDFont /W array (glyph widths in 1/1000 em), grouped in runs of consecutive ids."""
    parts: list[str] = []
    run: list[int] = []
    for gid in sorted(widths):
        if run and gid != run[-1] + 1:
            parts.append(f"{run[0]} [{' '.join(str(ceil(widths[g] * 1000 - 0.5)) for g in run)}]")
            run = []
        run.append(gid)
    if run:
        parts.append(f"{run[0]} [{' '.join(str(ceil(widths[g] * 1000 - 0.5)) for g in run)}]")
    return "[" + " ".join(parts) + "]"
