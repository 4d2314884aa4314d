"""The Markdown reader: the same model from a ``.md`` document.

Parsed with markdown-it-py (CommonMark plus tables) with raw HTML switched
off, so HTML in a document is kept as the text it is and never passes through.
Headings make sections, ``>`` blockquotes quotations, lists and tables their
blocks; ``SOURCE 1`` paragraphs, ``(attribution)`` lines and note markers work
as in plain text. Inline markup (emphasis, links) is reduced to its words.
"""

from __future__ import annotations

import re
from dataclasses import replace

from typing import TYPE_CHECKING
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from ..errors import DocumentError
from ..model import Document, DocumentInfo, Location, Text
from .registry import ReaderHints, register
from .structure import assemble
from .units import BRACKET_NOTE, MARKER, Break, Bullets, Gap, Head, Label, NoteText, Para, Quoted, Rows, Unit
from .text import BYLINE, NOTE_START, NOTES_HEADING, SOURCE_LINE, STAR_NOTE_START, name_like, standfirst_author

if TYPE_CHECKING:
    from markdown_it.tree import SyntaxTreeNode

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)^(?:---|\.\.\.)[ \t]*$\n?", re.S | re.M)
_INFO_KEYS = ("author", "book", "standfirst", "title")
_GAP_LINES = 3


def _front_matter(text: str, where: str) -> tuple[dict[str, str], list[str], str]:
    """The ``---`` block at the top: DocumentInfo fields, what was ignored, the text with it blanked.

    Keys studypack does not use (a site generator's ``layout``, ``tags``...) and
    empty values are ignored and reported, never a reason to refuse the document.
    """
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, [], text
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
    ignored: list[str] = []
    for key, value in data.items():
        if key not in _INFO_KEYS:
            ignored.append(str(key))
            continue
        if isinstance(value, (dict, list)):
            raise DocumentError(f"front matter '{key}' must be a line of text", Location(where, 1))
        if value is not None and str(value).strip():
            fields[key] = str(value).strip()
    left_out = [f"front matter keys not used by studypack: {', '.join(ignored)}"] if ignored else []
    return fields, left_out, "\n" * match.group(0).count("\n") + text[match.end() :]


# Pandoc's attribute blocks (``{#id .class key="v"}``) and bracketed spans
# (``[words]{.class}``) are markup, not words: dropped, the words kept. Every
# pattern is bounded by a bracket it may not cross, so matching stays linear.
_ATTRS = r"\{(?:[#.]|[A-Za-z][\w-]*=)[^{}]*\}"
_LEADING_ATTRS = re.compile(r"^" + _ATTRS)
_SPAN = re.compile(r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]" + _ATTRS)
_SUPERSCRIPT_MARKER = re.compile(r"\^(\[[^\[\]^\s]{1,4}\])\^")
_HEADING_ATTRS = re.compile(r"\s*(" + _ATTRS + r")\s*$")


def _inline(node: SyntaxTreeNode, lines: bool = False) -> str:
    """The words of inline content: markup dropped, line breaks as spaces (``lines``: as ``\\n``)."""
    out = []
    after_link = False
    for child in node.children:
        if child.type in ("text", "code_inline"):
            text = child.content
            if after_link and child.type == "text":
                text = _LEADING_ATTRS.sub("", text, count=1)
            out.append(text)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n" if lines else " ")
        else:
            out.append(_inline(child, lines))
        after_link = child.type == "link"
    text = "".join(out)
    if "]{" in text:
        text = _SPAN.sub(r"\1", text)
    return _SUPERSCRIPT_MARKER.sub(r"\1", text) if "^" in text else text


def _heading(node: SyntaxTreeNode) -> tuple[str, str]:
    """A heading's words and its pandoc attribute block (``{#id .title}``), if it has one."""
    text = _item_text(node)
    match = _HEADING_ATTRS.search(text)
    return (text[: match.start()], match.group(1)) if match else (text, "")


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


_LAZY_BULLET = re.compile(r"^\s*[-*+]\s+(\S.*)$")
_CAPITALS_WORDS = (6, 60)
_SIGNED = re.compile(r"\b[A-Z]\.\s*[A-Z][A-Z'’-]+\.?$")  # ends with an initialled name: a signature


def _capitals(text: str) -> bool:
    """A paragraph of six words or more all in capitals, ending in a full stop at most (not ``!``,
    ``:``): a heading set over several lines, like an act's long title."""
    words = len(text.split())
    if not _CAPITALS_WORDS[0] <= words <= _CAPITALS_WORDS[1] or not text[:1].isupper():
        return False
    letters = [c for c in text if c.isalpha()]
    body = text.rstrip()
    body = body[:-1] if body.endswith(".") else body
    return (_CAPITALS_WORDS[0] <= words <= _CAPITALS_WORDS[1] and len(letters) > words
            and all(c.isupper() for c in letters) and not body.endswith(_SENTENCE_END)
            and not MARKER.search(text) and not _SIGNED.search(body))


