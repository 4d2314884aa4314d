"""Every page a rendering makes, cleaned by an allow-list before any writer sees it.

A pack's templates may write any markup. Rather than look for what is bad,
each page keeps only what is listed here (nh3, the binding of Rust's ammonia,
parses it as a browser would): the elements and attributes studypack's own
pages use, links to the pack's own files, in-page anchors, ``mailto:`` and
``https:`` (for plain links only). What a template writes that is plainly an
attack (a script, an event attribute, a frame, a form, ``srcdoc``, a
``<meta http-equiv>``) stops the build with a message instead of vanishing
quietly; the URLs and CSS that are kept are checked by sanitise.py.
"""

from __future__ import annotations

import html as htmlmod
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import SandboxError
from ..resource_policy import ResourcePolicy, read_pack_file
from .sanitise import check_css, check_data_url, check_svg, findable, resolve_relative, shorten

# What an HTML page or EPUB document may load or run: nothing but itself, its book's files and data: pictures.
CSP = ("default-src 'none'; script-src 'none'; object-src 'none'; frame-src 'none'; child-src 'none'; "
       "form-action 'none'; base-uri 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self' data:")

BODY_TAGS = frozenset("""
a abbr address article aside b bdi bdo blockquote br caption cite code col colgroup data dd del details dfn div dl dt
em figcaption figure footer h1 h2 h3 h4 h5 h6 header hgroup hr i img ins kbd li main mark nav ol p pre q rp rt ruby s
samp section small span strong sub summary sup table tbody td tfoot th thead time tr u ul var wbr
""".split())
HEAD_TAGS = frozenset({"title", "meta", "link", "style", "base"})
GENERIC_ATTRIBUTES = frozenset({"class", "id", "lang", "xml:lang", "dir", "title", "role", "hidden", "style", "epub:type", "translate"})
ATTRIBUTES = {
    "*": GENERIC_ATTRIBUTES,
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "headers"},
    "th": {"colspan", "rowspan", "headers", "scope", "abbr"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "col": {"span"},
    "colgroup": {"span"},
    "time": {"datetime"},
    "data": {"value"},
    "meta": {"charset", "name", "content"},
    "link": {"rel", "type", "href", "media"},
    "base": {"href"},
    "style": {"media"},
}
# Plainly an attack when a template writes it: refused by name, not only dropped.
REFUSED_TAGS = frozenset({"script", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "noscript", "portal"})
REFUSED_ATTRIBUTES = frozenset({"srcdoc", "formaction", "http-equiv"})
# In a style attribute, what only an address (or a CSS escape hiding one) would hold: dropped, loadable or not.
_ADDRESS_LIKE = re.compile(r"//|\\|http", re.IGNORECASE)
_SCRIPT_SCHEMES = ("javascript:", "vbscript:", "livescript:")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # characters XML 1.0 cannot hold
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


