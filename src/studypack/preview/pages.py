"""The pages the browser gets besides the pack's own: the toolbar, the error page, the print layout, the reader.

Their markup, styles and script are templates in this package's
``templates/`` folder (studypack's own, not a pack's: they are not sandboxed).
"""

from __future__ import annotations

import secrets
from pathlib import Path

import jinja2
from markupsafe import Markup

from ..render.clean import CSP
from .site import EDITIONS, Ebook

EVENTS = "/_studypack/events"  # where a page hears of new builds (Server-Sent Events)

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_PLACES = {"screen": "", "print": "print/", "ebook": "ebook/"}  # the same view of another edition


def toolbar(pack_name: str, edition: str, view: str, generation: int) -> str:
    """The preview's toolbar and reload script, to end a page's <body>."""
    return _TEMPLATES.get_template("toolbar.html").render(
        pack_name=pack_name, edition=edition, editions=EDITIONS, view=view, place=_PLACES[view],
        generation=generation, events=EVENTS,
    )


def with_toolbar(html: str, bar: str) -> str:
    """The page with the toolbar inserted before its closing </body> (or at its end).

    The pack's page forbids every script (its Content-Security-Policy); here the
    policy lets through the toolbar's own script alone, by a nonce only this
    answer knows, and the reload's connection back to the preview.
    """
    nonce = secrets.token_urlsafe(18)
    bar = bar.replace("<script>", f'<script nonce="{nonce}">')
    html = html.replace(f'content="{CSP}"', f'content="{CSP}; connect-src \'self\'"'.replace(
        "script-src 'none'", f"script-src 'nonce-{nonce}'"))
    at = html.lower().rfind("</body>")
    return html + bar if at < 0 else html[:at] + bar + html[at:]


def error_page(pack_name: str, edition: str, view: str, generation: int, error: str) -> str:
    """The page shown instead of the pack while its build fails."""
    bar = Markup(toolbar(pack_name, edition, view, generation))
    return _TEMPLATES.get_template("error.html").render(title=f"Error: {pack_name}", error=error, bar=bar)


def print_page(pack_name: str, edition: str, generation: int, sizes: list[tuple[float, float]]) -> str:
    """The print layout: one picture per page of the PDF, at its printed size."""
    return _TEMPLATES.get_template("print.html").render(
        title=f"{pack_name}: print layout ({edition})", edition=edition, generation=generation, sizes=sizes,
        bar=Markup(toolbar(pack_name, edition, "print", generation)),
    )


def ebook_page(html: str, edition: str, book: Ebook, href: str, bar: str) -> str:
    """A chapter of the book as the browser shows it: the reader's column, the previous and the next chapter, the toolbar."""
    at = book.spine.index(href) if href in book.spine else -1
    reader = _TEMPLATES.get_template("reader.html").render(
        edition=edition,
        previous=book.spine[at - 1] if at > 0 else None,
        contents=href != "nav.xhtml" and book.file("nav.xhtml") is not None,
        next=book.spine[at + 1] if 0 <= at < len(book.spine) - 1 else None,
    )
    style = f"<style>{_TEMPLATES.get_template('reader.css').render()}</style>"
    end_of_head = html.lower().find("</head>")
    html = html if end_of_head < 0 else html[:end_of_head] + style + html[end_of_head:]
    return with_toolbar(html, reader + bar)
