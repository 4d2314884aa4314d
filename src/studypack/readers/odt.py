"""The OpenDocument reader (``.odt``): its own markup, mapped to HTML (`odt_markup`), read by the HTML reader.

Headings come from ``text:h`` and its outline level, quotations from a
paragraph style derived from ``Quotations`` or ``Quote``, lists, tables and
notes (``text:note``: its citation and body) from their elements. Comments,
generated indexes, tracked deletions and drawings are left out, and said.
"""

from __future__ import annotations

from dataclasses import replace

from ..model import Document, DocumentInfo
from .html import drop, read_tree
from .registry import ReaderHints, register


@register(".odt", binary=True)
class OdtReader:
    """OpenDocument text (LibreOffice, Google Docs' download): read from its own markup."""

    def read(self, data: bytes, doc_id: str, path: str, hints: ReaderHints | None) -> Document:
        """Read an .odt file's bytes into a Document."""
        from .odt_markup import odt_tree

        html, converter = odt_tree(data, path)
        titles = list(html.iter("studypack-title"))
        title = " ".join(" ".join(titles[0].itertext()).split()) if titles else None
        for el in titles:
            el.tag = "p"
        if titles:
            drop(titles[0])
        doc = read_tree(html, doc_id, path, hints, numbered=True, find_main=False, info=DocumentInfo(title=title))
        left = [f"{what} ({n})" for what, n in (("comments", converter.comments),
                ("generated indexes such as a table of contents", converter.indexes),
                ("drawings and pictures", converter.drawings)) if n]
        return replace(doc, left_out=doc.left_out + tuple(left))
