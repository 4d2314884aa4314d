"""Paper arithmetic for the print room: sheets per copy, booklet page order, copies a class needs.

Kept apart from printroom/compose.py, which works on PDF files with pikepdf, so that a
build's summary (and a build that renders nothing) never imports pikepdf.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from pathlib import Path

def sheets_double_sided(pages: int) -> int:
    """Sheets of paper for ``pages`` printed on both sides."""
    return ceil(pages / 2)


def booklet_pages(pages: int) -> int:
    """The pages of a saddle-stitched booklet: ``pages`` padded with blanks to a multiple of 4."""
    return max(4, ceil(pages / 4) * 4)


def booklet_sides(pages: int) -> list[tuple[int | None, int | None]]:
    """The sides of the sheets of a booklet, in print order: (left page, right page), numbered from 1.

    Sheet k (from 0) has page ``N-2k`` and ``1+2k`` on its front and ``2+2k``
    and ``N-1-2k`` on its back, N being the padded page count; a page past
    the last real one is None (a blank). For 8 pages: (8, 1), (2, 7), (6, 3), (4, 5).
    """
    n = booklet_pages(pages)
    real = lambda number: number if number <= pages else None  # noqa: E731 - a blank past the end
    sides = []
    for k in range(n // 4):
        sides.append((real(n - 2 * k), real(1 + 2 * k)))
        sides.append((real(2 + 2 * k), real(n - 1 - 2 * k)))
    return sides


@dataclass(frozen=True)
class PrintFigures:
    """What one PDF output asks of the print room, printed double-sided.

    ``pages`` are the pages of one copy (A5 pages for a booklet), ``sheets``
    the sheets of paper one copy takes, ``copies`` how many copies a class
    needs: the class size for the standard student edition, one per name for
    a class set, one for the rest (the teacher's editions; a large-print or
    dyslexia-friendly copy, for the student who needs it).
    """

    path: Path
    kind: str  # "handout", "booklet", "class set" or "booklet class set"
    edition: str
    pages: int
    sheets: int
    copies: int

    @property
    def total_sheets(self) -> int:
        return self.sheets * self.copies


def figures(
    path: Path, kind: str, edition: str, pages: int, class_size: int, names: int | None = None, variant: str = "standard"
) -> PrintFigures:
    """The print figures of an output (see `PrintFigures` for the copies it counts)."""
    sheets = ceil(booklet_pages(pages) / 4) if kind in ("booklet", "booklet class set") else sheets_double_sided(pages)
    if names is not None:
        copies = names
    else:
        copies = class_size if edition == "student" and variant == "standard" else 1
    return PrintFigures(path, kind, edition, pages, sheets, copies)
