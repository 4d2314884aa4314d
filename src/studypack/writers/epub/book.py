"""An EPUB as the writer composes it: its XHTML files (`Chapter`), what goes with them (`Book`), its contents.

Shared by the steps of writers/epub/: the chapters are made in chapters.py,
the page markers put in by pages.py, the resources taken in by resources.py,
and the whole packaged by package.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from .. import WriteRequest
from .meta import Features

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
STYLE_DIR = "styles"


def xhtml(tag: str) -> str:
    """The qualified name of an XHTML element."""
    return f"{{{XHTML_NS}}}{tag}"


@dataclass
class Chapter:
    """One XHTML file of the book, parsed, with what the nav and the spine need to know of it."""

    file_name: str
    title: str
    kind: str  # "cover", "title", "part" or "back"
    root: etree._Element
    landmark: str | None = None

    def ids(self) -> list[str]:
        """Every id in the file, in document order."""
        return [el.get("id") for el in self.root.iter() if isinstance(el.tag, str) and el.get("id")]

    def body(self) -> etree._Element:
        """The file's <body> element."""
        return self.root.find(xhtml("body"))

    def serialize(self) -> bytes:
        """The file as UTF-8 XHTML with its XML declaration and doctype."""
        return etree.tostring(
            self.root.getroottree(), xml_declaration=True, encoding="utf-8", doctype="<!DOCTYPE html>"
        )


@dataclass
class Book:
    """Everything the packager needs: XHTML files in reading order, resources, navigation."""

    request: WriteRequest
    chapters: list[Chapter]
    stylesheets: list[str]
    resources: dict[str, bytes] = field(default_factory=dict)  # href -> bytes (CSS, images, fonts)
    pages: list[tuple[str, str]] = field(default_factory=list)  # (label, href) of the page list
    cover: tuple[str, bytes] | None = None  # (href, PNG bytes)
    nav: bytes = b""
    features: Features | None = None


@dataclass
class TocEntry:
    """One line of the table of contents, with the lines under it."""

    title: str
    href: str
    children: list["TocEntry"] = field(default_factory=list)


def table_of_contents(chapters: list[Chapter]) -> list[TocEntry]:
    """The contents: every file but the cover, with the second-level headings of each part under it."""
    entries = []
    for chapter in chapters:
        if chapter.kind == "cover":
            continue
        title = "Title page" if chapter.kind == "title" else chapter.title
        entry = TocEntry(title, chapter.file_name)
        if chapter.kind == "part":
            for heading in chapter.body().iter(xhtml("h2")):
                anchor = _nearest_id(heading)
                if anchor:
                    entry.children.append(TocEntry(text_of(heading), f"{chapter.file_name}#{anchor}"))
        entries.append(entry)
    return entries


def _nearest_id(element: etree._Element) -> str | None:
    while element is not None and element.tag != xhtml("body"):
        if element.get("id"):
            return element.get("id")
        element = element.getparent()
    return None


LANDMARK_TITLES = {
    "cover": "Cover",
    "titlepage": "Title page",
    "bodymatter": "Start of the pack",
    "glossary": "Glossary",
    "acknowledgments": "Sources and acknowledgements",
    "index": "Index",
}


def landmarks(chapters: list[Chapter]) -> list[dict[str, str]]:
    """The landmarks of the book (cover, title page, start, glossary, acknowledgements, index)."""
    return [
        {"type": c.landmark, "href": c.file_name, "title": LANDMARK_TITLES[c.landmark]}
        for c in chapters
        if c.landmark
    ]


def text_of(element: etree._Element) -> str:
    """The text of an element with its whitespace collapsed, noterefs left out."""
    skip = {el for el in element.iter() if isinstance(el.tag, str) and "noteref" in (el.get("class") or "").split()}
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        if el not in skip:
            parts.append(el.text or "")
            for child in el:
                walk(child)
        if el is not element:
            parts.append(el.tail or "")

    walk(element)
    return " ".join("".join(parts).split())
