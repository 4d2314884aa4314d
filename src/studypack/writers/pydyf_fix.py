"""A fix for pydyf's page references, which make tagged PDFs slow to write as they grow.

``pydyf.PDF.page_references`` builds the tuple of every page's reference each
time it is read, and WeasyPrint's PDF/UA tagging (``weasyprint/pdf/tags.py``)
reads it once per tagged element: writing takes time that grows with pages x
elements, so a long handout spends most of its write time rebuilding that
tuple. `install` makes the property remember its tuple until a page is added.
The PDF is byte for byte the same.

Measured by ``make bench`` (docs/performance.md, "pdf/ua-1 write").
"""

from __future__ import annotations

import pydyf

_ORIGINAL = pydyf.PDF.page_references


def _page_references(pdf: pydyf.PDF) -> tuple[bytes, ...]:
    kids = pdf.pages["Kids"]
    cached = pdf.__dict__.get("_studypack_page_references")
    if cached is None or cached[0] != len(kids):  # pages are only ever added
        cached = (len(kids), _ORIGINAL.fget(pdf))
        pdf.__dict__["_studypack_page_references"] = cached
    return cached[1]


def install() -> None:
    """Make ``PDF.page_references`` remember its tuple (idempotent)."""
    pydyf.PDF.page_references = property(_page_references)


def uninstall() -> None:
    """pydyf as it was (for measuring the gain)."""
    pydyf.PDF.page_references = _ORIGINAL
