"""The operations manual (j1400): Markdown chapters in ``docs/manual/`` rendered for the screen.

One source serves both the manual read in the repository and the on-screen help: a heading ending in
``{#anchor}`` gets that id (the section a screen's help link opens), and a link to another chapter
(``certificates.md#issue``) becomes a link to its help page.  Raw HTML in the Markdown is not rendered (it is
escaped), so a chapter can only ever be text, lists, tables and links.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

MANUAL_DIR = Path(__file__).resolve().parents[2] / "docs" / "manual"
ANCHOR = re.compile(r"\s*\{#([a-z0-9][a-z0-9-]*)\}\s*$")
CHAPTER_LINK = re.compile(r"^([a-z0-9_-]+)\.md(#[a-z0-9-]+)?$")
CHAPTER_NAME = re.compile(r"^[a-z0-9_-]+$")
INDEX_LINK = re.compile(r"\]\(([a-z0-9_-]+)\.md[)#]")
ASCII_WORD = re.compile(r"[A-Za-z0-9`)]")


@dataclass(frozen=True)
class Chapter:
    name: str  # file name without .md
    title: str  # the first heading
    html: str  # rendered body
    anchors: frozenset[str]


def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def _set_anchors(tokens: list[Token]) -> set[str]:
    anchors = set()
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or index + 1 >= len(tokens):
            continue
        inline = tokens[index + 1]
        found = ANCHOR.search(inline.content)
        if not found:
            continue
        token.attrSet("id", found.group(1))
        anchors.add(found.group(1))
        inline.content = ANCHOR.sub("", inline.content)
        if inline.children and inline.children[-1].type == "text":
            inline.children[-1].content = ANCHOR.sub("", inline.children[-1].content)
    return anchors


def _join_lines(tokens: list[Token]) -> None:
    """A line break inside a paragraph joins Japanese text without a space (a browser would show one), and
    keeps the space between two Latin words."""
    for token in tokens:
        children = token.children or []
        for index, child in enumerate(children):
            if child.type != "softbreak":
                continue
            before = children[index - 1].content[-1:] if index else ""
            after = children[index + 1].content[:1] if index + 1 < len(children) else ""
            child.type, child.content = (
                "text",
                " " if ASCII_WORD.match(before) and ASCII_WORD.match(after) else "",
            )


def _link_chapters(tokens: list[Token], base: str) -> None:
    for token in tokens:
        for child in token.children or ():
            href = str(child.attrGet("href") or "") if child.type == "link_open" else ""
            found = CHAPTER_LINK.match(href)
            if found:
                child.attrSet("href", f"{base}/{found.group(1)}{found.group(2) or ''}")


def chapter_names(directory: Path = MANUAL_DIR) -> list[str]:
    """Every chapter: the contents first, then in the order its table links them, then any others."""
    index = directory / "index.md"
    linked = INDEX_LINK.findall(index.read_text(encoding="utf-8")) if index.is_file() else []
    present = {p.stem for p in directory.glob("*.md")}
    order = ["index", *dict.fromkeys(linked)]
    return [n for n in order if n in present] + sorted(present - set(order))


@functools.cache
def load_chapter(name: str, base: str = "/help", directory: Path = MANUAL_DIR) -> Chapter | None:
    """The chapter ``name`` rendered, or None when there is no such chapter (names are checked, never paths)."""
    if not CHAPTER_NAME.match(name) or not (directory / f"{name}.md").is_file():
        return None
    text = (directory / f"{name}.md").read_text(encoding="utf-8")
    md = _markdown()
    tokens = md.parse(text)
    anchors = _set_anchors(tokens)
    _join_lines(tokens)
    _link_chapters(tokens, base)
    title = next(
        (t.content for i, t in enumerate(tokens) if i and tokens[i - 1].type == "heading_open"), name
    )
    return Chapter(
        name, ANCHOR.sub("", title), md.renderer.render(tokens, md.options, {}), frozenset(anchors)
    )
