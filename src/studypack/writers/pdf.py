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
from contextlib import contextmanager
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
from ..apparatus import page_numbers
from ..render import Renderer
from ..resources import builtin_dir
from . import WriteRequest, WriteResult, Writer, pydyf_fix, splice
from .epub_pages import page_map
from .html import inline_style

log = logging.getLogger(__name__)

pydyf_fix.install()  # tagged PDFs otherwise take time pages x elements to write (see pydyf_fix.py)

PAPER_SIZES = {"a4": "A4", "letter": "letter"}

# Tagged PDF (PDF/UA-1): structure tags for screen readers and reflow.
PDF_VARIANT = "pdf/ua-1"


class PdfWriter(Writer):
    """Writes a pack as a printable PDF handout (student or teacher edition)."""

    format = "pdf"
    extension = "pdf"

    def write(self, request: WriteRequest, dest: Path) -> WriteResult:
        started = time.perf_counter()
        handout = lay_out_handout(request, self.page_css(request))
        document = handout.document
        pdf = write_document(document, request.pack)
        check_fonts(document, handout.css, request.pack)
        dest.write_bytes(self.finish(request, pdf, document, dest))
        extra: tuple[Path, ...] = ()
        if request.options.get("emit_html"):
            html_path = dest.with_name(final_name(dest).removesuffix(".pdf") + ".print.html")
            write_atomic(html_path, handout.html.encode("utf-8"))
            extra = (html_path,)
        return WriteResult(
            pages=len(document.pages),
            extra_files=extra,
            details={
                "render_seconds": round(time.perf_counter() - started, 3),
                "variant": PDF_VARIANT,
                "page_map": page_map(handout.roots, document),  # for the EPUB's page list (see epub_pages)
                "index_pages": handout.index_pages,  # for the next build of this output (build.py)
            },
        )

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


def lay_out_handout(request: WriteRequest, page_css: str) -> Handout:
    """Lay out a pack's handout once, its index with the page runs that layout tells (writers/splice.py).

    ``html`` is the handout's whole HTML, index and all: what ``--emit-html``
    writes, and what WeasyPrint alone turns into the same pages. The index is
    first set with the pages the last build of this output printed its uses
    on (``request.artefacts["index_pages"]``), where the build has them: when
    the layout puts every use on the same page again, as it does unless the
    text before it changed, that first layout is the handout. Otherwise the
    index is set with provisional page runs and then again with the real ones.
    """
    pack = request.pack
    renderer = Renderer(pack, request.edition, "pdf", request.theme, request.variant, options=request.options)
    renderer.index_pages = request.artefacts.get("index_pages") or None
    css = "\n".join((fonts.font_css(), renderer.css(), page_css))
    html = renderer.render("pack.html", inline_css=inline_style(css), base_href=pack_base(pack))
    font_config = FontConfiguration()  # one per handout: the index's own layout reuses its fonts
    document, root = lay_out(html, pack, font_config)
    if not renderer.prints_index:
        return Handout(document, (root,), html, css)
    # The index: the layout tells on which page each use is printed.
    shown = renderer.render("index.html", again=True)
    renderer.index_pages = page_numbers(document)
    real = renderer.render("index.html", again=True)
    if real == shown:  # the pages the last build found: this layout is the handout
        return Handout(document, (root,), html, css, renderer.index_pages)
    if html.count(shown) == 1:  # the index as pack.html includes it: put the real one in its place
        html = html.replace(shown, real)
    else:
        html = renderer.render("pack.html", inline_css=inline_style(css), base_href=pack_base(pack))
    spliced = index_again(document, html, pack, font_config)
    if spliced is not None:
        return Handout(spliced[0], (root, spliced[1]), html, css, renderer.index_pages)
    log.debug("%s: the index did not fit the pages of its provisional one; laying the handout out again", pack.name)
    document = root = None
    gc.collect()  # the first layout is held by reference cycles: free it before making the next one
    document, root = lay_out(html, pack, font_config)
    return Handout(document, (root,), html, css, renderer.index_pages)


def index_again(first, html: str, pack: Pack, font_config):
    """(The handout ``first`` with its index's pages set again with their real page runs, the index's HTML tree);
    None where they don't fit the pages of the provisional ones (writers/splice.py)."""
    start = splice.first_page_of(first, splice.INDEX_ID)
    cut = splice.index_html(html, start + 1, len(first.pages)) if start is not None else None
    if cut is None:
        return None
    layout, root = lay_out(cut, pack, font_config, report=False)
    spliced = splice.splice_index(first, layout, start)
    return None if spliced is None else (spliced, root)


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


def lay_out(html: str, pack: Pack, font_config=None, *, report: bool = True):
    """WeasyPrint's layout of the handout: (the document, the HTML tree it laid out).

    ``report=False`` drops WeasyPrint's messages (a layout whose own have been reported)."""
    policy = ResourcePolicy.for_pack(pack.root, builtin_dir("styles"), *fonts.font_dirs())
    with weasyprint_log() as records, fetch_errors():
        source = HTML(string=html, base_url=pack_base(pack), url_fetcher=url_fetcher(policy))
        document = source.render(font_config=font_config or FontConfiguration(), pdf_variant=PDF_VARIANT)
    if report:
        report_log(records, pack)
    return document, source.etree_element


def write_document(document, pack: Pack) -> bytes:
    """The PDF of a laid-out handout, dated by SOURCE_DATE_EPOCH or the pack."""
    with weasyprint_log() as records, fetch_errors():
        document.metadata.created = document.metadata.modified = metadata_date() or pack.date
        pdf = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_identifier=True)
    report_log(records, pack)
    return pdf


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