def _lazy_list(node: SyntaxTreeNode, line: int) -> list[Unit]:
    """A paragraph whose later lines are bulleted (``* a) ...`` indented under its first line,
    which CommonMark reads as the paragraph going on): the paragraph, then a list."""
    inline = node.children[0] if node.children else None
    if inline is None or inline.type != "inline":
        return []
    lines = _inline(inline, lines=True).split("\n")
    first = next((k for k in range(1, len(lines)) if _LAZY_BULLET.match(lines[k])), None)
    if first is None:
        return []
    items: list[str] = []
    for text in lines[first:]:
        match = _LAZY_BULLET.match(text)
        if match:
            items.append(match.group(1).strip())
        else:
            items[-1] = f"{items[-1]} {text.strip()}"
    return [Para(" ".join(lines[:first]).strip(), line, False), Bullets(tuple(items), line + first)]


def _block(node: SyntaxTreeNode) -> list[Unit]:
    """One top-level Markdown block as units."""
    line = _line(node)
    kind = node.type
    if kind == "heading":
        text = _heading(node)[0]
        if BYLINE.match(text):
            # "By J. V. Stalin" set as a heading is the author's line, not a section
            return [Para(text, line, False)]
        return [Head(text, line, int(node.tag[1]))] if text else []
    if kind == "paragraph":
        text = _item_text(node)
        match = SOURCE_LINE.match(text)
        if match:
            return [Label(match.group(1), line)]
        if _capitals(text):
            return [Head(text, line)]
        return _lazy_list(node, line) or ([Para(text, line, False)] if text else [])
    if kind == "blockquote":
        paras = tuple(Para(text, at, False) for text, at in _texts(node))
        return [Quoted(paras, line)] if paras else []
    if kind == "ordered_list" and len(node.children) == 1:
        # one numbered paragraph of running text (``1) The period ...``) is no list
        item = node.children[0]
        units = [unit for child in item.children for unit in _block(child)]
        if units and isinstance(units[0], Para):
            first = units[0]
            units[0] = Para(f"{item.info}{item.markup} {first.text}", first.line, False)
            return units
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


_SENTENCE_END = (".", "!", "?", ":", ";", "…")
_NOTES_REACH = 3
_NAME_LINE_WORDS = 12  # blocks after a Notes heading searched for the first note (a byline may come first)


def _note_start(node: SyntaxTreeNode):
    """The match of a paragraph that opens a note (``12. ...``, ``[12] ...``), or None."""
    if node.type != "paragraph":
        return None
    text = _item_text(node)
    return NOTE_START.match(text) or BRACKET_NOTE.match(text)


def _notes_start(nodes: list[SyntaxTreeNode]) -> int:
    """Where the note texts begin: the first note within reach of the last ``Notes`` heading,
    else at ``1*. ...``, else a closing run of ``[1] ...`` paragraphs."""
    for i in reversed(range(len(nodes) - 1)):
        node = nodes[i]
        if node.type == "heading" and NOTES_HEADING.match(_heading(node)[0].strip()):
            for j in range(i + 1, min(len(nodes), i + 1 + _NOTES_REACH)):
                if nodes[j].type == "ordered_list" or _note_start(nodes[j]):
                    return j
    for i, node in enumerate(nodes[1:], 1):
        if node.type == "paragraph" and STAR_NOTE_START.match(_item_text(node)):
            return i
    start = len(nodes)
    while start > 0 and nodes[start - 1].type == "paragraph" and BRACKET_NOTE.match(_item_text(nodes[start - 1])):
        start -= 1
    return start if len(nodes) - start >= 2 else len(nodes)


