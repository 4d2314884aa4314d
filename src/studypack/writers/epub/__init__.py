"""The EPUB writer: the pack's HTML rendering, one XHTML file per part, packaged as EPUB 3.

A book is made in four steps:

1. render the chapters (title page, one file per part, one per section of
   the back matter) through ``chapter.xhtml``: once to learn which file each
   anchor id lives in, then again so that links reach across files;
2. take in the resources the chapters and stylesheets refer to, all from the
   pack folder or studypack's own (`resources`);
3. mark where each page of the printed handout begins (`pages`, only when
   the ``page_list`` option is on: from the PDF's page map, else a layout of
   the handout), make the cover image (`cover`, option ``cover``), and check
   that every link reaches its target (`chapters`);
4. package it with ebooklib and repack the zip so that it is byte-identical
   from build to build (`package`).

The XHTML files are finished documents when they reach ebooklib; they are
added as plain items, because ebooklib rebuilds the documents it knows as
chapters through its own template and drops their ``<head>`` (and with it
the stylesheet links).
"""

from __future__ import annotations

from pathlib import Path

from ...render import Renderer, precompile
from .. import WriteRequest, WriteResult, Writer
from . import resources
from .book import STYLE_DIR, Book, landmarks, table_of_contents
from .chapters import check_links, cover_chapter, has_footnotes, link_across_files, parse, render_chapters
from .cover import cover_image
from .meta import Features
from .package import package
from .pages import mark_pages


class EpubWriter(Writer):
    """Writes the pack as an EPUB 3 book (with an EPUB 2 NCX) for e-readers."""

    format = "epub"
    extension = "epub"

    def write(self, request: WriteRequest, dest: Path) -> WriteResult:
        book = compose(request)
        dest.write_bytes(package(book))
        return WriteResult(
            details={
                "files": [c.file_name for c in book.chapters],
                "print_pages": len(book.pages),
                "cover": book.cover is not None,
                # the build keeps a cover made here for the next EPUB-only build (one it was handed is kept already)
                "cover_image": book.cover[1] if book.cover and "cover" not in request.artefacts else None,
            }
        )


def compose(request: WriteRequest) -> Book:
    """The book of a request: rendered chapters, page markers, resources, cover and nav."""
    options = request.options
    renderer = _renderer(request, {})
    stylesheets = [f"{STYLE_DIR}/{name}" for name in renderer.stylesheets()]
    chapters = render_chapters(renderer, stylesheets)
    anchor_files = {}
    for chapter in chapters:
        for anchor in chapter.ids():
            anchor_files.setdefault(anchor, chapter.file_name)
    link_across_files(chapters, anchor_files)
    renderer.anchor_files = anchor_files  # the nav and the cover page, rendered below, link into the files
    book = Book(request, chapters, stylesheets)
    resources.take_in(book, renderer)

    if options.get("page_list", True):
        book.pages = mark_pages(request, chapters)
    if options.get("cover", True):
        book.cover = ("images/cover.png", request.artefacts.get("cover") or cover_image(request))
        chapters.insert(0, cover_chapter(renderer, stylesheets, book.cover[0]))
    check_links(chapters)
    book.features = Features(
        page_list=bool(book.pages),
        cover=book.cover is not None,
        footnotes=any(has_footnotes(c) for c in chapters),
    )
    book.nav = render_nav(renderer, book)
    return book


def _renderer(request: WriteRequest, anchor_files: dict[str, str]) -> Renderer:
    return Renderer(
        request.pack,
        request.edition,
        "epub",
        request.theme,
        request.variant,
        anchor_files=anchor_files,
        options=request.options,
    )


def render_nav(renderer: Renderer, book: Book) -> bytes:
    """The navigation document, checked to be well-formed."""
    html = renderer.render(
        "nav.xhtml",
        toc=table_of_contents(book.chapters),
        landmarks=landmarks(book.chapters),
        pages=[{"label": label, "href": href} for label, href in book.pages],
        stylesheets=book.stylesheets,
    )
    return parse(html, "nav.xhtml", "Contents", "nav").serialize()


def warm_up() -> None:
    """Ready a worker for EPUB jobs: the templates compiled (importing this package imported the rest)."""
    precompile("epub")
