"""Joining the PDFs of a handout's pieces (writers/pieces.py) into one, a piece at a time.

A library that joins PDFs (pikepdf, pypdf) holds every object of every
input, and of the output, until it writes: for a 478-page handout that was
330 MB, as much as the layout this is meant to save. Here each piece's PDF
is opened alone (pikepdf reads it), the objects the handout keeps are
written out as bytes with new numbers, and the piece is closed before the
next is opened. What remains in memory is the output's bytes.

The handout keeps, of each piece, the pages from its first one on, with
their contents, resources, fonts and link annotations; the PDF/UA structure
elements of those pages; their named destinations and bookmarks. It makes
itself the objects that span the pieces: the page tree, one Document
element whose children are the pieces' in page order, the parent tree
numbered again (each page's key is its number; the link annotations' follow),
one name tree of destinations, one outline, and the catalogue, whose other
entries (language, metadata, viewer preferences) are the first piece's.

The file is written with object streams and a cross-reference stream, as
WeasyPrint writes its own, so the handout is not bigger for being joined
(the fonts' subsets are embedded once a piece).
"""

from __future__ import annotations

import hashlib
import io
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

OBJECTS_PER_STREAM = 200
NULL = b"null"


class JoinError(Exception):
    """A piece's PDF is not as WeasyPrint writes them."""


@dataclass
class Part:
    """One piece to join: its PDF, the first of its pages the handout keeps (1-based), and the pages
    (of the handout, 1-based) over which to draw the page of ``overlay`` with the same number."""

    pdf: bytes
    first: int
    overlay_pages: set[int] = field(default_factory=set)


class _Output:
    """The joined PDF's objects, as bytes, by number (0 is the free entry)."""

    def __init__(self) -> None:
        self.bodies: list[bytes | None] = [None]
        self.streams: dict[int, bytes] = {}

    def reserve(self) -> int:
        self.bodies.append(None)
        return len(self.bodies) - 1

    def put(self, number: int, body: bytes, data: bytes | None = None) -> None:
        self.bodies[number] = body
        if data is not None:
            self.streams[number] = data

    def add(self, body: bytes, data: bytes | None = None) -> int:
        number = self.reserve()
        self.put(number, body, data)
        return number

    def write(self, root: int, info: int | None) -> bytes:
        """The file: streams as objects of their own, the rest in object streams, a cross-reference stream."""
        if any(body is None for body in self.bodies[1:]):
            raise JoinError("an object was referred to but never written")
        identity = hashlib.md5()
        for body in self.bodies[1:]:
            identity.update(body)
        for data in self.streams.values():
            identity.update(data)
        out = io.BytesIO()
        out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        entries: dict[int, tuple[int, int, int]] = {0: (0, 0, 65535)}
        packed = [n for n in range(1, len(self.bodies)) if n not in self.streams]
        for number in range(1, len(self.bodies)):
            if number in self.streams:
                entries[number] = (1, out.tell(), 0)
                data = self.streams[number]
                out.write(b"%d 0 obj\n%s\nstream\n" % (number, self.bodies[number]))
                out.write(data)
                out.write(b"\nendstream\nendobj\n")
        for start in range(0, len(packed), OBJECTS_PER_STREAM):
            group = packed[start:start + OBJECTS_PER_STREAM]
            stream_number = len(self.bodies) + start // OBJECTS_PER_STREAM
            offsets, bodies, at = [], [], 0
            for index, number in enumerate(group):
                offsets.append(b"%d %d" % (number, at))
                body = self.bodies[number] + b"\n"
                bodies.append(body)
                at += len(body)
                entries[number] = (2, stream_number, index)
            head = b" ".join(offsets) + b"\n"
            data = zlib.compress(head + b"".join(bodies))
            entries[stream_number] = (1, out.tell(), 0)
            out.write(b"%d 0 obj\n<</Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d>>\nstream\n"
                      % (stream_number, len(group), len(head), len(data)))
            out.write(data)
            out.write(b"\nendstream\nendobj\n")
        xref = max(entries) + 1
        entries[xref] = (1, out.tell(), 0)
        rows = b"".join(
            bytes([kind]) + first.to_bytes(4, "big") + second.to_bytes(2, "big")
            for kind, first, second in (entries.get(n, (0, 0, 0)) for n in range(xref + 1))
        )
        data = zlib.compress(rows)
        digest = identity.hexdigest().encode()
        trailer = b"/Root %d 0 R" % root + (b" /Info %d 0 R" % info if info else b"")
        out.write(b"%d 0 obj\n<</Type /XRef /Size %d /W [1 4 2] %s /ID [<%s> <%s>] /Filter /FlateDecode /Length %d>>"
                  b"\nstream\n" % (xref, xref + 1, trailer, digest, digest, len(data)))
        out.write(data)
        out.write(b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % entries[xref][1])
        return out.getvalue()