def _notes(nodes: list[SyntaxTreeNode]) -> tuple[list[NoteText], list[Para]]:
    """Ordered-list items and ``12. ...``/``[12] ...`` paragraphs start notes; other blocks continue
    the last. A ``[12]`` with no text is not a note (its marker stays unlinked): it is kept as
    a plain paragraph at the end of the text."""
    notes: list[NoteText] = []
    written: dict[int, str] = {}
    listed = bool(nodes) and nodes[0].type == "ordered_list"
    for node in nodes:
        # an ordered list is the notes themselves, unless notes began otherwise (then it is inside one)
        if node.type == "ordered_list" and (listed or not notes):
            for item in node.children:
                paras = tuple(Para(text, at, False) for text, at in _texts(item))
                notes.append(NoteText(item.info, paras, _line(item)))
            continue
        pieces = _texts(node)
        if node.type == "ordered_list":
            # a numbered list inside a note keeps its numbers
            pieces = [(f"{item.info}{item.markup} {_item_text(item)}", _line(item)) for item in node.children]
        match = _note_start(node) if pieces else None
        if match:
            label, text = match.groups()
            written[_line(node)] = pieces[0][0]
            paras = (Para(text.strip(), _line(node), False),) if text.strip() else ()
            notes.append(NoteText(label, paras, _line(node)))
            pieces = pieces[1:]
        if pieces and notes:
            last = notes[-1]
            more = tuple(Para(text, at, False) for text, at in pieces)
            notes[-1] = NoteText(last.label, last.paras + more, last.line)
    empty = [Para(written[n.line], n.line, True, (Text(written[n.line]),)) for n in notes if not n.paras]
    return [note for note in notes if note.paras], empty


def _name_line(node: SyntaxTreeNode) -> bool:
    """A short line that is no sentence and refers to no note: an author's or a site's name."""
    text = _item_text(node).rstrip() if node.type == "paragraph" else ""
    return bool(text) and not text.endswith(_SENTENCE_END) and not MARKER.search(text)


def _masthead(nodes: list[SyntaxTreeNode], fields: dict[str, str]) -> tuple[list[SyntaxTreeNode], list[str]]:
    """The headings above the text that name it: author, book, title; the nodes without them.

    The masthead is the run of headings, rules and short lines that are no
    sentence (`_name_line`) before the first paragraph that follows a heading. Its title is its one ``#`` heading, or, with
    no ``#``, its last heading when two or more headings, a rule or a name line
    (``Nikolai Bukharin 1922``) come first (a page's author and book lines, then
    the chapter). Headings before the title
    are the author (a name) and the book; a bracketed line under it (``(1898)``)
    goes with the title. Anything else stays in the text.
    """
    run = 0
    headed = False
    while run < len(nodes) and nodes[run].type in ("heading", "hr", "paragraph"):
        if nodes[run].type == "paragraph" and (headed or not _name_line(nodes[run])
                                               or len(_item_text(nodes[run]).split()) > _NAME_LINE_WORDS):
            break
        headed = headed or nodes[run].type == "heading"
        run += 1
    heads = [i for i in range(run) if nodes[i].type == "heading"
             and not NOTES_HEADING.match(_heading(nodes[i])[0].strip())]
    top = [i for i in heads if nodes[i].tag == "h1"]
    if len(top) == 1:
        title = top[0]
    elif not top and heads and (len(heads) >= 2 or any(n.type == "hr" for n in nodes[: heads[-1]])
                                or any(_name_line(n) for n in nodes[: heads[0]])):
        title = heads[-1]
    else:
        return nodes, []
    said = []
    text = _heading(nodes[title])[0].strip()
    if fields.get("title") and fields["title"] != text:
        said.append(f"front matter title '{fields['title']}' not used: the heading '{text}' is the title")
    fields["title"] = text
    before = [_heading(nodes[i])[0].strip() for i in heads if i < title]
    if before and name_like(before[0]) and "author" not in fields:
        fields["author"] = before.pop(0)
    if before and "book" not in fields:
        fields["book"] = ": ".join(before)
    after = [i for i in heads if i > title and _heading(nodes[i])[0].strip().startswith("(")]
    if after and "standfirst" not in fields:
        fields["standfirst"] = " ".join(_heading(nodes[i])[0].strip() for i in after)
    drop = {i for i in heads if i <= title} | set(after)
    return [node for i, node in enumerate(nodes) if i not in drop], said


@register(".md", ".markdown")
class MarkdownReader:
    """Markdown documents: headings, paragraphs, blockquotes, lists, tables, SOURCE blocks."""

    def read(self, text: str, doc_id: str, path: str, hints: ReaderHints | None) -> Document:
        """Read normalised Markdown into a Document."""
        fields, left_out, body = _front_matter(text, path)
        lines = body.split("\n")
        from markdown_it import MarkdownIt  # here: a pack of text documents never needs it
        from markdown_it.tree import SyntaxTreeNode

        parser = MarkdownIt("commonmark", {"html": False}).enable("table")
        nodes, said = _masthead(list(SyntaxTreeNode(parser.parse(body)).children), fields)
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
        notes, empty = _notes(nodes[notes_from:])
        doc = assemble(doc_id, path, info, units + empty, notes, hints, lead_ins=False)
        return replace(doc, left_out=tuple(left_out + said)) if left_out or said else doc
