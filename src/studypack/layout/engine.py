"""WeasyPrint, driven through its public API: a document laid out, a PDF written, its log sorted.

Every layout of a handout goes through `lay_out` and every PDF of one
through `write_document`: WeasyPrint reads nothing outside the pack and
studypack's own resources (`url_fetcher`, the rule of resource_policy.ResourcePolicy),
its log is turned into warnings a teacher can act on (`report_log`), the
speed-ups of hooks/speedups.py are in place, and Python's collector runs less
often. `lay_out_plain` and `write_plain` serve the small documents of the
print room (the names of a class set) and the e-book's cover.
"""

from __future__ import annotations

import gc
import logging
import re
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Iterator

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from ..errors import StudypackError
from ..resource_policy import ResourcePolicy
from ..model import Pack
from ..resources import builtin_dir
from . import fonts
from .hooks import pages, speedups

log = logging.getLogger(__name__)

# Tagged PDF (PDF/UA-1): structure tags for screen readers and reflow.
PDF_VARIANT = "pdf/ua-1"


def pack_base(pack: Pack) -> str:
    """The base URL of the pack's relative references: its folder, as a file: URL."""
    return Path(pack.root).resolve().as_uri() + "/"


class PackURLFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that reads only what a `ResourcePolicy` allows."""

    def __init__(self, policy: ResourcePolicy):
        # Errors stop the rendering (WeasyPrint wraps them in
        # FatalURLFetchingError); `fetch_errors` unwraps ours.
        super().__init__(allowed_protocols=("file", "data"), fail_on_errors=True)
        self.policy = policy

    def fetch(self, url, headers=None):
        """The response for ``url``: a data: URI as WeasyPrint reads it, a file the policy allows, else an error."""
        if self.policy.resolve(url) is None:
            return super().fetch(url, headers)
        data, media_type = self.policy.read(url)
        return URLFetcherResponse(url, data, {"Content-Type": media_type})


def url_fetcher(pack: Pack) -> PackURLFetcher:
    """The URL fetcher of a pack's layouts: its folder, the built-in styles and the print fonts."""
    return PackURLFetcher(ResourcePolicy.for_pack(pack.root, builtin_dir("styles"), *fonts.font_dirs()))


def new_fonts() -> FontConfiguration:
    """A font configuration: the fonts of the layouts that share it are loaded once."""
    return FontConfiguration()


def lay_out(html: str, pack: Pack, font_config=None, *, report: bool = True, decide=None):
    """WeasyPrint's layout of the handout: (the document, the HTML tree it laid out).

    ``report=False`` drops WeasyPrint's messages (a layout whose own have been reported);
    ``decide`` tells the page count before the margin boxes are made (`hooks.pages.page_count`)."""
    counting = pages.page_count(decide) if decide else nullcontext()
    with weasyprint_log() as records, fetch_errors(), counting, speedups.installed(), fewer_collections():
        source = HTML(string=html, base_url=pack_base(pack), url_fetcher=url_fetcher(pack))
        document = source.render(font_config=font_config or FontConfiguration(), pdf_variant=PDF_VARIANT)
    if report:
        report_log(records, pack)
    return document, source.etree_element


def write_document(document, pack: Pack, date: str | None) -> bytes:
    """The PDF of a laid-out handout, dated ``date`` (SOURCE_DATE_EPOCH), else by the pack."""
    with weasyprint_log() as records, fetch_errors(), speedups.installed(), fewer_collections():
        document.metadata.created = document.metadata.modified = date or pack.date
        pdf = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_identifier=True)
    report_log(records, pack)
    return pdf


def lay_out_plain(html: str, pack: Pack | None = None, font_config=None):
    """A small document laid out (a class set's names, a cover), its warnings dropped; with ``pack``,
    its relative references read from the pack folder."""
    fetching = {"base_url": pack_base(pack), "url_fetcher": url_fetcher(pack)} if pack is not None else {}
    with weasyprint_log(), fetch_errors():
        return HTML(string=html, **fetching).render(**({"font_config": font_config} if font_config else {}))


def write_plain(document, pages_kept: int | None = None) -> bytes:
    """The PDF of a document `lay_out_plain` made (only its first ``pages_kept`` pages, where given)."""
    with weasyprint_log(), fetch_errors():
        if pages_kept is not None:
            document = document.copy(document.pages[:pages_kept])
        return document.write_pdf()


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
    """Fail if any character was set in a font the stylesheets did not ask for, or in none
    (on a WeasyPrint whose fonts the hooks cannot read, nothing is checked: `hooks.available`)."""
    used = pages.fonts_used(document)
    if used is None:
        return
    wanted, generic = fonts.named_families(css)
    borrowed: dict[str, set[str]] = {}
    missing: set[str] = set()
    for family, lacking, chars in used:
        missing.update(lacking)
        if generic or family in wanted:
            continue
        chars = {char for char in chars if not char.isspace()}
        if chars:
            borrowed.setdefault(family, set()).update(chars)
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
