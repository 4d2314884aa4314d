"""The PDF writer: printed handouts, laid out by WeasyPrint (layout/) from the pack's HTML and print CSS.

The handout's HTML is made by writers/handout_html.py; layout/ lays it out,
in pieces where it is long (layout/pieces.py), and writes the PDF
(`print_handout`). The writer writes it, and beside it the HTML with
``--emit-html``; it hands the build the page map the EPUB's page list is made
from, and the index's page runs, which the next build of this output starts
from. The print room's writers (printroom/) print the handout the same way,
in one layout, and compose what they make from it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from ..layout import handout
from ..layout.engine import PDF_VARIANT
from ..layout.pieces import lay_out_in_pieces
from ..outputs import write_atomic
from . import WriteRequest, WriteResult, Writer, final_name, handout_html
from .handout_html import paper_css, paper_of


@dataclass
class Printed:
    """A handout laid out and written: its PDF, its pages (the laid-out document, where it was laid out
    in one layout), its HTML, and what the build is told of it."""

    pdf: bytes
    pages: int
    html: str
    document: object | None
    details: dict


def print_handout(request: WriteRequest, page_css: str, *, in_pieces: bool) -> Printed:
    """The handout of ``request`` with ``page_css`` (the paper), laid out (in pieces, where ``in_pieces``
    and it is long) and written as a PDF."""
    started = time.perf_counter()
    setup = handout_html.prepare_handout(request, page_css)
    pieced = None
    if in_pieces:
        own_styles = bool(request.theme.template_dirs or request.theme.style_dirs)
        pieced = lay_out_in_pieces(setup, piece_elements=request.options.get("piece_elements"), own_styles=own_styles)
    details: dict = {"variant": PDF_VARIANT}  # tagged: PDF/UA-1
    if pieced is not None:
        printed = Printed(pieced.pdf, pieced.pages, pieced.html, None, details)
        details.update(page_map=(pieced.printed, pieced.pages), pieces=pieced.pieces, index_pages=pieced.index_pages)
    else:
        laid_out = handout.lay_out_handout(setup)
        pdf = handout.write_handout(laid_out, setup)
        printed = Printed(pdf, len(laid_out.document.pages), laid_out.html, laid_out.document, details)
        details["index_pages"] = laid_out.index_pages  # for the next build of this output (build.py)
        mapped = handout.page_map(laid_out.roots, laid_out.document)
        if mapped is not None:  # (None: a WeasyPrint whose pages the hooks do not read; the EPUB has no page list)
            details["page_map"] = mapped
    details["render_seconds"] = round(time.perf_counter() - started, 3)
    return printed


def emitted_html(request: WriteRequest, dest: Path, html: str) -> tuple[Path, ...]:
    """With ``--emit-html``, the handout's HTML written beside the PDF (``dest``): the file, else nothing."""
    if not request.options.get("emit_html"):
        return ()
    html_path = dest.with_name(final_name(dest).removesuffix(".pdf") + ".print.html")
    write_atomic(html_path, html.encode("utf-8"))
    return (html_path,)


class PdfWriter(Writer):
    """Writes a pack as a printable PDF handout (student or teacher edition)."""

    format = "pdf"
    extension = "pdf"

    # A long handout is laid out in pieces (layout/pieces.py); False: always in one layout (the tests).
    pieces = True

    def write(self, request: WriteRequest, dest: Path) -> WriteResult:
        printed = print_handout(request, paper_css(paper_of(request)), in_pieces=self.pieces)
        dest.write_bytes(printed.pdf)
        extra = emitted_html(request, dest, printed.html)
        return WriteResult(pages=printed.pages, extra_files=extra, details=printed.details)
