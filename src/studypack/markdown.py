"""Teacher-written Markdown to HTML, safely.

Raw HTML in Markdown is off (it is printed as text, never passed through), so
commentary cannot inject markup or scripts. ``[[source-id]]`` becomes the
source's label ("Source B") linked to the source; the link target is asked of
a resolver so that the same Markdown works in one-file HTML/PDF and in a
many-file EPUB.
"""

from __future__ import annotations

import re
from typing import Callable

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

REF_PATTERN = re.compile(r"\[\[\s*([A-Za-z0-9][\w.-]*)\s*\]\]")

# (source id) -> (label text, href) ; raising KeyError for an unknown id.
RefResolver = Callable[[str], tuple[str, str]]


def _source_ref_rule(state, silent: bool) -> bool:
    if not state.src.startswith("[[", state.pos):
        return False
    match = REF_PATTERN.match(state.src, state.pos)
    if not match:
        return False
    if not silent:
        token = state.push("source_ref", "", 0)
        token.meta = {"id": match.group(1)}
    state.pos = match.end()
    return True


def _render_source_ref(self, tokens, idx, options, env) -> str:
    label, href = env["resolve_ref"](tokens[idx].meta["id"])
    return f'<a class="source-ref" href="{escape(href)}">{escape(label)}</a>'


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "xhtmlOut": True, "typographer": False})
    md.enable("table")
    md.inline.ruler.before("link", "source_ref", _source_ref_rule)
    md.add_render_rule("source_ref", _render_source_ref)
    return md


_MD = _parser()


def markdown_to_html(text: str, resolve_ref: RefResolver, *, inline: bool = False) -> Markup:
    """Render Markdown to HTML; ``inline`` drops the paragraph wrapper of a one-line text."""
    env = {"resolve_ref": resolve_ref}
    html = _MD.renderInline(text, env) if inline else _MD.render(text, env)
    return Markup(html)


def source_refs(text: str) -> list[tuple[str, int]]:
    """The ``[[id]]`` references in a Markdown text, with their offsets."""
    return [(m.group(1), m.start()) for m in REF_PATTERN.finditer(text)]
