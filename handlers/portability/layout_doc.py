"""The column tables of docs/data-layout.md, generated from the layout (``handlers.portability.layout``).

``python -m handlers.portability.layout_doc`` rewrites the tables in place; a test checks that the document
agrees with the layout, so a model column added without regenerating them is caught.
"""

from __future__ import annotations

from pathlib import Path

from handlers.portability.layout import SPECS, FileSpec

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "data-layout.md"
TABLE_HEAD = "|---|---|---|---|---|\n"


def column_rows(spec: FileSpec) -> str:
    """One Markdown row per column of the file: position, name, kind, nullable, length or reference."""
    rows = []
    for position, column in enumerate(spec.columns, 1):
        if column.reference:
            note = f"→ {column.reference}"
        else:
            note = f"max {column.max_length} chars" if column.max_length else ""
        rows.append(
            f"| {position} | `{column.name}` | {column.kind} | {'yes' if column.nullable else 'no'} | {note} |"
        )
    return "\n".join(rows) + "\n"


def with_generated_tables(document: str) -> str:
    """``document`` with the table under each file's heading replaced by the layout's columns."""
    for spec in SPECS:
        start = document.index(TABLE_HEAD, document.index(f"### `{spec.name}.csv`")) + len(TABLE_HEAD)
        end = start
        while document.startswith("| ", end):
            end = document.index("\n", end) + 1
        document = document[:start] + column_rows(spec) + document[end:]
    return document


def main() -> None:
    DOCUMENT.write_text(with_generated_tables(DOCUMENT.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main()
