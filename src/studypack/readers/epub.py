"""The e-book reader (``.epub``): ebooklib finds the spine; its XHTML chapters go through the HTML reader.

The chapters are read in spine order and joined into one tree, each chapter's
ids and links made unique to it (``text/ch2.xhtml#fn3``), so that a note
reference in one chapter finds its note in another (endnotes in a file of
their own). EPUB marks its notes (``epub:type="noteref"``, ``footnote``,
``endnote``, or ``role="doc-noteref"``/``doc-footnote``), and the HTML
reader links them. The book's table of contents, landmarks, cover and title
page are left out and said. Nothing outside the file is ever opened.
"""

from __future__ import annotations

import io
import posixpath
from urllib.parse import unquote, urlsplit

from ..errors import DocumentError
from ..model import Document, DocumentInfo
from .archive import open_zip
from .html import read_tree, refuse_if_cut_short
from .registry import ReaderHints, register

_KIND = "an EPUB (.epub)"
_XHTML = "application/xhtml+xml"


def _book(data: bytes, where: str):
    from ebooklib import epub

    open_zip(data, where, _KIND)
    try:
        return epub.read_epub(io.BytesIO(data), {"ignore_ncx": True})
    except KeyError as err:
        raise DocumentError(f"is not complete: {err} is missing inside it (is it really {_KIND} file?)",
                            where) from None
    except Exception as err:  # noqa: BLE001 - ebooklib raises many kinds on a damaged book; each is one line
        reason = str(err).splitlines()[0][:120] if str(err) else type(err).__name__
        raise DocumentError(f"cannot be read as {_KIND} file ({reason})", where) from None


def _chapter(content: bytes, where: str, name: str):
    """A chapter's XHTML as a tree with plain tag names (the XML parser; HTML's if it is not well-formed)."""
    import lxml.html
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, remove_comments=True,
                             remove_pis=True)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError:
        html_parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
        try:
            root = lxml.html.document_fromstring(content, parser=html_parser)
        except (etree.ParserError, ValueError):
            raise DocumentError(f"has a chapter that cannot be read ({name})", where) from None
        refuse_if_cut_short(html_parser, where, f"an e-book: its chapter {name}")
    for el in root.iter():
        if isinstance(el.tag, str):
            el.tag = etree.QName(el).localname
    return root


def _link(href: str, chapter: str) -> str:
    """A link inside the book as a link inside the joined tree (``#chapter#id``); others as they are."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.fragment:
        return href
    target = chapter if not parts.path else posixpath.normpath(posixpath.join(posixpath.dirname(chapter),
                                                                             unquote(parts.path)))
    return f"#{target}#{unquote(parts.fragment)}"


def _join(book, where: str):
    """The spine's chapters as one HTML tree, ids and links made unique to their chapter."""
    from lxml import etree

    html = etree.Element("html")
    body = etree.SubElement(html, "body")
    for idref, _linear in book.spine:
        item = book.get_item_with_id(idref)
        if item is None or item.media_type != _XHTML:
            continue
        name = item.file_name
        # the bytes as stored: get_content() would parse and write the chapter again (and cut a deep one short)
        root = _chapter(item.content, where, name)
        chapter = root.find("body")
        if chapter is None:
            continue
        for el in chapter.iter():
            if not isinstance(el.tag, str):
                continue
            for attr in ("id", "name"):
                if el.get(attr) and (attr == "id" or el.tag == "a"):
                    el.set(attr, f"{name}#{el.get(attr)}")
            if el.get("href"):
                el.set("href", _link(el.get("href"), name))
        section = etree.SubElement(body, "section")
        section.text = chapter.text
        for key, value in chapter.attrib.items():
            section.set(key, value)
        section.extend(list(chapter))
    return html


def _first(book, name: str) -> str | None:
    values = book.get_metadata("DC", name)
    text = " ".join(str(values[0][0]).split()) if values and values[0] and values[0][0] else ""
    return text or None


@register(".epub", binary=True)
class EpubReader:
    """E-books (EPUB 2 and 3): the chapters in reading order, with their notes."""

    def read(self, data: bytes, doc_id: str, path: str, hints: ReaderHints | None) -> Document:
        """Read an .epub file's bytes into a Document."""
        book = _book(data, path)
        info = DocumentInfo(title=_first(book, "title"), author=_first(book, "creator"))
        return read_tree(_join(book, path), doc_id, path, hints, numbered=True, find_main=False, info=info)
