"""The booklet writer: the handout on pages half the size of the paper, two to a sheet (``--booklet``).

A4 paper gives A5 pages, letter paper half-letter pages (5.5 x 8.5 in). The
handout is laid out at that size with margins for a folded booklet (no room
for a hole punch: it is stapled on the fold), written as a PDF, then imposed
in saddle-stitch order (`compose.impose_booklet`). Its page count is that of
the A5 pages.
"""

from __future__ import annotations

from pathlib import Path

from ..writers import WriteRequest, WriteResult, Writer
from ..writers.handout_html import paper_of
from ..writers.pdf import emitted_html, print_handout
from .compose import impose_booklet

HALF_PAGES = {"a4": "A5", "letter": "5.5in 8.5in"}
# The sheets they are imposed on, landscape, in points.
SHEETS = {"a4": (297 * 72 / 25.4, 210 * 72 / 25.4), "letter": (11 * 72, 8.5 * 72)}

# Equal inner and outer margins: facing pages meet at the fold, which takes nothing away.
BOOKLET_MARGINS = "margin-left: 13mm; margin-right: 13mm;"

# A booklet's page is half as wide: the title page's Name box gets a line of its own, and the
# Class and Date boxes share the next (on one line, a large-print booklet left the name 9 mm).
BOOKLET_DETAILS = """
.student-details, .student-details tbody { display: block; }
.student-details tr { display: grid; grid-template-columns: auto 1fr auto 1fr; row-gap: 2mm; align-items: end; }
.student-details th, .student-details td { display: block; width: auto; }
.student-details td#student-name { grid-column: 2 / 5; }
.student-details th:nth-of-type(2) { grid-row: 2; grid-column: 1; padding-left: 0; }
.student-details td:nth-of-type(2) { grid-row: 2; grid-column: 2; }
.student-details th:nth-of-type(3) { grid-row: 2; grid-column: 3; }
.student-details td:nth-of-type(3) { grid-row: 2; grid-column: 4; }
"""


def booklet_page_css(request: WriteRequest) -> str:
    """The rules after the stylesheets that make a booklet's pages (also a booklet class set's)."""
    return (
        f"@page {{ size: {HALF_PAGES[paper_of(request)]}; }}\n"
        f"@page :left {{ {BOOKLET_MARGINS} }}\n@page :right {{ {BOOKLET_MARGINS} }}\n"
        f"{BOOKLET_DETAILS}"
    )


class BookletWriter(Writer):
    """Writes a pack as a booklet: half-size pages imposed two to a sheet, for double-sided copying."""

    format = "booklet"
    extension = "pdf"

    def write(self, request: WriteRequest, dest: Path) -> WriteResult:
        printed = print_handout(request, booklet_page_css(request), in_pieces=False)
        title = f"{request.pack.title}: booklet"
        dest.write_bytes(impose_booklet(printed.pdf, SHEETS[paper_of(request)], title))
        extra = emitted_html(request, dest, printed.html)
        return WriteResult(pages=printed.pages, extra_files=extra, details=printed.details)
