"""The class-set writers: one copy of the student edition per name on a class list (``--names``),
as handouts, and with ``--booklet`` as booklets too (`ClassBookletWriter`).

The handout is laid out once and written as a PDF; each student's name is
then printed over it (`compose.stamp_copies`): in the Name box of the title
page (and the class, where the list gives one, in the Class box), and at the
inner corner of the top margin of every other page, across from the running
head (or of the bottom margin, where the running heads leave a name no room).
Every copy is therefore the same handout, page for page, whatever the length
of a name; and thirty copies take about as long as two (docs/print-room.md
has the measurements). The names themselves are set by printroom/stamps.py.

Where the boxes and margins are comes from the laid-out pages
(layout/hooks/pages.py `page_geometry`), which only the WeasyPrint versions
the layout hooks were written for can tell; on another, class sets are refused.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from ..errors import StudypackError
from ..layout.hooks.pages import PageGeometry, page_geometry
from ..outputs import write_atomic
from ..roster import Roster, file_slug
from ..writers import WriteRequest, WriteResult, Writer, final_name
from ..writers.handout_html import paper_css, paper_of
from ..writers.pdf import emitted_html, print_handout
from .booklet import SHEETS, booklet_page_css
from .compose import Copy, stamp_booklets, stamp_copies
from .stamps import CLASS_BOX, NAME_BOX, Box, PagePlaces, render_stamps

BOX_SIZE = 12.0  # points: the least size a name is set at in a box (the handout's text size, where larger)
HEAD_GAP = 4 * 96 / 25.4  # pixels: the least space between a running head and a name


class ClassSetWriter(Writer):
    """Writes the class set of a student edition: every copy named, one print-ready PDF (and one per student)."""

    format = "classset"
    extension = "pdf"

    def write(self, request: WriteRequest, dest: Path) -> WriteResult:
        roster: Roster = request.options["roster"]
        printed = print_handout(request, self.page_css(request), in_pieces=False)
        whole, singles = self.named_copies(request, printed.pdf, stamps_for(request, printed.document))
        split = split_paths(roster, dest) if request.options.get("split") else ()
        if split:
            write_split(split, singles)
        dest.write_bytes(whole)
        extra = emitted_html(request, dest, printed.html) + split
        return WriteResult(pages=printed.pages, extra_files=extra, details=printed.details)

    def page_css(self, request: WriteRequest) -> str:
        """The page rules after the stylesheets: the paper size."""
        return paper_css(paper_of(request))

    def named_copies(self, request: WriteRequest, pdf: bytes, stamps: tuple[bytes, list[Copy]]) -> tuple[bytes, list[bytes]]:
        """The class set as one file, and each student's copy as a file of its own."""
        title = f"{request.pack.title}: class set ({request.options['roster'].slug})"
        return stamp_copies(pdf, *stamps, title)


class ClassBookletWriter(ClassSetWriter):
    """Writes the class set as booklets (``--booklet --names``): each student's copy named on its
    half-size pages, as the handout's is, then imposed as a booklet of its own; one after another in
    one file, every booklet on sheets of its own."""

    format = "classbooklet"

    def page_css(self, request: WriteRequest) -> str:
        """The page rules after the stylesheets: a booklet's half-size pages."""
        return booklet_page_css(request)

    def named_copies(self, request: WriteRequest, pdf: bytes, stamps: tuple[bytes, list[Copy]]) -> tuple[bytes, list[bytes]]:
        """The class set of booklets as one file, and each student's booklet as a file of its own."""
        title = f"{request.pack.title}: booklet class set ({request.options['roster'].slug})"
        return stamp_booklets(pdf, *stamps, SHEETS[paper_of(request)], title)


def stamps_for(request: WriteRequest, document) -> tuple[bytes, list[Copy]]:
    """The stamps PDF of the names, and which stamp goes over each page of each copy."""
    roster: Roster = request.options["roster"]
    geometry = page_geometry(document, (NAME_BOX, CLASS_BOX))
    if geometry is None:
        raise StudypackError(
            "class sets need to know where the handout's boxes and margins are, which this WeasyPrint "
            "does not tell studypack", hint="install the WeasyPrint version studypack was made for (see pyproject.toml)")
    places = page_places(geometry)
    pages = len(geometry.edges)
    copies = [
        Copy(s.name, tuple(3 * i + page_kind(n, places) for n in range(pages)))
        for i, s in enumerate(roster.students)
    ]
    return render_stamps(roster, places), copies


def page_kind(index: int, places: PagePlaces) -> int:
    """Which of a student's three stamp pages goes over page ``index``: 0 title page, 1 left page, 2 right page.

    Page 1 is a right-hand page, and pages alternate from there.
    """
    if index == 0 and places.name_box is not None:
        return 0
    return 2 if index % 2 == 0 else 1


# --- where the names go ---------------------------------------------------------


def page_places(geometry: PageGeometry) -> PagePlaces:
    """The places of a laid-out handout that take a name."""
    name, klass = geometry.boxes[NAME_BOX], geometry.boxes[CLASS_BOX]
    name_size = geometry.font_sizes[NAME_BOX]
    places = PagePlaces(
        width=geometry.width,
        height=geometry.height,
        name_box=Box(*name) if name is not None else None,
        class_box=Box(*klass) if klass is not None else None,
        margin_top=geometry.margin_top,
        margin_bottom=geometry.margin_bottom,
        inner_left=geometry.margin_left,
        inner_right=geometry.margin_right,
        head_size=geometry.font_size,
        # The handout's text size where it is larger (a large-print Name box's is 18 pt).
        box_size=max(BOX_SIZE, name_size * 72 / 96 if name_size is not None else 0),
    )
    return replace(places, head_room=head_room(geometry, places, "@top"), foot_room=head_room(geometry, places, "@bottom"))


def head_room(geometry: PageGeometry, places: PagePlaces, margin: str) -> float | None:
    """The least width, over the pages that take a name in a margin (``margin``: "@top" or
    "@bottom"), between the inner margin, where the name stands, and what the page prints there (the
    running heads, the page number): on a booklet's narrow pages a long part title leaves a name less
    room than the half of the line it usually has. None: that margin prints nothing."""
    rooms = []
    for index, page_edges in enumerate(geometry.edges):
        kind = page_kind(index, places)
        edges = page_edges[margin]
        if kind == 0 or not edges:
            continue
        if kind == 1:  # a left page: the name ends at the inner (right) margin
            inner = geometry.width - places.inner_right
            rooms.append(inner - max((right for _, right in edges if right <= inner), default=0.0) - HEAD_GAP)
        else:  # a right page: the name starts at the inner (left) margin
            rooms.append(min((left for left, _ in edges if left >= places.inner_left), default=geometry.width)
                         - places.inner_left - HEAD_GAP)
    return min(rooms) if rooms else None


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
