"""What a validated manifest holds: the pack's entries as pack.yaml gives them, each with where it was written.

These are the second of the three stages a pack's description passes through,
each with its own classes for its own reason:

1. `schema` (pydantic): the shape and types of pack.yaml, what may be written
   there and its defaults. It knows nothing of positions or files.
2. here: the entries checked against each other and the pack folder (ids,
   references, files), each with ``origin`` and ``key_path``, so that the
   assembler can report a problem it finds in a document (a passage whose
   words do not occur) at the place in pack.yaml that asked for it.
3. `model.Pack`: what the writers read, documents read and passages resolved,
   with no trace of pack.yaml.

Where an entry needs nothing from stage 2 (no position a later message
uses), the manifest holds the model's class itself: glossary entries, people,
timeline events, and a question's levels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..model import GlossaryEntry, Level, Location, Person, TimelineEvent
from .yamlpos import KeyPath, YamlText


@dataclass(frozen=True)
class Span:
    """A run of paragraphs given by its opening (``from``) and closing (``to``) words."""

    from_: str
    to: str
    origin: Location
    key_path: KeyPath


@dataclass(frozen=True)
class CorrectionSpec:
    """A transcription slip to correct: words that occur once, and what to print instead."""

    find: str
    replace: str
    origin: Location
    key_path: KeyPath


@dataclass(frozen=True)
class DocumentSpec:
    """A document the pack uses: its id, its file, and the pack's credits and fixes for it."""

    id: str
    path: str
    file: Path
    title: str | None
    author: str | None
    citation: str | None
    rights: str | None
    missing_notes: str
    corrections: tuple[CorrectionSpec, ...]
    quotations: tuple[Span, ...]
    origin: Location
    key_path: KeyPath


@dataclass(frozen=True)
class BlockRef:
    """A block of a document named by id: ``corin#source-1`` is document ``corin``, block ``source-1``."""

    document: str
    block: str

    def __str__(self) -> str:
        return f"{self.document}#{self.block}"


@dataclass(frozen=True)
class PassageSpec:
    """A passage of a document by its opening and closing words, with passages left out."""

    document: str
    from_: str
    to: str
    omit: tuple[Span, ...]


@dataclass(frozen=True)
class SourceSpec:
    """A source item: what to take from which document, and how to present it."""

    id: str
    ref: BlockRef | PassageSpec
    title: str | None
    intro: str | None
    attribution: str | None
    editions: tuple[str, ...]
    origin: Location
    key_path: KeyPath


@dataclass(frozen=True)
class CommentarySpec:
    """The teacher's Markdown, from a .md file in the pack (``file`` set) or written inline.

    ``markdown_origin`` is where the Markdown's first line stands: line 1 of the
    file, or the first line of the inline text in pack.yaml.
    """

    markdown: str
    file: str | None
    markdown_origin: Location
    credit: str | None
    editions: tuple[str, ...]
    origin: Location
    key_path: KeyPath


@dataclass(frozen=True)
class QuestionSpec:
    """A worksheet question with its marks, answer lines and teacher's notes (Markdown)."""

    id: str
    text: str
    marks: int
    lines: int
    sources: tuple[str, ...]
    mark_scheme: str | None
    indicative: tuple[str, ...]
    levels: tuple[Level, ...]
    origin: Location
    key_path: KeyPath


@dataclass(frozen=True)
class WorksheetSpec:
    """A worksheet item: instructions and numbered questions."""

    id: str
    title: str | None
    instructions: str | None
    questions: tuple[QuestionSpec, ...]
    editions: tuple[str, ...]
    origin: Location
    key_path: KeyPath


ItemSpec = CommentarySpec | SourceSpec | WorksheetSpec


@dataclass(frozen=True)
class PartSpec:
    """A titled part of the pack and its items in order (``part-N``, counting from 1)."""

    id: str
    title: str
    items: tuple[ItemSpec, ...]
    editions: tuple[str, ...]
    origin: Location
    key_path: KeyPath


@dataclass(frozen=True)
class Manifest:
    """A validated pack.yaml: typed values with defaults filled, and where each was written."""

    path: str
    root: Path
    title: str
    subtitle: str | None
    course: str | None
    author: str | None
    language: str
    rights: str | None
    date: str
    description: str | None
    keywords: tuple[str, ...]
    labels: str
    paper: str
    documents: tuple[DocumentSpec, ...]
    parts: tuple[PartSpec, ...]
    glossary: tuple[GlossaryEntry, ...]
    people: tuple[Person, ...]
    timeline: tuple[TimelineEvent, ...]  # in the order written (the assembler sorts them by date)
    yaml: YamlText = field(repr=False, compare=False)

    def where(self, key_path: KeyPath) -> Location:
        """Where the value at a key path such as ``("parts", 2, "items", 0, "source", "from")`` is written."""
        return self.yaml.where(key_path)

    def where_key(self, key_path: KeyPath) -> Location:
        """Where the key at a key path is written."""
        return self.yaml.where_key(key_path)

    def document(self, document_id: str) -> DocumentSpec | None:
        """The document with this id, or None."""
        return next((d for d in self.documents if d.id == document_id), None)

    @property
    def sources(self) -> tuple[SourceSpec, ...]:
        """Every source item in pack order."""
        return tuple(i for p in self.parts for i in p.items if isinstance(i, SourceSpec))

    @property
    def questions(self) -> tuple[QuestionSpec, ...]:
        """Every question in pack order."""
        return tuple(q for p in self.parts for i in p.items if isinstance(i, WorksheetSpec) for q in i.questions)
