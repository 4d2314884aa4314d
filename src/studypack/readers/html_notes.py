"""Footnotes in HTML, found from the markup: links to note anchors and the notes they point to.

A link is a note reference when it points into the same document (``#id``),
its words are a short label (``1``, ``[12]``, ``a``, ``*``) and the markup says
so: ``epub:type="noteref"`` or ``role="doc-noteref"``, a superscript around
or inside it, or a target that is marked as a note (``epub:type`` footnote
or endnote, ``role="doc-footnote"``, a ``footnotes``/``references`` list, or
an id such as ``fn1``, ``cite_note-5``, ``footnote-1``). The note is the
block holding the target (its ``<li>``, ``<aside>`` or ``<p>``); the links
back from the note to its reference (↑, ↩, ^) are not its words. Text that
merely looks like a marker (``[3]`` typed in a paragraph) stays text: in a
format with markup, the markup decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from ..model import NoteRef
from .structure import slug

LABEL = re.compile(r"^[\[(]?\s*((?:note\s+)?[0-9]{1,4}[a-z]?|[a-zA-Z]{1,3}|[ivxlcdm]{1,7}|[*†‡§¶]{1,3})\s*[\])]?\.?$")
_NOTE_KINDS = {"footnote", "endnote", "rearnote", "note", "footnotes", "endnotes", "rearnotes",
               "doc-footnote", "doc-endnote", "doc-endnotes", "doc-footnotes"}
_NOTE_CLASSES = re.compile(r"\b(?:foot-?notes?|end-?notes?|references|reflist|notes)\b", re.I)
_NOTE_ID = re.compile(r"^(?:fn|ftn|edn|footnote|endnote|note|cite_note|ref-note|n)[-_:.]?[\w-]*$", re.I)
_REF_CLASSES = re.compile(r"\b(?:footnote-?ref|noteref|fnref|reference)\b", re.I)
_BACKLINK_CLASSES = re.compile(r"\b(?:backlink|footnote-back|mw-cite-backlink|fn-?back)\b", re.I)
_BLOCKS = {"li", "aside", "p", "div", "dd", "section", "blockquote", "td", "footer"}
_ROOTS = {"body", "html", "main", "article"}


@dataclass
class FoundNote:
    """A note found in the page: the block that holds its text, its label and id."""

    block: object
    label: str
    ident: str
    refs: list


EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


def semantics(el) -> str:
    """The element's epub:type (as the HTML parser or the XML parser names it) and role, lower case."""
    kind = el.get("epub:type") or el.get(EPUB_TYPE) or ""
    return f"{kind} {el.get('role', '')}".lower()


def _words(el) -> str:
    return " ".join("".join(el.itertext()).split())


def _near(el, test, depth: int) -> bool:
    """True if ``el`` or one of its ``depth`` nearest ancestors passes ``test``."""
    while el is not None and depth >= 0:
        if isinstance(el.tag, str) and test(el):
            return True
        el, depth = el.getparent(), depth - 1
    return False


def _is_note_place(el) -> bool:
    kinds = set(semantics(el).split())
    return bool(kinds & _NOTE_KINDS) or bool(_NOTE_CLASSES.search(el.get("class", "")))


def _marked_as_ref(el) -> bool:
    return "noteref" in semantics(el) or bool(_REF_CLASSES.search(el.get("class", "")))


def note_block(target):
    """The block that holds a note's text: the target itself or its nearest block ancestor."""
    el = target
    while el is not None and isinstance(el.tag, str) and el.tag not in _BLOCKS:
        el = el.getparent()
    if el is None or not isinstance(el.tag, str) or el.tag in _ROOTS:
        return None
    return el


def _candidates(root, ids: dict) -> list[tuple[object, object]]:
    """(link, target) pairs that look like note references by their markup."""
    found = []
    for link in root.iter("a"):
        href = link.get("href", "")
        if not href.startswith("#") or len(href) < 2:
            continue
        target = ids.get(unquote(href[1:]))
        if target is None or not LABEL.match(_words(link)):
            continue
        superscript = _near(link, lambda e: e.tag == "sup", 2) or link.find(".//sup") is not None
        marked = _near(link, _marked_as_ref, 2)
        place = _near(target, _is_note_place, 3) or bool(_NOTE_ID.match(target.get("id") or target.get("name") or ""))
        if marked or superscript or place:
            found.append((link, target))
    return found


