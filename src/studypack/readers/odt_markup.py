"""OpenDocument text (``.odt``) as HTML: content.xml read with lxml and mapped element by element.

The ODF markup says everything needed: ``text:h`` with its outline level,
``text:p`` (a paragraph style derived from ``Quotations`` or ``Quote`` makes
a quotation, ``Title`` the title), ``text:list`` (numbered where its list
style numbers), ``table:table``, and ``text:note`` with its
``text:note-citation`` and ``text:note-body``. Each becomes the HTML element
that says the same, so the HTML reader's one walk gives the same model.
Comments, generated indexes (a table of contents), tracked deletions and
drawings are left out, and said. Only content.xml and styles.xml are read,
after the zip container is checked (`archive.open_zip`); no link is followed.
"""

from __future__ import annotations

from lxml import etree

from .archive import member, open_zip, parse_xml

_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
}
_QUOTE_STYLES = {"quotations", "quote", "intense quote", "block text", "blockquote"}
_INDEXES = {"table-of-content", "alphabetical-index", "bibliography", "illustration-index", "table-index",
            "user-index", "object-index"}
_SKIP = {"note-citation", "tracked-changes", "sequence-decls", "variable-decls", "user-field-decls",
         "soft-page-break", "bookmark", "bookmark-start", "bookmark-end", "reference-mark",
         "reference-mark-start", "reference-mark-end", "table-column", "table-columns",
         "covered-table-cell", "annotation-end", "forms"}
_KIND = "an OpenDocument (.odt)"


def _q(prefix: str, name: str) -> str:
    return f"{{{_NS[prefix]}}}{name}"


class _Styles:
    """Paragraph styles and their parents, and which list styles number their items."""

    def __init__(self, *roots) -> None:
        self.parent: dict[str, str] = {}
        self.numbered: set[str] = set()
        for root in roots:
            for style in root.iter(_q("style", "style")):
                name, parent = style.get(_q("style", "name")), style.get(_q("style", "parent-style-name"))
                if name and parent:
                    self.parent[name] = parent
            for lists in root.iter(_q("text", "list-style")):
                first = next((c for c in lists if isinstance(c.tag, str)), None)
                if first is not None and etree.QName(first).localname == "list-level-style-number":
                    self.numbered.add(lists.get(_q("style", "name")))

    def names(self, name: str | None) -> list[str]:
        """A style and its ancestors, as readable names (``Heading_20_1`` -> ``heading 1``)."""
        out = []
        while name and len(out) < 10:
            out.append(name.replace("_20_", " ").lower())
            name = self.parent.get(name)
        return out


class _Converter:
    """Builds the HTML tree, one ODF element at a time; notes go to the end, as a list of asides."""

    def __init__(self, styles: _Styles) -> None:
        self.styles = styles
        self.notes: list = []
        self.comments = 0
        self.indexes = 0
        self.drawings = 0

    def children(self, src, dst) -> None:
        """Copy ``src``'s text and children into ``dst``."""
        _append_text(dst, src.text)
        for child in src:
            if isinstance(child.tag, str):
                self.element(child, dst)
            _append_text(dst, child.tail)

    def element(self, src, dst) -> None:
        """One ODF element as its HTML counterpart (or its content only, or nothing)."""
        qname = etree.QName(src)
        ns, name = qname.namespace or "", qname.localname
        if name in _SKIP:
            return
        if ns == _NS["office"] and name == "annotation":
            self.comments += 1
        elif ns == _NS["text"] and name in _INDEXES:
            self.indexes += 1
        elif ns.endswith(":drawing:1.0") or ns.endswith(":svg-compatible:1.0"):
            self.drawings += name == "frame"
        elif name == "note":
            self._note(src, dst)
        elif name == "s":
            _append_text(dst, " " * int(src.get(_q("text", "c"), "1") or 1))
        elif name == "tab":
            _append_text(dst, "\t")
        elif name == "line-break":
            etree.SubElement(dst, "br")
        else:
            tag = self._tag(src, name)
            self.children(src, etree.SubElement(dst, tag) if tag else dst)

    def _tag(self, src, name: str) -> str | None:
        if name == "h":
            level = src.get(_q("text", "outline-level"), "1")
            return f"h{min(6, max(1, int(level) if level.isdigit() else 1))}"
        if name == "p":
            styles = self.styles.names(src.get(_q("text", "style-name")))
            if "title" in styles[:1] or styles[-1:] == ["title"]:
                return "studypack-title"
            if any(s in _QUOTE_STYLES for s in styles):
                return "blockquote"
            heading = next((s for s in styles if s.startswith("heading ") and s[8:].isdigit()), None)
            return f"h{min(6, int(heading[8:]))}" if heading else "p"
        if name == "list":
            return "ol" if src.get(_q("text", "style-name")) in self.styles.numbered else "ul"
        return {"list-item": "li", "list-header": "li", "table": "table", "table-row": "tr",
                "table-cell": "td", "section": "div"}.get(name)

    def _note(self, src, dst) -> None:
        citation = src.find(_q("text", "note-citation"))
        label = " ".join("".join(citation.itertext()).split()) if citation is not None else ""
        ident = f"odt-note-{len(self.notes) + 1}"
        sup = etree.SubElement(dst, "sup")
        link = etree.SubElement(sup, "a", {"href": f"#{ident}", "role": "doc-noteref"})
        link.text = label or str(len(self.notes) + 1)
        aside = etree.Element("aside", {"id": ident, "role": "doc-footnote"})
        body = src.find(_q("text", "note-body"))
        if body is not None:
            self.children(body, aside)
        self.notes.append(aside)


def _append_text(dst, text: str | None) -> None:
    if not text:
        return
    if len(dst):
        dst[-1].tail = (dst[-1].tail or "") + text
    else:
        dst.text = (dst.text or "") + text


def _join_quotations(body) -> None:
    """Consecutive quotation paragraphs are one quotation of several paragraphs."""
    for quote in list(body.iter("blockquote")):
        quote.tag = "p"
        wrapper = quote.getprevious()
        if wrapper is not None and wrapper.tag == "blockquote" and not (wrapper.tail or "").strip():
            wrapper.append(quote)
        else:
            wrapper = etree.Element("blockquote")
            quote.addprevious(wrapper)
            wrapper.append(quote)


def odt_tree(data: bytes, where: str):
    """The .odt file as an HTML tree, with what was left out and the title."""
    archive = open_zip(data, where, _KIND)
    content = parse_xml(member(archive, "content.xml", where, _KIND), where, "content.xml")
    styles_xml = archive.read("styles.xml") if "styles.xml" in archive.namelist() else None
    roots = [content] + ([parse_xml(styles_xml, where, "styles.xml")] if styles_xml else [])
    converter = _Converter(_Styles(*roots))
    html = etree.Element("html")
    body = etree.SubElement(html, "body")
    text = content.find(f"{_q('office', 'body')}/{_q('office', 'text')}")
    if text is not None:
        converter.children(text, body)
    _join_quotations(body)
    for aside in converter.notes:
        body.append(aside)
    return html, converter