class _Copier:
    """Writes objects of one source PDF into the output as they are referred to, each once.

    ``seeded`` gives, for some of the source's objects, what a reference to
    them becomes instead (the output's page tree for the piece's own, null
    for a page the handout does not keep)."""

    def __init__(self, output: _Output, seeded: dict[tuple[int, int], bytes]) -> None:
        self.output, self.seeded = output, seeded
        self.numbers: dict[tuple[int, int], int] = {}
        self.todo: list = []

    def ref(self, obj) -> bytes:
        key = obj.objgen
        if key in self.seeded:
            return self.seeded[key]
        number = self.numbers.get(key)
        if number is None:
            number = self.numbers[key] = self.output.reserve()
            self.todo.append(obj)
        return b"%d 0 R" % number

    def value(self, value) -> bytes:
        if isinstance(value, pikepdf.Object):
            if value.is_indirect:
                return self.ref(value)
            if isinstance(value, Dictionary):
                return self._dictionary(value.items())
            if isinstance(value, Array):
                return b"[" + b" ".join(self.value(item) for item in value) + b"]"
            if isinstance(value, pikepdf.Stream):
                raise JoinError("a direct stream")
            return value.unparse()
        if value is None:
            return NULL
        if isinstance(value, bool):
            return b"true" if value else b"false"
        if isinstance(value, int):
            return b"%d" % value
        if isinstance(value, Decimal):
            return format(value, "f").encode()
        if isinstance(value, float):
            return repr(value).encode()
        raise JoinError(f"a value of type {type(value).__name__}")

    def _dictionary(self, items: Iterable) -> bytes:
        return b"<<" + b"".join(Name(key).unparse() + b" " + self.value(v) for key, v in items) + b">>"

    def flush(self) -> None:
        """Write every object referred to so far, and those they refer to."""
        while self.todo:
            obj = self.todo.pop()
            number = self.numbers[obj.objgen]
            if isinstance(obj, pikepdf.Stream):
                raw = obj.read_raw_bytes()
                items = [(k, v) for k, v in obj.stream_dict.items() if k != "/Length"]
                body = self._dictionary(items)[:-2] + b" /Length %d>>" % len(raw)
                self.output.put(number, body, raw)
            elif isinstance(obj, Dictionary):
                self.output.put(number, self._dictionary(obj.items()))
            elif isinstance(obj, Array):
                self.output.put(number, b"[" + b" ".join(self.value(item) for item in obj) + b"]")
            else:
                self.output.put(number, obj.unparse(resolved=True))


