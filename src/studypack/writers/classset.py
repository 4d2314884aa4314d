"""The class-set writers: one copy of the student edition per name on a class list (``--names``),
as handouts, and with ``--booklet`` as booklets too (`ClassBookletWriter`).

The handout is laid out once; each student's name is then printed over it
(`printroom.stamp_copies`): in the Name box of the title page (and the class,
where the list gives one, in the Class box), and at the inner corner of the
top margin of every other page, across from the running head (or of the
bottom margin, where the running heads leave a name no room). Every copy is
therefore the same handout, page for page, whatever the length of a name;
and thirty copies take about as long as two (docs/print-room.md has the
measurements).

The names are set by WeasyPrint in the handout's own sans-serif face, on
pages of the handout's size, one page per kind of page (title page, left
page, right page) per student. A name too wide for the Name box is set
smaller until it fits. A name with a letter the print fonts lack is an error
naming the line of the class list.

Reads WeasyPrint's layout (``Page._page_box``) for the boxes and margins it
prints into: private, and pinned by the version of WeasyPrint the project uses.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from pathlib import Path

from markupsafe import escape

from .. import fonts, printroom
from ..errors import RosterError
from ..outputs import write_atomic
from ..roster import Roster, file_slug
from . import WriteRequest, WriteResult
from .booklet import SHEETS, booklet_page_css
from .pdf import PdfWriter, final_name, paper_of, weasyprint_log

# The boxes of the title page a name and a class go into (ids in templates/title.html).
NAME_BOX, CLASS_BOX = "student-name", "student-class"

PT = 96 / 72  # CSS pixels per point
BOX_SIZE = 12.0  # points: the least size a name is set at in a box (the handout's text size, where larger)


@dataclass(frozen=True)
class Box:
    """A rectangle on a page, in CSS pixels from its top-left corner."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class PagePlaces:
    """Where a handout's pages take a name: the title page's boxes, the top margin's inner corner."""

    width: float
    height: float
    name_box: Box | None
    class_box: Box | None
    margin_top: float
    inner_left: float  # a right-hand page's inner margin
    inner_right: float  # a left-hand page's inner margin
    head_size: float  # the running heads' font size, pixels
    box_size: float  # the size names are set at in the boxes, points
    margin_bottom: float = 0.0
    # The width a name may take at the inner corner of the top and of the bottom margin, on every
    # page that has one there (pixels; None: nothing else is printed in that margin).
    head_room: float | None = None
    foot_room: float | None = None
    in_foot: bool = False  # the names go in the bottom margin (`name_margin` decides)


class ClassSetWriter(PdfWriter):
    """Writes the class set of a student edition: every copy named, one print-ready PDF (and one per student)."""

    pieces = False  # reads the pages of one layout

    format = "classset"
    extension = "pdf"

    def write(self, request: WriteRequest, dest: Path) -> WriteResult:
        result = super().write(request, dest)
        extra = split_paths(request.options["roster"], dest) if request.options.get("split") else ()
        return replace(result, extra_files=result.extra_files + extra)

    def finish(self, request: WriteRequest, pdf: bytes, document, dest: Path) -> bytes:
        roster: Roster = request.options["roster"]
        whole, singles = self.named_copies(request, pdf, document)
        if request.options.get("split"):
            write_split(split_paths(roster, dest), singles)
        return whole

    def named_copies(self, request: WriteRequest, pdf: bytes, document) -> tuple[bytes, list[bytes]]:
        """The class set as one file, and each student's copy as a file of its own."""
        stamps, copies = self.stamps(request, document)
        return printroom.stamp_copies(pdf, stamps, copies, f"{request.pack.title}: class set ({request.options['roster'].slug})")

    def stamps(self, request: WriteRequest, document) -> tuple[bytes, list[printroom.Copy]]:
        """The stamps PDF of the names, and which stamp goes over each page of each copy."""
        roster: Roster = request.options["roster"]
        places = page_places(document)
        copies = [
            printroom.Copy(s.name, tuple(3 * i + page_kind(n, places) for n in range(len(document.pages))))
            for i, s in enumerate(roster.students)
        ]
        return render_stamps(roster, places), copies


