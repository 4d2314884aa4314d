"""What a pack may not put in its HTML or CSS: scripts, web addresses and files outside the pack.

Text from documents and commentary is escaped, so only a pack's own templates
and stylesheets could bring these in; every rendering and every stylesheet of
the pack's is checked here, whichever writer uses it.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import SandboxError
from ..resource_policy import ResourcePolicy
from ..model import Location


_MAYBE_SCRIPT = re.compile(r"<script|\son[a-z]+\s*=|javascript:", re.IGNORECASE)


def refuse_scripts(html: str) -> None:
    """A SandboxError if a rendering (through a pack's own templates) has a script: outputs run none.

    A <script> element, an event attribute (onclick=…) or a javascript: link; text
    from documents and commentary is escaped, so only a template can write one.
    """
    if not _MAYBE_SCRIPT.search(html):
        return
    import lxml.html

    for element in lxml.html.fromstring(html.encode("utf-8")).iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag.rsplit("}", 1)[-1].lower() == "script":
            found, what = "<script", "a <script> element"
        else:
            handlers = [a for a in element.attrib if a.lower().startswith("on")]
            links = [v for v in element.attrib.values() if v.strip().lower().startswith("javascript:")]
            if not handlers and not links:
                continue
            found = handlers[0] if handlers else links[0]
            what = f"the event attribute {found}" if handlers else f"the script link '{found[:40]}'"
        raise SandboxError(
            f"the page has {what}; studypack's outputs run no scripts",
            hint="remove it from the pack's templates",
            reference=found,
        )


def check_stylesheet(css: str, path: Path, policy: ResourcePolicy) -> None:
    """A SandboxError at the first web address or outside file a pack's stylesheet names, wherever it is used.

    Relative references are left to the writers, which know what they are relative to.
    """
    for url in css_urls(css):
        if urlsplit(url).scheme.lower() not in ("", "data"):
            try:
                policy.resolve(url)
            except SandboxError as exc:
                found = css.find(url)
                line, column = (css.count("\n", 0, found) + 1, found - css.rfind("\n", 0, found)) if found >= 0 else (None, None)
                exc.where = Location(str(path), line, column)
                raise


def css_urls(css: str) -> tuple[str, ...]:
    """Every URL a stylesheet (or a style attribute) loads, CSS escapes decoded: url(), @import, image-set().

    Remembered by text: a worker checks the same built-in stylesheets for every book it makes,
    and parsing them was a sixth of a small book's own time (`precompile` reads them in advance).
    """
    return _css_urls(css)


@functools.lru_cache(maxsize=64)
def _css_urls(css: str) -> tuple[str, ...]:
    import tinycss2

    found: list[str] = []

    def strings(tokens) -> None:
        found.extend(t.value for t in tokens if t.type == "string")

    def walk(tokens) -> None:
        for token in tokens or ():
            if token.type == "url":
                found.append(token.value)
            elif token.type == "function":
                if token.lower_name in ("url", "src", "image-set", "-webkit-image-set"):
                    strings(token.arguments)
                walk(token.arguments)
            elif token.type == "at-rule":
                if token.lower_at_keyword == "import":
                    strings(token.prelude)
                walk(token.prelude)
                walk(token.content)
            elif token.type == "qualified-rule":
                walk(token.prelude)
                walk(token.content)
            elif token.type in ("() block", "[] block", "{} block"):
                walk(token.content)

    walk(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))
    return tuple(found)
