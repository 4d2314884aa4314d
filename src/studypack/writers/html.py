"""The HTML writer: one self-contained .html file per pack and edition."""

from __future__ import annotations

from pathlib import Path

from markupsafe import Markup

from ..render import Renderer
from . import WriteRequest, WriteResult, Writer


def inline_style(css: str) -> Markup:
    """CSS made safe to sit inside a <style> element (no way to close it early)."""
    return Markup(css.replace("</", "<\\/"))


class HtmlWriter(Writer):
    """Writes the pack as one HTML page with its stylesheet inlined, for browsers."""

    format = "html"
    extension = "html"

    def write(self, request: WriteRequest, dest: Path) -> WriteResult:
        renderer = Renderer(
            request.pack, request.edition, "html", request.theme, request.variant, options=request.options
        )
        html = renderer.render("pack.html", inline_css=inline_style(renderer.css()))
        dest.write_text(html, encoding="utf-8")
        return WriteResult()
