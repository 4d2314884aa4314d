"""What an EPUB says about itself: identifier, dates, creators, accessibility.

Everything here is derived from the pack, never from the clock or chance, so a
rebuild of an unchanged pack gives the same package document byte for byte:

- the identifier is a name-based UUID (uuid5) of the pack's name and title,
  and of the edition and variant, because a reading system files two books
  with one identifier as one book (a teacher who loads both editions onto a
  Kobo would otherwise see one replace the other);
- ``dcterms:modified`` is SOURCE_DATE_EPOCH where it is set, else midnight
  (UTC) of the pack's date.

The accessibility metadata claims only what the book has: page navigation
only when the book has a page list, the visual access mode and alternative
text only when it has a cover image. It claims no conformance to a standard
and names no certifier: studypack checks its sample books with DAISY Ace
(tests/test_ace.py), but a pack's own content (its images, its commentary)
is the teacher's, and only a person or an accessibility checker run on the
finished book can certify it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timezone

from ... import model as m
from ...errors import PackError
from .. import source_date

# The namespace of every studypack book identifier (a fixed name-based UUID).
BOOK_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:studypack:book")


def book_identifier(pack: m.Pack, edition: str, variant: str = "standard") -> str:
    """The book's unique identifier: a urn:uuid derived from the pack, stable across builds."""
    name = [pack.name, pack.title, edition]
    if variant != "standard":
        name.append(variant)
    return f"urn:uuid:{uuid.uuid5(BOOK_NAMESPACE, chr(10).join(name))}"


def modified_time(pack: m.Pack) -> datetime:
    """When the book was last modified: SOURCE_DATE_EPOCH if set, else the pack's date at midnight UTC."""
    moment = source_date()
    if moment is not None:
        return moment
    try:
        day = date.fromisoformat(pack.date)
    except ValueError:
        raise PackError(f"the pack's date '{pack.date}' is not a YYYY-MM-DD date", where="pack.yaml") from None
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Person:
    """A name in the book's metadata: a creator or a contributor, with an id unique in the package."""

    element: str  # "creator" | "contributor"
    id: str
    name: str
    role: str | None = None


def people(pack: m.Pack) -> list[Person]:
    """The pack's author as creator (compiler), the documents' authors as contributors.

    Where the pack names no author, the documents' authors are the creators.
    Every entry gets its own id (ebooklib would give each creator the same one).
    """
    doc_authors: list[str] = []
    for pdoc in pack.documents:
        author = pdoc.document.info.author
        if author and author not in doc_authors and author != pack.author:
            doc_authors.append(author)
    if pack.author:
        out = [Person("creator", "creator-1", pack.author, "com")]
        out += [Person("contributor", f"contributor-{i}", a) for i, a in enumerate(doc_authors, 1)]
        return out
    return [Person("creator", f"creator-{i}", a, "aut") for i, a in enumerate(doc_authors, 1)]


def subjects(pack: m.Pack) -> list[str]:
    """The book's subjects: the pack's keywords, else its course."""
    if pack.keywords:
        return list(pack.keywords)
    return [pack.course] if pack.course else []


@dataclass(frozen=True)
class Features:
    """What the finished book has, so that its accessibility metadata claims nothing more."""

    page_list: bool
    cover: bool
    footnotes: bool


def accessibility(features: Features) -> list[tuple[str, str]]:
    """The schema.org and conformance metadata of the book, as (property, value) pairs."""
    modes = ["textual", *(["visual"] if features.cover else [])]
    feats = ["structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability"]
    if features.cover:
        feats.append("alternativeText")
    if features.page_list:
        feats += ["pageBreakMarkers", "pageNavigation"]
    out = [("schema:accessMode", mode) for mode in modes]
    out.append(("schema:accessModeSufficient", "textual"))
    out += [("schema:accessibilityFeature", f) for f in dict.fromkeys(feats)]
    out.append(("schema:accessibilityHazard", "none"))
    out.append(("schema:accessibilitySummary", summary(features)))
    return out


def summary(features: Features) -> str:
    """A sentence or three a reader can read before opening the book."""
    parts = [
        "This study pack is reflowable text with headings, a table of contents and a logical reading order;"
        " it does not set fonts or colours, so the reader's own settings apply."
    ]
    if features.footnotes:
        parts.append("Footnotes are linked from the text and link back to it.")
    if features.page_list:
        parts.append("Page break markers and a page list match the page numbers of the printed handout.")
    if features.cover:
        parts.append("The cover image repeats the title page and has a text alternative.")
    return " ".join(parts)
