"""Composing finished PDFs into new ones: booklets, class sets, print runs.

- `impose_booklet`: A5 pages onto A4 sheets (half-letter onto letter) in
  saddle-stitch order, for double-sided copying flipped on the short edge,
  folded and stapled in the middle;
- `stamp_copies`: one copy per student of a rendered handout, each page
  overprinted with that student's name (the class set);
- `stamp_booklets`: the same, each copy imposed as a booklet;
- `print_run`: several handouts as one file, each starting on a right-hand page.

Everything here works on finished PDF files (pypdf) and never lays out text.
pypdf has no public way to add a stream object (`Composer` uses its
``_add_object``); pikepdf has (``Page.as_form_xobject``), but the files it
writes differ in their bytes from these, which the tests and the samples pin.
Each source page is copied into the new file once, as a form XObject, and
drawn wherever it is needed: thirty copies of a handout cost little more than
one. Links, bookmarks and structure tags are not carried over: these files
are for the copier, and the handout itself keeps them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Iterable, Sequence

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
)

from ..paper import booklet_sides

# --- composing PDFs from the pages of others ----------------------------------


@dataclass(frozen=True)
class Placed:
    """A source page drawn on a new page, its lower-left corner at (x, y) points."""

    form: IndirectObject
    x: float = 0.0
    y: float = 0.0


class Composer:
    """Builds a PDF whose pages draw pages of other PDFs; each source page is stored once.

    Uses pypdf's private ``_add_object`` to add the form XObjects and content
    streams: pypdf has no public way to add a stream object.
    """

    def __init__(self) -> None:
        self.writer = PdfWriter()
        self._forms: dict[tuple[int, int], IndirectObject] = {}

    def form(self, reader: PdfReader, index: int) -> IndirectObject:
        """Page ``index`` of ``reader`` as a form XObject of this file (made once)."""
        key = (id(reader), index)
        if key not in self._forms:
            page = reader.pages[index]
            form = DecodedStreamObject()
            form.set_data(_content_bytes(page))
            form = form.flate_encode()
            form.update(
                {
                    NameObject("/Type"): NameObject("/XObject"),
                    NameObject("/Subtype"): NameObject("/Form"),
                    NameObject("/BBox"): ArrayObject(FloatObject(v) for v in page.mediabox),
                    NameObject("/Resources"): page["/Resources"].get_object().clone(self.writer),
                }
            )
            if "/Group" in page:
                form[NameObject("/Group")] = page["/Group"].get_object().clone(self.writer)
            self._forms[key] = self.writer._add_object(form)
        return self._forms[key]

    def page(self, width: float, height: float, placed: Iterable[Placed] = ()) -> None:
        """Add a page of ``width`` x ``height`` points drawing the ``placed`` forms (none: a blank page)."""
        page = self.writer.add_blank_page(width, height)
        xobjects = DictionaryObject()
        ops = []
        for number, item in enumerate(placed):
            name = f"/P{number}"
            xobjects[NameObject(name)] = item.form
            box = item.form.get_object()["/BBox"]
            dx, dy = item.x - float(box[0]), item.y - float(box[1])
            ops.append(f"q 1 0 0 1 {dx:.3f} {dy:.3f} cm {name} Do Q")
        if not ops:
            return
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): xobjects})
        content = DecodedStreamObject()
        content.set_data("\n".join(ops).encode("ascii"))
        page[NameObject("/Contents")] = self.writer._add_object(content)

    def pdf(self, title: str | None = None) -> bytes:
        """The file, as bytes (the same bytes for the same pages: no dates, no random ids)."""
        self.writer.add_metadata({"/Producer": "studypack", **({"/Title": title} if title else {})})
        out = io.BytesIO()
        self.writer.write(out)
        return out.getvalue()


def _content_bytes(page) -> bytes:
    """A page's content stream(s), decoded and joined."""
    contents = page.get("/Contents")
    if contents is None:
        return b""
    contents = contents.get_object()
    streams = contents if isinstance(contents, ArrayObject) else [contents]
    return b"\n".join(s.get_object().get_data() for s in streams)


def _size(page) -> tuple[float, float]:
    box = page.mediabox
    return float(box.width), float(box.height)


def read_pdf(data: bytes) -> PdfReader:
    """A reader of a PDF held in memory."""
    return PdfReader(io.BytesIO(data))


# --- booklets -----------------------------------------------------------------


