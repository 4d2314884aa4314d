"""The model of an assembled pack: commentary, extracts, worksheets, the back matter and the pack.

The pack assembler builds a `Pack` from a validated manifest and its documents; writers only read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from .document import Document, Inline, ListBlock, Location, Note, Omission, Paragraph, SceneBreak, plain_text

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
