"""The reader of saved web pages (``.html``, ``.htm``), and the HTML reading the office and e-book readers share.

A page is parsed with lxml's HTML parser, which never fetches anything (no
network, no DTD, no entities from elsewhere) and runs no script. Then:
scripts, styles, pictures and form controls go; the notes are found from
their markup (`html_notes`) and taken out of the text; the main content is
found (``<main>``, ``role="main"``, a single ``<article>``, or else the block
with the most paragraph text); site furniture (navigation, page header and
footer, sidebars, forms, menus, edit links) is left out and *said* in
`Document.left_out`; what remains is walked into units (`html_units`).
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from dataclasses import replace

from ..errors import DocumentError
from ..model import Document, DocumentInfo
from .html_notes import backlinks, find_notes, semantics
from .html_units import as_para, walk
from .registry import ReaderHints, register
from .structure import assemble, masthead
from .units import Head, NoteText
from .text import name_like

_GONE = {
    "script", "style", "noscript", "template", "iframe", "frame", "frameset", "object", "embed", "applet",
    "canvas", "svg", "head", "link", "meta", "title", "base", "audio", "video", "source", "track", "map",
    "area", "img", "picture", "input", "select", "textarea", "button", "option", "datalist", "output",
}
_FURNITURE_TAGS = {"nav": "navigation", "menu": "navigation", "aside": "sidebar", "form": "form",
                   "footer": "page footer", "header": "page header", "dialog": "dialog"}
_FURNITURE_ROLES = {"navigation": "navigation", "menu": "navigation", "menubar": "navigation",
                    "toolbar": "navigation", "search": "form", "banner": "page header",
                    "contentinfo": "page footer", "complementary": "sidebar"}
_FURNITURE_CLASSES = {
    "navbox": "navigation box", "navbar": "navigation", "navigation": "navigation", "breadcrumb": "navigation",
    "breadcrumbs": "navigation", "menu": "navigation", "sidebar": "sidebar", "toc": "table of contents",
    "mw-editsection": "edit links", "mw-jump-link": "navigation", "skip-link": "navigation",
    "catlinks": "category links", "printfooter": "page footer", "noprint": "screen-only links",
    "hatnote": "editors' note", "ambox": "editors' note", "mbox-small": "editors' note",
    "share": "sharing buttons", "social": "sharing buttons", "cookie": "cookie notice",
    "advert": "advertisement", "ad": "advertisement", "comments": "readers' comments",
}
_BOOK_FURNITURE = {"toc": "table of contents", "landmarks": "navigation", "page-list": "navigation",
                   "titlepage": "title page", "halftitlepage": "title page", "cover": "cover",
                   "doc-toc": "table of contents", "doc-pagelist": "navigation", "doc-cover": "cover"}
_PARAGRAPHS = ("p", "pre", "blockquote", "li", "dd")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_SHOWN_WORDS = 8


def decode_html(data: bytes, where: str) -> str:
    """A page's text: by its byte order mark, its ``<meta charset>``, else UTF-8, else Windows-1252."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, errors="replace").lstrip("\ufeff")
    declared = _META_CHARSET.search(data[:8192])
    codec = declared.group(1).decode("ascii").lower() if declared else None
    if codec:
        try:
            codecs.lookup(codec)
        except LookupError:
            raise DocumentError(f"declares an unknown character set '{codec}'; save the page as UTF-8", where) from None
        try:
            return data.decode(codec)
        except UnicodeDecodeError as err:
            raise DocumentError(f"declares the character set '{codec}', but byte {err.start + 1:,} is not "
                                f"{codec}; save the page again as UTF-8", where) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # what browsers assume of a page that does not say
        return data.decode("windows-1252", errors="replace")


def parse_html(data: bytes, where: str):
    """A page as an lxml tree (the HTML parser: no network, comments and processing instructions left out)."""
    import lxml.html
    from lxml import etree

    text = _XML_DECLARATION.sub("", decode_html(data, where), count=1)
    if "\x00" in text:
        raise DocumentError("looks like a binary file, not a web page (NUL byte)", where)
    if not text.strip():
        raise DocumentError("document is empty", where)
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as err:
        raise DocumentError(f"cannot be read as a web page ({err})", where) from None
    refuse_if_cut_short(parser, where, "a web page")
    return root


