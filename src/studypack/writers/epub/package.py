"""Packaging a composed book as an EPUB file with ebooklib, byte-identical from build to build.

ebooklib writes the package document (metadata, manifest, spine, guide) and
the EPUB 2 NCX. Its pitfalls, and what we do about them:

- it writes no NCX unless one is added, but names one in the spine: we add it;
- an empty table of contents makes an NCX without a navPoint, which is
  invalid: ours always has the title page;
- every creator gets the id "creator" unless told otherwise: each gets its own;
- its own nav document and page list would take every element that has both
  an epub:type and an id (our footnotes and noterefs) as a page: we write the
  nav ourselves and turn ebooklib's page list and landmarks off;
- ``write_epub`` swallows write errors and returns False unless
  ``raise_exceptions`` is set: it is set, and the result checked;
- it stamps the zip entries and ``dcterms:modified`` with the current time:
  the modified date is given, and the zip is written again with fixed
  timestamps, the mimetype entry first and stored, the others in ebooklib's
  order, compressed.

The NCX gets a pageList too, for reading systems that know only EPUB 2,
and its playOrder is set in reading order over navPoints and pageTargets.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from typing import Callable

from ebooklib import epub
from lxml import etree

from ...errors import OutputError
from . import meta
from .book import Book, TocEntry, table_of_contents

NCX_NS = "http://www.daisy.org/z3986/2005/ncx/"
ROOT = "EPUB"  # the folder of the package inside the zip (ebooklib's default)

# EPUB 2 guide types for our landmarks (EPUB 3 names on the left).
GUIDE_TYPES = {
    "cover": "cover",
    "titlepage": "title-page",
    "bodymatter": "text",
    "glossary": "glossary",
    "acknowledgments": "acknowledgements",
    "index": "index",
}


def package(book: Book) -> bytes:
    """The EPUB file of a composed book, as bytes."""
    request = book.request
    modified = meta.modified_time(request.pack)
    ebook = build_ebooklib_book(book)
    buffer = io.BytesIO()
    options = {
        "raise_exceptions": True,
        "epub3_pages": False,
        "epub3_landmark": False,
        "mtime": modified,
        "compresslevel": 0,  # repack compresses: ebooklib's own zip is read once and thrown away
    }
    try:
        written = epub.write_epub(buffer, ebook, options)
    except OSError as exc:
        raise OutputError(f"ebooklib could not write the EPUB: {exc}") from None
    if written is False:
        raise OutputError("ebooklib could not write the EPUB")
    fixes = {
        f"{ROOT}/toc.ncx": lambda ncx: finish_ncx(ncx, book.pages, reading_positions(book)),
        f"{ROOT}/content.opf": lambda opf: with_language(opf, request.pack.language),
    }
    return repack(buffer.getvalue(), modified, fixes)


def build_ebooklib_book(book: Book) -> epub.EpubBook:
    """An ebooklib book with the metadata, files, spine, table of contents and guide of ``book``."""
    ebook = epub.EpubBook()
    add_metadata(ebook, book)
    add_files(ebook, book)
    return ebook


def add_metadata(ebook: epub.EpubBook, book: Book) -> None:
    """The book's identifier, title, language, people, subjects, dates, source and accessibility."""
    request = book.request
    pack = request.pack
    ebook.set_identifier(meta.book_identifier(pack, request.edition, request.variant))
    named = "Answer key and mark scheme" if request.edition == "answers" else f"{request.edition.title()} edition"
    title = pack.title if request.edition == "student" else f"{pack.title} ({named})"
    ebook.set_title(title)
    ebook.set_language(pack.language)
    for person in meta.people(pack):
        if person.element == "creator":
            ebook.add_author(person.name, role=person.role, uid=person.id)
        else:
            ebook.add_metadata("DC", "contributor", person.name, {"id": person.id})
    for subject in meta.subjects(pack):
        ebook.add_metadata("DC", "subject", subject)
    if pack.description:
        ebook.add_metadata("DC", "description", pack.description)
    if pack.rights:
        ebook.add_metadata("DC", "rights", pack.rights)
    ebook.add_metadata("DC", "date", pack.date)
    if book.pages:
        paper = (request.options.get("paper") or pack.paper or "a4").upper()
        source = f"{title}: the printed handout ({paper} paper)"
        ebook.add_metadata("DC", "source", source, {"id": "print-source"})
        ebook.add_metadata(None, "meta", "pagination", {"refines": "#print-source", "property": "source-of"})
    for prop, value in meta.accessibility(book.features):
        ebook.add_metadata(None, "meta", value, {"property": prop})


