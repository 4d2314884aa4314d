"""The model of a document: where things are, inline content, blocks, notes, sections.

Readers build `Document`s (see the package's docstring for the rules of the model).

Ids: every block of a document has a local id (``source-1``, ``p12``,
``the-lenin-levy``, ``q3``, ``note-star-1``); qualified by the document's id it
becomes the id a pack refers to (``corin#source-1``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union

# How a pack's Markdown refers to one of its sources: ``[[declaration]]`` (docs/pack-format.md). Whatever
# stands between the brackets is taken as an id: the manifest's checks report one that names no source.
SOURCE_REFERENCE = re.compile(r"\[\[\s*([^\[\]\s][^\[\]\n]*?)\s*\]\]")

@dataclass(frozen=True)
class Location:
    """A place in a file a user wrote: path (as the user sees it), 1-based line and column."""

    path: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.path
        if self.column is None:
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.column}"


# --- inline content --------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """A run of text exactly as written in the document."""

    text: str


@dataclass(frozen=True)
class NoteRef:
    """A note marker such as ``[12]`` or ``[1*]`` as it stands in the text.

    ``marker`` is the written form (``[12]``); ``label`` the bare label (``12``,
    ``1*``); ``note_id`` the local id of the note it points to. Whether the
    document has that note's text is a property of the document, see
    `Document.note`.
    """

    marker: str
    label: str
    note_id: str


@dataclass(frozen=True)
class Correction:
    """An editor's correction of a transcription slip, printed in square brackets.

    ``original`` is the document's own text, kept so that no word is lost;
    ``text`` is what is printed (e.g. ``[Can]``).
    """

    original: str
    text: str


Inline = Union[Text, NoteRef, Correction]


def plain_text(spans: tuple[Inline, ...], *, original: bool = True) -> str:
    """The text of inline spans: as the document has it, or as corrected."""
    out = []
    for span in spans:
        if isinstance(span, Text):
            out.append(span.text)
        elif isinstance(span, NoteRef):
            out.append(span.marker)
        else:
            out.append(span.original if original else span.text)
    return "".join(out)


# --- blocks ----------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of running text (commentary of the document's author)."""

    id: str
    spans: tuple[Inline, ...]
    line: int = 0

    @property
    def text(self) -> str:
        return plain_text(self.spans)


@dataclass(frozen=True)
class Heading:
    """A section heading on a line of its own."""

    id: str
    text: str
    level: int = 2
    line: int = 0


@dataclass(frozen=True)
class Quotation:
    """A long quotation set as paragraphs of its own.

    ``citation`` is a parenthesised reference that ends the quotation, such as
    ``(XI/2, pp. 335/38.)``. ``certain`` is False where the reader guessed where
    the quotation ends (a pack can say otherwise).
    """

    id: str
    paragraphs: tuple[Paragraph, ...]
    citation: str | None = None
    certain: bool = True
    line: int = 0


@dataclass(frozen=True)
class SourceBlock:
    """A numbered or lettered SOURCE block: label, quoted paragraphs, attribution line."""

    id: str
    label: str
    paragraphs: tuple[Paragraph, ...]
    attribution: str | None = None
    line: int = 0


@dataclass(frozen=True)
class ListBlock:
    """Bulleted lines (``* item``)."""

    id: str
    items: tuple[tuple[Inline, ...], ...]
    line: int = 0


@dataclass(frozen=True)
class Table:
    """A table's rows of cells; ``header``: whether the first row is a header row.

    ``header`` is False where nothing in the document marks a header and the
    first row does not look like one (a guess, like every plain-text table).
    """

    id: str
    rows: tuple[tuple[str, ...], ...]
    line: int = 0
    header: bool = True


@dataclass(frozen=True)
class SceneBreak:
    """A ``* * *`` break between passages."""

    id: str
    line: int = 0


@dataclass(frozen=True)
class Omission:
    """A run of empty lines where the transcription left something out."""

    id: str
    line: int = 0


Block = Union[Paragraph, Heading, Quotation, SourceBlock, ListBlock, Table, SceneBreak, Omission]


@dataclass(frozen=True)
class Note:
    """A note text found in the document (e.g. ``1*. In June 1924 ...``)."""

    id: str
    label: str
    paragraphs: tuple[Paragraph, ...]
    line: int = 0


@dataclass(frozen=True)
class Section:
    """The blocks under one heading (the first section may have no heading)."""

    id: str
    heading: Heading | None
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class DocumentInfo:
    """What the document says about itself on its first lines."""

    title: str | None = None
    author: str | None = None
    book: str | None = None
    standfirst: str | None = None


@dataclass(frozen=True)
class Document:
    """A primary-source document as the reader understood it.

    ``left_out``: what the reader did not take from the file, one plain line
    each (a web page's menus and footer, a PDF's running heads), for inspect.
    """

    id: str
    path: str
    info: DocumentInfo
    sections: tuple[Section, ...]
    notes: tuple[Note, ...] = ()
    left_out: tuple[str, ...] = ()

    @property
    def blocks(self) -> tuple[Block, ...]:
        """Every block in reading order, headings included."""
        out: list[Block] = []
        for section in self.sections:
            if section.heading is not None:
                out.append(section.heading)
            out.extend(section.blocks)
        return tuple(out)

    def note(self, note_id: str) -> Note | None:
        """The note with this local id, or None where the document lacks its text."""
        for note in self.notes:
            if note.id == note_id:
                return note
        return None