@dataclass
class _Filter:
    """nh3's attribute filter: checks the URLs and styles it keeps, and remembers the first refusal
    (nh3 swallows an exception raised inside the filter)."""

    policy: ResourcePolicy
    refused: list[SandboxError] = field(default_factory=list)
    tags: frozenset[str] = frozenset()

    def __call__(self, tag: str, attribute: str, value: str) -> str | None:
        if tag not in self.tags:
            return None  # dropped with its element (nh3 asks about those too)
        try:
            if attribute in ("href", "src"):
                return self.url(tag, attribute, value)
            if attribute == "style":
                check_css(f"x{{{value}}}", self.policy)
                if _ADDRESS_LIKE.search(value):
                    return None  # an address, or an escape that could spell one, has no place in a style
            if tag == "link" and attribute == "rel" and value.strip().lower() != "stylesheet":
                return None
        except SandboxError as exc:
            self.refused.append(exc)
            return None
        return value

    def url(self, tag: str, attribute: str, value: str) -> str | None:
        """``value`` if the page may load or link to it; None to drop a plain link of another scheme."""
        url = value.strip()
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if url.startswith("#") or (tag == "a" and scheme in ("https", "mailto")):
            return value
        if scheme == "data":
            if tag != "img":
                raise SandboxError(f"the page links to a data: URL ('{shorten(url)}')", hint="link to a file of the pack", reference=findable(url))
            check_data_url(url, self.policy)
        elif tag == "a" and scheme not in ("", "file"):
            return None  # http:, ftp:… : the words stay, the link goes
        elif scheme or parts.netloc:
            self._picture(tag, url, self.policy.resolve(url))
        elif parts.path and self.policy.pack_root is not None:
            self._picture(tag, url, resolve_relative(url, self.policy.pack_root, self.policy))
        return value

    def _picture(self, tag: str, url: str, path: Path | None) -> None:
        """An SVG picture of the pack's is checked inside: a browser runs an SVG's scripts when it is opened."""
        if tag == "img" and path is not None and path.suffix.lower() == ".svg" and os.path.lexists(path):
            check_svg(read_pack_file(path, "image", shown=self.policy.shown(path)), self.policy, reference=url)

    def clean(self, markup: str, tags: frozenset[str]) -> str:
        """``markup`` cleaned as a fragment, keeping ``tags``; the first refusal raised."""
        import nh3

        self.tags = tags
        kept = {name: set(names) for name, names in ATTRIBUTES.items() if name == "*" or name in tags}
        cleaned = nh3.clean(
            markup, tags=set(tags), attributes=kept, generic_attribute_prefixes={"aria-", "data-"},
            url_schemes={"http", "https", "mailto", "data", "file"}, attribute_filter=self, link_rel=None,
            strip_comments=True, clean_content_tags={"script", "noscript", "iframe", "template"} - tags,
        )
        if self.refused:
            raise self.refused[0]
        return cleaned


def clean_page(markup: str, *, target: str, xhtml: bool, policy: ResourcePolicy) -> str:
    """A rendered page (or fragment) keeping only the allow-list; a SandboxError for a plain attack.

    ``target`` is "html", "pdf" or "epub"; the PDF's page may keep a ``<base>``
    (WeasyPrint resolves the pack's files with it), the HTML handout gets a
    Content-Security-Policy instead (an EPUB's pages none: see `_assemble`). ``xhtml`` pages come back as well-formed XML.
    """
    markup = _NOT_XML.sub("", markup)  # characters no XML or HTML page may hold (lxml refuses them too)
    refuse_attacks(markup, target, policy)
    keep = _Filter(policy)
    body_open = re.search(r"<body\b[^>]*>", markup, re.IGNORECASE)
    if body_open is None:
        return keep.clean(markup, BODY_TAGS)
    end = markup.lower().rfind("</body")
    body = keep.clean(markup[body_open.end() : end if end > body_open.end() else len(markup)], BODY_TAGS)
    before = markup[: body_open.start()]
    head = re.search(r"<head\b[^>]*>(.*?)</head\s*>", before, re.IGNORECASE | re.DOTALL)
    head_tags = HEAD_TAGS if target == "pdf" else HEAD_TAGS - {"base"}
    head_html = keep.clean(head.group(1) if head else "", head_tags)
    html_open = re.search(r"<html\b[^>]*>", before, re.IGNORECASE)
    root_attributes = _attributes(keep, html_open.group(0)[5:-1] if html_open else "", ("lang", "xml:lang"))
    body_attributes = _attributes(keep, body_open.group(0)[5:-1], tuple(GENERIC_ATTRIBUTES) + ("epub:type",))
    return _assemble(head_html, body, root_attributes, body_attributes, target=target, xhtml=xhtml, policy=policy)


def _attributes(keep: _Filter, written: str, names: tuple[str, ...]) -> dict[str, str]:
    """The allowed attributes of a start tag the page wrote (of <html> or <body>), cleaned like the rest."""
    import lxml.html

    cleaned = keep.clean(f"<div {written}></div>", frozenset({"div"}))
    element = lxml.html.fragment_fromstring(cleaned) if cleaned.strip() else None
    return {n: element.get(n) for n in names if element is not None and element.get(n) is not None}


