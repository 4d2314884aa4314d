"""Setting a handout's index without laying the whole handout out again.

The printed index gives page runs ("12–14"), which only a layout can tell.
The handout is laid out once with only the index's heading where the index
goes (templates/index.html, while ``index_is_provisional``; a pack's own
template may print `apparatus.provisional_pages`), or with the index the
last build printed. When that layout has placed every page but made none of
its margin boxes yet, WeasyPrint has told the page of every marked word;
then (`IndexSetter.decide`, through hooks.pages.page_count):

- the index is rendered with the real runs and laid out alone, as a small
  document of its own (layout/cut.py: the handout's HTML with only the index
  and the headings of the title page left in its body), its first page
  numbered as in the handout;
- the handout's page count is then known: the pages before the index, and the
  index's own. Both layouts make their margin boxes ("Page N of M") with it.

The index's pages from the small layout then take the place of the first
layout's (WeasyPrint's public ``Document.copy`` of pages from two layouts),
however many pages either fills, so the handout is laid out once, not twice.
`splice_index` checks that the index begins at the top of its first page in
both and that the margin boxes of that page read the same; otherwise, and
where the stylesheets print the page count in the text rather than in the
margins, the handout is laid out again whole with the real runs. The PDF is
the same either way: a test compares it with WeasyPrint's layout of the
final HTML, byte for byte. On a WeasyPrint the hooks were not written for,
the pages are read from the finished layout (`anchor_pages_of`) and the
handout laid out again where the real index differs (tested).
"""

from __future__ import annotations

from .. import apparatus
from ..model import Pack
from . import cut, engine
from .hooks import pages as hooked_pages


def first_page_of(document, anchor: str) -> int | None:
    """The 0-based number of the page where ``anchor`` is, or None."""
    for number, page in enumerate(document.pages):
        if anchor in page.anchors:
            return number
    return None


def anchor_pages_of(document) -> dict[str, int]:
    """Anchor -> the (1-based) page of a laid-out document it is first on."""
    out: dict[str, int] = {}
    for number, page in enumerate(document.pages, 1):
        for anchor in page.anchors:
            out.setdefault(anchor, number)
    return out


def splice_index(first, index_layout, start: int) -> object | None:
    """The handout ``first`` with its index pages (``start`` onwards) replaced by those of ``index_layout``;
    None if the index does not begin alike in both (at the top of a page with the same margin boxes)."""
    begin = first_page_of(index_layout, cut.INDEX_ID)
    if begin is None or start >= len(first.pages):
        return None
    old, new = first.pages[start], index_layout.pages[begin]
    if old.anchors[cut.INDEX_ID][:3] != new.anchors[cut.INDEX_ID][:3]:
        return None
    old_margins, new_margins = hooked_pages.margin_texts(old), hooked_pages.margin_texts(new)
    if old_margins is None or old_margins != new_margins:
        return None
    return first.copy(first.pages[:start] + index_layout.pages[begin:])


class IndexSetter:
    """The index of a handout being laid out, rendered again with the pages the layout placed its words
    on, and set alone once the layout has placed the pages.

    ``renderer`` is the handout's (render.Renderer): it renders ``index.html`` with its ``index_pages``
    and ``pack.html`` with ``page``."""

    def __init__(self, renderer, html: str, pack: Pack, font_config, page: dict) -> None:
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
        """The handout's page count, with the index set alone with the real page runs (`hooks.pages.page_count`);
        None where the layout's own is right, or the index can't be set alone."""
        pages = hooked_pages.anchor_pages(context)
        if not self.set_real(pages):
            return None
        start = pages.get(cut.INDEX_ID)
        alone = cut.index_html(self.html, start) if start is not None else None
        if alone is None or hooked_pages.prints_page_count_in_text(context):
            return None
        self.start = start - 1
        small, first = alone

        def total(small_context) -> int:
            return self.start + hooked_pages.placed_pages(small_context) - first + 1

        self.layout, self.root = engine.lay_out(small, self.pack, self.font_config, report=False, decide=total)
        return self.start + len(self.layout.pages) - first + 1
