"""The certificate typeface: IPAmj明朝 (文字情報基盤 / MJ, Debian fonts-ipamj-mincho) with Noto Serif CJK JP as
per-glyph fallback.

Speed: embedding a glyph subset of the 45 MB IPAmj file costs ~70 ms per PDF (HarfBuzz copies and subsets
the whole face).  So we build, once per deployment, a *core* subset of IPAmj holding JIS X 0213 and the
Windows-31J extensions (~11,000 characters, with their ideographic variation sequences), cache it on disk
and list it first; characters outside it fall through, glyph by glyph, to the full IPAmj and then to Noto.
The cache file is keyed by the source font's size and mtime, so a font upgrade rebuilds it.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

from handlers.settings import PROJECT_ROOT

IPAMJ_PATH = Path("/usr/share/fonts/truetype/ipamj/ipamjm.ttf")
CORE_FAMILY = "IPAmjMincho-Core"
FALLBACK_FAMILIES = ("IPAmj明朝", "IPAmjMincho", "IPAexMincho", "Noto Serif CJK JP")
BUILD_VERSION = "1"
_lock = threading.Lock()


def cache_dir() -> Path:
    return Path(os.environ.get("JUMIN_FONT_CACHE") or PROJECT_ROOT / "instance" / "fonts")


def _core_characters() -> list[int]:
    chars: set[int] = set(range(0x20, 0x7F)) | set(range(0x3000, 0x3100)) | set(range(0xFF01, 0xFF9F))
    for codec, leads in (("euc_jisx0213", range(0xA1, 0xFF)), ("cp932", range(0x81, 0xFD))):
        for lead in leads:
            for trail in range(0x40, 0xFF):
                try:
                    chars.update(ord(c) for c in bytes((lead, trail)).decode(codec))
                except UnicodeDecodeError:
                    continue
    # the variation selectors themselves, so the format-14 cmap survives the subset
    chars.update(range(0xFE00, 0xFE10))
    chars.update(range(0xE0100, 0xE01F0))
    return sorted(chars)


def _core_path() -> Path:
    stat = IPAMJ_PATH.stat()
    key = hashlib.sha256(f"{BUILD_VERSION}:{stat.st_size}:{int(stat.st_mtime)}".encode()).hexdigest()[:16]
    return cache_dir() / f"ipamj-core-{key}.ttf"


def _build_core(target: Path) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(IPAMJ_PATH))
    wanted = set(_core_characters())
    variants = {
        glyph
        for table in font["cmap"].tables
        if table.format == 14
        for pairs in table.uvsDict.values()
        for base, glyph in pairs
        if glyph and base in wanted
    }
    options = subset.Options(
        layout_features=["*"], name_IDs=["*"], name_languages=["*"], notdef_outline=True, hinting=False
    )
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(wanted), glyphs=sorted(variants))
    subsetter.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    font.save(str(partial))
    partial.replace(target)  # atomic: concurrent builders never see half a file


def core_font_path() -> Path | None:
    """The cached core subset, built on first use (a few seconds); None when IPAmj is not installed."""
    if not IPAMJ_PATH.exists():
        return None
    target = _core_path()
    if target.exists():
        return target
    with _lock:
        if not target.exists():
            _build_core(target)
    return target


def font_face_css() -> str:
    """@font-face for the core subset and the font-family list every certificate uses."""
    core = core_font_path()
    families = ", ".join(f"'{name}'" for name in ((CORE_FAMILY,) if core else ()) + FALLBACK_FAMILIES)
    face = f"@font-face {{ font-family: '{CORE_FAMILY}'; src: url('{core.as_uri()}'); }}\n" if core else ""
    return f"{face}html {{ font-family: {families}, serif; }}\n"
