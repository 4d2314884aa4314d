"""What a pack's CSS, data: URLs and SVG images may load: only the pack's own files, never the web.

Text from documents and commentary is escaped, so only a pack's own templates
and stylesheets could bring these in. The pages themselves are cleaned by an
allow-list (clean.py); this module checks what that cleaning lets through as
opaque text: stylesheets, ``style`` attributes and ``data:`` URLs, parsed with
tinycss2 and lxml, recursively (a data: image can hold CSS that holds another).
"""

from __future__ import annotations

import base64
import binascii
import functools
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from ..errors import SandboxError
from ..resource_policy import ResourcePolicy
from ..model import Location

# The only data: URLs an output may carry: pictures of these types (an SVG one is checked inside).
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"})
# How deep data: URLs may nest inside each other (an SVG with a CSS with an SVG...) before refusal.
MAX_DEPTH = 4
# SVG elements that run scripts, animate attributes into links, or embed other documents.
_SVG_REFUSED = frozenset({"script", "foreignobject", "handler", "listener", "set", "animate", "animatemotion",
                          "animatetransform", "discard", "iframe", "embed", "object", "audio", "video"})


def shorten(text: str, limit: int = 80) -> str:
    """``text`` as it may appear in a message: control characters out, cut with "… (N characters)"."""
    visible = "".join(c if c.isprintable() else "\N{REPLACEMENT CHARACTER}" for c in text[: limit + 1])
    return visible if len(text) <= limit else f"{visible[:limit]}… ({len(text)} characters)"


def check_stylesheet(css: str, path: Path, policy: ResourcePolicy) -> None:
    """A SandboxError at the first thing a pack's stylesheet would load that is not allowed, at its line.

    Web addresses, files outside the pack (relative references are resolved from
    the stylesheet's folder), ``@import`` of a data: stylesheet, and data: URLs
    that are not pictures of an allowed type are refused.
    """
    try:
        check_css(css, policy, base=path.parent)
    except SandboxError as exc:
        found = css.find(exc.reference or "\0")
        line, column = (css.count("\n", 0, found) + 1, found - css.rfind("\n", 0, found)) if found >= 0 else (None, None)
        exc.where = Location(str(path), line, column)
        raise


def check_css(css: str, policy: ResourcePolicy, *, base: Path | None = None, depth: int = 0) -> None:
    """A SandboxError (its ``reference`` the URL) for the first URL a stylesheet or style attribute loads
    that is not allowed; relative references are checked against ``base`` when it is known."""
    for url, imported in _css_loads(css):
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        if scheme == "data":
            if imported:
                raise _refused(url, "a stylesheet imported from a data: URL", "put the rules in the stylesheet itself")
            check_data_url(url, policy, depth=depth)
        elif scheme or parts.netloc:
            policy.resolve(url)
        elif base is not None and parts.path:
            resolve_relative(url, base, policy)


def resolve_relative(reference: str, base: Path, policy: ResourcePolicy) -> Path | None:
    """The file ``reference`` names, read from folder ``base``; a SandboxError naming it as written
    if it leaves what ``policy`` allows."""
    path = base.absolute() / unquote(urlsplit(reference).path)
    try:
        return policy.resolve(path.as_uri())
    except SandboxError as exc:
        raise SandboxError(f"the pack refers to '{shorten(reference)}', which leads to '{shorten(str(path.resolve()), 400)}', "
                           "outside the pack folder", hint=exc.hint, reference=reference) from None


def check_data_url(url: str, policy: ResourcePolicy, *, depth: int = 0) -> None:
    """A SandboxError unless a data: URL is a picture of an allowed type (an SVG one is checked inside)."""
    media_type, data = decode_data_url(url)
    if media_type not in IMAGE_TYPES:
        raise _refused(url, f"a data: URL of type '{shorten(media_type, 40)}'", "only PNG, JPEG, GIF, WebP and SVG pictures may be data: URLs")
    if media_type == "image/svg+xml":
        if depth >= MAX_DEPTH:
            raise _refused(url, "data: URLs nested too deep", "use a picture file of the pack instead")
        check_svg(data, policy, depth=depth + 1, reference=url)


