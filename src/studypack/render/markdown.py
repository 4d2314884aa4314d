"""Teacher-written Markdown to HTML, safely.

Raw HTML in Markdown is off (it is printed as text, never passed through), so
commentary cannot inject markup or scripts. ``[[source-id]]`` becomes the
source's label ("Source B") linked to the source; the link target is asked of
a resolver so that the same Markdown works in one-file HTML/PDF and in a
many-file EPUB.

Where the renderer gives a ``mark`` function (the study apparatus), the text
a reader reads -- not headings, link texts, code or image descriptions -- is
handed to it on the token stream, a run of text and soft line breaks at a
time, and it returns that text as HTML with the pack's terms marked.
"""

from __future__ import annotations

from typing import Callable

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup, escape

from ..model import SOURCE_REFERENCE


# (source id) -> (label text, href) ; raising KeyError for an unknown id.
RefResolver = Callable[[str], tuple[str, str]]


def _source_ref_rule(state, silent: bool) -> bool:
    if not state.src.startswith("[[", state.pos):
        return False
    match = SOURCE_REFERENCE.match(state.src, state.pos)
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


def _mark_text_rule(state) -> None:
    """Join each run of readable text (outside headings and links) into one ``marked_text`` token."""
    if state.env.get("mark_text") is None:
        return
    in_heading = False
    for token in state.tokens:
        if token.type == "heading_open":
            in_heading = True
        elif token.type == "heading_close":
            in_heading = False
        elif token.type == "inline" and token.children and not in_heading:
            token.children = _marked_runs(token.children)


def _marked_runs(children: list[Token]) -> list[Token]:
    out: list[Token] = []
    depth = 0  # inside a link
    for token in children:
        if token.type == "link_open":
            depth += 1
        elif token.type == "link_close":
            depth -= 1
        elif depth == 0 and token.type in ("text", "softbreak"):
            text = token.content if token.type == "text" else "\n"  # a soft break renders as a newline
            if out and out[-1].type == "marked_text":
                out[-1].content += text
            else:
                out.append(Token("marked_text", "", 0, content=text))
            continue
        out.append(token)
    return out


def _render_marked_text(self, tokens, idx, options, env) -> str:
    return env["mark_text"](tokens[idx].content)


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "xhtmlOut": True, "typographer": False})
    md.enable("table")
    md.inline.ruler.before("link", "source_ref", _source_ref_rule)
    md.add_render_rule("source_ref", _render_source_ref)
    md.core.ruler.push("mark_text", _mark_text_rule)
    md.add_render_rule("marked_text", _render_marked_text)
    return md


_MD = _parser()


def markdown_to_html(
    text: str, resolve_ref: RefResolver, *, inline: bool = False, mark: Callable[[str], str] | None = None
) -> Markup:
    """Render Markdown to HTML; ``inline`` drops the paragraph wrapper of a one-line text.

    ``mark`` turns a run of plain text into HTML (escaped, terms marked); None leaves text as it is.
    """
    env = {"resolve_ref": resolve_ref, "mark_text": mark}
    html = _MD.renderInline(text, env) if inline else _MD.render(text, env)
    return Markup(html)


def source_refs(text: str) -> list[tuple[str, int]]:
    """The ``[[id]]`` references in a Markdown text, with their offsets."""
    return [(m.group(1), m.start()) for m in SOURCE_REFERENCE.finditer(text)]