def refuse_if_cut_short(parser, where: str, what: str) -> None:
    """The HTML parser mends ordinary mistakes; after a fatal one (nesting deeper than 256) the text is cut short."""
    from lxml import etree

    fatal = [e for e in parser.error_log if e.level == etree.ErrorLevels.FATAL]
    if fatal:
        reason = fatal[0].message.split(", use ")[0]  # libxml2's advice names a parser option, not a fix
        raise DocumentError(f"cannot be read as {what} (line {fatal[0].line}: {reason})", where)


def drop(el) -> None:
    """Take an element out of the tree, keeping the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        before = el.getprevious()
        if before is not None:
            before.tail = (before.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _words(el) -> list[str]:
    """An element's words for a message (a space between elements, so menu items stay apart)."""
    return " ".join(el.itertext()).split()


def _furniture(el, keep_headers: bool, book: bool = False) -> str | None:
    """What kind of site furniture an element is, or None if it is content.

    In a book (an e-book's chapters) only navigation and forms are furniture:
    its headers, sidebars and footers are the author's.
    """
    tag = el.tag if isinstance(el.tag, str) else ""
    kinds = set(semantics(el).split())
    if kinds & _BOOK_FURNITURE.keys():
        return _BOOK_FURNITURE[min(kinds & _BOOK_FURNITURE.keys())]
    kind = _FURNITURE_TAGS.get(tag) or _FURNITURE_ROLES.get((el.get("role") or "").strip().lower())
    if book:
        return kind if kind in ("navigation", "form") else None
    if tag == "header" and keep_headers or tag == "footer" and el.xpath("ancestor::blockquote"):
        kind = None  # an article's own header; the source line under a quotation
    if kind is None:
        tokens = (el.get("class") or "").split() + [el.get("id") or ""]
        kind = next((_FURNITURE_CLASSES[t] for t in tokens if t in _FURNITURE_CLASSES), None)
    if kind is None and el.get("hidden") is not None:
        kind = "hidden text"
    return kind


class LeftOut:
    """What the reader left out, by kind: how many pieces, how many words, the first words."""

    def __init__(self) -> None:
        self.kinds: dict[str, list] = {}
        self.pictures = 0

    def add(self, kind: str, el) -> None:
        words = _words(el)
        if words:
            entry = self.kinds.setdefault(kind, [0, 0, words[:_SHOWN_WORDS]])
            entry[0] += 1
            entry[1] += len(words)

    def lines(self) -> tuple[str, ...]:
        """One plain line per kind of thing left out."""
        out = []
        for kind, (count, words, first) in self.kinds.items():
            pieces = f"{count} pieces, " if count > 1 else ""
            out.append(f"{kind} ({pieces}{words:,} words): “{' '.join(first)}{' …' if words > len(first) else ''}”")
        if self.pictures:
            out.append(f"pictures ({self.pictures}; their captions are kept)")
        return tuple(out)


def _main_content(body):
    """The element holding the page's main content (the body itself if nothing stands out)."""
    for xpath in ("//main", "//*[@role='main']", "//article"):
        found = body.xpath(xpath)
        if len(found) == 1:
            return found[0]
        if len(found) > 1 and xpath != "//article":
            return max(found, key=lambda el: len(_words(el)))
    scores: Counter = Counter()
    for para in body.iter(*_PARAGRAPHS):
        size = len(" ".join(_words(para)))
        parent = para.getparent()
        if size < 25 or parent is None:
            continue
        scores[parent] += size
        if parent.getparent() is not None:
            scores[parent.getparent()] += size // 2
    if not scores:
        return body
    best, score = scores.most_common(1)[0]
    total = len(" ".join(_words(body)))
    # a block that holds little of the page's text is not its main content
    return best if score >= 0.4 * total else body


