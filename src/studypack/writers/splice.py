"""Setting a handout's index without laying the whole handout out again.

The printed index gives page runs ("12–14"), which only a layout can tell.
The PDF writer lays the handout out once with only the index's heading where
the index goes (templates/index.html, while ``index_is_provisional``; a
pack's own template may print `apparatus.provisional_pages`), or with the
index the last build printed. When that layout has placed every page but
made none of its margin boxes yet, WeasyPrint has told the page of every
marked word; then (`page_count`):

- the index is rendered with the real runs and laid out alone, as a small
  document of its own (`index_html`): the handout's HTML with only the index
  and the headings of its first block (the title page's, which set the
  running heads' strings) left in its body; the blocks between are kept empty
  and hidden, so that selectors of siblings match as they do in the handout.
  The index starts on a left or right page as it does in the handout, and the
  page counter is set so that its first page has the handout's number for it;
- the handout's page count is then known: the pages before the index, and the
  index's own. Both layouts make their margin boxes ("Page N of M") with it.

The index's pages from the small layout then take the place of the first
layout's (WeasyPrint's ``Document.copy`` of pages from two layouts),
however many pages either fills, so the handout is laid out once, not twice.
`splice_index` checks that the index begins at the top of its first page in
both and that the margin boxes of that page read the same; otherwise, and
where the stylesheets print the page count in the text rather than in the
margins, the writer lays the whole handout out again with the real runs, as
it would without this module. The PDF is the same either way: a test compares
it with WeasyPrint's layout of the final HTML, byte for byte.

`page_count` reaches into WeasyPrint's layout (``weasyprint.layout``'s
``make_margin_boxes`` and the page maker's states), as writers/classset.py
and epub_pages.py read its page boxes. It does so only on the WeasyPrint
versions it was written against (`READS_WEASYPRINT`); on another, the writer
reads the pages from the finished layout and, where the real index differs
from the one laid out, lays the whole handout out again (tested).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator

import lxml.html
import weasyprint.layout

INDEX_ID = "index"
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def first_page_of(document, anchor: str) -> int | None:
    """The 0-based number of the page where ``anchor`` is, or None."""
    for number, page in enumerate(document.pages):
        if anchor in page.anchors:
            return number
    return None


def index_html(html: str, index_page: int) -> tuple[str, int] | None:
    """The HTML of the index alone, numbered as page ``index_page`` (1-based) onwards, and the page of
    the small layout it starts on; None if it can't be cut out.

    The body keeps its first block, which fills page 1 (and sets the running
    heads' strings), and the index, which then breaks to a left or a right page
    as page ``index_page`` of the handout is one.
    """
    tree = lxml.html.document_fromstring(html)
    body = tree.find("body")
    if body is None or len(body) < 2:
        return None
    index = body[-1]
    if index.get("id") != INDEX_ID:
        return None  # a template that does not end with the index: nothing to cut
    for child in list(body)[1:-1]:  # kept, empty and hidden: selectors of siblings (``.a + .b``) still match
        for grandchild in list(child):
            child.remove(grandchild)
        child.text = None
        child.set("style", "display: none")
    headings_only(body[0])
    right = index_page % 2 == 1  # page 1 is a right-hand page
    index.set("style", f"break-before: {'right' if right else 'left'}; " + (index.get("style") or ""))
    first = 3 if right else 2  # the page the index starts on in the small layout
    reset = tree.makeelement("style")
    reset.text = f"@page :first {{ counter-reset: page {index_page - first + 1}; }}"
    tree.find("head").append(reset)
    return lxml.html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>"), first


def headings_only(block) -> None:
    """Empty the first block but for its headings: they set the running heads' strings
    (the pack's title); the rest (the contents, the name box) would only cost layout time.
    Were a string set by something else, the margin boxes would differ and the index not be spliced."""
    for element in list(block.iter()):
        if element is block or element.getparent() is None:
            continue
        if element.tag in HEADINGS:
            continue
        if any(d.tag in HEADINGS for d in element.iterdescendants()):
            continue
        element.drop_tree()


def margin_texts(page) -> list[str]:
    """The text of a laid-out page's margin boxes, in order (running heads, page numbers)."""
    texts = []
    for box in page._page_box.children:
        if type(box).__name__ == "MarginBox":
            texts.append("".join(getattr(b, "text", "") for b in box.descendants()))
    return texts


def splice_index(first, index_layout, start: int) -> object | None:
    """The handout ``first`` with its index pages (``start`` onwards) replaced by those of ``index_layout``;
    None if the index does not begin alike in both (at the top of a page with the same margin boxes)."""
    begin = first_page_of(index_layout, INDEX_ID)
    if begin is None or start >= len(first.pages):
        return None
    old, new = first.pages[start], index_layout.pages[begin]
    if old.anchors[INDEX_ID][:3] != new.anchors[INDEX_ID][:3] or margin_texts(old) != margin_texts(new):
        return None
    return first.copy(first.pages[:start] + index_layout.pages[begin:])


# --- the page count, told before the margin boxes are made ------------------------------

# The WeasyPrint versions whose layout `page_count` reads (``make_margin_boxes`` and the page
# maker's states). With another one it does nothing: the writer then reads the pages from the
# finished layout and lays the handout out again whole where the real index differs.
READS_WEASYPRINT = ("70",)
HOOKED = weasyprint.__version__.split(".")[0] in READS_WEASYPRINT and hasattr(weasyprint.layout, "make_margin_boxes")

Decide = Callable[[object], "int | None"]
_deciders: list[Decide] = []
_make_margin_boxes = getattr(weasyprint.layout, "make_margin_boxes", None)


@contextmanager
def page_count(decide: Decide) -> Iterator[None]:
    """While WeasyPrint lays out a document, call ``decide(context)`` once it has placed every page
    and before it makes the first margin box; the number it returns (if not None) is the page count
    every ``counter(pages)`` of the margin boxes then prints.

    The layouts nest: ``decide`` may lay out another document (the index), with its own ``page_count``.
    Where WeasyPrint's layout is not one this module knows (`HOOKED`), ``decide`` is never called.
    """
    if not HOOKED:
        yield
        return
    if not _deciders:
        weasyprint.layout.make_margin_boxes = _margin_boxes
    _deciders.append(decide)
    try:
        yield
    finally:
        _deciders.pop()
        if not _deciders:
            weasyprint.layout.make_margin_boxes = _make_margin_boxes


def _margin_boxes(context, page, state):
    if _deciders and not getattr(context, "studypack_counted", False):
        context.studypack_counted = True
        total = _deciders[-1](context)
        if total is not None:
            for entry in context.page_maker:
                entry[3][1]["pages"] = [total]
    return _make_margin_boxes(context, page, state)


def anchor_pages_of(document) -> dict[str, int]:
    """Anchor -> the (1-based) page of a laid-out document it is first on."""
    out: dict[str, int] = {}
    for number, page in enumerate(document.pages, 1):
        for anchor in page.anchors:
            out.setdefault(anchor, number)
    return out


def placed_pages(context) -> int:
    """How many pages a layout made (in ``page_count``'s ``decide``)."""
    return len(context.page_maker) - 1


def anchor_pages(context) -> dict[str, int]:
    """Anchor -> the (1-based) page of the layout it is first on (in ``page_count``'s ``decide``)."""
    out: dict[str, int] = {}
    for number, entry in enumerate(context.page_maker[:-1], 1):
        for anchor in entry[4].get("anchors", ()):
            out.setdefault(anchor, number)
    return out


def prints_page_count_in_text(context) -> bool:
    """Whether a stylesheet printed ``counter(pages)`` in the pages' content, not only in their margins:
    that text was set with the layout's own page count (in ``page_count``'s ``decide``)."""
    return any(entry[4].get("pages_wanted") for entry in context.page_maker)
