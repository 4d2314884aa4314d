"""Page numbers in the e-book that match the printed handout.

The page map (layout/pagemap.py) says on which pages of the printed handout
each block element (paragraph, heading, list item, table row, ...) is
printed. It is read off the PDF writer's own layout, so the build hands the
EPUB the map of the PDF it has made, or made earlier (see build.py); no
second layout is needed.

The e-book's blocks are then matched with the handout's, in order, by their
text (footnotes, which print and e-book place differently, left out), and a
``<span epub:type="pagebreak">`` goes before the block where each page begins:
the first block that begins on the page or, where a page begins and ends
inside one long block, the block it is inside. The nav's page list points at
these markers, so "turn to page 5" works on an e-reader.

Only when no map is given (the writer used on its own) is the handout laid
out again here, exactly as the PDF writer lays it out: one more WeasyPrint
layout, roughly what the PDF of that edition takes. Where the layout cannot
tell the map (a WeasyPrint the layout hooks were not written for), the book
has no page list. Turn the page list off with the ``page_list`` option.
"""

from __future__ import annotations

import difflib

from lxml import etree

from ...layout.pagemap import PageMap, PrintedBlock, blocks, local_name, signature
from .. import WriteRequest
from .book import EPUB_NS, XHTML_NS, Chapter, xhtml

# Parents in which a <span> may not stand between children: the marker goes inside the block.
NO_PHRASING_PARENTS = frozenset({"ol", "ul", "menu", "dl", "table", "thead", "tbody", "tfoot", "tr", "hgroup"})


def printed_blocks(request: WriteRequest) -> PageMap | None:
    """The handout's blocks that are printed, with their pages; and the handout's page count.

    The PDF's own map when the build gives it (``request.artefacts["page_map"]``), else a layout of the
    handout; None where neither can tell it.
    """
    given = request.artefacts.get("page_map")
    if given is not None:
        return given
    # WeasyPrint (0.4 s to import) only for a book made without its PDF's map.
    from ...layout import handout
    from ..handout_html import paper_css, paper_of, prepare_handout

    setup = prepare_handout(request, paper_css(paper_of(request)))
    laid_out = handout.lay_out_handout(setup)
    return handout.page_map(laid_out.roots, laid_out.document)


def page_starts(printed: list[PrintedBlock], page_count: int, book_signatures: list) -> list[int | None]:
    """For each page 1..N, the index of the e-book block its marker goes before (None: the book's end).

    Blocks are matched in order by signature. A page's marker goes before the
    first matched block that begins on it; where none does (the page holds the
    end of a long paragraph, or only answer lines), before the innermost block
    that runs on into the page; failing that, before the block begun last, or
    the next one. Markers never go backwards.
    """
    matcher = difflib.SequenceMatcher(None, [b.signature for b in printed], book_signatures, autojunk=False)
    matched: list[tuple[PrintedBlock, int]] = []  # (printed block, e-book index)
    for a, b, size in matcher.get_matching_blocks():
        matched.extend((printed[a + k], b + k) for k in range(size))
    starts: list[int | None] = []
    floor = 0
    for page in range(1, page_count + 1):
        begins = [i for block, i in matched if block.page == page]
        runs_on = [i for block, i in matched if block.page < page and page in block.pages]
        before = [i for block, i in matched if block.page < page]
        after = [i for block, i in matched if block.page > page]
        if begins:
            choice = begins[0]
        elif runs_on or before:
            choice = (runs_on or before)[-1]
        elif after:
            choice = after[0]
        else:
            choice = None
        if choice is not None:
            choice = floor = max(choice, floor)
        starts.append(choice)
    return starts


def marker(page: int) -> etree._Element:
    """The pagebreak marker of a printed page."""
    span = etree.Element(xhtml("span"), nsmap={None: XHTML_NS, "epub": EPUB_NS})
    span.set(f"{{{EPUB_NS}}}type", "pagebreak")
    span.set("role", "doc-pagebreak")
    span.set("id", f"page-{page}")
    span.set("aria-label", str(page))
    return span


def place(element: etree._Element, span: etree._Element, nth: int) -> None:
    """Put a marker before a block, or at its start where the parent takes no text (the nth marker there)."""
    local = local_name(element.tag)
    parent = element.getparent()
    if local == "tr":
        cells = [c for c in element if local_name(c.tag) in ("th", "td")]
        element = cells[0]
    elif parent is None or local_name(parent.tag) not in NO_PHRASING_PARENTS:
        element.addprevious(span)
        return
    if nth == 0:
        span.tail = element.text
        element.text = None
    else:
        previous = element[nth - 1]
        span.tail, previous.tail = previous.tail, None
    element.insert(nth, span)


def mark_pages(request: WriteRequest, chapters: list[Chapter]) -> list[tuple[str, str]]:
    """Insert the handout's page markers into the chapters; the page list as (label, href) pairs."""
    mapped = printed_blocks(request)
    if mapped is None:
        return []
    printed, page_count = mapped
    book_blocks = [(chapter, element) for chapter in chapters for element in blocks(chapter.body())]
    starts = page_starts(printed, page_count, [signature(el) for _, el in book_blocks])
    pages: list[tuple[str, str]] = []
    count_at: dict[int, int] = {}
    for page, index in enumerate(starts, 1):
        span = marker(page)
        if index is None:
            chapter = chapters[-1]
            chapter.body().append(span)
        else:
            chapter, element = book_blocks[index]
            place(element, span, count_at.get(index, 0))
            count_at[index] = count_at.get(index, 0) + 1
        pages.append((str(page), f"{chapter.file_name}#page-{page}"))
    return pages
