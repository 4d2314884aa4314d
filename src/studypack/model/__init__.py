"""The typed model of documents and packs.

Everything here is a frozen dataclass: no I/O, no Jinja, no knowledge of any
output format. Readers build `Document`s (`document.py`); the pack assembler
builds a `Pack` (`pack.py`) from a validated manifest and its documents;
writers only read these. Every name is exported here: ``from studypack.model
import Pack``.

Ids: every block of a document has a local id (``source-1``, ``p12``,
``the-lenin-levy``, ``q3``, ``note-star-1``); qualified by the document's id it
becomes the id a pack refers to (``corin#source-1``).
"""

from .document import (
    SOURCE_REFERENCE,
    Location,
    Text,
    NoteRef,
    Correction,
    Inline,
    plain_text,
    Paragraph,
    Heading,
    Quotation,
    SourceBlock,
    ListBlock,
    Table,
    SceneBreak,
    Omission,
    Block,
    Note,
    Section,
    DocumentInfo,
    Document,
)
from .pack import (
    Commentary,
    Line,
    Cells,
    ExtractBlock,
    Extract,
    block_runs,
    Level,
    Question,
    Worksheet,
    Item,
    Part,
    GlossaryEntry,
    Person,
    TimelineEvent,
    PackDocument,
    Pack,
)

__all__ = [
    "SOURCE_REFERENCE",
    "Location",
    "Text",
    "NoteRef",
    "Correction",
    "Inline",
    "plain_text",
    "Paragraph",
    "Heading",
    "Quotation",
    "SourceBlock",
    "ListBlock",
    "Table",
    "SceneBreak",
    "Omission",
    "Block",
    "Note",
    "Section",
    "DocumentInfo",
    "Document",
    "Commentary",
    "Line",
    "Cells",
    "ExtractBlock",
    "Extract",
    "block_runs",
    "Level",
    "Question",
    "Worksheet",
    "Item",
    "Part",
    "GlossaryEntry",
    "Person",
    "TimelineEvent",
    "PackDocument",
    "Pack",
]
