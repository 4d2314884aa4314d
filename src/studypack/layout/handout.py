"""A handout laid out: one layout of its HTML, its index set with the real page runs, its page map.

The HTML comes from the writer (writers/handout.py renders it, CSS inlined:
exactly what ``--emit-html`` writes); this module lays it out with WeasyPrint
(layout/engine.py), setting the index alone where it can (layout/index.py),
and reads off the layout the page map the EPUB's page list needs
(layout/pagemap.py). A long handout is laid out in pieces instead
(layout/pieces.py), which gives the same pages.
"""

from __future__ import annotations

import gc
import logging
from dataclasses import dataclass

from ..model import Pack
from . import engine
from .hooks import pages as hooked_pages
from .index import IndexSetter, anchor_pages_of, splice_index
from .pagemap import PageMap, PrintedBlock, blocks, signature

log = logging.getLogger(__name__)


@dataclass
class HandoutSetup:
    """A handout before its layout: its pack, renderer (render.Renderer), CSS, the page's template values,
    its HTML, the fonts its layouts share, and the date its PDF carries (None: the pack's)."""

    pack: Pack
    renderer: object
    css: str
    page: dict
    html: str
    font_config: object
    date: str | None = None


@dataclass
class Handout:
    """A handout laid out: WeasyPrint's document, the HTML trees its pages come from, its HTML and CSS."""

    document: object
    roots: tuple
    html: str
    css: str
    index_pages: dict[str, int] | None = None  # anchor -> page of each use the index lists


def lay_out_handout(setup: HandoutSetup) -> Handout:
    """Lay out a pack's handout once, its index alone with the page runs that layout tells (layout/index.py).

    ``setup.html`` is the handout's whole HTML, index and all: what
    ``--emit-html`` writes, and what WeasyPrint alone turns into the same
    pages. The handout is first laid out with the index the last build of
    this output printed, where the build has it (the renderer's
    ``index_pages``), else with the index's heading alone. When that layout
    has placed its pages, the index is rendered with the real runs: the same
    as the one laid out (the text before it unchanged), the layout is the
    handout; otherwise the index is laid out alone, and its pages take the
    place of the first ones.
    """
    pack, renderer, css, html = setup.pack, setup.renderer, setup.css, setup.html
    if not renderer.prints_index:
        document, root = engine.lay_out(html, pack, setup.font_config)
        return Handout(document, (root,), html, css)
    index = IndexSetter(renderer, html, pack, setup.font_config, setup.page)
    document, root = engine.lay_out(html, pack, setup.font_config, decide=index.decide)
    if not index.decided:  # a WeasyPrint whose layout the hooks do not read: read the pages afterwards
        index.set_real(anchor_pages_of(document))
    if index.html == html:  # the index as laid out lists the right pages: this layout is the handout
        return Handout(document, (root,), html, css, renderer.index_pages)
    if index.layout is not None:
        spliced = splice_index(document, index.layout, index.start)
        if spliced is not None:
            return Handout(spliced, (root, index.root), index.html, css, renderer.index_pages)
    log.debug("%s: the index could not be set alone; laying the handout out again", pack.name)
    document = root = index.layout = index.root = None
    gc.collect()  # the first layout is held by reference cycles: free it before making the next one
    document, root = engine.lay_out(index.html, pack, setup.font_config)
    return Handout(document, (root,), index.html, css, renderer.index_pages)


def page_map(roots, document) -> PageMap | None:
    """The blocks under ``roots`` that ``document`` (WeasyPrint's layout of them) prints, with their pages;
    and its page count. None on a WeasyPrint whose page boxes the hooks do not read.

    ``roots`` are the HTML trees of the layouts the document's pages come from, in page order
    (a handout whose index was set alone has two: layout/index.py)."""
    elements = [element for root in roots for element in blocks(root)]
    pages_of = hooked_pages.element_pages(document, {id(element) for element in elements})
    if pages_of is None:
        return None
    printed = [
        PrintedBlock(signature(element), pages[0], frozenset(pages))
        for element in elements
        if (pages := pages_of.get(id(element)))  # not printed at all where print.css hides it
    ]
    return printed, len(document.pages)


def write_handout(handout: Handout, setup: HandoutSetup) -> bytes:
    """The PDF of a handout laid out in one piece, its fonts checked."""
    pdf = engine.write_document(handout.document, setup.pack, setup.date)
    engine.check_fonts(handout.document, handout.css, setup.pack)
    return pdf
