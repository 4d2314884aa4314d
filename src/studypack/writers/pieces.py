"""Laying a long handout out in pieces, so that its memory does not grow with its length.

WeasyPrint holds the whole document while it lays it out: the parsed HTML,
a style for every element, the box tree, and every page made so far. An
832-page handout had 687 MB in use before its first page was made and 1.6 GB
at the end (docs/performance.md). This module lays a long handout out a
piece at a time, each piece a document of its own laid out and written to
PDF in a process of its own (`in_child`), which gives its memory back when
it ends, and joins the pieces' PDFs into one (writers/pdfjoin.py).

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
  (`_hooks`: WeasyPrint's target collector starts with them). Earlier pieces'
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
  joined by writers/pdfjoin.py: one Document element whose children are the
  pieces' in page order, one parent tree numbered again, one outline. A
  link to an anchor in another piece is kept in its piece's PDF (WeasyPrint
  would drop it) and finds its destination in the joined one.

Anything the pieces cannot be trusted with makes the writer lay the handout
out whole, as before (`Unpieceable`, logged at debug level): a pack with its
own templates or stylesheets, footnotes numbered by CSS, a page count printed
in the text, a margin box that prints the page count beside a string, a
first block that does not begin its piece's first page. A test compares the
pieced handout with the whole one page by page, as images.

Like writers/splice.py, this reaches into WeasyPrint's layout (its margin
boxes, its target collector, its link resolution): only on the WeasyPrint
versions in `READS_WEASYPRINT`; on another, handouts are laid out whole.
"""

from __future__ import annotations

import copy
import logging
import os
import pickle
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator, TypeVar
from urllib.parse import unquote

import lxml.html
import weasyprint
import weasyprint.layout
import weasyprint.pdf
from weasyprint.css.targets import TargetCollector, TargetLookupItem
from weasyprint.text.fonts import FontConfiguration

from .. import apparatus, workers
from . import WriteRequest, splice
from .epub_pages import PrintedBlock, page_map

log = logging.getLogger(__name__)
T = TypeVar("T")

READS_WEASYPRINT = ("70",)
HOOKED = (
    weasyprint.__version__.split(".")[0] in READS_WEASYPRINT
    and hasattr(weasyprint.layout, "make_margin_boxes")
    and hasattr(weasyprint.pdf, "resolve_links")
)

# How big a piece is, in elements of the handout's HTML: about 60 make an A4 page of a sample
# pack, so a piece is some 100 pages. Handouts under PIECES_FROM elements (some 250 pages) are
# laid out whole: their memory is under 600 MB anyway, and one layout is a little faster.
PIECE_ELEMENTS = 6_000
PIECES_FROM = 15_000

# The blocks of the body that start a new page in the handout whatever comes before them
# (styles/print.css: ".part.has-worksheet, .apparatus { break-before: page }", and the index).
CUTS = ("has-worksheet", "apparatus")


class Unpieceable(Exception):
    """This handout cannot be laid out in pieces (the reason is the message): lay it out whole."""


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
        if "index" in classes and block.get("id") == splice.INDEX_ID:
            cuts.add(i)
        elif CUTS[0] in classes or (CUTS[1] in classes and not any(CUTS[1] in _classes(b) for b in blocks[1:i])):
            cuts.add(i)
    ranges: list[tuple[int, int]] = [(0, 1)]
    start, size = 1, 0
    for i in range(1, len(blocks)):
        if i in cuts and i != start and (size >= piece_elements or blocks[i].get("id") == splice.INDEX_ID):
            ranges.append((start, i))
            start, size = i, 0
        size += sum(1 for _ in blocks[i].iter())
    if start < len(blocks):
        ranges.append((start, len(blocks)))
    return ranges


def piece_html(tree, start: int, end: int, first_page: int) -> tuple[str, int]:
    """The HTML of blocks ``start`` to ``end`` of the handout's body alone, its first page numbered
    ``first_page``; and the page of its own layout that is (1 for the title page's piece)."""
    tree = copy.deepcopy(tree)
    body = tree.find("body")
    blocks = list(body)
    if start == 0:
        for block in blocks[end:]:
            _hide(block)
        return _serialise(tree), 1
    carried = _last_headings(blocks[1:start])
    for block in blocks[1:start] + blocks[end:]:
        _hide(block)
    splice.headings_only(blocks[0])
    for heading in carried:  # on the pages that are dropped: they set the running heads' strings
        blocks[0].append(heading)
    right = first_page % 2 == 1  # page 1 is a right-hand page
    block = blocks[start]
    block.set("style", f"break-before: {'right' if right else 'left'}; " + (block.get("style") or ""))
    local = 3 if right else 2
    reset = tree.makeelement("style")
    reset.text = f"@page :first {{ counter-reset: page {first_page - local + 1}; }}"
    tree.find("head").append(reset)
    return _serialise(tree), local


