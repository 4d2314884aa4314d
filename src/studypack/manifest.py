"""pack.yaml -> a validated `Manifest`, with every problem reported at once.

`load_manifest` reads a pack's ``pack.yaml`` (see docs/pack-format.md), checks
its shape against a pydantic schema, then checks what needs the whole manifest
and the file system: ids, references between entries, the files it names.
Every problem is reported in one `ProblemsError`, as ``path:line:col: message``.
What needs the documents themselves (do the words of a ``from:`` occur?) is
left to the assembler.

Every entry keeps ``origin`` (where it begins in pack.yaml) and ``key_path``
(such as ``("parts", 2, "items", 0)``), so that a later message can stand at
any of its keys: ``manifest.where(item.key_path + ("source", "from"))``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag

from .errors import PackError, Problem, ProblemsError, SandboxError
from .model import Location
from .yamlpos import (
    KeyPath,
    Text,
    UnusablePath,
    Words,
    YamlText,
    as_text,
    choice,
    clean,
    describe,
    display_path,
    dotted,
    either,
    entries,
    file_inside,
    find_in_text,
    invalid,
    quote,
    read_yaml,
    suggest,
    validate,
    whole_number,
)

# --- what a manifest holds ----------------------------------------------------


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
class LevelSpec:
    """One level of a levels-based mark scheme."""

    level: str
    marks: str
    descriptor: str


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
    levels: tuple[LevelSpec, ...]
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
class GlossarySpec:
    """A term the pack defines."""

    term: str
    definition: str
    aliases: tuple[str, ...]
    origin: Location


@dataclass(frozen=True)
class PersonSpec:
    """Someone named in the pack."""

    name: str
    description: str
    aliases: tuple[str, ...]
    origin: Location


@dataclass(frozen=True)
class EventSpec:
    """A timeline entry, its date as the documents write it."""

    date: str
    event: str
    origin: Location


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
    glossary: tuple[GlossarySpec, ...]
    people: tuple[PersonSpec, ...]
    timeline: tuple[EventSpec, ...]
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


# --- the schema: the shape pack.yaml must have (private; the types above are the interface) ---

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
        date.fromisoformat(value)
    except ValueError:
        raise invalid(f"{quote(value)} is not a real date; check the month and the day") from None
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


class _Span(_Strict):
    from_: Words = Field(alias="from")
    to: Words


class _Correction(_Strict):
    find: Words
    replace: Text


class _Document(_Strict):
    id: Id
    path: Words
    title: Text | None = None
    author: Text | None = None
    citation: Text | None = None
    rights: Text | None = None
    missing_notes: choice("omit", "keep", "mention") = "omit"
    corrections: list[_Correction] | None = None
    quotations: list[_Span] | None = None


class _Passage(_Strict):
    document: Words
    from_: Words = Field(alias="from")
    to: Words
    omit: list[_Span] | None = None


def _source_form(value: Any) -> str | None:
    return "<ref>" if isinstance(value, str) else "<passage>" if isinstance(value, dict) else None


_SourceValue = Annotated[
    Annotated[Words, Tag("<ref>")] | Annotated[_Passage, Tag("<passage>")],
    Discriminator(
        _source_form,
        custom_error_type="source_form",
        custom_error_message="expected a source such as 'corin#source-1' or a passage with document, from and to",
    ),
]


class _Level(_Strict):
    level: Words
    marks: Words
    descriptor: Words


class _Question(_Strict):
    id: Id | None = None
    text: Words
    marks: whole_number(1)
    lines: whole_number(0, 60) | None = None
    sources: list[Words] | None = None
    mark_scheme: Text | None = None
    indicative: list[Text] | None = None
    levels: list[_Level] | None = None


class _Worksheet(_Strict):
    title: Text | None = None
    instructions: Text | None = None
    questions: Annotated[list[_Question], Field(min_length=1)]


class _Item(_Strict):
    commentary: Words | None = None
    credit: Text | None = None
    source: _SourceValue | None = None
    id: Id | None = None
    title: Text | None = None
    intro: Text | None = None
    attribution: Text | None = None
    worksheet: _Worksheet | None = None
    edition: Editions | None = None


class _Part(_Item):
    title: Words
    items: Annotated[list[_Item], Field(min_length=1)] | None = None


class _Glossary(_Strict):
    term: Words
    definition: Words
    aliases: list[Words] | None = None


class _Person(_Strict):
    name: Words
    description: Words
    aliases: list[Words] | None = None


class _Event(_Strict):
    date: Words
    event: Words


class _Pack(_Strict):
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
    documents: list[_Document]
    parts: Annotated[list[_Part], Field(min_length=1)]
    glossary: list[_Glossary] | None = None
    people: list[_Person] | None = None
    timeline: list[_Event] | None = None


# --- loading ------------------------------------------------------------------------


def load_manifest(pack_dir: Path, *, display_dir: str | None = None) -> Manifest:
    """Read and check ``pack_dir/pack.yaml``: a `Manifest`, or one ProblemsError listing every problem.

    ``display_dir`` is how messages name the pack folder (default: ``pack_dir`` as given).
    """
    pack_dir = Path(pack_dir)
    shown = str(pack_dir) if display_dir is None else display_dir
    path = display_path(shown, "pack.yaml")
    if not os.path.lexists(pack_dir / "pack.yaml"):
        raise PackError(f"no pack.yaml in {shown}", hint="give the folder of a pack, the one that holds pack.yaml")
    try:
        raw = file_inside(pack_dir, "pack.yaml").read_bytes()
    except UnusablePath as err:
        if err.outside:
            raise SandboxError(
                "this is a link to a file outside the pack folder; put the file itself in the pack", where=path
            ) from None
        raise PackError(err.message, where=path) from None
    except OSError as err:
        raise PackError(f"pack.yaml cannot be read ({err.strerror or err})", where=path) from None
    doc = read_yaml(raw, path)
    if doc.data is None:
        raise ProblemsError(
            [Problem(Location(path, 1, 1), "pack.yaml is empty; it needs at least 'title', 'documents' and 'parts'")]
        )
    if not isinstance(doc.data, dict):
        message = f"pack.yaml must hold keys such as 'title:' and 'parts:', got {describe(doc.data)}"
        raise ProblemsError([Problem(doc.where(()), message)])
    pack, problems = validate(_Pack, doc)
    checks = _Checks(doc, pack_dir, shown)
    problems = doc.problems + problems + checks.run()
    if problems:
        raise ProblemsError(sorted(problems, key=lambda p: _order(p, path)))
    return _Builder(doc, checks).manifest(pack, pack_dir)


def _order(problem: Problem, path: str) -> tuple:
    """pack.yaml's problems first, by position; then those in other files."""
    where = problem.where or Location(path)
    return (where.path != path, where.path, where.line or 0, where.column or 0)