def _outside(main, body, left: LeftOut) -> None:
    """Record and remove what lies outside the main content."""
    el = main
    while el is not body and el.getparent() is not None:
        parent = el.getparent()
        for sibling in list(parent):
            if sibling is not el and isinstance(sibling.tag, str):
                left.add(_furniture(sibling, False) or "outside the main content", sibling)
                drop(sibling)
        el = parent


def _strip(main, left: LeftOut, inside_article: bool, book: bool) -> None:
    """Remove site furniture inside the content, recording it."""
    for el in list(main.iter()):
        if el is main or not isinstance(el.tag, str) or el.getparent() is None:
            continue
        keep_headers = inside_article or bool(el.xpath("ancestor::article"))
        kind = _furniture(el, keep_headers, book)
        if kind:
            left.add(kind, el)
            drop(el)


def _remove_gone(body, left: LeftOut) -> None:
    for el in list(body.iter(*_GONE)):
        if el.getparent() is not None:
            left.pictures += el.tag in ("img", "picture", "svg")
            drop(el)


def _take_notes(body, notes: list) -> None:
    """Take the notes out of the body (their links back first), and the lists they leave empty."""
    for note in notes:
        for el in backlinks(note):
            drop(el)
    parents = {}
    for note in notes:
        parents[note.block.getparent()] = None
        drop(note.block)
    for parent in parents:
        while parent is not None and parent is not body and parent.getparent() is not None \
                and not "".join(parent.itertext()).strip():
            above = parent.getparent()
            drop(parent)
            parent = above


def _note_texts(notes: list, refs: dict, numbered: bool, count: int) -> list[NoteText]:
    """Each note's text as a NoteText (a note without words is left out: its markers stay unlinked)."""
    texts = []
    for note in notes:
        units, count = walk(note.block, refs, numbered, count)
        paras = tuple(p for p in map(as_para, units) if p is not None)
        if paras:
            texts.append(NoteText(note.label, paras, paras[0].line, note.ident))
    return texts


def read_tree(root, doc_id: str, path: str, hints: ReaderHints | None, *, numbered: bool,
              find_main: bool, info: DocumentInfo | None = None) -> Document:
    """An HTML tree as a Document: notes, main content, furniture left out and said, units assembled."""
    body = root.find("body") if root.find("body") is not None else root
    author = info.author if info else None
    if author is None:
        found = root.xpath("//meta[@name='author' or @name='dc.creator' or @name='citation_author']/@content")
        author = found[0].strip() if found and found[0].strip() else None
    left = LeftOut()
    _remove_gone(body, left)
    refs, notes = find_notes(body)
    _take_notes(body, notes)
    main = _main_content(body) if find_main else body
    if main is not body:
        _outside(main, body, left)
    inside_article = main.tag in ("article", "main") or main.get("role") == "main"
    _strip(main, left, inside_article, book=not find_main)
    units, count = walk(main, refs, numbered, 0)
    note_texts = _note_texts(notes, refs, numbered, count)
    # the page's own masthead names it better than its metadata or browser-tab title
    found, units = masthead(units, name_like)
    title = found.get("title") or (info.title if info else None)
    author = author or found.get("author")
    heads = [u for u in units if isinstance(u, Head) and u.level == 1]
    if title is None and len(heads) == 1 and units and units[0] is heads[0]:
        title = units.pop(0).text
    if title is None and find_main:
        # a saved page's own <title> (it may name the site too: pack.yaml's title: overrides it)
        title = " ".join(" ".join(root.xpath("/html/head/title//text()")).split()) or None
    doc = assemble(doc_id, path, DocumentInfo(title=title, author=author, book=found.get("book"),
                                              standfirst=found.get("standfirst")), units, note_texts, hints,
                   lead_ins=False)
    return replace(doc, left_out=left.lines())


@register(".html", ".htm", binary=True)
class HtmlReader:
    """Web pages saved from a browser: the main content, read from its markup."""

    def read(self, data: bytes, doc_id: str, path: str, hints: ReaderHints | None) -> Document:
        """Read a saved page's bytes into a Document."""
        return read_tree(parse_html(data, path), doc_id, path, hints, numbered=False, find_main=True)