def _hide(block) -> None:
    """Empty a block and hide it; it stays, so that selectors of siblings match as in the handout."""
    for child in list(block):
        block.remove(child)
    block.text = None
    block.attrib.pop("id", None)
    block.set("style", "display: none")


def _last_headings(blocks) -> list:
    """Copies (without ids) of the last heading of each kind (tag and class) in ``blocks``, in their order."""
    last: dict[tuple, tuple[int, object]] = {}
    order = 0
    for block in blocks:
        for element in block.iter(*splice.HEADINGS):
            last[(element.tag, element.get("class"))] = (order, element)
            order += 1
    copies = []
    for _, element in sorted(last.values(), key=lambda pair: pair[0]):
        twin = copy.deepcopy(element)
        twin.tail = None
        for node in twin.iter():
            node.attrib.pop("id", None)
        copies.append(twin)
    return copies


def _serialise(tree) -> str:
    return lxml.html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")


# --- WeasyPrint's hooks --------------------------------------------------------------------------


@dataclass
class _Margins:
    """What the margin-box hook does in one layout: a piece's (leave out the boxes that print the
    page count, note each page's type) or the overlay's (keep only those, numbered of ``total``)."""

    overlay: bool = False
    total: int = 0
    types: dict[int, tuple] = field(default_factory=dict)  # page (1-based) -> its type
    counted: set[int] = field(default_factory=set)  # pages with a box that prints the page count
    checked: bool = False


@dataclass
class _Hooks:
    """What a layout is told of the others: the margin boxes to make, the anchors in other pieces."""

    margins: _Margins | None = None
    elsewhere: dict[str, int | None] = field(default_factory=dict)  # anchor of another piece -> its page, if known
    placeholder: int = 0  # the page a reference forward prints meanwhile: as many digits as the handout's
    guessed: set[str] = field(default_factory=set)  # anchors whose placeholder some content printed


_active: list[_Hooks] = []
_ORIGINAL_INIT = TargetCollector.__init__
_ORIGINAL_MARGIN_BOXES = getattr(weasyprint.layout, "make_margin_boxes", None)
_ORIGINAL_RESOLVE_LINKS = getattr(weasyprint.pdf, "resolve_links", None)


class _Elsewhere:
    """The target box of an anchor laid out in another piece: its page is all that is known."""

    cached_counter_values: dict = {}

    def extract_text(self, *_):
        raise Unpieceable("target-text() of an anchor in another piece")


class _Told(TargetLookupItem):
    """An anchor of another piece, as WeasyPrint's target collector holds it: up to date, on its page.
    A page not known yet (``guess``) is noted in ``hooks.guessed`` when some content prints it."""

    def __init__(self, name: str, page: int, guess: bool, hooks: "_Hooks") -> None:
        super().__init__("up-to-date")
        self.target_box = _Elsewhere()
        self.name, self.page, self.guess, self.hooks = name, page, guess, hooks

    @property
    def cached_page_counter_values(self) -> dict:
        if self.guess:
            self.hooks.guessed.add(self.name)
        return {"page": [self.page]}

    @cached_page_counter_values.setter
    def cached_page_counter_values(self, _value) -> None:
        pass  # only ever set by the layout of the anchor itself, which is in another piece


def _collector_init(self) -> None:
    _ORIGINAL_INIT(self)
    if _active:
        hooks = _active[-1]
        for name, page in hooks.elsewhere.items():
            self.target_lookup_items[name] = _Told(name, page or hooks.placeholder, not page, hooks)


def _prints_page_count(style) -> bool:
    content = style["content"]
    if content in ("normal", "none", "inhibit"):
        return False
    return any(item[0] in ("counter()", "counters()") and item[1][0] == "pages" for item in content)


def _margin_boxes(context, page, state):
    hooks = _active[-1] if _active else None
    margins = hooks.margins if hooks else None
    if margins is None:
        return _ORIGINAL_MARGIN_BOXES(context, page, state)
    if not margins.checked:
        margins.checked = True
        if splice.prints_page_count_in_text(context):
            raise Unpieceable("a stylesheet prints the page count in the text")
    number = context.current_page
    kind = (page.page_type.side, page.page_type.blank, page.page_type.name, page.page_type.groups)
    if margins.overlay:
        if margins.types.get(number) != kind:
            raise Unpieceable(f"page {number} of the page numbers' layout is not of its handout page's kind")
        state = copy.deepcopy(state)
        state[1]["pages"] = [margins.total]
    else:
        margins.types[number] = kind
    kept = []
    for box in _ORIGINAL_MARGIN_BOXES(context, page, state):
        counts = _prints_page_count(box.style)
        if counts and any(item[0] in ("string()", "element()") for item in box.style["content"]):
            raise Unpieceable("a margin box prints the page count beside a string")
        if counts:
            margins.counted.add(number)
        if counts == margins.overlay:
            kept.append(box)
    return kept


