"""On-screen help (j1400): every page's header links to the section of the operations manual (docs/manual/) that
explains that screen; ``/help`` and ``/help/<chapter>`` show the manual itself.  Public: the manual holds no
resident data, and the sign-in screens need their help too."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, render_template, request, url_for

from webui.help.manual import chapter_names, load_chapter
from webui.help.topics import help_target

bp = Blueprint("help", __name__)


def help_url() -> str:
    """The help of the screen being shown (its chapter and section)."""
    chapter, anchor = help_target(request.endpoint)
    return f"{url_for('help.chapter', chapter=chapter)}#{anchor}"


def _chapters() -> list[tuple[str, str]]:
    found = (load_chapter(name) for name in chapter_names())
    return [(c.name, c.title) for c in found if c is not None]


@bp.get("/help")
def index() -> str:
    return chapter("index")


@bp.get("/help/<chapter>")
def chapter(chapter: str) -> str:
    found = load_chapter(chapter)
    if found is None:
        abort(404)
    return render_template("help/chapter.html", chapter=found, chapters=_chapters())


def init_app(app: Flask) -> None:
    @app.context_processor
    def _help_helpers() -> dict[str, Any]:
        return {"help_url": help_url}
