"""What goes into an EPUB besides its XHTML: stylesheets, images, fonts, all from allowed folders.

Every file the book carries comes from the pack folder or from studypack's
own resources (and the ``--styles`` folders of the build), by the rule of
`studypack.resource_policy.ResourcePolicy`: a reference to a web address, or to a file
outside those folders, is an error naming the file of the book and the
reference. Nothing is ever fetched from the network.

References in chapters (an image in the teacher's Markdown) are relative to
the pack folder; references in a stylesheet (a font) are relative to the
stylesheet. Each file is copied in once, under ``media/`` (pack files) or
``styles/`` (theme files), and the reference rewritten to reach it.
"""

from __future__ import annotations

import mimetypes
import posixpath
import re
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from lxml import etree

from ...errors import SandboxError
from ...resource_policy import RESOURCE_ATTRIBUTES, ResourcePolicy
from ...render import Renderer, css_urls
from ...resources import builtin_dir

# The media types a reading system must support (EPUB 3.3 core media types).
CORE_MEDIA_TYPES = {
    "image/gif",
    "image/jpeg",
    "image/png",
    "image/svg+xml",
    "image/webp",
    "text/css",
    "font/ttf",
    "font/otf",
    "font/woff",
    "font/woff2",
    "audio/mpeg",
    "audio/mp4",
    "audio/ogg",
}


CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')""")


class Resources:
    """The files a book takes in: where each came from, and the name it has in the book."""

    def __init__(self, policy: ResourcePolicy, style_roots: tuple[Path, ...], book_files: set[str]):
        self.policy = policy
        self.style_roots = style_roots
        self.book_files = set(book_files)
        self.files: dict[str, bytes] = {}
        self._sources: dict[Path, str] = {}

    def stylesheet(self, path: Path, href: str) -> None:
        """Take in a stylesheet under ``href``, with the files it refers to."""
        self._sources[path.resolve()] = href
        self.book_files.add(href)
        self._css_file(path, href)

    def _css_file(self, path: Path, href: str) -> None:
        text = path.read_text(encoding="utf-8")
        where = f"the stylesheet {path.name}"
        self.files[href] = self._rewrite_css(text, path.parent, href, where, path).encode("utf-8")

    def chapter(self, root: etree._Element, file_name: str, title: str, base: Path) -> None:
        """Check and take in every resource an XHTML file loads; rewrite the references."""
        where = f"the EPUB chapter '{title}' ({file_name})"
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            local = etree.QName(element).localname
            if element.get("srcset") is not None:
                raise SandboxError(f"{where} has an image with srcset, which e-books do not support; give it one src")
            for attribute in RESOURCE_ATTRIBUTES.get(local, ()):
                ref = element.get(attribute)
                if ref is not None and not ref.startswith("#"):
                    element.set(attribute, self._take(ref, base, file_name, where))
            style = element.get("style")
            if style and ("url(" in style or "@import" in style):
                element.set("style", self._rewrite_css(style, base, file_name, where))

    def _take(self, ref: str, base: Path, from_href: str, where: str) -> str:
        """The book's href for a reference, relative to the file at ``from_href``; the file is copied in."""
        parts = urlsplit(ref)
        if parts.scheme.lower() == "data":
            return ref
        if not parts.scheme and not parts.netloc:
            in_book = posixpath.normpath(posixpath.join(posixpath.dirname(from_href), unquote(parts.path)))
            if in_book in self.book_files and not in_book.startswith("media/"):
                return ref  # one of the book's own files (a stylesheet, the cover)
            url = (base / unquote(parts.path)).resolve().as_uri()
        else:
            url = ref
        try:
            path = self.policy.resolve(url)
        except SandboxError as exc:
            raise SandboxError(f"{where} refers to '{ref}': {exc.message}", hint=exc.hint, reference=ref) from None
        if path is None or not path.is_file():
            raise SandboxError(
                f"{where} refers to '{ref}', which is not a file in the pack folder",
                hint="check the path: in Markdown and templates it is relative to the pack folder, "
                "in a stylesheet to the stylesheet",
                reference=ref,
            )
        href = self._add(path, where, ref)
        relative = posixpath.relpath(href, posixpath.dirname(from_href) or ".")
        return quote(relative) + (f"#{parts.fragment}" if parts.fragment else "")

    def _add(self, path: Path, where: str, ref: str) -> str:
        if path in self._sources:
            return self._sources[path]
        media_type = mimetypes.guess_type(path.name)[0]
        if media_type not in CORE_MEDIA_TYPES:
            raise SandboxError(
                f"{where} refers to '{ref}', a {media_type or 'file'} that e-readers cannot show",
                hint="use PNG, JPEG, GIF, WebP or SVG images, and TTF, OTF or WOFF fonts",
                reference=ref,
            )
        href = self._href(path)
        self._sources[path] = href
        self.book_files.add(href)
        if media_type == "text/css":
            self._css_file(path, href)
        else:
            self.files[href] = path.read_bytes()
            if media_type == "image/svg+xml":
                _check_svg(self.files[href], where, ref)
        return href

    def _href(self, path: Path) -> str:
        pack_root = self.policy.pack_root
        if pack_root is not None and path.is_relative_to(pack_root):
            folder, relative = "media", path.relative_to(pack_root)
        else:
            root = next(r for r in self.style_roots if path.is_relative_to(r))
            folder, relative = "styles", path.relative_to(root)
        # A name in the book is a URL too: no spaces or other characters to escape.
        href = "/".join([folder, *(re.sub(r"[^A-Za-z0-9._-]+", "-", part) for part in relative.parts)])
        stem, n = href, 1
        while href in self.book_files:
            n += 1
            href = re.sub(r"(\.[^./]*)?$", lambda mo: f"-{n}{mo.group(0)}", stem, count=1)
        return href

    def _rewrite_css(self, css: str, base: Path, from_href: str, where: str, source: Path | None = None) -> str:
        def replace(match: re.Match) -> str:
            ref = next(g for g in match.groups() if g is not None)
            new = self._take(ref, base, from_href, where)
            return f'@import "{new}"' if match.group(0).startswith("@import") else f'url("{new}")'

        rewritten = CSS_URL.sub(replace, css)
        # What a CSS parser would still load (image-set(), escapes): only files of the book.
        for url in css_urls(rewritten):
            parts = urlsplit(url)
            in_book = posixpath.normpath(posixpath.join(posixpath.dirname(from_href), unquote(parts.path)))
            if parts.scheme.lower() != "data" and (parts.scheme or parts.netloc or in_book not in self.book_files):
                raise SandboxError(
                    f"{where} loads '{url}', which studypack cannot take into the book",
                    hint="write the reference as url(\"path/in/the/pack\"), relative to the stylesheet",
                    where=str(source) if source else None,
                    reference=url,
                )
        return rewritten


