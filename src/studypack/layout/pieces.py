"""Laying a long handout out in pieces, so that its memory does not grow with its length.

WeasyPrint holds the whole document while it lays it out: the parsed HTML,
a style for every element, the box tree, and every page made so far. An
832-page handout had 687 MB in use before its first page was made and 1.6 GB
at the end (docs/performance.md). This module lays a long handout out a
piece at a time, each piece a document of its own laid out and written to
PDF in a process of its own (layout/process.py), which gives its memory back when
it ends, and joins the pieces' PDFs into one (layout/pdfjoin.py).

Where it cuts. Only before a block of the body that starts a new page in
the handout whatever comes before it (`CUTS`: a part with a worksheet, the
first block of the study apparatus, the index; see styles/print.css), so
that every piece breaks its pages where the whole handout would. The first
piece is the title page with the contents.

What crosses a cut, and how each piece gets it right:

- Left and right pages, and page numbers. A piece's HTML is the handout's,
  with the blocks of other pieces kept empty and hidden (selectors of
  siblings still match) and only the headings of the title page left. The
  piece's first block breaks to a right or a left page as its first page is
  one in the handout, and the page counter is set so that that page has the
  handout's number. The pages before it are dropped.
- Running heads. They are set by headings: the title page's are kept, and
  the last heading of each kind before the cut is copied onto the pages that
  are dropped, so that a running head carried over a cut reads the same.
- Page references (the contents, "(page 12)", the list of sources). A piece
  is told the page of every anchor it refers to in another piece
  (hooks/pieces.py: WeasyPrint's target collector starts with them). Earlier pieces'
  pages are known; a reference forward prints a number of the same length
  in the meantime (its digits have one width), and its piece is laid out
  again at the end with the real one. With the built-in templates only the
  title page's piece (the contents) refers forward, and it is small.
  If a piece laid out again fills a different number of pages, the pieces do
  not fit together and the handout is laid out whole instead.
- The index. Its piece is last: the pages of every marked word are known by
  then, so the index is rendered with its real page runs before it is laid
  out.
- "Page N of M". M is known only when the last piece has been laid out. The
  pieces leave out the margin boxes that print the page count; a small
  document of M empty pages with the same stylesheets, whose hook keeps only
  those boxes, is laid out at the end and its pages drawn over the pieces'
  as pagination artifacts (`_overlay`). The other margin boxes (running
  heads) are the pieces' own.
- Links, bookmarks, named destinations and the PDF/UA structure tree are
  joined by layout/pdfjoin.py: one Document element whose children are the
  pieces' in page order, one parent tree numbered again, one outline. A
  link to an anchor in another piece is kept in its piece's PDF (WeasyPrint
  would drop it) and finds its destination in the joined one.

Anything the pieces cannot be trusted with makes the writer lay the handout
out whole, as before (`Unpieceable`, logged at debug level): a pack with its
own templates or stylesheets, footnotes numbered by CSS, a page count printed
in the text, a margin box that prints the page count beside a string, a
first block that does not begin its piece's first page. A test compares the
pieced handout with the whole one page by page, as images.

This needs WeasyPrint's internals (its margin boxes, its target collector,
its link resolution: layout/hooks/pieces.py): on a WeasyPrint the hooks were
not written for, handouts are laid out whole.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import unquote

import lxml.html

from .. import apparatus
from . import cut, engine, hooks, process
from .handout import HandoutSetup, page_map
from .hooks.pieces import Margins, Told, Unpieceable, told
from .index import IndexSetter
from .pagemap import PrintedBlock

log = logging.getLogger(__name__)

# How big a piece is, in elements of the handout's HTML: about 60 make an A4 page of a sample
# pack, so a piece is some 100 pages. Handouts under PIECES_FROM elements (some 250 pages) are
# laid out whole: their memory is under 600 MB anyway, and one layout is a little faster.
PIECE_ELEMENTS = 6_000
PIECES_FROM = 15_000

# The blocks of the body that start a new page in the handout whatever comes before them
# (styles/print.css: ".part.has-worksheet, .apparatus { break-before: page }", and the index).
CUTS = ("has-worksheet", "apparatus")


# --- the plan: where to cut -----------------------------------------------------------------------


def _classes(element) -> set[str]:
    return set((element.get("class") or "").split())


def plan(body, piece_elements: int) -> list[tuple[int, int]]:
    """The pieces of a handout's body, as ranges of its blocks: the title page's, then pieces of
    at least ``piece_elements`` elements each cut before a block that starts a page; the index alone."""
    blocks = list(body)
    if not blocks or "title-page" not in _classes(blocks[0]):
        raise Unpieceable("the handout does not begin with its title page")
    cuts = {1}
    for i, block in enumerate(blocks[1:], 1):
        classes = _classes(block)
        if "index" in classes and block.get("id") == cut.INDEX_ID:
            cuts.add(i)
        elif CUTS[0] in classes or (CUTS[1] in classes and not any(CUTS[1] in _classes(b) for b in blocks[1:i])):
            cuts.add(i)
    ranges: list[tuple[int, int]] = [(0, 1)]
    start, size = 1, 0
    for i in range(1, len(blocks)):
        if i in cuts and i != start and (size >= piece_elements or blocks[i].get("id") == cut.INDEX_ID):
            ranges.append((start, i))
            start, size = i, 0
        size += sum(1 for _ in blocks[i].iter())
    if start < len(blocks):
        ranges.append((start, len(blocks)))
    return ranges


# --- laying the pieces out -----------------------------------------------------------------------


@dataclass
class _Piece:
    """A piece laid out and written: its PDF, and the first of its own pages that is the handout's (1-based)."""

    blocks: tuple[int, int]
    first_page: int  # the handout's number of its first page
    pdf: bytes
    first: int
    pages: int
    printed: list[PrintedBlock]
    counted: set[int]  # pages (of the handout) whose page-count boxes were left out
    forward: bool  # it printed the page of an anchor not laid out yet


