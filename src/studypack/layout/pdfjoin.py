"""Joining the PDFs of a handout's pieces (layout/pieces.py) into one, a piece at a time.

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

The file is written (layout/pdfobjects.py) with object streams and a cross-reference stream, as
WeasyPrint writes its own, so the handout is not bigger for being joined
(the fonts' subsets are embedded once a piece).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from .pdfobjects import NULL, Copier, JoinError, Output

# The names of the page numbers' form XObjects in the pages' resources, with the page's number after it
# (WeasyPrint's own names are short: /x0, /f-0-1).
PAGE_COUNT = "StudypackPageCount"


@dataclass
class Part:
    """One piece to join: its PDF, the first of its pages the handout keeps (1-based), and the pages
    (of the handout, 1-based) over which to draw the page of ``overlay`` with the same number."""

    pdf: bytes
    first: int
    overlay_pages: set[int] = field(default_factory=set)


def join(parts: list[Part], overlay: bytes | None, total: int) -> bytes:
    """One PDF of ``parts``' kept pages, ``total`` of them, with ``overlay``'s pages drawn over the pages asked."""
    joined = _Joined(total)
    numbers = Pdf.open(io.BytesIO(overlay)) if overlay else None
    try:
        for index, part in enumerate(parts):
            with Pdf.open(io.BytesIO(part.pdf)) as src:
                joined.take(src, part, numbers, first=index == 0)
    finally:
        if numbers is not None:
            numbers.close()
    return joined.write()


class _Joined:
    """The handout being joined: the output's objects, and what spans the pieces, gathered a piece at a time."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.output = Output()
        self.pages_root, self.tree_root, self.document, self.catalog = (self.output.reserve() for _ in range(4))
        self.page_refs: list[bytes] = []
        self.kids: list[bytes] = []
        self.page_keys: list[bytes] = []  # the parent tree's value for page n (its structure elements by MCID)
        self.annotation_keys: list[bytes] = []  # for key total + i
        self.dests: dict[str, tuple[bytes, bytes]] = {}  # the name -> (the name as written, the destination)
        self.outline: list[tuple[int, bytes, bytes]] = []  # (depth, title, destination)
        self.catalog_entries: list[bytes] = []
        self.name_trees: list[bytes] = []  # the catalogue's name trees other than the destinations'
        self.info: int | None = None

    def take(self, src: Pdf, part: Part, numbers: Pdf | None, first: bool) -> None:
        """Write a piece's kept pages and what they refer to; note its structure, names and bookmarks."""
        copier = Copier(self.output, _seeded(src, part, self.pages_root, self.tree_root, self.document))
        pages = list(src.pages)[part.first - 1:]
        number_of = {page.obj.objgen: len(self.page_refs) + n for n, page in enumerate(pages)}
        if numbers is not None:
            _draw(src, pages, numbers, part.overlay_pages, len(self.page_refs) + 1)
        self._pages(src, pages, number_of, copier)
        for kid in _document_element(src.Root.StructTreeRoot).K:
            if _page_of(kid) in number_of:
                self.kids.append(copier.value(kid))
        if "/Names" in src.Root and "/Dests" in src.Root.Names:
            for name, dest in pikepdf.NameTree(src.Root.Names.Dests).items():
                if name not in self.dests and dest[0].objgen in number_of:
                    self.dests[name] = (pikepdf.String(name).unparse(), copier.value(dest))
        with src.open_outline() as marks:
            _outline(marks.root, number_of, copier, self.outline, 0)
        if first:
            self._catalog(src, copier)
        copier.flush()

    def _pages(self, src: Pdf, pages: list, number_of: dict, copier: Copier) -> None:
        """The kept pages, each numbered again in the parent tree, and their annotations after them."""
        parents = _nums(src.Root.StructTreeRoot.ParentTree)
        for page in pages:
            own = int(page.obj.StructParents)  # its key in the piece's parent tree
            page.obj.StructParents = number_of[page.obj.objgen]
            self.page_keys.append(copier.value(parents.get(own, Array())))
            for annotation in page.obj.get("/Annots", ()):
                if "/StructParent" in annotation:
                    element = parents[int(annotation.StructParent)]
                    annotation.StructParent = self.total + len(self.annotation_keys)
                    self.annotation_keys.append(copier.value(element))
            self.page_refs.append(copier.ref(page.obj))

    def _catalog(self, src: Pdf, copier: Copier) -> None:
        """The first piece's catalogue entries (language, metadata, viewer preferences), name trees and info."""
        for key, value in src.Root.items():
            if key not in ("/Type", "/Pages", "/StructTreeRoot", "/Names", "/Outlines"):
                self.catalog_entries.append(Name(key).unparse() + b" " + copier.value(value))
        for key, value in src.Root.get("/Names", Dictionary()).items():
            if key != "/Dests":  # embedded files, should a handout have any: the first piece's
                self.name_trees.append(Name(key).unparse() + b" " + copier.value(value))
        if "/Info" in src.trailer:
            self.info = int(copier.ref(src.trailer.Info).split()[0])

    def write(self) -> bytes:
        """The joined file: the page tree, structure tree, names, outline and catalogue that span the pieces."""
        output, total = self.output, self.total
        if len(self.page_refs) != total:
            raise JoinError(f"the pieces have {len(self.page_refs)} pages, not {total}")
        output.put(self.pages_root, b"<</Type /Pages /Count %d /Kids [%s]>>" % (total, b" ".join(self.page_refs)))
        output.put(self.document, b"<</Type /StructElem /S /Document /P %d 0 R /K [%s]>>"
                   % (self.tree_root, b" ".join(self.kids)))
        nums = [b"%d %s" % (n, value) for n, value in enumerate(self.page_keys)]
        nums += [b"%d %s" % (total + n, value) for n, value in enumerate(self.annotation_keys)]
        parent_tree = output.add(b"<</Nums [%s]>>" % b" ".join(nums))
        output.put(self.tree_root, b"<</Type /StructTreeRoot /K [%d 0 R] /ParentTree %d 0 R /ParentTreeNextKey %d>>"
                   % (self.document, parent_tree, total + len(self.annotation_keys)))
        extra = []
        name_trees = list(self.name_trees)
        if self.dests:
            # A name tree is in the order of its keys as text (code points), as WeasyPrint writes it and
            # qpdf checks it; not of the bytes written, where a key with letters beyond ASCII (UTF-16BE
            # with a byte-order mark) would sort after all the others.
            names = b" ".join(b"%s %s" % self.dests[key] for key in sorted(self.dests))
            name_trees.append(b"/Dests %d 0 R" % output.add(b"<</Names [%s]>>" % names))
        if name_trees:
            extra.append(b"/Names <<%s>>" % b" ".join(name_trees))
        if self.outline:
            extra.append(b"/Outlines %d 0 R" % _write_outline(output, self.outline))
        output.put(self.catalog, b"<</Type /Catalog /Pages %d 0 R /StructTreeRoot %d 0 R %s %s>>"
                   % (self.pages_root, self.tree_root, b" ".join(extra), b" ".join(self.catalog_entries)))
        return output.write(self.catalog, self.info)


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
        # A name of its own for each page (pages may share their resources), made from the page's number:
        # a random one (``prefix=``) would make each build's bytes differ.
        name = Name(f"/{PAGE_COUNT}{n}")
        try:
            page.add_resource(form, Name.XObject, name=name, replace_existing=False)
        except ValueError:
            raise JoinError(f"page {n} has a resource named {name}") from None
        page.contents_add(save, prepend=True)
        page.contents_add(src.make_stream(b"Q\n/Artifact BMC\nq " + str(name).encode() + b" Do Q\nEMC\n"))


def _outline(items, number_of: dict, copier: Copier, out: list, depth: int) -> None:
    """A piece's bookmarks to kept pages, with their depth; those on pages not kept are left out
    and their children rise to their place."""
    for item in items:
        dest = item.destination
        kept = isinstance(dest, Array) and len(dest) and dest[0].objgen in number_of
        if kept:
            out.append((depth, pikepdf.String(item.title).unparse(), copier.value(dest)))
        _outline(item.children, number_of, copier, out, depth + 1 if kept else depth)


def _write_outline(output: Output, items: list[tuple[int, bytes, bytes]]) -> int:
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
