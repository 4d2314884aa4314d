"""Composing finished PDFs into new ones: booklets, class sets, print runs.

- `impose_booklet`: A5 pages onto A4 sheets (half-letter onto letter) in
  saddle-stitch order, for double-sided copying flipped on the short edge,
  folded and stapled in the middle;
- `stamp_copies`: one copy per student of a rendered handout, each page
  overprinted with that student's name (the class set);
- `stamp_booklets`: the same, each copy imposed as a booklet;
- `print_run`: several handouts as one file, each starting on a right-hand page.

Everything here works on finished PDF files (pikepdf, through its public
API) and never lays out text. Each source page is copied into the new file
once, as a form XObject (``Page.as_form_xobject``, then ``Pdf.copy_foreign``),
and drawn wherever it is needed: thirty copies of a handout cost little more
than one. The names the forms are drawn by are given here (/P0, /P1, ... on
each page): pikepdf's own (``add_resource`` without a name, ``add_overlay``)
are random, and a file must have the same bytes every time it is built.
Links, bookmarks and structure tags are not carried over: these files are for
the copier, and the handout itself keeps them.
"""

from __future__ import annotations

import io
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Iterable, Sequence

from pikepdf import Name, Page, Pdf, Rectangle, Stream

from ..paper import booklet_sides

# --- composing PDFs from the pages of others ----------------------------------


@dataclass(frozen=True)
class Placed:
    """A form XObject of the file being composed drawn on a new page, its lower-left corner at (x, y) points."""

    form: Stream
    x: float = 0.0
    y: float = 0.0


class Composer:
    """Builds a PDF whose pages draw pages of other PDFs; each source page is stored once.

    The source PDFs must stay open until `pdf` has written the file: the
    forms' contents are read from them then.
    """

    def __init__(self) -> None:
        self.out = Pdf.new()
        self._forms: dict[tuple[int, int], Stream] = {}
        # Kept so that no source is freed while its pages are keyed by its id().
        self._sources: dict[int, Pdf] = {}

    def form(self, source: Pdf, index: int) -> Stream:
        """Page ``index`` of ``source`` as a form XObject of this file (made once)."""
        key = (id(source), index)
        if key not in self._forms:
            self._sources[id(source)] = source
            self._forms[key] = self.out.copy_foreign(source.pages[index].as_form_xobject())
        return self._forms[key]

    def page(self, width: float, height: float, placed: Iterable[Placed] = ()) -> None:
        """Add a page of ``width`` x ``height`` points drawing the ``placed`` forms (none: a blank page)."""
        page = self.out.add_blank_page(page_size=(width, height))
        names: dict[tuple[int, int], Name] = {}
        ops = []
        for item in placed:
            key = item.form.objgen
            if key not in names:
                names[key] = page.add_resource(item.form, Name.XObject, name=Name(f"/P{len(names)}"))
            box = item.form.BBox
            dx, dy = item.x - float(box[0]), item.y - float(box[1])
            ops.append(f"q 1 0 0 1 {dx:.3f} {dy:.3f} cm {names[key]} Do Q")
        if ops:
            page.obj.Contents = self.out.make_stream("\n".join(ops).encode("ascii"))

    def pdf(self, title: str | None = None) -> bytes:
        """The file, as bytes (the same bytes for the same pages: no dates, an /ID made from the contents)."""
        self.out.docinfo[Name.Producer] = "studypack"
        if title:
            self.out.docinfo[Name.Title] = title
        version = max((s.pdf_version for s in self._sources.values()), key=_version_key, default="1.3")
        out = io.BytesIO()
        self.out.save(out, deterministic_id=True, min_version=version)
        return out.getvalue()


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _size(page: Page) -> tuple[float, float]:
    box = Rectangle(page.mediabox)
    return float(box.width), float(box.height)


def read_pdf(data: bytes) -> Pdf:
    """A PDF held in memory, opened (its pages: ``.pages``)."""
    return Pdf.open(io.BytesIO(data))


# --- booklets -----------------------------------------------------------------


def impose_booklet(pdf: bytes, sheet: tuple[float, float] | None = None, title: str | None = None) -> bytes:
    """The pages of ``pdf`` two to a side of a ``sheet`` (points, landscape), in saddle-stitch order.

    The pair of pages is centred on the sheet, whose size is the paper's
    (two A5 pages are 1 mm narrower than A4); without ``sheet``, the sheet is
    exactly two pages wide. Print double-sided, flipped on the short edge; fold
    the stack in half and staple on the fold. Blank pages pad the end to a
    multiple of 4.
    """
    with read_pdf(pdf) as source:
        width, height = _size(source.pages[0])
        sheet_width, sheet_height = sheet or (2 * width, height)
        x, y = (sheet_width - 2 * width) / 2, (sheet_height - height) / 2
        composer = Composer()
        for left, right in booklet_sides(len(source.pages)):
            placed = []
            if left is not None:
                placed.append(Placed(composer.form(source, left - 1), x, y))
            if right is not None:
                placed.append(Placed(composer.form(source, right - 1), x + width, y))
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
    with read_pdf(handout) as handout_pdf, read_pdf(stamps) as stamps_pdf:
        sizes = [_size(p) for p in handout_pdf.pages]

        def lay_down(composer: Composer, copy: Copy) -> None:
            for index, stamp in enumerate(copy.stamps):
                composer.page(*sizes[index], _named(composer, handout_pdf, index, stamps_pdf, stamp))
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
    with read_pdf(handout) as handout_pdf, read_pdf(stamps) as stamps_pdf:
        width, height = _size(handout_pdf.pages[0])
        x, y = (sheet[0] - 2 * width) / 2, (sheet[1] - height) / 2

        def lay_down(composer: Composer, copy: Copy) -> None:
            for left, right in booklet_sides(len(copy.stamps)):
                placed = []
                for page, at in ((left, x), (right, x + width)):
                    if page is not None:
                        placed += _named(composer, handout_pdf, page - 1, stamps_pdf, copy.stamps[page - 1], at, y)
                composer.page(*sheet, placed)

        return _copies(copies, lay_down, title)


def _named(composer: Composer, handout: Pdf, index: int, stamps: Pdf, stamp: int, x: float = 0.0, y: float = 0.0) -> list[Placed]:
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
    with ExitStack() as stack:
        composer = Composer()
        count = 0
        for pdf in pdfs:
            source = stack.enter_context(read_pdf(pdf))
            if count % 2:
                composer.page(*_size(source.pages[0]))
                count += 1
            for index, page in enumerate(source.pages):
                composer.page(*_size(page), (Placed(composer.form(source, index)),))
                count += 1
        return composer.pdf(title)
