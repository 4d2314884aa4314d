"""The page map: on which pages of the printed handout each block of its text is (plain data).

A block is an element where a reader's eye starts a line (paragraph,
heading, list item, table row, ...), known across print and e-book by its
`signature`: its tag and its text, footnotes left out (print and e-book place
them differently). The map is a list of `PrintedBlock` (the page each block
begins on, every page it is on) and the handout's page count. The layout of a
handout makes it (layout/handout.py `page_map`); the EPUB writer reads it to
put the printed page numbers into the book (writers/epub/pages.py). This
module reads no layout, and imports neither WeasyPrint nor the writers.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass

# The elements that are "blocks" for page-mapping: where a reader's eye starts a line.
BLOCK_TAGS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "tr", "footer", "pre", "figcaption", "caption"}
)
# Content that print and e-book place differently: footnote bodies and calls.
SKIPPED_CLASSES = frozenset({"footnote", "noteref"})

@dataclass(frozen=True)
class PrintedBlock:
    """A block of the printed handout: its text signature, the page it begins on, every page it is on."""

    signature: tuple[str, str]
    page: int
    pages: frozenset[int]


def encode_page_map(page_map) -> bytes:
    """A page map (printed blocks and page count) as compressed JSON, kept by the build as compressed JSON."""
    printed, page_count = page_map
    rows = [[b.signature[0], b.signature[1], b.page, sorted(b.pages)] for b in printed]
    return zlib.compress(json.dumps({"pages": page_count, "blocks": rows}, ensure_ascii=False).encode(), 6)


def decode_page_map(data: bytes):
    """The page map `encode_page_map` wrote."""
    raw = json.loads(zlib.decompress(data))
    printed = [PrintedBlock((tag, text), page, frozenset(pages)) for tag, text, page, pages in raw["blocks"]]
    return printed, raw["pages"]


PageMap = tuple[list[PrintedBlock], int]  # the printed blocks, and the handout's page count


def local_name(tag) -> str:
    """An element's tag without its namespace ('' for a comment or processing instruction)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _skipped(element) -> bool:
    return bool(SKIPPED_CLASSES & set((element.get("class") or "").split()))


def blocks(root) -> list:
    """The block elements under ``root`` in document order, footnotes left out (xml.etree or lxml)."""
    out = []

    def walk(element) -> None:
        for child in element:
            if not isinstance(child.tag, str) or _skipped(child):
                continue
            if local_name(child.tag) in BLOCK_TAGS:
                out.append(child)
            walk(child)

    walk(root)
    return out


def signature(element) -> tuple[str, str]:
    """What identifies a block across print and e-book: its tag and its text, footnotes left out."""
    parts: list[str] = []

    def walk(el) -> None:
        if not _skipped(el):
            parts.append(el.text or "")
            for child in el:
                if isinstance(child.tag, str):
                    walk(child)
                parts.append(child.tail or "")

    walk(element)
    return local_name(element.tag), " ".join("".join(parts).split())