def _resolve_links(pages):
    """WeasyPrint's links and anchors of each page, keeping the links to anchors in other pieces."""
    elsewhere = _active[-1].elsewhere if _active else {}
    seen: set[str] = set()
    anchors_of = []
    for page in pages:
        here = []
        for name, (x, y, _, _) in page.anchors.items():
            if name not in seen:
                seen.add(name)
                here.append((name, x, y))
        anchors_of.append(here)
    for page, here in zip(pages, anchors_of):
        links = []
        for link in page.links:
            if link[0] != "internal" or link[1] in seen or link[1] in elsewhere:
                links.append(link)
            else:  # as WeasyPrint says it (writers/pdf.py passes it on)
                logging.getLogger("weasyprint").error("No anchor #%s for internal URI reference", link[1])
        yield links, here


@contextmanager
def _hooks(hooks: _Hooks) -> Iterator[None]:
    """WeasyPrint's layout and PDF writing, told about the other pieces (`_Hooks`), while in the block."""
    if not _active:
        TargetCollector.__init__ = _collector_init
        weasyprint.layout.make_margin_boxes = _margin_boxes
        weasyprint.pdf.resolve_links = _resolve_links
    _active.append(hooks)
    try:
        yield
    finally:
        _active.pop()
        if not _active:
            TargetCollector.__init__ = _ORIGINAL_INIT
            weasyprint.layout.make_margin_boxes = _ORIGINAL_MARGIN_BOXES
            weasyprint.pdf.resolve_links = _ORIGINAL_RESOLVE_LINKS


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
    """A handout laid out in pieces: its PDF, page count, page map (epub_pages) and the HTML it is."""

    pdf: bytes
    pages: int
    printed: list[PrintedBlock]
    html: str
    pieces: int
    index_pages: dict[str, int] | None


def lay_out_in_pieces(request: WriteRequest, setup) -> Pieced | None:
    """The handout (``setup``: writers/pdf.py's `prepare_handout`) laid out in pieces and joined; None where it
    is short or cannot be laid out in pieces: then it is laid out whole."""
    forced = "piece_elements" in request.options  # smaller pieces, and of any handout (the tests)
    piece_elements = int(request.options.get("piece_elements") or PIECE_ELEMENTS)
    # A first look without parsing: an element has one or two tags, so fewer than PIECES_FROM "<" is short.
    if not HOOKED or (not forced and setup.html.count("<") < PIECES_FROM):
        return None
    if request.theme.template_dirs or request.theme.style_dirs:
        log.debug("%s: laid out whole: the cuts are known for the built-in templates and styles", request.pack.name)
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
        ranges = plan(body, piece_elements)
        if len(ranges) < 3:
            raise Unpieceable("too few places to cut")
        return _Layout(request, setup, tree, ranges, elements).run()
    except Unpieceable as exc:
        log.debug("%s: laid out whole, not in pieces: %s", request.pack.name, exc)
        setup.renderer.index_pages = index_pages  # the one layout starts as it would have
        return None