def _check_svg(data: bytes, where: str, ref: str) -> None:
    """An SVG image may not load anything itself (it would be read by the e-reader, perhaps from the web)."""
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise SandboxError(
            f"{where} refers to '{ref}', which is not a well-formed SVG image: {exc.msg}", reference=ref
        ) from None
    for element in root.iter():
        for name, value in element.attrib.items():
            if etree.QName(name).localname == "href" and not value.startswith(("#", "data:")):
                raise SandboxError(f"{where} refers to '{ref}', an SVG image that loads '{value}' in turn", reference=ref)


def take_in(book, renderer: Renderer) -> None:
    """Fill ``book.resources`` with its stylesheets and every file its chapters refer to."""
    request = book.request
    theme = request.theme
    style_roots = tuple(p.resolve() for p in (*theme.style_dirs, builtin_dir("styles")))
    policy = ResourcePolicy.for_pack(request.pack.root, *style_roots)
    book_files = {c.file_name for c in book.chapters} | {"nav.xhtml"}
    resources = Resources(policy, style_roots, book_files)
    for name, href in zip(renderer.stylesheets(), book.stylesheets):
        resources.stylesheet(theme.stylesheet(name), href)
    for chapter in book.chapters:
        resources.chapter(chapter.root, chapter.file_name, chapter.title, Path(request.pack.root))
    book.resources = resources.files