@dataclass
class Pieced:
    """A handout laid out in pieces: its PDF, page count, page map (layout/pagemap.py) and the HTML it is."""

    pdf: bytes
    pages: int
    printed: list[PrintedBlock]
    html: str
    pieces: int
    index_pages: dict[str, int] | None


def lay_out_in_pieces(setup: HandoutSetup, *, piece_elements: int | None = None,
                      own_styles: bool = False) -> Pieced | None:
    """The handout laid out in pieces and joined; None where it is short or cannot be laid out in pieces
    (a pack with ``own_styles``: templates or stylesheets of its own), or the hooks are off: then it is laid
    out whole. ``piece_elements`` asks for smaller pieces, and of any handout (the tests)."""
    forced = piece_elements is not None
    # A first look without parsing: an element has one or two tags, so fewer than PIECES_FROM "<" is short.
    if not forced and setup.html.count("<") < PIECES_FROM:
        return None
    if own_styles:
        log.debug("%s: laid out whole: the cuts are known for the built-in templates and styles", setup.pack.name)
        return None
    if not hooks.available():
        return None
    tree = lxml.html.document_fromstring(setup.html)
    body = tree.find("body")
    elements = sum(1 for _ in body.iter()) if body is not None else 0
    if elements < PIECES_FROM and not forced:
        return None
    index_pages = setup.renderer.index_pages
    try:
        if any(e.get("data-label") is None for e in body.iter() if "footnote" in _classes(e)):
            raise Unpieceable("footnotes numbered by CSS would start again in each piece")
        ranges = plan(body, piece_elements or PIECE_ELEMENTS)
        if len(ranges) < 3:
            raise Unpieceable("too few places to cut")
        return _Layout(setup, tree, ranges, elements).run()
    except Unpieceable as exc:
        log.debug("%s: laid out whole, not in pieces: %s", setup.pack.name, exc)
        setup.renderer.index_pages = index_pages  # the one layout starts as it would have
        return None


