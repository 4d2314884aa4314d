"""The PDF writer: printed handouts, laid out by WeasyPrint from the pack's HTML and print CSS.

The HTML is the same pack.html every target renders; what makes it a
handout is styles/print.css (pages, running heads, footnotes, answer lines)
and three things this writer adds around it: the @font-face rules of the
print fonts, the paper size, and a <base> so that the pack's relative
references resolve inside the pack folder. That whole document, CSS
inlined, is exactly what WeasyPrint renders and what ``--emit-html`` writes
beside the PDF.

WeasyPrint reads nothing outside the pack and studypack's own resources
(see fetch.py), its log is turned into warnings a teacher can act on, and
the PDF has no date from the clock: SOURCE_DATE_EPOCH where set, else the
pack's date.
"""

from __future__ import annotations

import gc
import logging
import os
import re
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError

from .. import fonts
from ..errors import PackError, StudypackError
from ..fetch import ResourcePolicy, url_fetcher
from ..model import Pack
from ..outputs import write_atomic
from .. import apparatus
from ..render import Renderer
from ..resources import builtin_dir
from . import WriteRequest, WriteResult, Writer, pydyf_fix, splice, targets_fix
from .epub_pages import page_map
from .html import inline_style

log = logging.getLogger(__name__)

pydyf_fix.install()  # tagged PDFs otherwise take time pages x elements to write (see pydyf_fix.py)
targets_fix.install()  # page references otherwise take time anchors x references to lay out (see targets_fix.py)

PAPER_SIZES = {"a4": "A4", "letter": "letter"}

# Tagged PDF (PDF/UA-1): structure tags for screen readers and reflow.
PDF_VARIANT = "pdf/ua-1"


class PdfWriter(Writer):
    """Writes a pack as a printable PDF handout (student or teacher edition)."""

    format = "pdf"
    extension = "pdf"

    # A long handout is laid out in pieces (writers/pieces.py) by this writer, which writes the
    # handout as it is; the print room's writers read the laid-out pages of one layout.
    pieces = True

    def write(self, request: WriteRequest, dest: Path) -> WriteResult:
        started = time.perf_counter()
        setup = prepare_handout(request, self.page_css(request))
        pieced = None
        if self.pieces:
            from . import pieces

            pieced = pieces.lay_out_in_pieces(request, setup)
        if pieced is not None:
            dest.write_bytes(pieced.pdf)
            html, pages, printed, index_pages = pieced.html, pieced.pages, pieced.printed, pieced.index_pages
        else:
            handout = lay_out_handout(request, setup)
            document = handout.document
            pdf = write_document(document, request.pack)
            check_fonts(document, handout.css, request.pack)
            dest.write_bytes(self.finish(request, pdf, document, dest))
            html, pages, index_pages = handout.html, len(document.pages), handout.index_pages
            printed, _ = page_map(handout.roots, document)
        extra: tuple[Path, ...] = ()
        if request.options.get("emit_html"):
            html_path = dest.with_name(final_name(dest).removesuffix(".pdf") + ".print.html")
            write_atomic(html_path, html.encode("utf-8"))
            extra = (html_path,)
        details = {
            "render_seconds": round(time.perf_counter() - started, 3),
            "variant": PDF_VARIANT,
            "page_map": (printed, pages),  # for the EPUB's page list (see epub_pages)
            "index_pages": index_pages,  # for the next build of this output (build.py)
        }
        if pieced is not None:
            details["pieces"] = pieced.pieces
        return WriteResult(pages=pages, extra_files=extra, details=details)

    # Hooks for the print room's writers (writers/booklet.py, writers/classset.py).

    def page_css(self, request: WriteRequest) -> str:
        """The page rules that come after the stylesheets: the paper size."""
        return paper_css(paper_of(request))

    def finish(self, request: WriteRequest, pdf: bytes, document, dest: Path) -> bytes:
        """The bytes to write, given the laid-out handout (``document``): the handout itself."""
        return pdf


@dataclass
class Handout:
    """A handout laid out: WeasyPrint's document, the HTML trees its pages come from, its HTML and CSS."""

    document: object
    roots: tuple
    html: str
    css: str
    index_pages: dict[str, int] | None = None  # anchor -> page of each use the index lists


@dataclass
class HandoutSetup:
    """A handout before its layout: the renderer, the CSS, the page's template values, the HTML, the fonts."""

    renderer: Renderer
    css: str
    page: dict
    html: str
    font_config: object


def prepare_handout(request: WriteRequest, page_css: str) -> HandoutSetup:
    """The handout's HTML, CSS inlined, and what its layouts share."""
    pack = request.pack
    renderer = Renderer(pack, request.edition, "pdf", request.theme, request.variant, options=request.options)
    renderer.index_pages = request.artefacts.get("index_pages") or None
    css = "\n".join((fonts.font_css(), renderer.css(), page_css))
    page = {"inline_css": inline_style(css), "base_href": pack_base(pack)}
    html = renderer.render("pack.html", **page)
    font_config = FontConfiguration()  # one per handout: the index's own layout reuses its fonts (pieces have their own)
    return HandoutSetup(renderer, css, page, html, font_config)


