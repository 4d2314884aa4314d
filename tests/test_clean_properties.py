"""A property of the pages' allow-list (render/clean.py): whatever markup a template writes, the page
that comes out runs nothing and loads nothing from elsewhere, or the build stops with a SandboxError."""

from __future__ import annotations

import html
from urllib.parse import urlsplit

import lxml.html
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from studypack.errors import SandboxError
from studypack.resource_policy import ResourcePolicy
from studypack.render import clean_page
from studypack.render.clean import BODY_TAGS, CSP, HEAD_TAGS

TAGS = ["script", "iframe", "svg", "math", "style", "img", "a", "object", "embed", "noscript", "template", "textarea",
        "title", "xmp", "form", "base", "meta", "link", "p", "div", "table", "td", "feImage", "image", "use", "body",
        "head", "html", "frameset", "select", "option", "plaintext", "annotation-xml", "mglyph", "foreignObject"]
ATTRIBUTES = ["onload", "onerror", "href", "src", "style", "srcdoc", "background", "xlink:href", "formaction", "data",
              "action", "http-equiv", "content", "rel", "class", "poster", "epub:type", "ONCLICK", "xmlns"]
VALUES = ["javascript:alert(1)", "java&#x09;script:alert(1)", "javascript&colon;alert(1)", "http://127.0.0.1:9/x",
          "//127.0.0.1:9/x", "https://example.com/", "data:text/html,<script>alert(1)</script>",
          "data:image/svg+xml,<svg onload=alert(1)>", "data:image/png;base64,iVBORw0KGgo=", "background:url(http://127.0.0.1:9/s)",
          "background:url(data:image/png;base64,AA==)", "refresh", "0;http://127.0.0.1:9/r", "#top", "mailto:a@b.c",
          "images/map.png", "&lt;script&gt;alert(1)&lt;/script&gt;", "\"><script>alert(1)</script>", "'", "stylesheet"]
PIECES = st.one_of(
    st.sampled_from(TAGS).map(lambda t: f"<{t}>"),
    st.sampled_from(TAGS).map(lambda t: f"</{t}>"),
    st.tuples(st.sampled_from(TAGS), st.lists(st.tuples(st.sampled_from(ATTRIBUTES), st.sampled_from(VALUES)), max_size=3),
              st.sampled_from(["", "/", " "])).map(
        lambda t: f"<{t[0]}" + "".join(f' {a}="{v}"' if '"' not in v else f" {a}='{v}'" for a, v in t[1]) + f"{t[2]}>"),
    st.sampled_from(["<!--", "-->", "<![CDATA[", "]]>", "<", ">", "&", "/", "<svg/onload=alert(1)>", "<img src=x onerror=alert(1)>"]),
    st.text(max_size=12),
)
MARKUP = st.lists(PIECES, max_size=25).map("".join)
ALLOWED = BODY_TAGS | HEAD_TAGS | {"html", "head", "body"}


def _check(root, target: str) -> None:
    for element in root.iter():
        if not isinstance(element.tag, str):
            assert not isinstance(element, etree._ProcessingInstruction)
            continue
        tag = etree.QName(element).localname.lower()
        assert tag in ALLOWED and (tag != "base" or target == "pdf"), tag
        for name, value in element.attrib.items():
            name = etree.QName(name).localname.lower() if name.startswith("{") else name.lower()
            if name == "http-equiv":  # the page's own Content-Security-Policy, nothing else
                assert (value, element.get("content")) == ("Content-Security-Policy", CSP)
                continue
            assert not name.startswith("on") and name not in ("srcdoc", "formaction", "background"), name
            if name in ("href", "src"):
                url = html.unescape(value).strip()
                parts = urlsplit(url)
                scheme = parts.scheme.lower()
                assert scheme in ("", "https", "mailto", "data", "file"), url
                assert not parts.netloc or (tag == "a" and scheme == "https"), url
                assert scheme != "data" or (tag == "img" and url.lower().startswith("data:image/")), url
            if name == "style":
                assert "http" not in value.lower() and "//" not in value, value
        if tag == "style":
            assert "http" not in (element.text or "").lower()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(markup=MARKUP, target=st.sampled_from(["html", "epub", "pdf"]), document=st.booleans())
def test_nothing_executable_or_remote_comes_out(markup, target, document, tmp_path):
    policy = ResourcePolicy.for_pack(tmp_path)
    page = f"<!DOCTYPE html><html lang='en'><head><title>t</title>{markup}</head><body>{markup}</body></html>" if document else markup
    xhtml = document and target == "epub"
    try:
        out = clean_page(page, target=target, xhtml=xhtml, policy=policy)
    except SandboxError:
        return
    if xhtml:
        root = etree.fromstring(out.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    elif out.strip():
        root = lxml.html.document_fromstring(out)
    else:
        return
    _check(root, target)
