"""The shape pack.yaml must have, as a pydantic schema (see docs/pack-format.md).

Private to `studypack.manifest`: the typed `Manifest` and its ``*Spec`` classes
(entries.py) are the interface, and `load_manifest` builds them from a validated `Pack`.
Each field's type says how a mistake in it is worded (`yamlschema`); what
needs more than one value (ids, references, files) is `checks`'.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag

from .wording import quote
from .yamlschema import Text, Words, choice, invalid, whole_number

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_LANGUAGE = re.compile(
    r"[A-Za-z]{2,3}(-[A-Za-z]{3}){0,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?"
    r"(-([A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*(-[0-9A-WY-Za-wy-z](-[A-Za-z0-9]{2,8})+)*(-[Xx](-[A-Za-z0-9]{1,8})+)?"
)


def _identifier(value: str) -> str:
    if not _ID.fullmatch(value):
        example = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") or "source-1"
        raise invalid(f"{quote(value)} cannot be an id; use letters, digits, '-' and '_' (e.g. {quote(example)})")
    return value


def _iso_date(value: str) -> str:
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise invalid(f"expected a date written YYYY-MM-DD, got {quote(value)}")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise invalid(f"{quote(value)} is not a real date; check the month and the day") from None
    if not 1980 <= day.year <= 2107:
        # the EPUB is a ZIP file, whose entries carry this date: ZIP holds the years 1980 to 2107
        raise invalid(f"{quote(value)} cannot be stored in an EPUB, which holds dates from 1980 to 2107; give the pack's own date")
    return value


def _language(value: str) -> str:
    if not _LANGUAGE.fullmatch(value):
        fixed = value.replace("_", "-")
        hint = f" (did you mean {quote(fixed)}?)" if _LANGUAGE.fullmatch(fixed) else ""
        raise invalid(f"expected a language tag such as 'en-GB' or 'fr', got {quote(value)}{hint}")
    return value


def _listed(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _some(value: list) -> tuple:
    if not value:
        raise invalid("name at least one edition: 'student' or 'teacher'")
    return tuple(dict.fromkeys(value))


Id = Annotated[str, AfterValidator(_identifier)]
Editions = Annotated[list[choice("student", "teacher")], BeforeValidator(_listed), AfterValidator(_some)]


class _Strict(BaseModel):
    """Strict types, no unknown keys."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Span(_Strict):
    """A run of paragraphs: ``from`` and ``to`` words."""

    from_: Words = Field(alias="from")
    to: Words


class Correction(_Strict):
    """An entry of a document's ``corrections``."""

    find: Words
    replace: Text


class Document(_Strict):
    """An entry of ``documents``."""

    id: Id
    path: Words
    title: Text | None = None
    author: Text | None = None
    citation: Text | None = None
    rights: Text | None = None
    missing_notes: choice("omit", "keep", "mention") = "omit"
    corrections: list[Correction] | None = None
    quotations: list[Span] | None = None


class Passage(_Strict):
    """A ``source`` written as a passage of a document."""

    document: Words
    from_: Words = Field(alias="from")
    to: Words
    omit: list[Span] | None = None


def _source_form(value: Any) -> str | None:
    return "<ref>" if isinstance(value, str) else "<passage>" if isinstance(value, dict) else None


_SourceValue = Annotated[
    Annotated[Words, Tag("<ref>")] | Annotated[Passage, Tag("<passage>")],
    Discriminator(
        _source_form,
        custom_error_type="source_form",
        custom_error_message="expected a source such as 'corin#source-1' or a passage with document, from and to",
    ),
]


class Level(_Strict):
    """One level of a question's ``levels``."""

    level: Words
    marks: Words
    descriptor: Words


class Question(_Strict):
    """An entry of a worksheet's ``questions``."""

    id: Id | None = None
    text: Words
    marks: whole_number(1)
    lines: whole_number(0, 60) | None = None
    sources: list[Words] | None = None
    mark_scheme: Text | None = None
    indicative: list[Text] | None = None
    levels: list[Level] | None = None


class Worksheet(_Strict):
    """An item's ``worksheet``."""

    title: Text | None = None
    instructions: Text | None = None
    questions: Annotated[list[Question], Field(min_length=1)]


class Item(_Strict):
    """An entry of a part's ``items``: commentary, a source or a worksheet."""

    commentary: Words | None = None
    credit: Text | None = None
    source: _SourceValue | None = None
    id: Id | None = None
    title: Text | None = None
    intro: Text | None = None
    attribution: Text | None = None
    worksheet: Worksheet | None = None
    edition: Editions | None = None


class Part(Item):
    """An entry of ``parts``: a title and its items, or a title and one item written in place."""

    title: Words
    items: Annotated[list[Item], Field(min_length=1)] | None = None


class Glossary(_Strict):
    """An entry of ``glossary``."""

    term: Words
    definition: Words
    aliases: list[Words] | None = None


class Person(_Strict):
    """An entry of ``people``."""

    name: Words
    description: Words
    aliases: list[Words] | None = None


class Event(_Strict):
    """An entry of ``timeline``."""

    date: Words
    event: Words


class Pack(_Strict):
    """The whole of pack.yaml."""

    title: Words
    subtitle: Text | None = None
    course: Text | None = None
    author: Text | None = None
    language: Annotated[str, AfterValidator(_language)] = "en-GB"
    rights: Text | None = None
    date: Annotated[Text, AfterValidator(_iso_date)] = "2000-01-01"
    description: Text | None = None
    keywords: list[Text] | None = None
    labels: choice("letters", "numbers") = "letters"
    paper: choice("a4", "letter") = "a4"
    documents: list[Document]
    parts: Annotated[list[Part], Field(min_length=1)]
    glossary: list[Glossary] | None = None
    people: list[Person] | None = None
    timeline: list[Event] | None = None
