"""The printed handout's HTML, as the PDF writers give it to the layout (layout/handout.py).

The HTML is the same pack.html every target renders; what makes it a
handout is styles/print.css (pages, running heads, footnotes, answer lines)
and three things added around it here: the @font-face rules of the print
fonts, the paper size (or a booklet's half-size pages: the writer's page
rules), and a <base> so that the pack's relative references resolve inside
the pack folder. That whole document, CSS inlined, is exactly what WeasyPrint
lays out and what ``--emit-html`` writes beside the PDF. Its PDF has no date
from the clock: SOURCE_DATE_EPOCH where set, else the pack's date.
"""

from __future__ import annotations

from ..errors import PackError
from ..layout import engine, fonts
from ..layout.handout import HandoutSetup
from ..render import Renderer
from . import WriteRequest, inline_style, source_date

PAPER_SIZES = {"a4": "A4", "letter": "letter"}


def prepare_handout(request: WriteRequest, page_css: str) -> HandoutSetup:
    """The handout's HTML, CSS inlined (``page_css``, the page rules, last), and what its layouts share."""
    pack = request.pack
    renderer = Renderer(pack, request.edition, "pdf", request.theme, request.variant, options=request.options)
    renderer.index_pages = request.artefacts.get("index_pages") or None
    css = "\n".join((fonts.font_css(), renderer.css(), page_css))
    page = {"inline_css": inline_style(css), "base_href": engine.pack_base(pack)}
    html = renderer.render("pack.html", **page)
    font_config = engine.new_fonts()  # one per handout: the index's own layout reuses its fonts (pieces have their own)
    moment = source_date()
    date = moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None
    return HandoutSetup(pack, renderer, css, page, html, font_config, date)


def paper_of(request: WriteRequest) -> str:
    """The paper of a build: --paper, else the pack's paper, else A4."""
    paper = (request.options.get("paper") or request.pack.paper or "a4").lower()
    if paper not in PAPER_SIZES:
        raise PackError(f"unknown paper size '{paper}'", where="pack.yaml", hint="use a4 or letter")
    return paper


def paper_css(paper: str) -> str:
    """The page size rule; it comes after the stylesheets, so the build's choice wins."""
    return f"@page {{ size: {PAPER_SIZES[paper]}; }}\n"
