"""Generate handlers/requirements_data.json, the compact registry of chapter 3's requirements, from the
per-section text of the standard (a transcription of 住民記録システム標準仕様書 第1.0版 第3章: index.md and
jNNN.txt).  Run once when the source changes and commit the output; the application never reads the source.

    .venv/bin/python docs/requirements/generate.py /work/shared/spec/standard-ch3
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

OUTPUT = Path(__file__).resolve().parents[2] / "handlers" / "requirements_data.json"
BLOCKS = {"実装すべき機能": "must", "実装してもしなくても良い機能": "may", "実装しない機能": "must_not"}
_HEADING = re.compile(r"^(#+)\s*\[?([0-9.]+)\s*(.*?)\s*\((\d+)\)\]?")
_BLOCK = re.compile(r"^【(.+?)】\s*$")


def sections(index: Path) -> list[dict[str, str]]:
    found = []
    for line in index.read_text("utf-8-sig").splitlines():
        match = _HEADING.match(line.strip())
        if match:
            number, title, key = match.group(2).rstrip("."), match.group(3), f"j{match.group(4)}"
            found.append({"key": key, "number": number, "title": title})
    return found


def blocks(path: Path) -> dict[str, list[str]]:
    """The three blocks' items (one per non-empty line; 【sub-headings】 inside a block are kept as items)."""
    result: dict[str, list[str]] = {"must": [], "may": [], "must_not": []}
    current: str | None = None
    for raw in path.read_text("utf-8-sig").splitlines():
        line = raw.strip()
        match = _BLOCK.match(line)
        if match and match.group(1) in BLOCKS:
            current = BLOCKS[match.group(1)]
            continue
        if current and line:
            result[current].append(line)
    return result


def main(source: Path) -> None:
    registry = []
    for section in sections(source / "index.md"):
        path = source / f"{section['key']}.txt"
        items = blocks(path) if path.exists() else {"must": [], "may": [], "must_not": []}
        registry.append({**section, **items})
    OUTPUT.write_text(json.dumps(registry, ensure_ascii=False, indent=1) + "\n", "utf-8")
    print(f"{len(registry)} sections → {OUTPUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/spec/standard-ch3"))
