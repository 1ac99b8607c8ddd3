"""docs/data-layout.md describes the layout the export writes: its column tables agree with the models."""

from __future__ import annotations

import pytest

from handlers.portability.layout_doc import DOCUMENT, with_generated_tables


@pytest.mark.req("j1360", "j1410")
def test_the_published_layout_lists_every_column_the_export_writes() -> None:
    document = DOCUMENT.read_text(encoding="utf-8")
    assert with_generated_tables(document) == document, (
        "docs/data-layout.md disagrees with handlers/portability/layout.py: "
        "run python -m handlers.portability.layout_doc (and bump LAYOUT_VERSION)"
    )