def _without_backlinks(pairs: list[tuple[object, object]]) -> list[tuple[object, object]]:
    """Drop the links from a note back to its reference: a pair whose target is another link of the list.

    When two links point at each other, the one earlier in the page is the reference.
    """
    anchors = {}
    for link, _ in pairs:
        anchors[link] = link
        parent = link.getparent()
        if parent is not None and parent.tag in ("sup", "span") and len(parent) == 1:
            anchors[parent] = link
    order = {link: i for i, (link, _) in enumerate(pairs)}
    kept = []
    for link, target in pairs:
        other = anchors.get(target)
        if other is None:
            kept.append((link, target))
        elif other is not link and order[link] < order[other]:
            kept.append((link, target))
    return kept


_SIGNS = {"*": "star", "†": "dagger", "‡": "double-dagger", "§": "section-sign", "¶": "pilcrow"}


def _note_id(label: str, used: set[str]) -> str:
    """``note-12``, ``note-a``, ``note-star`` (``*``), ``note-dagger`` (``†``); ``-2`` … where a label repeats."""
    bare = label.lower().removeprefix("note").strip()
    if bare and all(c in _SIGNS for c in bare):
        base = "note-" + "-".join(_SIGNS[c] for c in bare)
    else:
        base = f"note-{slug(bare)}"
    ident, n = base, 1
    while ident in used:
        n += 1
        ident = f"{base}-{n}"
    used.add(ident)
    return ident


def _label(text: str) -> str:
    match = LABEL.match(text)
    return match.group(1) if match else text


def find_notes(root) -> tuple[dict, list[FoundNote]]:
    """The note references (link element -> NoteRef) and the notes, in the order of their texts."""
    ids = {}
    for el in root.iter():
        if isinstance(el.tag, str):
            key = el.get("id") or (el.get("name") if el.tag == "a" else None)
            if key and key not in ids:
                ids[key] = el
    pairs = _without_backlinks(_candidates(root, ids))
    by_block: dict = {}
    for link, target in pairs:
        block = note_block(target)
        if block is None or _inside(link, block):
            continue
        by_block.setdefault(block, []).append(link)
    blocks = [el for el in root.iter() if el in by_block]
    # an outer block that holds other notes' blocks is a list of notes, not a note
    outer = {ancestor for b in blocks for ancestor in b.iterancestors() if ancestor in by_block}
    blocks = [b for b in blocks if b not in outer]
    used: set[str] = set()
    refs: dict = {}
    notes: list[FoundNote] = []
    for block in blocks:
        links = by_block[block]
        label = _label(_words(links[0]))
        note = FoundNote(block, label, _note_id(label, used), links)
        notes.append(note)
        for link in links:
            refs[link] = NoteRef(_words(link), label, note.ident)
    return refs, notes


def _inside(el, container) -> bool:
    while el is not None:
        if el is container:
            return True
        el = el.getparent()
    return False


def backlinks(note: FoundNote) -> list:
    """The elements inside a note that lead back to its references (not the note's words)."""
    targets = {link.get(attr) for link in note.refs for attr in ("id", "name")} | {
        link.getparent().get("id") for link in note.refs if link.getparent() is not None
    }
    targets.discard(None)
    out = []
    for el in note.block.iter():
        if not isinstance(el.tag, str):
            continue
        back = "backlink" in semantics(el) or _BACKLINK_CLASSES.search(el.get("class", ""))
        if el.tag == "a" and unquote(el.get("href", "#")[1:]) in targets:
            back = True
        if el.tag == "a" and _words(el) in ("↑", "↩", "↩︎", "^", "⤴", "⮐", "back"):
            back = True
        if back and not any(_inside(el, o) for o in out):
            out.append(el)
    return out
