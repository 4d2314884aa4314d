"""What a piece of a handout (layout/pieces.py) is told of the others, through WeasyPrint 70's internals.

Three of WeasyPrint's functions are replaced while `told` is in force:

- the target collector (``weasyprint.css.targets.TargetCollector``) starts
  with the anchors of other pieces, each on its page (`_Told`), so that
  ``target-counter()`` prints their pages;
- the margin boxes (``weasyprint.layout.make_margin_boxes``): a piece leaves
  out those that print the page count and notes each page's kind; the
  overlay of page numbers keeps only those, numbered of the handout's count;
- the link resolution (``weasyprint.pdf.resolve_links``) keeps the links to
  anchors of other pieces, which pdfjoin.py joins to their destinations.

Only on the versions the hooks were written for (`hooks.available`); on
another, `told` is never entered: the handout is laid out whole.
"""

from __future__ import annotations

import copy
import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Iterator

from . import available, pages


class Unpieceable(Exception):
    """This handout cannot be laid out in pieces (the reason is the message): lay it out whole."""


@dataclass
class Margins:
    """What the margin-box hook does in one layout: a piece's (leave out the boxes that print the
    page count, note each page's type) or the overlay's (keep only those, numbered of ``total``)."""

    overlay: bool = False
    total: int = 0
    types: dict[int, tuple] = field(default_factory=dict)  # page (1-based) -> its type
    counted: set[int] = field(default_factory=set)  # pages with a box that prints the page count
    checked: bool = False


@dataclass
class Told:
    """What a layout is told of the others: the margin boxes to make, the anchors in other pieces."""

    margins: Margins | None = None
    elsewhere: dict[str, int | None] = field(default_factory=dict)  # anchor of another piece -> its page, if known
    placeholder: int = 0  # the page a reference forward prints meanwhile: as many digits as the handout's
    guessed: set[str] = field(default_factory=set)  # anchors whose placeholder some content printed


_active: list[Told] = []
_originals: dict[str, object] = {}


class _TargetInAnotherPiece:
    """The target box of an anchor laid out in another piece: its page is all that is known."""

    cached_counter_values: dict = {}

    def extract_text(self, *_):
        raise Unpieceable("target-text() of an anchor in another piece")


@cache
def _told_class():
    """The class of `_told_target`'s items, made once (its base is private: made only once the hooks are on)."""
    from weasyprint.css.targets import TargetLookupItem  # private: imported only once the version is known

    class AnchorInAnotherPiece(TargetLookupItem):
        def __init__(self, name: str, page: int, guess: bool, told: Told) -> None:
            super().__init__("up-to-date")
            self.target_box = _TargetInAnotherPiece()
            self.name, self.page, self.guess, self.told = name, page, guess, told

        @property
        def cached_page_counter_values(self) -> dict:
            if self.guess:
                self.told.guessed.add(self.name)
            return {"page": [self.page]}

        @cached_page_counter_values.setter
        def cached_page_counter_values(self, _value) -> None:
            pass  # only ever set by the layout of the anchor itself, which is in another piece

    return AnchorInAnotherPiece


def _told_target(name: str, page: int, guess: bool, told: Told):
    """An anchor of another piece, as WeasyPrint's target collector holds it: up to date, on its page.
    A page not known yet (``guess``) is noted in ``told.guessed`` when some content prints it."""
    return _told_class()(name, page, guess, told)


def _collector_init(self) -> None:
    _originals["collector_init"](self)
    if _active:
        told = _active[-1]
        for name, page in told.elsewhere.items():
            self.target_lookup_items[name] = _told_target(name, page or told.placeholder, not page, told)


def _prints_page_count(style) -> bool:
    content = style["content"]
    if content in ("normal", "none", "inhibit"):
        return False
    return any(item[0] in ("counter()", "counters()") and item[1][0] == "pages" for item in content)


def _margin_boxes(context, page, state):
    make = _originals["make_margin_boxes"]
    margins = _active[-1].margins if _active else None
    if margins is None:
        return make(context, page, state)
    if not margins.checked:
        margins.checked = True
        if pages.prints_page_count_in_text(context):
            raise Unpieceable("a stylesheet prints the page count in the text")
    number = context.current_page
    kind = (page.page_type.side, page.page_type.blank, page.page_type.name, page.page_type.groups)
    if margins.overlay:
        if margins.types.get(number) != kind:
            raise Unpieceable(f"page {number} of the page numbers' layout is not of its handout page's kind")
        state = copy.deepcopy(state)
        state[1]["pages"] = [margins.total]
    else:
        margins.types[number] = kind
    kept = []
    for box in make(context, page, state):
        counts = _prints_page_count(box.style)
        if counts and any(item[0] in ("string()", "element()") for item in box.style["content"]):
            raise Unpieceable("a margin box prints the page count beside a string")
        if counts:
            margins.counted.add(number)
        if counts == margins.overlay:
            kept.append(box)
    return kept


def _resolve_links(laid_out_pages):
    """WeasyPrint's links and anchors of each page, keeping the links to anchors in other pieces."""
    elsewhere = _active[-1].elsewhere if _active else {}
    seen: set[str] = set()
    anchors_of = []
    for page in laid_out_pages:
        here = []
        for name, (x, y, _, _) in page.anchors.items():
            if name not in seen:
                seen.add(name)
                here.append((name, x, y))
        anchors_of.append(here)
    for page, here in zip(laid_out_pages, anchors_of):
        links = []
        for link in page.links:
            if link[0] != "internal" or link[1] in seen or link[1] in elsewhere:
                links.append(link)
            else:  # as WeasyPrint says it (layout/engine.py passes it on)
                logging.getLogger("weasyprint").error("No anchor #%s for internal URI reference", link[1])
        yield links, here


@contextmanager
def told(what: Told) -> Iterator[None]:
    """WeasyPrint's layout and PDF writing, told about the other pieces (`Told`), while in the block.
    On a WeasyPrint the hooks were not written for: `Unpieceable`."""
    if not available():
        raise Unpieceable("the hooks are off on this WeasyPrint")
    import weasyprint.layout
    import weasyprint.pdf
    from weasyprint.css.targets import TargetCollector  # private: imported only once the version is known

    if not _active:
        _originals.update(collector_init=TargetCollector.__init__, make_margin_boxes=weasyprint.layout.make_margin_boxes,
                          resolve_links=weasyprint.pdf.resolve_links)
        TargetCollector.__init__ = _collector_init
        weasyprint.layout.make_margin_boxes = _margin_boxes
        weasyprint.pdf.resolve_links = _resolve_links
    _active.append(what)
    try:
        yield
    finally:
        _active.pop()
        if not _active:
            TargetCollector.__init__ = _originals["collector_init"]
            weasyprint.layout.make_margin_boxes = _originals["make_margin_boxes"]
            weasyprint.pdf.resolve_links = _originals["resolve_links"]