def lay_out_handout(request: WriteRequest, setup: HandoutSetup) -> Handout:
    """Lay out a pack's handout once, its index alone with the page runs that layout tells (writers/splice.py).

    ``html`` is the handout's whole HTML, index and all: what ``--emit-html``
    writes, and what WeasyPrint alone turns into the same pages. The handout is
    first laid out with the index the last build of this output printed, where
    the build has it (``request.artefacts["index_pages"]``), else with the
    index's heading alone. When that layout has placed its pages, the index is
    rendered with the real runs: the same as the one laid out (the text before
    it unchanged), the layout is the handout; otherwise the index is laid out
    alone, and its pages take the place of the first ones.
    """
    pack = request.pack
    renderer, css, page, html, font_config = setup.renderer, setup.css, setup.page, setup.html, setup.font_config
    if not renderer.prints_index:
        document, root = lay_out(html, pack, font_config)
        return Handout(document, (root,), html, css)
    index = _Index(renderer, html, pack, font_config, page)
    document, root = lay_out(html, pack, font_config, decide=index.decide)
    if not index.decided:  # a WeasyPrint whose layout splice.page_count does not know: read the pages afterwards
        index.set_real(splice.anchor_pages_of(document))
    if index.html == html:  # the index as laid out lists the right pages: this layout is the handout
        return Handout(document, (root,), html, css, renderer.index_pages)
    if index.layout is not None:
        spliced = splice.splice_index(document, index.layout, index.start)
        if spliced is not None:
            return Handout(spliced, (root, index.root), index.html, css, renderer.index_pages)
    log.debug("%s: the index could not be set alone; laying the handout out again", pack.name)
    document = root = index.layout = index.root = None
    gc.collect()  # the first layout is held by reference cycles: free it before making the next one
    document, root = lay_out(index.html, pack, font_config)
    return Handout(document, (root,), index.html, css, renderer.index_pages)


class _Index:
    """The index of a handout being laid out, set alone once the layout has placed the pages (writers/splice.py)."""

    def __init__(self, renderer: Renderer, html: str, pack: Pack, font_config, page: dict) -> None:
        self.renderer, self.html, self.pack, self.font_config, self.page = renderer, html, pack, font_config, page
        self.shown = renderer.render("index.html", again=True)  # the index as the handout's HTML has it
        self.decided = False
        self.start = 0  # the 0-based page the index starts on
        self.layout = self.root = None

    def set_real(self, pages: dict[str, int]) -> bool:
        """Render the index with the pages the layout placed the words on; whether it differs from the one laid out."""
        self.decided = True
        self.renderer.index_pages = {a: n for a, n in pages.items() if a.startswith(apparatus.INDEX_ANCHOR_PREFIX)}
        real = self.renderer.render("index.html", again=True)
        if real == self.shown:
            return False
        if self.html.count(self.shown) == 1:  # the index as pack.html includes it: put the real one in its place
            self.html = self.html.replace(self.shown, real)
        else:
            self.html = self.renderer.render("pack.html", **self.page)
        return True

    def decide(self, context) -> int | None:
        """The handout's page count, with the index set alone with the real page runs (`splice.page_count`);
        None where the layout's own is right, or the index can't be set alone."""
        pages = splice.anchor_pages(context)
        if not self.set_real(pages):
            return None
        start = pages.get(splice.INDEX_ID)
        cut = splice.index_html(self.html, start) if start is not None else None
        if cut is None or splice.prints_page_count_in_text(context):
            return None
        self.start = start - 1
        small, first = cut

        def total(small_context) -> int:
            return self.start + splice.placed_pages(small_context) - first + 1

        self.layout, self.root = lay_out(small, self.pack, self.font_config, report=False, decide=total)
        return self.start + len(self.layout.pages) - first + 1


def paper_of(request: WriteRequest) -> str:
    """The paper of a build: --paper, else the pack's paper, else A4."""
    paper = (request.options.get("paper") or request.pack.paper or "a4").lower()
    if paper not in PAPER_SIZES:
        raise PackError(f"unknown paper size '{paper}'", where="pack.yaml", hint="use a4 or letter")
    return paper


def paper_css(paper: str) -> str:
    """The page size rule; it comes after the stylesheets, so the build's choice wins."""
    return f"@page {{ size: {PAPER_SIZES[paper]}; }}\n"


def pack_base(pack: Pack) -> str:
    """The base URL of the pack's relative references: its folder, as a file: URL."""
    return Path(pack.root).resolve().as_uri() + "/"