def add_files(ebook: epub.EpubBook, book: Book) -> None:
    """The cover, resources, nav, NCX and chapters of the book; its spine, table of contents and guide."""
    if book.cover:
        href, image = book.cover
        ebook.set_cover(href, image, create_page=False)
    for href, data in sorted(book.resources.items()):
        ebook.add_item(epub.EpubItem(uid=_item_id(href), file_name=href, content=data))
    nav = epub.EpubItem(uid="nav", file_name="nav.xhtml", media_type="application/xhtml+xml", content=book.nav)
    nav.properties = ["nav"]
    ebook.add_item(nav)
    ebook.add_item(epub.EpubNcx())
    spine = []
    for chapter in book.chapters:
        item = epub.EpubItem(
            uid=_item_id(chapter.file_name),
            file_name=chapter.file_name,
            media_type="application/xhtml+xml",
            content=chapter.serialize(),
        )
        ebook.add_item(item)
        spine.append(item)
    ebook.spine = spine
    ebook.toc = [_toc_link(entry, n) for n, entry in enumerate(table_of_contents(book.chapters), 1)]
    ebook.guide = [
        {"type": GUIDE_TYPES[c.landmark], "href": c.file_name, "title": c.title}
        for c in book.chapters
        if c.landmark in GUIDE_TYPES
    ]


def _item_id(href: str) -> str:
    """A manifest id for a file: its name, made a valid XML id."""
    cleaned = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in href)
    return cleaned if cleaned[:1].isalpha() else f"f-{cleaned}"


def _toc_link(entry: TocEntry, number: int):
    link = epub.Link(entry.href, entry.title, f"toc-{number}")
    if not entry.children:
        return link
    return (link, [epub.Link(c.href, c.title, f"toc-{number}-{k}") for k, c in enumerate(entry.children, 1)])


def reading_positions(book: Book) -> dict[str, tuple[int, int]]:
    """Where each file and each id of the book comes in reading order: (spine index, element index)."""
    positions: dict[str, tuple[int, int]] = {}
    for number, chapter in enumerate(book.chapters):
        positions[chapter.file_name] = (number, 0)
        elements = (el for el in chapter.root.iter() if isinstance(el.tag, str))
        for index, element in enumerate(elements, 1):
            if element.get("id"):
                positions[f"{chapter.file_name}#{element.get('id')}"] = (number, index)
    return positions


# Files that are compressed already: deflating them again takes time and saves nothing.
COMPRESSED = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".woff", ".woff2")


def repack(data: bytes, modified: datetime, fixes: dict[str, Callable[[bytes], bytes]]) -> bytes:
    """ebooklib's zip written again: fixed timestamps and order, mimetype first and stored, images and
    web fonts stored, the rest deflated, the files named in ``fixes`` finished by their function."""
    stamp = max(modified.timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        names = source.namelist()
        names.remove("mimetype")
        for name in ["mimetype", *names]:
            content = source.read(name)
            if name in fixes:
                content = fixes[name](content)
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            stored = name == "mimetype" or name.lower().endswith(COMPRESSED)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            target.writestr(info, content, compresslevel=9)
    return out.getvalue()


def with_language(opf: bytes, language: str) -> bytes:
    """The package document with the book's language on its root (``xml:lang``), which ebooklib leaves out
    and reading systems and accessibility checkers read for the metadata's language."""
    return opf.replace(b"<package ", b'<package xml:lang="%s" ' % language.encode("ascii", "replace"), 1)


def finish_ncx(ncx: bytes, pages: list[tuple[str, str]], positions: dict[str, tuple[int, int]]) -> bytes:
    """The NCX with a pageList of the printed pages, its page counts, and playOrder in reading order.

    The NCX wants one playOrder sequence over navPoints and pageTargets
    together, without gaps, equal where two point at the same place.
    """
    root = etree.fromstring(ncx)
    for meta in root.find(_ncx("head")).iter(_ncx("meta")):
        if meta.get("name") in ("dtb:totalPageCount", "dtb:maxPageNumber"):
            meta.set("content", str(len(pages)))
    if pages:
        page_list = etree.SubElement(root, _ncx("pageList"))
        etree.SubElement(etree.SubElement(page_list, _ncx("navLabel")), _ncx("text")).text = "Pages"
        for number, (label, href) in enumerate(pages, 1):
            target = etree.SubElement(page_list, _ncx("pageTarget"), id=f"page-target-{number}", type="normal")
            target.set("value", label)
            etree.SubElement(etree.SubElement(target, _ncx("navLabel")), _ncx("text")).text = label
            etree.SubElement(target, _ncx("content"), src=href)
    points = [el for el in root.iter(_ncx("navPoint"), _ncx("pageTarget"))]
    sources = {el: el.find(_ncx("content")).get("src") for el in points}
    order = {src: n for n, src in enumerate(sorted(set(sources.values()), key=lambda s: positions[s]), 1)}
    for element in points:
        element.set("playOrder", str(order[sources[element]]))
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _ncx(tag: str) -> str:
    return f"{{{NCX_NS}}}{tag}"