# --- checks that need the whole manifest and the file system ------------------------

_KINDS = ("commentary", "source", "worksheet")
_KIND_KEYS = {
    "commentary": {"commentary", "credit", "edition"},
    "source": {"source", "id", "title", "intro", "attribution", "edition"},
    "worksheet": {"worksheet", "edition"},
}
_EXPECTED = {
    "items": "a list of items",
    "commentary": "Markdown or the path of a .md file",
    "source": "a source such as 'corin#source-1' or a passage",
    "worksheet": "a worksheet with instructions and questions",
}
_REFERENCE = re.compile(r"\[\[\s*([^\[\]\s][^\[\]\n]*?)\s*\]\]")
_BLOCK_REF = re.compile(r"([^#\s]+)#([^#\s]+)")


def _is_file(commentary: str) -> bool:
    """Commentary that is one line ending in ``.md`` names a file; anything else is Markdown."""
    return "\n" not in commentary.strip() and commentary.strip().lower().endswith(".md")


def _listed_in(mapping: dict, key: str) -> list:
    value = mapping.get(key)
    return value if isinstance(value, list) else []


class _Checks:
    """Kinds of parts and items, ids, references and files: what needs more than one value.

    Works on the raw data, so that it finds its problems even where the schema
    found others. What it works out (ids, files, commentary texts) the builder reuses.
    """

    def __init__(self, doc: YamlText, root: Path, shown: str):
        self.doc, self.root, self.shown = doc, root, shown
        self.problems: list[Problem] = []
        self.ids: dict[KeyPath, str] = {}
        self.files: dict[KeyPath, Path] = {}
        self.commentary: dict[KeyPath, tuple[str, str]] = {}
        self.sources: list[str] = []
        self.taken: dict[str, int | None] = {}

    def add(self, where: Location, message: str) -> None:
        self.problems.append(Problem(where, message))

    def at(self, keys: KeyPath, message: str) -> None:
        self.add(self.doc.where(keys), f"{dotted(keys)}: {message}")

    def run(self) -> list[Problem]:
        """Run every check; the problems found."""
        documents = self.documents(self.doc.data)
        items = list(self.items(self.doc.data))
        sheets = self.reserve(items)
        markdown: list[tuple[KeyPath, Any]] = []
        passages: dict[str, int] = {}
        for keys, item, kind in items:
            if kind == "source":
                self.source(keys, item, documents, passages)
                markdown.append((keys + ("intro",), item.get("intro")))
            elif kind == "commentary":
                markdown += self.commentary_text(keys, item["commentary"])
        questions = [
            (keys + ("worksheet", "questions", i), q) for keys, sheet in sheets for i, q in entries(sheet, "questions")
        ]
        for n, (keys, question) in enumerate(questions, 1):
            self.claim(keys, question.get("id"), f"q{n}", "question")
        markdown += [(keys + ("worksheet", "instructions"), sheet.get("instructions")) for keys, sheet in sheets]
        for keys, question in questions:
            markdown += [(keys + (key,), question.get(key)) for key in ("text", "mark_scheme")]
            markdown += [(keys + ("indicative", i), text) for i, text in enumerate(_listed_in(question, "indicative"))]
            for i, name in enumerate(map(as_text, _listed_in(question, "sources"))):
                if isinstance(name, str) and name not in self.sources:
                    message = f"question refers to unknown source {quote(name)}{suggest(name, self.sources)}"
                    self.add(self.doc.where(keys + ("sources", i)), message)
        for keys, text in markdown:
            if isinstance(text, str):  # numbers, taken as text, hold no references
                self.references(
                    text, self.doc.where(keys), lambda needle, after, k=keys: self.doc.find(k, needle, after)
                )
        for shown, text in self.commentary.values():
            self.references(
                text, Location(shown, 1, 1), lambda needle, after, s=shown, t=text: find_in_text(s, t, needle, after)
            )
        return self.problems

    def reserve(self, items: list[tuple[KeyPath, dict, str]]) -> list[tuple[KeyPath, dict]]:
        """Reserve the ids parts and worksheets get (``part-N``, ``worksheet-N``); the worksheets."""
        for i, _ in enumerate(_listed_in(self.doc.data, "parts")):
            self.taken.setdefault(f"part-{i + 1}", self.doc.where(("parts", i)).line)
        sheets = [(keys, item["worksheet"]) for keys, item, kind in items if kind == "worksheet"]
        sheets = [(keys, sheet) for keys, sheet in sheets if isinstance(sheet, dict)]
        for n, (keys, _) in enumerate(sheets, 1):
            self.ids[keys] = f"worksheet-{n}"
            self.taken.setdefault(f"worksheet-{n}", self.doc.where(keys).line)
        return sheets

    def documents(self, data: dict) -> list[str]:
        """Check document ids and files; the ids declared."""
        first: dict[str, int | None] = {}
        for i, document in entries(data, "documents"):
            ident, path = document.get("id"), as_text(document.get("path"))
            if isinstance(ident, str):
                line = self.doc.where(("documents", i, "id")).line
                if ident in first:
                    self.add(
                        self.doc.where(("documents", i, "id")),
                        f"document id {quote(ident)} is used twice (first at line {first[ident]})",
                    )
                first.setdefault(ident, line)
            if isinstance(path, str) and path.strip():
                target = self.pack_file(("documents", i, "path"), path)
                if target is not None:
                    self.files[("documents", i)] = target
        return list(first)

    def items(self, data: dict) -> Iterator[tuple[KeyPath, dict, str]]:
        """(key path, mapping, kind) for every item; a part written with one item is that item."""
        for p, part in entries(data, "parts"):
            kind = self.kind(("parts", p), part, ("items",) + _KINDS, "a part")
            if kind == "items":
                self.misplaced(("parts", p), part, "items")
                for i, item in entries(part, "items"):
                    item_kind = self.kind(("parts", p, "items", i), item, _KINDS, "an item")
                    if item_kind:
                        self.misplaced(("parts", p, "items", i), item, item_kind)
                        yield ("parts", p, "items", i), item, item_kind
            elif kind:
                self.misplaced(("parts", p), part, kind, part=True)
                yield ("parts", p), part, kind

    def kind(self, keys: KeyPath, entry: dict, kinds: tuple[str, ...], what: str) -> str | None:
        """The one kind key an entry has, or None after reporting why there is not exactly one."""
        present = [k for k in entry if k in kinds]
        if len(present) != 1:
            found = f"; it has {either(present).replace(' or ', ' and ')}" if present else ""
            where = self.doc.where_key(keys + (present[1],)) if len(present) > 1 else self.doc.where(keys)
            self.add(where, f"{dotted(keys)}: {what} needs exactly one of {either(kinds)}{found}")
            return None
        if entry[present[0]] is None:
            self.at(keys + (present[0],), f"expected {_EXPECTED[present[0]]}, got nothing")
            return None
        return present[0]

    def misplaced(self, keys: KeyPath, entry: dict, kind: str, part: bool = False) -> None:
        """Report known keys that do not go with this kind of entry."""
        allowed = (
            {"title", "edition", "items"} if kind == "items" else _KIND_KEYS[kind] | ({"title"} if part else set())
        )
        for key in entry:
            owners = tuple(k for k in _KINDS if key in _KIND_KEYS[k])
            if key in allowed or not owners:
                continue
            if kind == "items":
                why = f"'{key}' goes on an item under 'items', not on the part"
            else:
                why = f"'{key}' does not go with '{kind}' (it goes with {either(owners)})"
            self.add(self.doc.where_key(keys + (key,)), f"{dotted(keys + (key,))}: {why}")

    def source(self, keys: KeyPath, item: dict, documents: list[str], passages: dict[str, int]) -> None:
        """Check a source's reference or passage, and claim its id."""
        value, default = item["source"], None
        if isinstance(value, str):
            match = _BLOCK_REF.fullmatch(value.strip())
            if not match:
                message = "write a document id, '#' and a block id, e.g. 'corin#source-1'"
            elif match[1] not in documents:
                message = f"there is no document {quote(match[1])}{suggest(match[1], documents)}"
            else:
                message, default = "", f"{match[1]}-{match[2]}"
            if message:
                self.add(self.doc.where(keys + ("source",)), f"source {quote(value)}: {message}")
        elif isinstance(value, dict) and isinstance(as_text(value.get("document")), str):
            name = as_text(value["document"])
            passages[name] = passages.get(name, 0) + 1
            default = f"{name}-passage-{passages[name]}"
            if name not in documents:
                self.at(keys + ("source", "document"), f"there is no document {quote(name)}{suggest(name, documents)}")
        self.claim(keys, item.get("id"), default, "source")

    def claim(self, keys: KeyPath, explicit: Any, default: str | None, what: str) -> None:
        """Give the entry at `keys` its id (explicit, else the default), reporting ids used twice."""
        given = isinstance(explicit, str)
        ident = explicit if given else default
        if ident is None:
            return
        where = self.doc.where(keys + ("id",)) if given else self.doc.where(keys)
        self.ids[keys] = ident
        if what == "source":
            self.sources.append(ident)
        if ident not in self.taken:
            self.taken[ident] = where.line
        elif given:
            self.add(where, f"id {quote(ident)} is already used at line {self.taken[ident]}; choose another")
        else:
            line = self.taken[ident]
            self.add(
                where,
                f"this {what} gets the id {quote(ident)}, which is already used at line {line};"
                " give it an 'id' of its own",
            )

    def commentary_text(self, keys: KeyPath, value: Any) -> list[tuple[KeyPath, Any]]:
        """Inline commentary, to check for references; a .md file is read and kept instead."""
        if not isinstance(value, str) or not _is_file(value):
            return [(keys + ("commentary",), value)]
        relative = value.strip()
        target = self.pack_file(keys + ("commentary",), relative)
        if target is not None:
            try:
                self.commentary[keys] = (display_path(self.shown, relative), target.read_bytes().decode("utf-8-sig"))
            except UnicodeDecodeError:
                self.at(keys + ("commentary",), f"file {quote(relative)} is not UTF-8 text; save it as UTF-8")
            except OSError:
                self.at(keys + ("commentary",), f"file {quote(relative)} cannot be read")
        return []

    def pack_file(self, keys: KeyPath, relative: str) -> Path | None:
        """The file a path in the pack names, or None after reporting why it cannot be used."""
        try:
            return file_inside(self.root, relative)
        except UnusablePath as err:
            self.at(keys, err.message)
            return None

    def references(self, text: str, fallback: Location, locate: Any) -> None:
        """Report each ``[[id]]`` in Markdown that names no source, where it is written."""
        after = 0
        for match in _REFERENCE.finditer(text):
            where, found = fallback, locate(match[0], after)
            if found is not None:
                where, after = found
            if match[1] not in self.sources:
                self.add(where, f"[[{clean(match[1])}]] refers to an unknown source{suggest(match[1], self.sources)}")


