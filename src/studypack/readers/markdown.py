"""The Markdown reader: the same model from a ``.md`` document.

Parsed with markdown-it-py (CommonMark plus tables) with raw HTML switched
off, so HTML in a document is kept as the text it is and never passes through.
Headings make sections, ``>`` blockquotes quotations, lists and tables their
blocks; ``SOURCE 1`` paragraphs, ``(attribution)`` lines and note markers work
as in plain text. Inline markup (emphasis, links) is reduced to its words.
"""

from __future__ import annotations

import re

from typing import TYPE_CHECKING
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from ..errors import DocumentError
from ..model import Document, DocumentInfo, Location
from .registry import ReaderHints, register
from .structure import (
    Break,
    Bullets,
    Gap,
    Head,
    Label,
    NoteText,
    Para,
    Quoted,
    Rows,
    Unit,
    assemble,
)
from .text import NOTE_START, NOTES_HEADING, SOURCE_LINE, STAR_NOTE_START, standfirst_author

if TYPE_CHECKING:
    from markdown_it.tree import SyntaxTreeNode

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)^(?:---|\.\.\.)[ \t]*$\n?", re.S | re.M)
_INFO_KEYS = ("author", "book", "standfirst", "title")
_GAP_LINES = 3


def _front_matter(text: str, where: str) -> tuple[dict[str, str], str]:
    """The ``---`` block at the top as DocumentInfo fields; the text with it blanked (lines kept)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        data = YAML(typ="safe", pure=True).load(match.group(1))
    except YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(err, "problem", None) or "not valid YAML"
        raise DocumentError(f"front matter: {problem}", Location(where, line)) from None
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise DocumentError("front matter must be 'key: value' lines", Location(where, 1))
    fields: dict[str, str] = {}
    for key, value in data.items():
        if key not in _INFO_KEYS:
            raise DocumentError(
                f"unknown front matter key '{key}' (known: {', '.join(_INFO_KEYS)})", Location(where, 1)
            )
        if isinstance(value, (dict, list)) or value is None:
            raise DocumentError(f"front matter '{key}' must be a line of text", Location(where, 1))
        fields[key] = str(value).strip()
    return fields, "\n" * match.group(0).count("\n") + text[match.end() :]


def _inline(node: SyntaxTreeNode) -> str:
    """The words of inline content: markup dropped, line breaks as spaces."""
    out = []
    for child in node.children:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
        else:
            out.append(_inline(child))
    return "".join(out)


def _line(node: SyntaxTreeNode) -> int:
    return node.map[0] + 1 if node.map else 0


def _texts(node: SyntaxTreeNode) -> list[tuple[str, int]]:
    """Every piece of text in a block and its children, in order, with its line."""
    if node.type == "inline":
        text = _inline(node).strip()
        return [(text, _line(node))] if text else []
    if node.type in ("code_block", "fence"):
        text = node.content.strip()
        return [(text, _line(node))] if text else []
    if node.type == "tr":
        cells = [text for child in node.children for text, _ in _texts(child)]
        return [(" ".join(cells), _line(node))] if cells else []
    return [piece for child in node.children for piece in _texts(child)]


def _item_text(item: SyntaxTreeNode) -> str:
    return " ".join(text for text, _ in _texts(item))


def _blank_lines_before(lines: list[str], start: int) -> int:
    """How many empty lines come right before a block (Markdown's own map may include them)."""
    count = 0
    while start - count > 0 and not lines[start - count - 1].strip():
        count += 1
    return count


def _block(node: SyntaxTreeNode) -> list[Unit]:
    """One top-level Markdown block as units."""
    line = _line(node)
    kind = node.type
    if kind == "heading":
        text = _item_text(node)
        return [Head(text, line, int(node.tag[1]))] if text else []
    if kind == "paragraph":
        text = _item_text(node)
        match = SOURCE_LINE.match(text)
        if match:
            return [Label(match.group(1), line)]
        return [Para(text, line, False)] if text else []
    if kind == "blockquote":
        paras = tuple(Para(text, at, False) for text, at in _texts(node))
        return [Quoted(paras, line)] if paras else []
    if kind in ("bullet_list", "ordered_list"):
        numbered = kind == "ordered_list"
        items = tuple(
            f"{item.info}{item.markup} {_item_text(item)}" if numbered else _item_text(item)
            for item in node.children
        )
        return [Bullets(items, line)]
    if kind == "table":
        rows = tuple(
            tuple(_item_text(cell) for cell in row.children)
            for part in node.children
            for row in part.children
        )
        return [Rows(rows, line)]
    if kind == "hr":
        return [Break(line)]
    return [Para(text, at, False) for text, at in _texts(node)]


def _notes_start(nodes: list[SyntaxTreeNode]) -> int:
    """Where the note texts begin, as in plain text: after a ``Notes`` heading, or at ``1*. ...``."""
    for i in reversed(range(len(nodes) - 1)):
        node, after = nodes[i], nodes[i + 1]
        if node.type == "heading" and NOTES_HEADING.match(_item_text(node)):
            if after.type == "ordered_list" or (
                after.type == "paragraph" and NOTE_START.match(_item_text(after))
            ):
                return i + 1
    for i, node in enumerate(nodes[1:], 1):
        if node.type == "paragraph" and STAR_NOTE_START.match(_item_text(node)):
            return i
    return len(nodes)


def _notes(nodes: list[SyntaxTreeNode]) -> list[NoteText]:
    """Ordered-list items and ``12. ...`` paragraphs start notes; other blocks continue the last."""
    notes: list[NoteText] = []
    for node in nodes:
        if node.type == "ordered_list":
            for item in node.children:
                paras = tuple(Para(text, at, False) for text, at in _texts(item))
                notes.append(NoteText(item.info, paras, _line(item)))
            continue
        pieces = _texts(node)
        match = NOTE_START.match(pieces[0][0]) if pieces and node.type == "paragraph" else None
        if match:
            label, text = match.groups()
            notes.append(NoteText(label, (Para(text, _line(node), False),), _line(node)))
            pieces = pieces[1:]
        if pieces:
            last = notes[-1]
            more = tuple(Para(text, at, False) for text, at in pieces)
            notes[-1] = NoteText(last.label, last.paras + more, last.line)
    return notes


@register(".md", ".markdown")
class MarkdownReader:
    """Markdown documents: headings, paragraphs, blockquotes, lists, tables, SOURCE blocks."""

    def read(self, text: str, doc_id: str, path: str, hints: ReaderHints | None) -> Document:
        """Read normalised Markdown into a Document."""
        fields, body = _front_matter(text, path)
        lines = body.split("\n")
        from markdown_it import MarkdownIt  # here: a pack of text documents never needs it
        from markdown_it.tree import SyntaxTreeNode

        parser = MarkdownIt("commonmark", {"html": False}).enable("table")
        nodes = list(SyntaxTreeNode(parser.parse(body)).children)
        titles = [n for n in nodes if n.type == "heading" and n.tag == "h1"]
        if "title" not in fields and len(titles) == 1 and nodes[0] is titles[0]:
            fields["title"] = _item_text(nodes.pop(0))
        notes_from = _notes_start(nodes)
        units: list[Unit] = []
        for node in nodes[:notes_from]:
            if units and node.map:
                blank = _blank_lines_before(lines, node.map[0])
                if blank >= _GAP_LINES:
                    units.append(Gap(node.map[0] - blank + 1))
            units.extend(_block(node))
        if "standfirst" not in fields and units and isinstance(units[0], Para):
            name = standfirst_author(units[0].text)
            if name:
                fields.setdefault("author", name)
                fields["standfirst"] = units.pop(0).text
        info = DocumentInfo(**fields)
        notes = _notes(nodes[notes_from:])
        return assemble(doc_id, path, info, units, notes, hints, lead_ins=False)
