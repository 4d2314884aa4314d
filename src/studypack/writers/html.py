"""The HTML writer: one self-contained .html file per pack and edition.

The page is checked before it is written: a pack's own templates and
stylesheets may not make it load anything from the web or from outside the
pack when it is opened (the rule of `studypack.resource_policy.ResourcePolicy`, as for
the PDF and the EPUB).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..resource_policy import RESOURCE_ATTRIBUTES, ResourcePolicy
from ..render import Renderer, css_urls
from ..resources import builtin_dir
from . import WriteRequest, WriteResult, Writer, inline_style

class HtmlWriter(Writer):
    """Writes the pack as one HTML page with its stylesheet inlined, for browsers."""

    format = "html"
    extension = "html"

    def write(self, request: WriteRequest, dest: Path) -> WriteResult:
        renderer = Renderer(
            request.pack, request.edition, "html", request.theme, request.variant, options=request.options
        )
        html = renderer.render("pack.html", inline_css=inline_style(renderer.css()))
        check_page(html, ResourcePolicy.for_pack(request.pack.root, builtin_dir("styles")))
        dest.write_text(html, encoding="utf-8")
        return WriteResult()


def check_page(html: str, policy: ResourcePolicy) -> None:
    """A SandboxError for the first URL the page would load that ``policy`` does not allow.

    (Every page is cleaned by an allow-list first, by `studypack.render.clean_page`.)
    """
    import lxml.html

    for element in lxml.html.document_fromstring(html).iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.rsplit("}", 1)[-1].lower()
        urls = [element.get(a) for a in RESOURCE_ATTRIBUTES.get(tag, ()) if element.get(a)]
        urls += [c.split()[0] for c in (element.get("srcset") or "").split(",") if c.split()]
        if tag == "meta" and (element.get("http-equiv") or "").lower() == "refresh":
            urls.append((element.get("content") or "").partition("=")[2].strip())
        css = (element.text or "") if tag == "style" else ""
        css += ";" + element.get("style", "")
        for url in [*urls, *css_urls(css)]:
            _check(url, policy)


def _check(url: str, policy: ResourcePolicy) -> None:
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        policy.resolve(url)
    elif parts.path and policy.pack_root is not None:
        # A relative reference is read as the PDF reads it: from the pack folder.
        policy.resolve((policy.pack_root / unquote(parts.path)).as_uri())


def warm_up() -> None:
    """Ready a worker for HTML jobs: the templates compiled."""
    from .. import render

    render.precompile("html")