class ClassBookletWriter(ClassSetWriter):
    """Writes the class set as booklets (``--booklet --names``): each student's copy named on its
    half-size pages, as the handout's is, then imposed as a booklet of its own; one after another in
    one file, every booklet on sheets of its own."""

    format = "classbooklet"

    def page_css(self, request: WriteRequest) -> str:
        return booklet_page_css(request)

    def named_copies(self, request: WriteRequest, pdf: bytes, document) -> tuple[bytes, list[bytes]]:
        stamps, copies = self.stamps(request, document)
        title = f"{request.pack.title}: booklet class set ({request.options['roster'].slug})"
        return printroom.stamp_booklets(pdf, stamps, copies, SHEETS[paper_of(request)], title)


def page_kind(index: int, places: PagePlaces) -> int:
    """Which of a student's three stamp pages goes over page ``index``: 0 title page, 1 left page, 2 right page.

    Page 1 is a right-hand page, and pages alternate from there.
    """
    if index == 0 and places.name_box is not None:
        return 0
    return 2 if index % 2 == 0 else 1


# --- where the names go ---------------------------------------------------------


def page_places(document) -> PagePlaces:
    """The places of a laid-out handout (WeasyPrint document) that take a name."""
    first = document.pages[0]._page_box
    second = document.pages[1]._page_box if len(document.pages) > 1 else first
    name, klass = _find(first, NAME_BOX), _find(first, CLASS_BOX)
    places = PagePlaces(
        width=document.pages[0].width,
        height=document.pages[0].height,
        name_box=_box(name),
        class_box=_box(klass),
        margin_top=first.margin_top,
        margin_bottom=first.margin_bottom,
        inner_left=first.margin_left,
        inner_right=second.margin_right,
        head_size=first.style["font_size"],
        # The handout's text size where it is larger (a large-print Name box's is 18 pt).
        box_size=max(BOX_SIZE, name.style["font_size"] * 72 / 96 if name is not None else 0),
    )
    return replace(places, head_room=head_room(document, places, "@top"), foot_room=head_room(document, places, "@bottom"))


HEAD_GAP = 4 * 96 / 25.4  # pixels: the least space between a running head and a name


def head_room(document, places: PagePlaces, margin: str) -> float | None:
    """The least width, over the pages that take a name in a margin (``margin``: "@top" or
    "@bottom"), between the inner margin, where the name stands, and what the page prints there (the
    running heads, the page number): on a booklet's narrow pages a long part title leaves a name less
    room than the half of the line it usually has. None: that margin prints nothing."""
    rooms = []
    for index, page in enumerate(document.pages):
        kind = page_kind(index, places)
        if kind == 0:
            continue
        edges = [
            (box.position_x, box.position_x + box.width)
            for margin_box in page._page_box.children
            if getattr(margin_box, "at_keyword", "").startswith(margin)
            for box in margin_box.descendants()
            if getattr(box, "text", None)
        ]
        if not edges:
            continue
        if kind == 1:  # a left page: the name ends at the inner (right) margin
            inner = page.width - places.inner_right
            rooms.append(inner - max((right for _, right in edges if right <= inner), default=0.0) - HEAD_GAP)
        else:  # a right page: the name starts at the inner (left) margin
            rooms.append(min((left for left, _ in edges if left >= places.inner_left), default=page.width) - places.inner_left - HEAD_GAP)
    return min(rooms) if rooms else None


def _find(page_box, element_id: str):
    """The outermost layout box of the element with ``element_id`` on a page, or None."""
    for box in page_box.descendants():
        element = getattr(box, "element", None)
        if element is not None and element.get("id") == element_id:
            return box
    return None


def _box(box) -> Box | None:
    if box is None:
        return None
    return Box(box.border_box_x(), box.border_box_y(), box.border_width(), box.border_height())


# --- the names, set by WeasyPrint -------------------------------------------------