def impose_booklet(pdf: bytes, sheet: tuple[float, float] | None = None, title: str | None = None) -> bytes:
    """The pages of ``pdf`` two to a side of a ``sheet`` (points, landscape), in saddle-stitch order.

    The pair of pages is centred on the sheet, whose size is the paper's
    (two A5 pages are 1 mm narrower than A4); without ``sheet``, the sheet is
    exactly two pages wide. Print double-sided, flipped on the short edge; fold
    the stack in half and staple on the fold. Blank pages pad the end to a
    multiple of 4.
    """
    reader = read_pdf(pdf)
    width, height = _size(reader.pages[0])
    sheet_width, sheet_height = sheet or (2 * width, height)
    x, y = (sheet_width - 2 * width) / 2, (sheet_height - height) / 2
    composer = Composer()
    for left, right in booklet_sides(len(reader.pages)):
        placed = []
        if left is not None:
            placed.append(Placed(composer.form(reader, left - 1), x, y))
        if right is not None:
            placed.append(Placed(composer.form(reader, right - 1), x + width, y))
        composer.page(sheet_width, sheet_height, placed)
    return composer.pdf(title)


# --- class sets and print runs ------------------------------------------------


@dataclass(frozen=True)
class Copy:
    """One student's copy: for each page of the handout, the page of the stamps PDF drawn over it."""

    name: str
    stamps: tuple[int, ...]


def stamp_copies(handout: bytes, stamps: bytes, copies: Sequence[Copy], title: str | None = None) -> tuple[bytes, list[bytes]]:
    """A class set: every copy of ``handout`` with its stamps over it, each padded to an even page count.

    Returns the whole set as one file (each copy starts on a new sheet when
    printed double-sided) and each copy as a file of its own.
    """
    handout_reader, stamp_reader = read_pdf(handout), read_pdf(stamps)
    sizes = [_size(p) for p in handout_reader.pages]

    def lay_down(composer: Composer, copy: Copy) -> None:
        for index, stamp in enumerate(copy.stamps):
            composer.page(*sizes[index], _named(composer, handout_reader, index, stamp_reader, stamp))
        if len(copy.stamps) % 2:
            composer.page(*sizes[-1])

    return _copies(copies, lay_down, title)


def stamp_booklets(
    handout: bytes, stamps: bytes, copies: Sequence[Copy], sheet: tuple[float, float], title: str | None = None
) -> tuple[bytes, list[bytes]]:
    """A class set of booklets: every copy of ``handout`` (half-size pages) with its stamps over it,
    imposed in saddle-stitch order as `impose_booklet` imposes one; each booklet fills whole sheets.

    Returns the whole set as one file, each handout page stored once however many copies draw it,
    and each copy as a file of its own.
    """
    handout_reader, stamp_reader = read_pdf(handout), read_pdf(stamps)
    width, height = _size(handout_reader.pages[0])
    x, y = (sheet[0] - 2 * width) / 2, (sheet[1] - height) / 2

    def lay_down(composer: Composer, copy: Copy) -> None:
        for left, right in booklet_sides(len(copy.stamps)):
            placed = []
            for page, at in ((left, x), (right, x + width)):
                if page is not None:
                    placed += _named(composer, handout_reader, page - 1, stamp_reader, copy.stamps[page - 1], at, y)
            composer.page(*sheet, placed)

    return _copies(copies, lay_down, title)


def _named(composer: Composer, handout: PdfReader, index: int, stamps: PdfReader, stamp: int, x: float = 0.0, y: float = 0.0) -> list[Placed]:
    """Page ``index`` of the handout with page ``stamp`` of the stamps over it, at (x, y)."""
    return [Placed(composer.form(handout, index), x, y), Placed(composer.form(stamps, stamp), x, y)]


def _copies(copies: Sequence[Copy], lay_down, title: str | None) -> tuple[bytes, list[bytes]]:
    """The whole set and each copy on its own, ``lay_down(composer, copy)`` adding a copy's pages."""
    whole = Composer()
    singles = []
    for copy in copies:
        single = Composer()
        for composer in (whole, single):
            lay_down(composer, copy)
        singles.append(single.pdf(f"{title}: {copy.name}" if title else copy.name))
    return whole.pdf(title), singles


def print_run(pdfs: Sequence[bytes], title: str | None = None) -> bytes:
    """Several handouts as one file, each starting on a right-hand (odd-numbered) page."""
    composer = Composer()
    count = 0
    for pdf in pdfs:
        reader = read_pdf(pdf)
        if count % 2:
            composer.page(*_size(reader.pages[0]))
            count += 1
        for index, page in enumerate(reader.pages):
            composer.page(*_size(page), (Placed(composer.form(reader, index)),))
            count += 1
    return composer.pdf(title)