def join(parts: list[Part], overlay: bytes | None, total: int) -> bytes:
    """One PDF of ``parts``' kept pages, ``total`` of them, with ``overlay``'s pages drawn over the pages asked."""
    output = _Output()
    pages_root, tree_root, document, catalog = (output.reserve() for _ in range(4))
    page_refs: list[bytes] = []
    kids: list[bytes] = []
    page_keys: list[bytes] = []  # the parent tree's value for page n (its structure elements by MCID)
    annotation_keys: list[bytes] = []  # for key total + i
    dests: dict[str, tuple[bytes, bytes]] = {}  # the name -> (the name as written, the destination)
    outline: list[tuple[int, bytes, bytes]] = []  # (depth, title, destination)
    catalog_entries: list[bytes] = []
    name_trees: list[bytes] = []  # the catalogue's name trees other than the destinations'
    info = None
    numbers = Pdf.open(io.BytesIO(overlay)) if overlay else None
    try:
        for index, part in enumerate(parts):
            with Pdf.open(io.BytesIO(part.pdf)) as src:
                seeded = _seeded(src, part, pages_root, tree_root, document)
                copier = _Copier(output, seeded)
                pages = list(src.pages)[part.first - 1:]
                number_of = {page.obj.objgen: len(page_refs) + n for n, page in enumerate(pages)}
                if numbers is not None:
                    _draw(src, pages, numbers, part.overlay_pages, len(page_refs) + 1)
                parents = _nums(src.Root.StructTreeRoot.ParentTree)
                for page in pages:
                    own = int(page.obj.StructParents)  # its key in the piece's parent tree
                    page.obj.StructParents = number_of[page.obj.objgen]
                    page_keys.append(copier.value(parents.get(own, Array())))
                    for annotation in page.obj.get("/Annots", ()):
                        if "/StructParent" in annotation:
                            element = parents[int(annotation.StructParent)]
                            annotation.StructParent = total + len(annotation_keys)
                            annotation_keys.append(copier.value(element))
                    page_refs.append(copier.ref(page.obj))
                source_document = _document_element(src.Root.StructTreeRoot)
                for kid in source_document.K:
                    if _page_of(kid) in number_of:
                        kids.append(copier.value(kid))
                if "/Names" in src.Root and "/Dests" in src.Root.Names:
                    for name, dest in pikepdf.NameTree(src.Root.Names.Dests).items():
                        if name not in dests and dest[0].objgen in number_of:
                            dests[name] = (pikepdf.String(name).unparse(), copier.value(dest))
                with src.open_outline() as marks:
                    _outline(marks.root, number_of, copier, outline, 0)
                if index == 0:
                    for key, value in src.Root.items():
                        if key not in ("/Type", "/Pages", "/StructTreeRoot", "/Names", "/Outlines"):
                            catalog_entries.append(Name(key).unparse() + b" " + copier.value(value))
                    for key, value in src.Root.get("/Names", Dictionary()).items():
                        if key != "/Dests":  # embedded files, should a handout have any: the first piece's
                            name_trees.append(Name(key).unparse() + b" " + copier.value(value))
                    if "/Info" in src.trailer:
                        info = int(copier.ref(src.trailer.Info).split()[0])
                copier.flush()
    finally:
        if numbers is not None:
            numbers.close()
    if len(page_refs) != total:
        raise JoinError(f"the pieces have {len(page_refs)} pages, not {total}")
    output.put(pages_root, b"<</Type /Pages /Count %d /Kids [%s]>>" % (total, b" ".join(page_refs)))
    output.put(document, b"<</Type /StructElem /S /Document /P %d 0 R /K [%s]>>" % (tree_root, b" ".join(kids)))
    nums = [b"%d %s" % (n, value) for n, value in enumerate(page_keys)]
    nums += [b"%d %s" % (total + n, value) for n, value in enumerate(annotation_keys)]
    parent_tree = output.add(b"<</Nums [%s]>>" % b" ".join(nums))
    output.put(tree_root, b"<</Type /StructTreeRoot /K [%d 0 R] /ParentTree %d 0 R /ParentTreeNextKey %d>>"
               % (document, parent_tree, total + len(annotation_keys)))
    extra = []
    if dests:
        # In the order of the names' characters, as WeasyPrint writes them and qpdf checks them (the
        # names' UTF-8 order); ids are ASCII (assemble.slug), for which every reader's order agrees.
        names = b" ".join(b"%s %s" % dests[key] for key in sorted(dests))
        name_trees.append(b"/Dests %d 0 R" % output.add(b"<</Names [%s]>>" % names))
    if name_trees:
        extra.append(b"/Names <<%s>>" % b" ".join(name_trees))
    if outline:
        extra.append(b"/Outlines %d 0 R" % _write_outline(output, outline))
    output.put(catalog, b"<</Type /Catalog /Pages %d 0 R /StructTreeRoot %d 0 R %s %s>>"
               % (pages_root, tree_root, b" ".join(extra), b" ".join(catalog_entries)))
    return output.write(catalog, info)


