"""Setting a handout's index again without laying the whole handout out again.

The printed index gives page runs ("12–14"), which only a layout can tell.
The PDF writer lays the handout out once with provisional runs in the index
(about as wide as the real ones: `apparatus.provisional_pages`), learns from
that layout the page of every marked word, and then lays out the index alone,
with the real runs, as a small document of its own:

- the handout's HTML with only the index and the headings of its first block
  (the title page's, which set the running heads' strings) left in its body;
  the blocks between are kept empty and hidden, so that selectors of siblings
  match as they do in the handout;
- the index starting on a left or right page as it does in the handout;
- the page counter set so that the index's first page has the handout's number
  for it, and every ``counter(pages)`` of the stylesheets replaced by the
  handout's page count.

The index's pages from that small layout then take the place of the
provisional ones (WeasyPrint's ``Document.copy`` of pages from two layouts),
so the handout is laid out once, not twice. The pages are used only when they
are proven to fit: the index fills exactly as many pages as the provisional
one did (so every "Page N of M" stays right), it begins at the same place
of its first page, and every page's margin boxes (running heads, page
numbers, edition) read the same in both. Otherwise
`splice_index` returns None and the writer lays the whole handout out again
with the real runs, as it would without this module; the PDF is the same.
"""

from __future__ import annotations

import re

import lxml.html

# The page count in the stylesheets: the small layout has fewer pages than the handout.
PAGES_COUNTER = re.compile(r"counter\(\s*pages\s*\)")
OTHER_PAGES_COUNTER = re.compile(r"counters?\(\s*pages\s*,")

INDEX_ID = "index"
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def first_page_of(document, anchor: str) -> int | None:
    """The 0-based number of the page where ``anchor`` is, or None."""
    for number, page in enumerate(document.pages):
        if anchor in page.anchors:
            return number
    return None


def index_html(html: str, index_page: int, total: int) -> str | None:
    """The HTML of the index alone, numbered as page ``index_page`` (1-based) onwards of ``total``; None if it can't be cut out.

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
    _headings_only(body[0])
    right = index_page % 2 == 1  # page 1 is a right-hand page
    index.set("style", f"break-before: {'right' if right else 'left'}; " + (index.get("style") or ""))
    first = 3 if right else 2  # the page the index starts on in the small layout
    styles = tree.findall(".//style")
    if any(OTHER_PAGES_COUNTER.search(style.text or "") for style in styles):
        return None
    for style in styles:
        style.text = PAGES_COUNTER.sub(f'"{total}"', style.text or "")
    reset = tree.makeelement("style")
    reset.text = f"@page :first {{ counter-reset: page {index_page - first + 1}; }}"
    tree.find("head").append(reset)
    return lxml.html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")


def _headings_only(block) -> None:
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
    """The handout ``first`` with its index pages (``start`` onwards) replaced by those of ``index_layout``; None if they don't fit."""
    begin = first_page_of(index_layout, INDEX_ID)
    if begin is None:
        return None
    old, new = first.pages[start:], index_layout.pages[begin:]
    if len(old) != len(new) or old[0].anchors[INDEX_ID][:3] != new[0].anchors[INDEX_ID][:3]:
        return None  # other pages, or the index placed otherwise on its first page (its height may differ)
    if any(margin_texts(a) != margin_texts(b) for a, b in zip(old, new)):
        return None
    return first.copy(first.pages[:start] + new)
