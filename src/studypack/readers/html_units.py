"""An HTML tree (already cleaned) as units: the walk shared by every reader that goes through HTML.

Block elements make units (``h1``–``h6`` headings, ``p`` paragraphs,
``blockquote`` quotations, ``ul``/``ol`` lists, ``table`` tables, ``hr``
breaks); everything inline is reduced to its words, whitespace collapsed as a
browser does, with note references (`html_notes`) as `NoteRef` spans. Line
numbers are the source lines of a saved page, or, for a converted file with
no lines of its own (``numbered``), the count of blocks so far.
"""

from __future__ import annotations

import re

from ..model import Inline, Text, plain_text
from .units import Break, Bullets, Head, Label, Para, Quoted, Rows, Unit
from .text import SOURCE_LINE

BLOCK = {
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
    "h6", "header", "hgroup", "hr", "html", "legend", "li", "main", "nav", "ol", "p", "pre", "section",
    "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_LISTS = {"ul", "ol"}
_STRUCTURED = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "table"}
_QUOTE_SOURCE = {"footer", "figcaption"}
# HTML's own white space; a non-breaking space is a character of the text and stays.
_WHITE = re.compile(r"[ \t\n\r\f]+")
_SPACES = str.maketrans({"\u00a0": " ", "\u2007": " ", "\u202f": " "})


def _tag(el) -> str | None:
    return el.tag if isinstance(el.tag, str) else None


def finish(pieces: list) -> tuple[Inline, ...]:
    """Strings and NoteRefs -> spans: white space collapsed, trimmed at both ends."""
    merged: list = []
    for piece in pieces:
        if isinstance(piece, str) and merged and isinstance(merged[-1], str):
            merged[-1] += piece
        elif piece != "":
            merged.append(piece)
    out: list[Inline] = []
    for piece in merged:
        out.append(Text(_WHITE.sub(" ", piece).translate(_SPACES)) if isinstance(piece, str) else piece)
    if out and isinstance(out[0], Text):
        out[0] = Text(out[0].text.lstrip(" "))
    if out and isinstance(out[-1], Text):
        out[-1] = Text(out[-1].text.rstrip(" "))
    return tuple(span for span in out if not (isinstance(span, Text) and not span.text))