def _seeded(src, part: Part, pages_root: int, tree_root: int, document: int) -> dict:
    """What references to a piece's own page tree, structure root and Document element, and to its pages
    the handout does not keep, become."""
    seeded = {
        src.Root.Pages.objgen: b"%d 0 R" % pages_root,
        src.Root.StructTreeRoot.objgen: b"%d 0 R" % tree_root,
        _document_element(src.Root.StructTreeRoot).objgen: b"%d 0 R" % document,
        src.Root.objgen: NULL,
    }
    for page in list(src.pages)[: part.first - 1]:
        seeded[page.obj.objgen] = NULL
    return seeded


def _draw(src, pages, numbers, wanted: set[int], first_number: int) -> None:
    """Draw page n of ``numbers`` over each page n of ``wanted`` among ``pages`` (numbered from
    ``first_number``), inside a pagination artifact, its resources apart from the page's own."""
    save = src.make_stream(b"q\n")
    for n, page in enumerate(pages, first_number):
        if n not in wanted:
            continue
        form = src.copy_foreign(numbers.pages[n - 1].as_form_xobject())
        name = page.add_resource(form, Name.XObject, prefix="PageCount")
        page.contents_add(save, prepend=True)
        page.contents_add(src.make_stream(b"Q\n/Artifact BMC\nq " + str(name).encode() + b" Do Q\nEMC\n"))


def _outline(items, number_of: dict, copier: _Copier, out: list, depth: int) -> None:
    """A piece's bookmarks to kept pages, with their depth; those on pages not kept are left out
    and their children rise to their place."""
    for item in items:
        dest = item.destination
        kept = isinstance(dest, Array) and len(dest) and dest[0].objgen in number_of
        if kept:
            out.append((depth, pikepdf.String(item.title).unparse(), copier.value(dest)))
        _outline(item.children, number_of, copier, out, depth + 1 if kept else depth)


def _write_outline(output: _Output, items: list[tuple[int, bytes, bytes]]) -> int:
    """The outline's objects, from (depth, title, destination) in order; the number of its root."""
    root = output.reserve()
    numbers = [output.reserve() for _ in items]
    parent_of, children = {}, {None: []}
    stack: list[int] = []  # indexes of the open items, one per depth
    for i, (depth, _, _) in enumerate(items):
        depth = min(depth, len(stack))
        del stack[depth:]
        parent = stack[-1] if stack else None
        parent_of[i] = parent
        children.setdefault(parent, []).append(i)
        children.setdefault(i, [])
        stack.append(i)

    def count(i) -> int:
        return sum(1 + count(c) for c in children[i])

    for i, (_, title, dest) in enumerate(items):
        siblings = children[parent_of[i]]
        at = siblings.index(i)
        parts = [b"/Title " + title, b"/Dest " + dest,
                 b"/Parent %d 0 R" % (numbers[parent_of[i]] if parent_of[i] is not None else root)]
        if at > 0:
            parts.append(b"/Prev %d 0 R" % numbers[siblings[at - 1]])
        if at + 1 < len(siblings):
            parts.append(b"/Next %d 0 R" % numbers[siblings[at + 1]])
        if children[i]:
            parts.append(b"/First %d 0 R /Last %d 0 R /Count %d"
                         % (numbers[children[i][0]], numbers[children[i][-1]], count(i)))
        output.put(numbers[i], b"<<" + b" ".join(parts) + b">>")
    top = children[None]
    output.put(root, b"<</Type /Outlines /First %d 0 R /Last %d 0 R /Count %d>>"
               % (numbers[top[0]], numbers[top[-1]], len(items)))
    return root


def _document_element(tree_root):
    kids = tree_root.K
    return kids[0] if isinstance(kids, Array) else kids


def _nums(parent_tree) -> dict:
    """A parent tree's number -> value (WeasyPrint writes it flat)."""
    if "/Kids" in parent_tree:
        raise JoinError("a parent tree with kids")
    flat = parent_tree.Nums
    return {int(flat[i]): flat[i + 1] for i in range(0, len(flat), 2)}


def _page_of(element):
    """The page (objgen) a structure element is on: its own /Pg or its first descendant's."""
    stack = [element]
    while stack:
        node = stack.pop(0)
        if not isinstance(node, Dictionary):
            continue
        if "/Pg" in node:
            return node.Pg.objgen
        kids = node.get("/K")
        if kids is not None:
            stack.extend(kids if isinstance(kids, Array) else [kids])
    return None