def final_name(dest: Path) -> str:
    """The name the build gives the output once written (dest is its hidden temporary file)."""
    match = re.fullmatch(r"\.(.+)\.\d+\.tmp", dest.name)
    return match.group(1) if match else dest.name


def metadata_date() -> str | None:
    """SOURCE_DATE_EPOCH as a W3C date-time, or None when it is not set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return None
    try:
        moment = datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise StudypackError(f"SOURCE_DATE_EPOCH must be a number of seconds, not '{epoch}'") from None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def lay_out(html: str, pack: Pack, font_config=None, *, report: bool = True, decide=None):
    """WeasyPrint's layout of the handout: (the document, the HTML tree it laid out).

    ``report=False`` drops WeasyPrint's messages (a layout whose own have been reported);
    ``decide`` tells the page count before the margin boxes are made (`splice.page_count`)."""
    policy = ResourcePolicy.for_pack(pack.root, builtin_dir("styles"), *fonts.font_dirs())
    counting = splice.page_count(decide) if decide else nullcontext()
    with weasyprint_log() as records, fetch_errors(), counting, fewer_collections():
        source = HTML(string=html, base_url=pack_base(pack), url_fetcher=url_fetcher(policy))
        document = source.render(font_config=font_config or FontConfiguration(), pdf_variant=PDF_VARIANT)
    if report:
        report_log(records, pack)
    return document, source.etree_element


def write_document(document, pack: Pack) -> bytes:
    """The PDF of a laid-out handout, dated by SOURCE_DATE_EPOCH or the pack."""
    with weasyprint_log() as records, fetch_errors(), fewer_collections():
        document.metadata.created = document.metadata.modified = metadata_date() or pack.date
        pdf = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_identifier=True)
    report_log(records, pack)
    return pdf


# WeasyPrint makes and drops boxes by the million: Python's collector, at its default
# threshold, looks for cycles every 700 new objects. Every 2,000 saved a tenth of the
# layout's time of a 195-page handout and lowered its peak memory (412 -> 386 MB: the
# cycles hold Pango layouts, freed at the same pace); higher thresholds saved more time
# but kept more garbage (50,000: 471 MB).
COLLECT_EVERY = (2_000, 10, 10)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Python's garbage collector run less often while WeasyPrint lays out or writes (restored after)."""
    saved = gc.get_threshold()
    gc.set_threshold(*COLLECT_EVERY)
    try:
        yield
    finally:
        gc.set_threshold(*saved)


@contextmanager
def fetch_errors() -> Iterator[None]:
    """A studypack error raised while WeasyPrint fetched a resource, as itself."""
    try:
        yield
    except FatalURLFetchingError as exc:
        if isinstance(exc.__cause__, StudypackError):
            raise exc.__cause__ from None
        raise


def check_fonts(document, css: str, pack: Pack) -> None:
    """Fail if any character was set in a font the stylesheets did not ask for, or in none."""
    wanted, generic = fonts.named_families(css)
    borrowed: dict[str, set[str]] = {}
    missing: set[str] = set()
    for font in document.fonts.values():
        missing.update(chr(codepoint) for codepoint in font.missing)
        if generic or font.family in wanted:
            continue
        chars = {char for text in font.to_unicode.values() for char in text if not char.isspace()}
        if chars:
            borrowed.setdefault(font.family, set()).update(chars)
    fonts.check_glyphs(borrowed, missing, pack, fonts.font_summary(wanted))


# --- WeasyPrint's log ---------------------------------------------------------

# WeasyPrint's messages that say nothing a teacher could act on; fontTools
# (which subsets fonts where HarfBuzz cannot) never does.
NOISE = (
    re.compile(r"^Using fontTools instead of HarfBuzz-Subset"),
    re.compile(r"^\.notdef glyph rendered"),  # reported by check_fonts, with where it occurs
)
LOGGERS = ("weasyprint", "fontTools")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def weasyprint_log() -> Iterator[list[logging.LogRecord]]:
    """Collect WeasyPrint's (and fontTools') warnings instead of letting them reach the terminal."""
    handler = _Collect()
    loggers = [logging.getLogger(name) for name in LOGGERS]
    saved = [logger.propagate for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.propagate = False
    try:
        yield handler.records
    finally:
        for logger, propagate in zip(loggers, saved):
            logger.removeHandler(handler)
            logger.propagate = propagate


def report_log(records: list[logging.LogRecord], pack: Pack) -> None:
    """Pass on WeasyPrint's messages that matter as studypack warnings; drop the noise."""
    seen = set()
    for record in records:
        message = record.getMessage()
        if record.name.startswith("fontTools") or any(p.search(message) for p in NOISE) or message in seen:
            log.debug("%s: PDF layout (not shown): %s", pack.name, message)
            continue
        seen.add(message)
        log.warning("%s: PDF layout: %s", pack.name, message.splitlines()[0])
