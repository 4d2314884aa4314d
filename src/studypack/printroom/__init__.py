"""The print room: what happens to handouts between the PDF and the photocopier.

- `compose`: finished PDFs composed into new ones (pikepdf): a booklet imposed,
  a class set stamped with names, several handouts as one print run;
- `booklet`, `classset`: the writers of booklets and class sets (asked for by
  ``--booklet`` and ``--names``): each has the handout laid out once
  (layout/), writes its PDF, and composes that;
- `stamps`: the students' names, set by WeasyPrint (through layout/) to be
  printed over the handout;
- the arithmetic of paper (sheets, booklet order, copies) is paper.py's, which
  needs no PDF library; its names are given here too.
"""

from __future__ import annotations

from ..paper import PrintFigures, booklet_pages, booklet_sides, figures, sheets_double_sided
from .compose import Copy, impose_booklet, print_run, read_pdf, stamp_booklets, stamp_copies

__all__ = [
    "Copy", "PrintFigures", "booklet_pages", "booklet_sides", "figures", "impose_booklet", "print_run", "read_pdf",
    "sheets_double_sided", "stamp_booklets", "stamp_copies",
]