class Walker:
    """Turns the content of elements into units, in reading order."""

    def __init__(self, refs: dict, numbered: bool):
        self.refs = refs
        self.numbered = numbered
        self.units: list[Unit] = []
        self.pieces: list = []
        self.count = 0
        self.pending_line = 0

    def line(self, el) -> int:
        """The line a unit starts on (or its number, where the file has no lines)."""
        if self.numbered:
            self.count += 1
            return self.count
        return el.sourceline or 0

    # --- inline content ---------------------------------------------------------

    def inline(self, el, out: list, skip=()) -> None:
        """The words of an element's content (not its tail), markers as NoteRefs."""
        if el.text:
            out.append(el.text)
        for child in el:
            tag = _tag(child)
            if tag is None or child in skip:
                pass
            elif child in self.refs:
                out.append(self.refs[child])
            elif tag == "br":
                out.append(" ")
            elif tag in BLOCK:
                out.extend([" ", *self._pieces(child, skip), " "])
            else:
                self.inline(child, out, skip)
            if child.tail:
                out.append(child.tail)

    def _pieces(self, el, skip=()) -> list:
        out: list = []
        self.inline(el, out, skip)
        return out

    def spans(self, el, skip=()) -> tuple[Inline, ...]:
        """An element's content as spans."""
        return finish(self._pieces(el, skip))

    def words(self, el, skip=()) -> str:
        """An element's content as plain text (markers as written)."""
        return plain_text(self.spans(el, skip))

    # --- blocks -------------------------------------------------------------------

    def flow(self, el) -> None:
        """An element's content: inline runs become paragraphs, block children their units."""
        self._add_text(el.text, el)
        for child in el:
            tag = _tag(child)
            if tag in BLOCK:
                self.flush()
                self.block(child)
            elif tag is not None:
                if not self.pieces:
                    self.pending_line = self.line(child)
                if child in self.refs:
                    self.pieces.append(self.refs[child])
                elif tag == "br":
                    self.pieces.append(" ")
                else:
                    self.inline(child, self.pieces)
            self._add_text(child.tail, el)
        self.flush()

    def _add_text(self, text: str | None, el) -> None:
        if not text:
            return
        if not self.pieces and text.strip():
            self.pending_line = self.line(el)
        if self.pieces or text.strip():
            self.pieces.append(text)

    def flush(self) -> None:
        """The inline run so far as a paragraph (or a SOURCE line)."""
        spans = finish(self.pieces)
        self.pieces = []
        if not spans:
            return
        text = plain_text(spans)
        match = SOURCE_LINE.match(text)
        if match:
            self.units.append(Label(match.group(1), self.pending_line))
        else:
            self.units.append(Para(text, self.pending_line, False, spans))

    def block(self, el) -> None:
        """One block element as units."""
        tag = _tag(el)
        if tag in HEADINGS:
            text = self.words(el)
            if text:
                self.units.append(Head(text, self.line(el), HEADINGS[tag]))
        elif tag == "blockquote":
            self._quote(el)
        elif tag in _LISTS:
            self._list(el)
        elif tag == "table" and not _layout(el):
            self._table(el)
        elif tag == "hr":
            self.units.append(Break(self.line(el)))
        else:
            self.flow(el)

    def _quote(self, el) -> None:
        sources = [c for c in el if _tag(c) in _QUOTE_SOURCE]
        inner = Walker(self.refs, self.numbered)
        inner.count = self.count
        for child in sources:
            child.getparent().remove(child)
        inner.flow(el)
        self.count = inner.count
        paras = tuple(p for p in map(as_para, inner.units) if p is not None)
        citation = " ".join(self.words(s) for s in sources).strip() or None
        if paras:
            self.units.append(Quoted(paras, paras[0].line, citation))
        elif citation:
            self.units.append(Para(citation, self.line(el), False))

    def _list(self, el) -> None:
        line = self.line(el)
        items: list[tuple[Inline, ...]] = []
        self._items(el, items)
        if items:
            self.units.append(Bullets(tuple(plain_text(i) for i in items), line, tuple(items)))

    def _items(self, el, items: list) -> None:
        """The items of a list; a nested list's items follow the item that holds them."""
        number = _start(el)
        for li in el:
            if _tag(li) != "li":
                continue
            nested = [c for c in li.iter() if c is not li and _tag(c) in _LISTS]
            spans = self.spans(li, skip=set(nested))
            if el.tag == "ol":
                number = int(li.get("value")) if (li.get("value") or "").isdigit() else number
                spans = (Text(f"{number}. "), *spans) if spans else spans
                number += 1
            if spans:
                items.append(spans)
            for inner in nested:
                if not any(o is not inner and inner in set(o.iter()) for o in nested):
                    self._items(inner, items)

    def _table(self, el) -> None:
        caption = el.find("caption")
        if caption is not None:
            text = self.spans(caption)
            if text:
                self.units.append(Para(plain_text(text), self.line(caption), False, text))
        rows = []
        header = False
        for tr in el.iter("tr"):
            cells = tuple(self.words(c) for c in tr if _tag(c) in ("td", "th"))
            if any(cells):
                if not rows:
                    # the markup says which row is a header: <th> cells, or a row in <thead>
                    parent = tr.getparent()
                    header = _tag(parent) == "thead" or any(_tag(c) == "th" for c in tr)
                rows.append(cells)
        if rows:
            self.units.append(Rows(tuple(rows), self.line(el), header))


def as_para(unit: Unit) -> Para | None:
    """A unit where only paragraphs can stand (in a quotation, in a note) as one, keeping its words."""
    if isinstance(unit, Para):
        return unit
    if isinstance(unit, Quoted):
        return Para(" ".join(p.text for p in unit.paras), unit.line, False)
    if isinstance(unit, Head):
        return Para(unit.text, unit.line, False)
    if isinstance(unit, Bullets):
        return Para(" ".join(unit.items), unit.line, False)
    if isinstance(unit, Rows):
        return Para(" ".join(" ".join(row) for row in unit.rows), unit.line, False)
    return None


def _start(el) -> int:
    start = el.get("start") or "1"
    return int(start) if start.isdigit() else 1


def _navigation(table) -> bool:
    """A table of links and separators only (``Works Index | Volume 21``, ``< backward``): site navigation."""
    links = list(table.iter("a"))
    if not links:
        return False
    linked = {id(node) for a in links for node in a.iter()}
    loose = [table.text or ""]
    for node in table.iter():
        if node is not table and id(node) not in linked:
            loose.append(node.text or "")
        loose.append(node.tail or "" if node is not table else "")
    return not any(char.isalnum() for text in loose for char in text)


def _layout(table) -> bool:
    """A table used to lay a page out (not data): it holds tables, paragraphs in its cells,
    or only links (navigation)."""
    if table.get("role") == "presentation" or table.find(".//table") is not None or _navigation(table):
        return True
    for cell in table.iter("td", "th"):
        if sum(1 for c in cell if _tag(c) in _STRUCTURED) >= 2:
            return True
    return False


def walk(root, refs: dict, numbered: bool, start: int = 0) -> tuple[list[Unit], int]:
    """The units of an element's content, and the block count reached (for ``numbered``)."""
    walker = Walker(refs, numbered)
    walker.count = start
    walker.flow(root)
    return walker.units, walker.count