class _Layout:
    """The pieces of one handout, laid out one after another."""

    def __init__(self, setup: HandoutSetup, tree, ranges, elements: int) -> None:
        self.setup, self.tree, self.ranges = setup, tree, ranges
        self.fonts = engine.new_fonts()  # the pieces' own: a handout laid out whole after all starts afresh
        self.html = setup.html
        self.pack = setup.pack
        self.anchors: dict[str, int] = {}  # anchor -> page in the handout, of the pieces laid out
        self.types: dict[int, tuple] = {}  # page in the handout -> its kind (side, blank, name, groups)
        guess = max(10, elements // 60)  # pages: a forward reference is told a number as long
        self.placeholder = 10 ** (len(str(guess)) - 1)

    def run(self) -> Pieced:
        title = self.ranges[0]
        title_pages = self._piece(title, 1, write=False).pages  # its contents' pages are known only at the end
        pieces, page = [], title_pages + 1
        for blocks in self.ranges[1:]:
            if self.tree.find("body")[blocks[0]].get("id") == cut.INDEX_ID:
                self._set_index()
            piece = self._piece(blocks, page)
            pieces.append(piece)
            page += piece.pages
        total = page - 1
        final = [self._piece(title, 1, expect=title_pages)]
        final += [self._piece(p.blocks, p.first_page, expect=p.pages) if p.forward else p for p in pieces]
        counted = set().union(*(p.counted for p in final))
        numbers = self._overlay(total) if counted else None
        from . import pdfjoin  # pikepdf: 25 ms to import, for long handouts only

        parts = [pdfjoin.Part(p.pdf, p.first, p.counted) for p in final]
        try:
            joined = pdfjoin.join(parts, numbers, total)
        except pdfjoin.JoinError as exc:
            raise Unpieceable(f"the pieces' PDFs could not be joined: {exc}") from None
        printed = [block for p in final for block in p.printed]
        return Pieced(joined, total, printed, self.html, len(final), self.setup.renderer.index_pages)

    def _set_index(self) -> None:
        """Render the index with the pages the pieces before it placed its words on."""
        index = IndexSetter(self.setup.renderer, self.html, self.pack, self.fonts, self.setup.page)
        pages = {a: n for a, n in self.anchors.items() if a.startswith(apparatus.INDEX_ANCHOR_PREFIX)}
        if index.set_real(pages):
            self.html = index.html
            self.tree = lxml.html.document_fromstring(self.html)

    def _piece(self, blocks: tuple[int, int], first_page: int, *, write: bool = True, expect: int | None = None):
        """Lay out and write one piece, in a process of its own; note the pages of its anchors."""
        piece, anchors, types = process.in_own_process(lambda: self._lay_out_piece(blocks, first_page, write))
        if blocks[0] and piece.pages < 1:
            raise Unpieceable(f"blocks {blocks[0]}-{blocks[1] - 1} fill no page")
        if expect is not None and piece.pages != expect:
            raise Unpieceable("a piece laid out again with real page numbers filled another number of pages")
        for name, number in anchors.items():
            self.anchors.setdefault(name, number)
        self.types.update(types)
        log.debug("%s: blocks %d-%d laid out as pages %d-%d%s", self.pack.name, blocks[0], blocks[1] - 1,
                  first_page, first_page + piece.pages - 1, "" if write else " (counted only)")
        return piece

    def _lay_out_piece(self, blocks: tuple[int, int], first_page: int, write: bool):
        """One piece laid out (and written, with ``write``): the piece, the handout's page of each of its
        anchors, the kind of each of its pages."""
        html, local = cut.part_html(self.tree, blocks[0], blocks[1], first_page)
        what = Told(Margins(), self._elsewhere(html), self.placeholder)
        with told(what):
            document, root = engine.lay_out(html, self.pack, self.fonts)
        pages = document.pages[local - 1:]
        start_id = self.tree.find("body")[blocks[0]].get("id")
        if blocks[0] and pages and start_id and start_id not in pages[0].anchors:
            raise Unpieceable(f"block {start_id} does not begin its piece's first page")
        shift = first_page - local
        anchors: dict[str, int] = {}
        for number, page in enumerate(pages, first_page):
            for name in page.anchors:
                anchors.setdefault(name, number)
        types = {number + shift: kind for number, kind in what.margins.types.items() if number >= local}
        piece = _Piece(blocks, first_page, b"", local, len(pages), [], set(), bool(what.guessed))
        if write:
            self._write(piece, document, root, what, shift)
        return piece, anchors, types

    def _elsewhere(self, html: str) -> dict[str, int | None]:
        """The anchors a piece's HTML refers to that are in other pieces, with their pages where known."""
        tree = lxml.html.document_fromstring(html)
        ids = {e.get("id") for e in tree.iter() if e.get("id")}
        hrefs = {a.get("href")[1:] for a in tree.iter("a") if (a.get("href") or "").startswith("#")}
        wanted = (hrefs | {unquote(href) for href in hrefs}) - ids  # WeasyPrint names a link's anchor unquoted
        return {name: self.anchors.get(name) for name in wanted}

    def _write(self, piece: _Piece, document, root, what: Told, shift: int) -> None:
        """Write a laid-out piece's PDF into ``piece``, with its page map and its pages' page-count boxes."""
        local = piece.first
        mapped = page_map((root,), document)
        if mapped is None:  # the hooks are on whenever pieces are laid out
            raise Unpieceable("the page map cannot be read")
        piece.printed = [
            PrintedBlock(b.signature, b.page + shift, frozenset(n + shift for n in b.pages if n >= local))
            for b in mapped[0]
            if b.page >= local
        ]
        engine.check_fonts(document, self.setup.css, self.pack)
        with told(what):
            piece.pdf = engine.write_document(document, self.pack, self.setup.date)
        piece.counted = {n + shift for n in what.margins.counted if n >= local}

    def _overlay(self, total: int) -> bytes:
        """A PDF of ``total`` empty pages with only the margin boxes that print the page count."""
        head = lxml.html.tostring(self.tree.find("head"), encoding="unicode")
        lang = self.tree.get("lang") or ""
        body_class = self.tree.find("body").get("class") or ""
        pages = '<div style="break-before: page"></div>' * (total - 1)
        html = (
            f'<!DOCTYPE html><html lang="{lang}">{head}'
            "<style>html, body { background: none !important; } "
            "@page { background: none !important; border: none !important; }</style>"
            f'<body class="{body_class}"><div></div>{pages}'
            "</body></html>"
        )

        def numbers() -> bytes:
            with told(Told(Margins(overlay=True, total=total, types=self.types))):
                document, _ = engine.lay_out(html, self.pack, self.fonts)
            if len(document.pages) != total:
                raise Unpieceable("the page numbers' layout has another number of pages")
            return engine.write_plain(document)

        return process.in_own_process(numbers)