class _Layout:
    """The pieces of one handout, laid out one after another."""

    def __init__(self, request: WriteRequest, setup, tree, ranges, elements: int) -> None:
        from . import pdf

        self.pdf, self.setup, self.tree, self.ranges = pdf, setup, tree, ranges
        self.fonts = FontConfiguration()  # the pieces' own: a handout laid out whole after all starts afresh
        self.html = setup.html
        self.pack = request.pack
        self.anchors: dict[str, int] = {}  # anchor -> page in the handout, of the pieces laid out
        self.types: dict[int, tuple] = {}  # page in the handout -> its kind (side, blank, name, groups)
        guess = max(10, elements // 60)  # pages: a forward reference is told a number as long
        self.placeholder = 10 ** (len(str(guess)) - 1)

    def run(self) -> Pieced:
        title = self.ranges[0]
        title_pages = self._piece(title, 1, write=False).pages  # its contents' pages are known only at the end
        pieces, page = [], title_pages + 1
        for blocks in self.ranges[1:]:
            if self.tree.find("body")[blocks[0]].get("id") == splice.INDEX_ID:
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
        index = self.pdf._Index(self.setup.renderer, self.html, self.pack, self.fonts, self.setup.page)
        pages = {a: n for a, n in self.anchors.items() if a.startswith(apparatus.INDEX_ANCHOR_PREFIX)}
        if index.set_real(pages):
            self.html = index.html
            self.tree = lxml.html.document_fromstring(self.html)

    def _piece(self, blocks: tuple[int, int], first_page: int, *, write: bool = True, expect: int | None = None):
        """Lay out and write one piece, in a process of its own (`in_child`); note the pages of its anchors."""
        piece, anchors, types = in_child(lambda: self._lay_out_piece(blocks, first_page, write))
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
        html, local = piece_html(self.tree, blocks[0], blocks[1], first_page)
        cut = lxml.html.document_fromstring(html)
        ids = {e.get("id") for e in cut.iter() if e.get("id")}
        hrefs = {a.get("href")[1:] for a in cut.iter("a") if (a.get("href") or "").startswith("#")}
        wanted = (hrefs | {unquote(href) for href in hrefs}) - ids  # WeasyPrint names a link's anchor unquoted
        hooks = _Hooks(_Margins(), {name: self.anchors.get(name) for name in wanted}, self.placeholder)
        with _hooks(hooks):
            document, root = self.pdf.lay_out(html, self.pack, self.fonts)
        pages = document.pages[local - 1:]
        start_id = self.tree.find("body")[blocks[0]].get("id")
        if blocks[0] and pages and start_id and start_id not in pages[0].anchors:
            raise Unpieceable(f"block {start_id} does not begin its piece's first page")
        shift = first_page - local
        anchors: dict[str, int] = {}
        for number, page in enumerate(pages, first_page):
            for name in page.anchors:
                anchors.setdefault(name, number)
        types = {number + shift: kind for number, kind in hooks.margins.types.items() if number >= local}
        piece = _Piece(blocks, first_page, b"", local, len(pages), [], set(), bool(hooks.guessed))
        if write:
            printed, _ = page_map((root,), document)
            piece.printed = [
                PrintedBlock(b.signature, b.page + shift, frozenset(n + shift for n in b.pages if n >= local))
                for b in printed
                if b.page >= local
            ]
            self.pdf.check_fonts(document, self.setup.css, self.pack)
            with _hooks(hooks):
                piece.pdf = self.pdf.write_document(document, self.pack)
            piece.counted = {n + shift for n in hooks.margins.counted if n >= local}
        return piece, anchors, types

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
            margins = _Margins(overlay=True, total=total, types=self.types)
            with _hooks(_Hooks(margins)):
                document, _ = self.pdf.lay_out(html, self.pack, self.fonts)
            if len(document.pages) != total:
                raise Unpieceable("the page numbers' layout has another number of pages")
            with self.pdf.weasyprint_log(), self.pdf.fewer_collections():
                return document.write_pdf()

        return in_child(numbers)


# --- a process for each layout --------------------------------------------------------------------


def can_fork() -> bool:
    """Whether `in_child` forks: where the system can, and no other thread runs."""
    return hasattr(os, "fork") and threading.active_count() == 1


def in_child(work: Callable[[], T]) -> T:
    """``work()`` run in a forked process, its result (or exception, and its log) sent back through a pipe.

    A layout's memory is then given back to the system when its process
    ends: Python keeps the memory it has freed, so a build process that laid
    out every piece itself would stay at the size of the largest. Where there
    is no fork (Windows), or where other threads run (the preview's server:
    a thread could hold a lock the child would wait for), the work is done
    here, and the process's memory is that of the largest piece.
    """
    if not can_fork():
        return work()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's frames
        code = 0
        try:
            os.close(read)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            workers.end_with_parent()
            records: list[logging.LogRecord] = []
            handler = _Keep(records)
            ours = logging.getLogger("studypack")
            ours.addHandler(handler)
            ours.propagate = False  # the parent's handlers will have them
            try:
                reply = ("ok", work(), records)
            except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
                reply = ("error", workers.portable(exc), records)
            with os.fdopen(write, "wb") as out:
                pickle.dump(reply, out, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:  # noqa: BLE001 - the pipe itself failed: the parent sees no reply
            code = 1
        finally:
            os._exit(code)
    os.close(write)
    try:
        with os.fdopen(read, "rb") as pipe:
            data = pipe.read()
    except BaseException:  # stopped (Ctrl-C, SIGTERM from the build): stop the layout too, not after it
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
        raise
    _, status = os.waitpid(pid, 0)
    if not data:
        raise workers.WorkerDied(f"a piece's layout ended without answering (exit status {status})")
    kind, value, records = pickle.loads(data)
    for record in records:
        logging.getLogger(record.name).handle(record)
    if kind == "error":
        raise workers.rebuild(value)
    return value


class _Keep(logging.Handler):
    """Keeps a child's log records (their messages formatted) for its parent to handle."""

    def __init__(self, records: list) -> None:
        super().__init__(logging.DEBUG)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(logging.makeLogRecord(
            {"name": record.name, "levelno": record.levelno, "levelname": record.levelname,
             "msg": record.getMessage(), "args": None}))
