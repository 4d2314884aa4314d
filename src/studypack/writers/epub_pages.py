"""Page numbers in the e-book that match the printed handout.

The page map says on which pages of the printed handout each block element
(paragraph, heading, list item, table row, ...) is printed. It is read off the
PDF writer's own layout (`page_map`: every box WeasyPrint lays out knows the
element it was made for), so the build hands the EPUB the map of the PDF it
has made, or made earlier (see build.py); no second layout is needed.

The e-book's blocks are then matched with the handout's, in order, by their
text (footnotes, which print and e-book place differently, left out), and a
``<span epub:type="pagebreak">`` goes before the block where each page begins:
the first block that begins on the page or, where a page begins and ends
inside one long block, the block it is inside. The nav's page list points at
these markers, so "turn to page 5" works on an e-reader.

Only when no map is given (the writer used on its own) is the handout laid
out again here, exactly as the PDF writer lays it out: one more WeasyPrint
layout, roughly what the PDF of that edition takes. Turn the page list off
with the ``page_list`` option.
"""

from __future__ import annotations

import difflib

from lxml import etree

from ..artefacts import PrintedBlock
from . import WriteRequest
from .epub import EPUB_NS, XHTML_NS, Chapter, xhtml

# The elements that are "blocks" for page-mapping: where a reader's eye starts a line.
BLOCK_TAGS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "tr", "footer", "pre", "figcaption", "caption"}
)
# Content that print and e-book place differently: footnote bodies and calls.
SKIPPED_CLASSES = frozenset({"footnote", "noteref"})
# Parents in which a <span> may not stand between children: the marker goes inside the block.
NO_PHRASING_PARENTS = frozenset({"ol", "ul", "menu", "dl", "table", "thead", "tbody", "tfoot", "tr", "hgroup"})


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _skipped(element) -> bool:
    return bool(SKIPPED_CLASSES & set((element.get("class") or "").split()))


def blocks(root) -> list:
    """The block elements under ``root`` in document order, footnotes left out (xml.etree or lxml)."""
    out = []

    def walk(element) -> None:
        for child in element:
            if not isinstance(child.tag, str) or _skipped(child):
                continue
            if _local(child.tag) in BLOCK_TAGS:
                out.append(child)
            walk(child)

    walk(root)
    return out


def signature(element) -> tuple[str, str]:
    """What identifies a block across print and e-book: its tag and its text, footnotes left out."""
    parts: list[str] = []

    def walk(el) -> None:
        if not _skipped(el):
            parts.append(el.text or "")
            for child in el:
                if isinstance(child.tag, str):
                    walk(child)
                parts.append(child.tail or "")

    walk(element)
    return _local(element.tag), " ".join("".join(parts).split())


def page_map(roots, document) -> tuple[list[PrintedBlock], int]:
    """The blocks under ``roots`` that ``document`` (WeasyPrint's layout of them) prints, with their pages; and its page count.

    ``roots`` are the HTML trees of the layouts the document's pages come from, in page order
    (a handout whose index was set again has two: writers/splice.py)."""
    elements = [element for root in roots for element in blocks(root)]
    wanted = {id(element) for element in elements}
    pages_of: dict[int, list[int]] = {}
    for number, page in enumerate(document.pages, 1):
        boxes = [page._page_box]
        while boxes:
            box = boxes.pop()
            element = getattr(box, "element", None)
            if element is not None and id(element) in wanted:
                pages = pages_of.setdefault(id(element), [])
                if not pages or pages[-1] != number:  # a block split across pages is on each
                    pages.append(number)
            boxes.extend(getattr(box, "children", ()))
    printed = [
        PrintedBlock(signature(element), pages[0], frozenset(pages))
        for element in elements
        if (pages := pages_of.get(id(element)))  # not printed at all where print.css hides it
    ]
    return printed, len(document.pages)


def printed_blocks(request: WriteRequest) -> tuple[list[PrintedBlock], int]:
    """The handout's blocks that are printed, with their pages; and the handout's page count.

    The PDF's own map when the build gives it (``request.artefacts["page_map"]``), else a layout of the handout.
    """
    if "page_map" in request.artefacts:
        return request.artefacts["page_map"]
    from .pdf import lay_out_handout, paper_css, paper_of, prepare_handout

    handout = lay_out_handout(request, prepare_handout(request, paper_css(paper_of(request))))
    return page_map(handout.roots, handout.document)


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
    local = _local(element.tag)
    parent = element.getparent()
    if local == "tr":
        cells = [c for c in element if _local(c.tag) in ("th", "td")]
        element = cells[0]
    elif parent is None or _local(parent.tag) not in NO_PHRASING_PARENTS:
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
    printed, page_count = printed_blocks(request)
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
