"""Reading issued PDFs the way a person or a printer does: poppler's pdftotext, pdftoppm and pdffonts."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def flat(text: str) -> str:
    """Text without any white space (pdftotext separates cells with spaces and lines)."""
    return re.sub(r"[\s\u3000]+", "", text)


def pages_text(pdf: bytes) -> list[str]:
    return pdf_text(pdf).split("\f")[:-1]


def pdf_fonts(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout


def page_images(pdf: bytes, tmp_path: Path, *, resolution: int = 50) -> list[Path]:
    source = tmp_path / "pages.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(resolution), "-png", str(source), str(tmp_path / "page")], check=True
    )
    return sorted(tmp_path.glob("page-*.png"))


def has_item(pdf_or_text: bytes | str, label: str, value: str) -> bool:
    text = pdf_text(pdf_or_text) if isinstance(pdf_or_text, bytes) else pdf_or_text
    return flat(label + value) in flat(text)
