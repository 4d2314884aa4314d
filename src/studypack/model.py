"""The typed model of documents and packs.

Everything here is a frozen dataclass: no I/O, no Jinja, no knowledge of any
output format. Readers build `Document`s; the pack assembler builds a `Pack`
from a validated manifest and its documents; writers only read these.

Ids: every block of a document has a local id (``source-1``, ``p12``,
``the-lenin-levy``, ``q3``, ``note-star-1``); qualified by the document's id it
becomes the id a pack refers to (``corin#source-1``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
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


# --- the assembled pack ----------------------------------------------------


@dataclass(frozen=True)
class Commentary:
    """The teacher's (or an article's) own words, in Markdown."""

    markdown: str
    origin: Location
    credit: str | None = None
    editions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Line:
    """A line of a document's words inside a source that is not running text.

    ``role``: ``heading`` (a heading the passage crosses, with its ``level`` in
    the document), ``label`` (a SOURCE block's label line), ``attribution`` (a
    SOURCE block's attribution) or ``citation`` (the reference that ends a
    quotation). The words are spans, so corrections and note calls stand in
    them as in a paragraph.
    """

    id: str
    role: str
    spans: tuple[Inline, ...]
    line: int = 0
    level: int = 0

    @property
    def text(self) -> str:
        return plain_text(self.spans)


@dataclass(frozen=True)
class Cells:
    """A document's `Table` as a source prints it: each cell's words as spans.

    ``header``: the first row is the table's header row (the extract starts at
    the table's first row); a passage that starts inside a table keeps the
    rows it covers, with the cells before its opening words left empty.
    """

    id: str
    rows: tuple[tuple[tuple[Inline, ...], ...], ...]
    header: bool = True
    line: int = 0


# What a source prints: the document's blocks, with every run of words as spans.
ExtractBlock = Union[Paragraph, Line, ListBlock, Cells, SceneBreak, Omission]


@dataclass(frozen=True)
class Extract:
    """A source as the pack prints it: a label, the chosen words, an attribution.

    ``blocks`` hold every block of the document in the chosen range, in order
    (corrections applied as `Correction` spans, left-out passages marked
    ``[…]``): paragraphs, headings and SOURCE lines (`Line`), lists, tables
    (`Cells`), breaks and gaps. ``notes`` are the document's notes referred to
    from these blocks that have text. ``quoted`` lists the ids of paragraphs
    that the document sets as a quotation inside the extract (a section that
    quotes someone).
    """

    id: str
    label: str
    document_id: str
    blocks: tuple[ExtractBlock, ...]
    attribution: str | None
    intro: str | None = None
    title: str | None = None
    notes: tuple[Note, ...] = ()
    origin: Location | None = None
    editions: tuple[str, ...] = ()
    quoted: tuple[str, ...] = ()

    @property
    def display_label(self) -> str:
        return f"Source {self.label}"

    @property
    def paragraphs(self) -> tuple[Paragraph, ...]:
        """The running-text paragraphs among the blocks."""
        return tuple(b for b in self.blocks if isinstance(b, Paragraph))

    def runs(self) -> tuple[tuple[Inline, ...], ...]:
        """Every run of words the source prints, in order: paragraphs, lines, list items, table cells."""
        return tuple(run for block in self.blocks for run in block_runs(block))

    @property
    def text(self) -> str:
        """The extract's words as the document has them, runs separated by blank lines."""
        return "\n\n".join(plain_text(run) for run in self.runs())


def block_runs(block) -> tuple[tuple[Inline, ...], ...]:
    """The runs of words (spans) of one block of an extract, in reading order."""
    if isinstance(block, (Paragraph, Line)):
        return (block.spans,)
    if isinstance(block, ListBlock):
        return block.items
    if isinstance(block, Cells):
        return tuple(cell for row in block.rows for cell in row)
    return ()


@dataclass(frozen=True)
class Level:
    """One level of a levels-based mark scheme."""

    level: str
    marks: str
    descriptor: str


@dataclass(frozen=True)
class Question:
    """A worksheet question; ``text`` and the mark scheme are Markdown."""

    id: str
    number: int
    text: str
    marks: int
    lines: int
    sources: tuple[str, ...] = ()
    mark_scheme: str | None = None
    indicative: tuple[str, ...] = ()
    levels: tuple[Level, ...] = ()
    origin: Location | None = None


@dataclass(frozen=True)
class Worksheet:
    """Numbered questions with marks and answer space."""

    id: str
    title: str | None
    instructions: str | None
    questions: tuple[Question, ...]
    editions: tuple[str, ...] = ()

    @property
    def total_marks(self) -> int:
        return sum(q.marks for q in self.questions)


Item = Union[Commentary, Extract, Worksheet]


@dataclass(frozen=True)
class Part:
    """A titled part of the pack: a running head, a bookmark, an EPUB chapter."""

    id: str
    title: str
    items: tuple[Item, ...]
    editions: tuple[str, ...] = ()


@dataclass(frozen=True)
class GlossaryEntry:
    """A term the pack defines, with other forms it may take in the text."""

    id: str
    term: str
    definition: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Person:
    """Someone named in the pack, with a line about them."""

    id: str
    name: str
    description: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class TimelineEvent:
    """A dated event; ``sort_key`` orders events (ISO-like ``1924-01-21``)."""

    date: str
    event: str
    sort_key: str


@dataclass(frozen=True)
class PackDocument:
    """A document as a pack uses it: the reader's model plus the pack's credits."""

    document: Document
    rights: str | None
    citation: str | None
    missing_notes: str = "omit"


@dataclass(frozen=True)
class Pack:
    """A validated, assembled study pack: everything a writer needs, nothing to read."""

    name: str
    root: str
    title: str
    subtitle: str | None
    course: str | None
    author: str | None
    language: str
    rights: str | None
    date: str
    labels: str
    paper: str
    documents: tuple[PackDocument, ...]
    parts: tuple[Part, ...]
    glossary: tuple[GlossaryEntry, ...] = ()
    people: tuple[Person, ...] = ()
    timeline: tuple[TimelineEvent, ...] = ()
    description: str | None = None
    keywords: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def extracts(self) -> tuple[Extract, ...]:
        """Every source extract in the order the pack prints them."""
        return tuple(item for part in self.parts for item in part.items if isinstance(item, Extract))