def render_stamps(roster: Roster, places: PagePlaces) -> bytes:
    """The stamps PDF: for each student, a title-page, a left-page and a right-page stamp (pages 3i..3i+2)."""
    document = _layout(_stamps_html(roster, places, {}))
    placed = name_margin(places, max(head_widths(roster, document).values(), default=0.0))
    sizes = fitted_sizes(roster, placed, document)
    if sizes or placed != places:
        document = _layout(_stamps_html(roster, placed, sizes))
    with weasyprint_log():
        pdf = document.write_pdf()
    check_glyphs(roster, document)  # (WeasyPrint knows the fonts it used once it has written them)
    return pdf


def fitted_sizes(roster: Roster, places: PagePlaces, document) -> dict:
    """(box, student) -> (size, wrap) for the names and classes too wide for their box at the usual size.

    Each name stands between two empty anchors on the title-page stamp: their distance is its width.
    """
    sizes = {}
    for i, student in enumerate(roster.students):
        for box_id, box, text in ((NAME_BOX, places.name_box, student.name), (CLASS_BOX, places.class_box, student.class_name)):
            if box is None or not text:
                continue
            anchors = document.pages[3 * i].anchors
            start, end = anchors.get(f"{box_id}-start-{i}"), anchors.get(f"{box_id}-end-{i}")
            if start and end and end[0] - start[0] > _room(box):
                one_line = places.box_size * _room(box) / (end[0] - start[0]) * 0.98
                sizes[(box_id, i)] = fitted_size(one_line, places.box_size, box.height * 72 / 96)
    room = places.foot_room if places.in_foot else places.head_room
    for i, width in head_widths(roster, document).items():
        if room is not None and width > room:
            sizes[("head", i)] = places.head_size * max(room, 0.0) / width * 0.98  # pixels
    return sizes


def head_widths(roster: Roster, document) -> dict[int, float]:
    """Each student's name (and class) as the margins print it, in pixels: measured on the right-page stamp."""
    widths = {}
    for i in range(len(roster.students)):
        anchors = document.pages[3 * i + 2].anchors
        start, end = anchors.get(f"head-start-{i}"), anchors.get(f"head-end-{i}")
        if start and end:
            widths[i] = end[0] - start[0]
    return widths


def name_margin(places: PagePlaces, widest: float) -> PagePlaces:
    """Where the margins take the names: the top margin, as usual, where the widest fits beside the
    running heads; else the bottom margin, where it fits there or has more room (a booklet's narrow
    pages, a long part title)."""
    top, bottom = places.head_room, places.foot_room
    if top is None or widest <= top:
        return places
    if bottom is None or widest <= bottom or bottom > top:
        return replace(places, in_foot=True)
    return places


def _layout(html: str):
    from weasyprint import HTML

    with weasyprint_log():
        return HTML(string=html).render()


def fitted_size(one_line: float, size: float, height: float) -> tuple[float, bool]:
    """The size (points) and whether to wrap, for text that fits one line of a box ``height`` points high at ``one_line`` points.

    On one line down to two thirds of the usual ``size`` (8 pt for 12 pt);
    below that, on two lines: as large as two lines fit the box, and at most
    one and a half times the one-line size (words do not break evenly).
    """
    if one_line >= size * 2 / 3:
        return one_line, False
    return max(6.0, min(size * 0.8, height / 2.4, one_line * 1.5)), True


def _room(box: Box) -> float:
    """The width a name may take in a box: the box less its padding."""
    return box.width - 2 * 2 * 96 / 25.4