# --- the typed manifest -----------------------------------------------------------------


class _Builder:
    """Turns the validated schema objects into the `Manifest`, with ids, files and positions."""

    def __init__(self, doc: YamlText, checks: _Checks):
        self.doc, self.checks, self.where = doc, checks, doc.where

    def manifest(self, pack: _Pack, root: Path) -> Manifest:
        where = self.where
        return Manifest(
            path=self.doc.path,
            root=root,
            title=pack.title,
            subtitle=pack.subtitle,
            course=pack.course,
            author=pack.author,
            language=pack.language,
            rights=pack.rights,
            date=pack.date,
            description=pack.description,
            keywords=tuple(pack.keywords or ()),
            labels=pack.labels,
            paper=pack.paper,
            documents=tuple(self.document(d, ("documents", i)) for i, d in enumerate(pack.documents)),
            parts=tuple(self.part(p, ("parts", i)) for i, p in enumerate(pack.parts)),
            glossary=tuple(
                GlossarySpec(g.term, g.definition, tuple(g.aliases or ()), where(("glossary", i)))
                for i, g in enumerate(pack.glossary or ())
            ),
            people=tuple(
                PersonSpec(p.name, p.description, tuple(p.aliases or ()), where(("people", i)))
                for i, p in enumerate(pack.people or ())
            ),
            timeline=tuple(
                EventSpec(e.date, e.event, where(("timeline", i))) for i, e in enumerate(pack.timeline or ())
            ),
            yaml=self.doc,
        )

    def spans(self, spans: list[_Span] | None, keys: KeyPath) -> tuple[Span, ...]:
        return tuple(Span(s.from_, s.to, self.where(keys + (i,)), keys + (i,)) for i, s in enumerate(spans or ()))

    def document(self, d: _Document, keys: KeyPath) -> DocumentSpec:
        fixes = keys + ("corrections",)
        corrections = tuple(
            CorrectionSpec(c.find, c.replace, self.where(fixes + (i,)), fixes + (i,))
            for i, c in enumerate(d.corrections or ())
        )
        quotations = self.spans(d.quotations, keys + ("quotations",))
        file = self.checks.files[keys]
        return DocumentSpec(
            d.id,
            d.path,
            file,
            d.title,
            d.author,
            d.citation,
            d.rights,
            d.missing_notes,
            corrections,
            quotations,
            self.where(keys),
            keys,
        )

    def part(self, p: _Part, keys: KeyPath) -> PartSpec:
        if p.items is not None:
            items = tuple(
                self.item(item, keys + ("items", i), item.edition or (), item.title) for i, item in enumerate(p.items)
            )
        else:
            items = (self.item(p, keys, (), None),)
        return PartSpec(f"part-{keys[-1] + 1}", p.title, items, p.edition or (), self.where(keys), keys)

    def item(self, item: _Item, keys: KeyPath, editions: tuple[str, ...], title: str | None) -> ItemSpec:
        """The item at `keys`; a part written with one item passes itself, with no title or editions of its own."""
        origin = self.where(keys)
        if item.commentary is not None:
            if keys in self.checks.commentary:
                shown, text = self.checks.commentary[keys]
                return CommentarySpec(
                    text, item.commentary.strip(), Location(shown, 1, 1), item.credit, editions, origin, keys
                )
            first = self.doc.first_line(keys + ("commentary",))
            return CommentarySpec(item.commentary, None, first, item.credit, editions, origin, keys)
        if item.source is not None:
            if isinstance(item.source, str):
                ref: BlockRef | PassageSpec = BlockRef(*item.source.strip().split("#"))
            else:
                s = item.source
                ref = PassageSpec(s.document, s.from_, s.to, self.spans(s.omit, keys + ("source", "omit")))
            return SourceSpec(self.checks.ids[keys], ref, title, item.intro, item.attribution, editions, origin, keys)
        sheet = item.worksheet
        questions = tuple(self.question(q, keys + ("worksheet", "questions", i)) for i, q in enumerate(sheet.questions))
        return WorksheetSpec(self.checks.ids[keys], sheet.title, sheet.instructions, questions, editions, origin, keys)

    def question(self, q: _Question, keys: KeyPath) -> QuestionSpec:
        levels = tuple(LevelSpec(v.level, v.marks, v.descriptor) for v in q.levels or ())
        lines = q.lines if q.lines is not None else min(60, max(4, 2 * q.marks))
        return QuestionSpec(
            self.checks.ids[keys],
            q.text,
            q.marks,
            lines,
            tuple(q.sources or ()),
            q.mark_scheme,
            tuple(q.indicative or ()),
            levels,
            self.where(keys),
            keys,
        )
