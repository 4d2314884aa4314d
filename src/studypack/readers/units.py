"""What a reader found, before `structure.assemble` decides what it is: the units, and note markers.

A reader turns its format into units (`Para`, `Head`, `Label`, `Bullets`,
`Rows`, `Break`, `Gap`, `Quoted`, and the `NoteText` of notes); the note
markers inside their text (``[12]``, ``[1*]``) become `NoteRef` spans here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union

from ..model import Inline, NoteRef, Text

# --- units: what a reader found, before `assemble` decides what it is ----------


@dataclass(frozen=True)
class Para:
    """A paragraph as found; ``single_line`` if it stood alone on one line (a heading candidate).

    ``marked``: the paragraph as spans, where the format itself marks its note
    references (a link to a footnote); otherwise markers are found in ``text``.
    """

    text: str
    line: int
    single_line: bool = True
    marked: tuple[Inline, ...] | None = None


@dataclass(frozen=True)
class Head:
    """A section heading."""

    text: str
    line: int
    level: int = 2


@dataclass(frozen=True)
class Label:
    """A ``SOURCE 1`` / ``SOURCE A`` line: the start of a SOURCE block."""

    label: str
    line: int


@dataclass(frozen=True)
class Bullets:
    """Bulleted lines, without their bullets (``marked``: as spans, where the format marks notes)."""

    items: tuple[str, ...]
    line: int
    marked: tuple[tuple[Inline, ...], ...] | None = None


@dataclass(frozen=True)
class Rows:
    """A table's rows, split into cells; ``header``: whether the first row is its header."""

    rows: tuple[tuple[str, ...], ...]
    line: int
    header: bool = True


@dataclass(frozen=True)
class Break:
    """A scene break (``* * *``)."""

    line: int


@dataclass(frozen=True)
class Gap:
    """A run of empty lines where the transcription left something out."""

    line: int


@dataclass(frozen=True)
class Quoted:
    """Paragraphs the document itself marks as quoted (a Markdown blockquote).

    ``citation``: the reference the document itself marks as the quotation's
    source (an HTML ``<footer>`` or ``<cite>`` block in a blockquote).
    """

    paras: tuple[Para, ...]
    line: int
    citation: str | None = None


@dataclass(frozen=True)
class NoteText:
    """A note's text: its label (``12``, ``1*``) and its paragraphs, label stripped.

    ``ident``: the note's id where the reader chose it (and its markers point to it).
    """

    label: str
    paras: tuple[Para, ...]
    line: int
    ident: str | None = None


Unit = Union[Para, Head, Label, Bullets, Rows, Break, Gap, Quoted]

# Note markers: ``[12]``, ``[1*]``, and the starred ``[*]`` .. ``[***]`` of older editions.
MARKER = re.compile(r"\[(\d{1,3}\*?|\*{1,3})\]")
# A note written as its marker at the head of a line: ``[12] Text``, ``[3.] Text``, ``[**] Text``;
# the text may be empty (a reference list whose entries were lost).
BRACKET_NOTE = re.compile(r"^\[(\d{1,3}\*?|\*{1,3})\.?\]\s*(.*)$", re.S)


def note_id(label: str) -> str:
    """The local id of a note: ``12`` -> ``note-12``, ``1*`` -> ``note-star-1``, ``**`` -> ``note-stars-2``."""
    if label and not label.strip("*"):
        return f"note-stars-{len(label)}"
    if label.endswith("*"):
        return f"note-star-{label[:-1]}"
    return f"note-{label}"


# A bare ``*`` .. ``***`` standing alone after a word: a note marker where the document has starred notes.
_BARE_STARS = re.compile(r"\[(\d{1,3}\*?|\*{1,3})\]|(?<=\S )(\*{1,3})(?= |$)")


def spans(text: str, *, bare_stars: bool = False) -> tuple[Inline, ...]:
    """Text with its note markers (``[12]``, ``[1*]``) as `NoteRef` spans; nothing else changes.

    ``bare_stars``: also a lone ``*`` (``**``...) after a word, for a document whose notes are starred.
    """
    out: list[Inline] = []
    pos = 0
    for match in (_BARE_STARS if bare_stars else MARKER).finditer(text):
        if match.start() > pos:
            out.append(Text(text[pos : match.start()]))
        label = match.group(1) or match.group(2)
        out.append(NoteRef(match.group(0), label, note_id(label)))
        pos = match.end()
    if pos < len(text):
        out.append(Text(text[pos:]))
    return tuple(out)


def parenthesised(text: str) -> bool:
    """True if the whole text is one parenthesis, like ``(Kamenev at the 14th Party Congress.)``."""
    if len(text) < 2 or text[0] != "(" or text[-1] != ")":
        return False
    depth = 0
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index == len(text) - 1
    return False
