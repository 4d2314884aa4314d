"""The students' names of a class set, set by WeasyPrint to be printed over the handout (printroom/classset.py).

The names are set in the handout's own sans-serif face, on pages of the
handout's size, one page per kind of page (title page, left page, right
page) per student (`render_stamps`). A name too wide for the Name box is set
smaller until it fits (`fitted_sizes`); where the running heads leave the
names no room in the top margin, they go to the bottom one (`name_margin`).
A name with a letter the print fonts lack is an error naming the line of the
class list (`check_glyphs`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from markupsafe import escape

from ..errors import RosterError
from ..layout import engine, fonts
from ..layout.hooks.pages import fonts_used
from ..roster import Roster

# The boxes of the title page a name and a class go into (ids in templates/title.html).
NAME_BOX, CLASS_BOX = "student-name", "student-class"


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


def render_stamps(roster: Roster, places: PagePlaces) -> bytes:
    """The stamps PDF: for each student, a title-page, a left-page and a right-page stamp (pages 3i..3i+2)."""
    document = _layout(_stamps_html(roster, places, {}))
    placed = name_margin(places, max(head_widths(roster, document).values(), default=0.0))
    sizes = fitted_sizes(roster, placed, document)
    if sizes or placed != places:
        document = _layout(_stamps_html(roster, placed, sizes))
    pdf = engine.write_plain(document)
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
    return engine.lay_out_plain(html)


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
    """A RosterError at the first name with a letter the print fonts lack (it would print as a box, or in another face).

    (Only where the layout hooks can read the fonts used; class sets are refused elsewhere.)"""
    used = fonts_used(document)
    if used is None:
        return
    wanted = {fam.name for fam in fonts.print_families()}
    bad: set[str] = set()
    for family, missing, chars in used:
        bad.update(missing)
        if family not in wanted:
            bad.update(c for c in chars if not c.isspace())
    for student in roster.students:
        for char in student.name + (student.class_name or ""):
            if char in bad:
                raise RosterError(
                    f"the print fonts have no glyph for {fonts.describe_char(char)} in '{student.name}'",
                    where=f"{roster.path}:{student.line}",
                    hint="write the name as it should be printed with letters the fonts have (Latin, Greek, Cyrillic)",
                )