def _assemble(head: str, body: str, root: dict[str, str], body_attributes: dict[str, str], *, target: str, xhtml: bool, policy: ResourcePolicy) -> str:
    import lxml.html

    # The HTML handout forbids scripts and remote loads itself. An EPUB's pages do not: accessibility
    # checkers (DAISY Ace) inspect a book by running their own script in its pages, which such a policy
    # blocks, and reading systems run no script of a book's anyway; the allow-list keeps its pages clean.
    csp = f'<meta http-equiv="Content-Security-Policy" content="{CSP}" />\n' if target == "html" else ""
    tree = lxml.html.document_fromstring(f"<html><head>{head}</head><body>{body}</body></html>")
    # Writers put their own fonts (outside the pack) in a page's <style> as file: URLs, and they check
    # file: URLs as they load them (WeasyPrint's fetcher, the HTML and EPUB writers); here, the rest.
    any_file = ResourcePolicy((Path("/"),), policy.pack_root)
    for style in tree.iter("style"):
        check_css(style.text or "", any_file)
    if not xhtml:
        attrs = "".join(f' {n}="{htmlmod.escape(v)}"' for n, v in root.items())
        body_attrs = "".join(f' {n}="{htmlmod.escape(v)}"' for n, v in body_attributes.items())
        return f"<!DOCTYPE html>\n<html{attrs}>\n<head>\n{csp}{head}\n</head>\n<body{body_attrs}>{body}</body>\n</html>\n"
    from lxml import etree

    def xml(element) -> str:
        return (htmlmod.escape(element.text or "", quote=False)
                + "".join(etree.tostring(child, method="xml", encoding="unicode", with_tail=True) for child in element))

    root_attrs = "".join(f' {n}="{htmlmod.escape(v)}"' for n, v in root.items())
    body_attrs = "".join(f' {n}="{htmlmod.escape(v)}"' for n, v in body_attributes.items())
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        f'<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"{root_attrs}>\n'
        f"<head>\n{csp}{xml(tree.find('head'))}\n</head>\n<body{body_attrs}>{xml(tree.find('body'))}</body>\n</html>\n"
    )


def refuse_attacks(markup: str, target: str, policy: ResourcePolicy) -> None:
    """A SandboxError, naming what a template wrote, for markup that can only be an attack.

    The allow-list would drop it anyway; refusing says so, where quietly dropping
    it would leave the teacher puzzled, or unaware that the pack tried.
    """
    import lxml.html
    from lxml import etree

    try:
        tree = lxml.html.fromstring(markup.encode("utf-8"))
    except etree.ParserError:  # no element at all (only text, or only end tags): nothing to name
        return
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.rsplit("}", 1)[-1].lower()
        if tag in REFUSED_TAGS:
            _refuse(f"<{tag}", f"a <{tag}> element")
        if tag == "base" and target != "pdf" and element.get("href"):
            _Filter(policy).url("base", "href", htmlmod.unescape(element.get("href")))
        for name, value in element.attrib.items():
            name = name.lower()
            if name.startswith("on"):
                _refuse(name, f"the event attribute {name}")
            if name in REFUSED_ATTRIBUTES:
                _refuse(name, f"the attribute {name}")
            link = _INVISIBLE.sub("", htmlmod.unescape(value))
            if link.lower().startswith(_SCRIPT_SCHEMES):
                # found by its scheme's name: the colon may be written as an entity
                _refuse(link.partition(":")[0], f"the script link '{shorten(link, 40)}'")


def _refuse(found: str, what: str) -> None:
    scripted = what.startswith(("a <script>", "the event attribute", "the script link"))
    why = "run no scripts" if scripted else "embed no other page and load nothing from elsewhere"
    raise SandboxError(
        f"the page has {what}; studypack's outputs {why}",
        hint="remove it from the pack's templates",
        reference=found,
    )
