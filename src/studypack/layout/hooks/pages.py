"""What WeasyPrint 70's layout knows of its pages beyond ``Page.anchors``: read here, and only here.

- `page_count`: a call-back once the layout has placed every page and before
  it makes the first margin box (``weasyprint.layout.make_margin_boxes``),
  with what the page maker's states say then (`anchor_pages`,
  `placed_pages`, `prints_page_count_in_text`); the count it returns is the
  one ``counter(pages)`` prints (layout/index.py sets the index alone with it);
- `element_pages`: the pages each element's boxes are on (the page map,
  layout/pagemap.py);
- `margin_texts`: the text of a page's margin boxes;
- `page_geometry`: the title page's boxes and the margins a class set prints
  names into (printroom/classset.py);
- `fonts_used`: which characters each font set (the print-font check).

Each asks `hooks.available` first and, on another WeasyPrint, reads nothing:
`page_count` calls nothing back, the others return None.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

from . import available

Decide = Callable[[object], "int | None"]
_deciders: list[Decide] = []
_make_margin_boxes = None  # WeasyPrint's own, while `page_count` has replaced it


@contextmanager
def page_count(decide: Decide) -> Iterator[None]:
    """While WeasyPrint lays out a document, call ``decide(context)`` once it has placed every page
    and before it makes the first margin box; the number it returns (if not None) is the page count
    every ``counter(pages)`` of the margin boxes then prints.

    The layouts nest: ``decide`` may lay out another document (the index), with its own ``page_count``.
    On a WeasyPrint the hooks were not written for, ``decide`` is never called.
    """
    global _make_margin_boxes
    if not available():
        yield
        return
    import weasyprint.layout

    if not _deciders:
        _make_margin_boxes = weasyprint.layout.make_margin_boxes
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


# --- the laid-out pages -----------------------------------------------------------------


def element_pages(document, wanted: set[int]) -> dict[int, list[int]] | None:
    """id() of each element of ``wanted`` that a box of the laid-out ``document`` was made for -> the
    (1-based) pages it is on; None on another WeasyPrint."""
    if not available():
        return None
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
    return pages_of


def margin_texts(page) -> list[str] | None:
    """The text of a laid-out page's margin boxes, in order (running heads, page numbers); None on another WeasyPrint."""
    if not available():
        return None
    texts = []
    for box in page._page_box.children:
        if type(box).__name__ == "MarginBox":
            texts.append("".join(getattr(b, "text", "") for b in box.descendants()))
    return texts


@dataclass(frozen=True)
class PageGeometry:
    """What a class set needs of a laid-out handout: the boxes of two elements of its title page, the
    margins of its first two pages, and where each page's margin boxes print text (CSS pixels)."""

    width: float
    height: float
    boxes: dict[str, tuple[float, float, float, float] | None]  # element id -> its border box (x, y, w, h), page 1
    font_sizes: dict[str, float | None]  # element id -> its font size, pixels
    margin_top: float
    margin_bottom: float
    margin_left: float  # the first (right-hand) page's
    margin_right: float  # the second (left-hand) page's
    font_size: float  # the first page's (the running heads'), pixels
    # Per page: (left, right) edges of each text in the margin boxes at "@top..." and at "@bottom...".
    edges: tuple[dict[str, list[tuple[float, float]]], ...]


def page_geometry(document, element_ids: tuple[str, ...]) -> PageGeometry | None:
    """The `PageGeometry` of a laid-out handout; None on another WeasyPrint."""
    if not available():
        return None
    first = document.pages[0]._page_box
    second = document.pages[1]._page_box if len(document.pages) > 1 else first
    found = {element_id: _find(first, element_id) for element_id in element_ids}
    edges = []
    for page in document.pages:
        by_margin: dict[str, list[tuple[float, float]]] = {"@top": [], "@bottom": []}
        for margin_box in page._page_box.children:
            keyword = getattr(margin_box, "at_keyword", "")
            for margin in by_margin:
                if keyword.startswith(margin):
                    by_margin[margin] += [(box.position_x, box.position_x + box.width)
                                          for box in margin_box.descendants() if getattr(box, "text", None)]
        edges.append(by_margin)
    return PageGeometry(
        width=document.pages[0].width,
        height=document.pages[0].height,
        boxes={i: _rect(box) for i, box in found.items()},
        font_sizes={i: box.style["font_size"] if box is not None else None for i, box in found.items()},
        margin_top=first.margin_top,
        margin_bottom=first.margin_bottom,
        margin_left=first.margin_left,
        margin_right=second.margin_right,
        font_size=first.style["font_size"],
        edges=tuple(edges),
    )


def _find(page_box, element_id: str):
    """The outermost layout box of the element with ``element_id`` on a page, or None."""
    for box in page_box.descendants():
        element = getattr(box, "element", None)
        if element is not None and element.get("id") == element_id:
            return box
    return None


def _rect(box) -> tuple[float, float, float, float] | None:
    if box is None:
        return None
    return box.border_box_x(), box.border_box_y(), box.border_width(), box.border_height()


def fonts_used(document) -> list[tuple[str, set[str], set[str]]] | None:
    """For each font a written document used: its family, the characters it had no glyph for, and the
    characters it set; None on another WeasyPrint. (WeasyPrint knows them once the PDF is written.)"""
    if not available():
        return None
    return [
        (font.family, {chr(codepoint) for codepoint in font.missing},
         {char for text in font.to_unicode.values() for char in text})
        for font in document.fonts.values()
    ]
