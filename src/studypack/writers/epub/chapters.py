"""The chapters of an EPUB: the title page, one XHTML file per part, one per section of the back matter.

They are rendered through ``chapter.xhtml`` from the pack as one document
(``#anchor`` links), then split and parsed; `link_across_files` points every
link at the file its anchor has landed in, and `check_links` makes sure each
reaches its target.
"""

from __future__ import annotations

import re

from lxml import etree

from ...errors import TemplateError
from ...render import Renderer
from .book import EPUB_NS, Chapter, text_of, xhtml


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


# --- chapters --------------------------------------------------------------


def render_chapters(renderer: Renderer, stylesheets: list[str]) -> list[Chapter]:
    """The title page, one file per visible part, and one per section of the back matter."""
    pack = renderer.pack
    common = {"stylesheets": stylesheets}
    chapters = [
        parse(
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
        chapters.append(parse(html, f"part-{number:02d}.xhtml", part.title, "part", landmark))
    back = renderer.render("chapter.xhtml", kind="back", title=pack.title, matter="backmatter", **common)
    chapters.extend(split_back_matter(parse(back, "back.xhtml", pack.title, "back")))
    return chapters


def parse(text: str, file_name: str, title: str, kind: str, landmark: str | None = None) -> Chapter:
    """A rendered XHTML file as a `Chapter`; a TemplateError where it is not well-formed or repeats an id."""
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


def has_footnotes(chapter: Chapter) -> bool:
    """Whether a chapter has footnotes (for the book's accessibility summary)."""
    return any(el.get(f"{{{EPUB_NS}}}type") == "footnote" for el in chapter.root.iter(xhtml("aside")))


def cover_chapter(renderer: Renderer, stylesheets: list[str], image: str) -> Chapter:
    """The cover page: the cover image, with a text alternative naming the pack and edition."""
    pack, edition = renderer.pack, renderer.edition
    alt = pack.title + (f": {pack.subtitle}" if pack.subtitle else "")
    if edition == "teacher":
        alt += ". Teacher edition"
    elif edition == "answers":
        alt += ". Answer key and mark scheme"
    html = renderer.render("cover.xhtml", image=image, alt=f"Cover: {alt}", stylesheets=stylesheets)
    return parse(html, "cover.xhtml", "Cover", "cover", "cover")


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
