"""The EPUB writer: the pack's HTML rendering, one XHTML file per part, packaged as EPUB 3.

A book is made in four steps:

1. render the chapters (title page, one file per part, one per section of
   the back matter) through ``chapter.xhtml``: once to learn which file each
   anchor id lives in, then again so that links reach across files;
2. take in the resources the chapters and stylesheets refer to, all from the
   pack folder or studypack's own (`epub_resources`);
3. mark where each page of the printed handout begins (`epub_pages`, only
   when the ``page_list`` option is on: it lays the handout out with
   WeasyPrint), make the cover image (`cover`, option ``cover``), and check
   that every link reaches its target;
4. package it with ebooklib and repack the zip so that it is byte-identical
   from build to build (`epub_package`).

The XHTML files are finished documents when they reach ebooklib; they are
added as plain items, because ebooklib rebuilds the documents it knows as
chapters through its own template and drops their ``<head>`` (and with it
the stylesheet links).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..errors import TemplateError
from ..render import Renderer
from . import WriteRequest, WriteResult, Writer, epub_resources
from .epub_meta import Features

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


class EpubWriter(Writer):
    """Writes the pack as an EPUB 3 book (with an EPUB 2 NCX) for e-readers."""

    format = "epub"
    extension = "epub"

    def write(self, request: WriteRequest, dest: Path) -> WriteResult:
        from .epub_package import package

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
    epub_resources.take_in(book, renderer)

    if options.get("page_list", True):
        from .epub_pages import mark_pages

        book.pages = mark_pages(request, chapters)
    if options.get("cover", True):
        from .cover import cover_image

        book.cover = ("images/cover.png", request.artefacts.get("cover") or cover_image(request))
        chapters.insert(0, _cover_chapter(renderer, stylesheets, book.cover[0]))
    check_links(chapters)
    book.features = Features(
        page_list=bool(book.pages),
        cover=book.cover is not None,
        footnotes=any(_footnotes(c) for c in chapters),
    )
    book.nav = render_nav(renderer, book)
    return book


def link_across_files(chapters: list[Chapter], anchor_files: dict[str, str]) -> None:
    """Point each link to an anchor of another file at that file: the pack was rendered as one
    document (``#anchor``), and only its chapters tell which file each anchor has landed in."""
    for chapter in chapters:
        for element in chapter.root.iter():
            href = element.get("href") if isinstance(element.tag, str) else None
            if href and href.startswith("#"):
                target = anchor_files.get(href[1:])
                if target is not None and target != chapter.file_name:
                    element.set("href", f"{target}{href}")


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


# --- chapters --------------------------------------------------------------


def render_chapters(renderer: Renderer, stylesheets: list[str]) -> list[Chapter]:
    """The title page, one file per visible part, and one per section of the back matter."""
    pack = renderer.pack
    common = {"stylesheets": stylesheets}
    chapters = [
        _parse(
            renderer.render("chapter.xhtml", kind="title", title=pack.title, matter="frontmatter", **common),
            "title.xhtml",
            pack.title,
            "title",
            "titlepage",
        )
    ]
    for number, part in enumerate(renderer.visible_parts(), 1):
        html = renderer.render("chapter.xhtml", kind="part", part=part, title=part.title, matter="bodymatter", **common)
        landmark = "bodymatter" if number == 1 else None
        chapters.append(_parse(html, f"part-{number:02d}.xhtml", part.title, "part", landmark))
    back = renderer.render("chapter.xhtml", kind="back", title=pack.title, matter="backmatter", **common)
    chapters.extend(split_back_matter(_parse(back, "back.xhtml", pack.title, "back")))
    return chapters


def _parse(text: str, file_name: str, title: str, kind: str, landmark: str | None = None) -> Chapter:
    try:
        root = etree.fromstring(text.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise TemplateError(
            f"the EPUB chapter '{title}' is not well-formed XHTML: {exc.msg}",
            where=f"{file_name}:{exc.lineno}",
            hint="a template (built-in or the pack's own) writes HTML that is not XML; close every element",
        ) from None
    chapter = Chapter(file_name, title, kind, root, landmark)
    seen: set[str] = set()
    for anchor in chapter.ids():
        if anchor in seen:
            raise TemplateError(f"the EPUB chapter '{title}' has the id '{anchor}' twice", where=file_name)
        seen.add(anchor)
    return chapter


# Back-matter sections whose role a reading system knows (EPUB structural semantics).
BACK_MATTER_LANDMARKS = {"glossary": "glossary", "acknowledgements": "acknowledgments", "index": "index"}


def split_back_matter(back: Chapter) -> list[Chapter]:
    """One file per top-level <section> of the back matter (glossary, who's who, timeline, sources)."""
    body = back.body()
    groups: list[list[etree._Element]] = []
    for child in body:
        if not isinstance(child.tag, str):
            continue
        if child.tag == xhtml("section") or not groups:
            groups.append([])
        groups[-1].append(child)
    chapters = []
    for group in groups:
        section_id = group[0].get("id") or f"back-{len(chapters) + 1}"
        title = _heading_text(group[0]) or back.title
        root = etree.fromstring(etree.tostring(back.root))
        new_body = root.find(xhtml("body"))
        for child in list(new_body):
            new_body.remove(child)
        new_body.text = "\n"
        for element in group:
            new_body.append(element)
        root.find(xhtml("head")).find(xhtml("title")).text = title
        file_name = f"{_file_stem(section_id)}.xhtml"
        chapters.append(Chapter(file_name, title, "back", root, BACK_MATTER_LANDMARKS.get(section_id)))
    return chapters


def _file_stem(anchor: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", anchor).strip("-").lower() or "section"
    return stem if stem not in {"title", "nav", "cover", "toc"} and not stem.startswith("part-") else f"back-{stem}"


def _heading_text(element: etree._Element) -> str:
    for tag in ("h1", "h2", "h3"):
        heading = element if element.tag == xhtml(tag) else element.find(f".//{xhtml(tag)}")
        if heading is not None:
            return text_of(heading)
    return ""


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


def _footnotes(chapter: Chapter) -> bool:
    return any(el.get(f"{{{EPUB_NS}}}type") == "footnote" for el in chapter.root.iter(xhtml("aside")))


def _cover_chapter(renderer: Renderer, stylesheets: list[str], image: str) -> Chapter:
    pack, edition = renderer.pack, renderer.edition
    alt = pack.title + (f": {pack.subtitle}" if pack.subtitle else "")
    if edition == "teacher":
        alt += ". Teacher edition"
    elif edition == "answers":
        alt += ". Answer key and mark scheme"
    html = renderer.render("cover.xhtml", image=image, alt=f"Cover: {alt}", stylesheets=stylesheets)
    return _parse(html, "cover.xhtml", "Cover", "cover", "cover")


# --- links and navigation ----------------------------------------------------


def check_links(chapters: list[Chapter]) -> None:
    """Every link inside the book reaches a file of the book and an id in it; else an error naming both."""
    ids = {c.file_name: set(c.ids()) for c in chapters}
    for chapter in chapters:
        for link in chapter.root.iter(xhtml("a")):
            href = link.get("href")
            if href is None or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", href):
                continue  # a web or mail link: the reader's own business
            target, _, fragment = href.partition("#")
            target = target or chapter.file_name
            if target not in ids:
                raise TemplateError(
                    f"the EPUB chapter '{chapter.title}' links to '{href}', which is not part of the book",
                    where=chapter.file_name,
                    hint="link to a source with [[id]], or to a web page with its full https:// address",
                )
            if fragment and fragment not in ids[target]:
                raise TemplateError(
                    f"the EPUB chapter '{chapter.title}' links to '{href}', but {target} has no id '{fragment}'",
                    where=chapter.file_name,
                )


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


def render_nav(renderer: Renderer, book: Book) -> bytes:
    """The navigation document, checked to be well-formed."""
    html = renderer.render(
        "nav.xhtml",
        toc=table_of_contents(book.chapters),
        landmarks=landmarks(book.chapters),
        pages=[{"label": label, "href": href} for label, href in book.pages],
        stylesheets=book.stylesheets,
    )
    return _parse(html, "nav.xhtml", "Contents", "nav").serialize()


def warm_up() -> None:
    """Ready a worker for EPUB jobs: the packaging modules imported, the templates compiled."""
    from .. import render
    from . import epub_package  # noqa: F401 - imported for its import time, off the job's

    render.precompile("epub")