def _stamps_html(roster: Roster, places: PagePlaces, sizes: dict) -> str:
    """The stamps as HTML, each name between two empty anchors that measure it."""
    p = places
    margin = p.margin_bottom if p.in_foot else p.margin_top
    css = f"""
{fonts.font_css()}
@page {{ size: {p.width:.3f}px {p.height:.3f}px; margin: 0; }}
html, body {{ margin: 0; padding: 0; }}
body {{ font-family: var(--display-font); color: #000; }}
.stamp {{ position: relative; width: {p.width:.3f}px; height: {p.height:.3f}px; overflow: hidden; break-after: page; }}
.box {{ position: absolute; box-sizing: border-box; padding: 0 2mm 1.6mm; display: flex; align-items: flex-end;
        font-size: {p.box_size:.2f}pt; line-height: 1.05; white-space: nowrap; }}
.box.wrap {{ white-space: normal; }}
.head {{ position: absolute; top: {p.height - p.margin_bottom if p.in_foot else 0:.3f}px;
         height: {margin:.3f}px; line-height: {margin:.3f}px;
         font-size: {p.head_size:.3f}px; font-weight: bold; white-space: nowrap; }}
.head.right-page {{ left: {p.inner_left:.3f}px; }}
.head.left-page {{ right: {p.inner_right:.3f}px; text-align: right; }}
"""
    pages = []
    for i, student in enumerate(roster.students):
        head = escape(student.name + (f", {student.class_name}" if student.class_name else ""))
        fitted = f' style="font-size: {sizes[("head", i)]:.3f}px"' if ("head", i) in sizes else ""
        first = "".join(
            _box_html(box_id, box, text, i, sizes)
            for box_id, box, text in ((NAME_BOX, p.name_box, student.name), (CLASS_BOX, p.class_box, student.class_name))
            if box is not None and text
        )
        if p.name_box is None:
            first = f'<div class="head right-page"{fitted}>{head}</div>'
        measured = f'<a id="head-start-{i}"></a>{head}<a id="head-end-{i}"></a>'
        pages.append(f'<div class="stamp">{first}</div>')
        pages.append(f'<div class="stamp"><div class="head left-page"{fitted}>{head}</div></div>')
        pages.append(f'<div class="stamp"><div class="head right-page"{fitted}>{measured}</div></div>')
    return f'<!DOCTYPE html><html><head><meta charset="utf-8"><style>{css}</style></head><body>{"".join(pages)}</body></html>'


def _box_html(box_id: str, box: Box, text: str, index: int, sizes: dict) -> str:
    style = f"left: {box.x:.3f}px; top: {box.y:.3f}px; width: {box.width:.3f}px; height: {box.height:.3f}px"
    wrap = ""
    if (box_id, index) in sizes:
        size, wrapped = sizes[(box_id, index)]
        style += f"; font-size: {size:.2f}pt"
        wrap = " wrap" if wrapped else ""
    return (
        f'<div class="box{wrap}" style="{style}"><span><a id="{box_id}-start-{index}"></a>{escape(text)}'
        f'<a id="{box_id}-end-{index}"></a></span></div>'
    )


def check_glyphs(roster: Roster, document) -> None:
    """A RosterError at the first name with a letter the print fonts lack (it would print as a box, or in another face)."""
    wanted = {fam.name for fam in fonts.print_families()}
    bad: set[str] = set()
    for font in document.fonts.values():
        bad.update(chr(codepoint) for codepoint in font.missing)
        if font.family not in wanted:
            for text in font.to_unicode.values():
                bad.update(c for c in text if not c.isspace())
    for student in roster.students:
        for char in student.name + (student.class_name or ""):
            if char in bad:
                raise RosterError(
                    f"the print fonts have no glyph for {fonts.describe_char(char)} in '{student.name}'",
                    where=f"{roster.path}:{student.line}",
                    hint="write the name as it should be printed with letters the fonts have (Latin, Greek, Cyrillic)",
                )


# --- one file per student -----------------------------------------------------------


def split_paths(roster: Roster, dest: Path) -> tuple[Path, ...]:
    """Where ``--split`` puts each student's copy: a folder named after the class set, files numbered in roster order."""
    folder = dest.with_name(final_name(dest).removesuffix(".pdf"))
    width = len(str(len(roster.students)))
    return tuple(
        folder / f"{n:0{width}d}-{file_slug(s.name) or 'student'}.pdf" for n, s in enumerate(roster.students, 1)
    )


def write_split(paths: tuple[Path, ...], pdfs: list[bytes]) -> None:
    """Write the students' copies into a fresh folder that replaces the last build's (a student who left is gone)."""
    folder = paths[0].parent
    fresh = folder.with_name(f".{folder.name}.new")
    old = folder.with_name(f".{folder.name}.old")
    for stale in (fresh, old):
        shutil.rmtree(stale, ignore_errors=True)
    fresh.mkdir(parents=True)
    for path, pdf in zip(paths, pdfs):
        write_atomic(fresh / path.name, pdf)
    if folder.exists():
        folder.rename(old)
    fresh.rename(folder)
    shutil.rmtree(old, ignore_errors=True)