def decode_data_url(url: str) -> tuple[str, bytes]:
    """The media type (lower case, without parameters) and bytes of a data: URL; text/plain if none is given."""
    header, _, payload = url.strip()[5:].partition(",")
    fields = [f.strip().lower() for f in header.split(";")]
    media_type = fields[0] or "text/plain"
    raw = unquote_to_bytes(payload)
    if "base64" in fields[1:]:
        try:
            raw = base64.b64decode(b"".join(raw.split()), validate=False)
        except (binascii.Error, ValueError):
            raise _refused(url, "a data: URL that is not valid base64", "check the picture's data: URL") from None
    return media_type, raw


def check_svg(data: bytes, policy: ResourcePolicy, *, depth: int = 0, reference: str = "") -> None:
    """A SandboxError if an SVG picture could run a script or load anything outside itself.

    No script, event attribute, animation (which can turn an attribute into a
    link), embedded document, link to anything but its own ``#id``s, DTD, and CSS
    only as `check_css` allows (pictures as data: URLs, nothing else).
    """
    from lxml import etree

    what = f"the SVG picture '{shorten(reference)}'" if reference else "an SVG picture"
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise SandboxError(f"{what} is not well-formed XML: {exc.msg}", reference=findable(reference)) from None
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None or tree.docinfo.system_url or b"<!ENTITY" in data:
        raise SandboxError(f"{what} has a DTD or entities, which SVG pictures may not have", reference=findable(reference))
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        local = etree.QName(element).localname.lower()
        if local in _SVG_REFUSED:
            raise SandboxError(f"{what} has a <{local}> element, which pictures may not have", reference=findable(reference))
        if local == "style":
            check_css(element.text or "", policy, depth=depth)
        for name, value in element.attrib.items():
            attribute = etree.QName(name).localname.lower()
            if attribute.startswith("on"):
                raise SandboxError(f"{what} has the event attribute {attribute}; pictures run no scripts", reference=findable(reference))
            if attribute == "href" and not value.strip().startswith("#"):
                if not value.strip().lower().startswith("data:"):
                    raise SandboxError(f"{what} loads '{shorten(value)}'; a picture may link only inside itself", reference=findable(reference))
                check_data_url(value, policy, depth=depth)
            elif attribute == "style" or "url(" in value:
                check_css(f"x{{{value}}}" if attribute == "style" else f"x{{{attribute}:{value}}}", policy, depth=depth)


def _refused(url: str, what: str, hint: str) -> SandboxError:
    return SandboxError(f"the pack loads {what} ('{shorten(url)}'); studypack allows none", hint=hint, reference=findable(url))


def findable(url: str) -> str | None:
    """What the build looks for in the pack's files to say where a refused URL is written: a data: URL's
    header (its data may be written with escapes, in HTML or CSS), any other URL whole."""
    if url.strip().lower().startswith("data:") and "," in url:
        return url.strip()[: url.strip().index(",") + 1]
    return url or None


def css_urls(css: str) -> tuple[str, ...]:
    """Every URL a stylesheet (or a style attribute) loads, CSS escapes decoded: url(), @import, image-set()."""
    return tuple(url for url, _ in _css_loads(css))


@functools.lru_cache(maxsize=64)
def _css_loads(css: str) -> tuple[tuple[str, bool], ...]:
    """Every URL a stylesheet loads and whether it is an ``@import``.

    Remembered by text: a worker checks the same built-in stylesheets for every book it makes,
    and parsing them was a sixth of a small book's own time (`precompile` reads them in advance).
    """
    import tinycss2

    found: list[tuple[str, bool]] = []

    def strings(tokens, imported: bool) -> None:
        found.extend((t.value, imported) for t in tokens if t.type == "string")

    def walk(tokens, imported: bool = False) -> None:
        for token in tokens or ():
            if token.type == "url":
                found.append((token.value, imported))
            elif token.type == "function":
                if token.lower_name in ("url", "src", "image-set", "-webkit-image-set", "image", "cross-fade"):
                    strings(token.arguments, imported)
                walk(token.arguments, imported)
            elif token.type == "at-rule":
                is_import = token.lower_at_keyword == "import"
                if is_import:
                    strings(token.prelude, True)
                walk(token.prelude, is_import)
                walk(token.content)
            elif token.type == "qualified-rule":
                walk(token.prelude)
                walk(token.content)
            elif token.type in ("() block", "[] block", "{} block"):
                walk(token.content, imported)
            elif token.type == "declaration":
                walk(token.value)

    walk(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))
    return tuple(found)
