"""pack.yaml -> a validated `Manifest`, with every problem reported at once.

`load_manifest` reads a pack's ``pack.yaml`` (see docs/pack-format.md), checks
its shape against a pydantic schema (`schema`), then checks what needs
the whole manifest and the file system: ids, references between entries, the
files it names (`checks`). Every problem is reported in one
`ProblemsError`, as ``path:line:col: message``. What needs the documents
themselves (do the words of a ``from:`` occur?) is left to the assembler.

Every entry keeps ``origin`` (where it begins in pack.yaml) and ``key_path``
(such as ``("parts", 2, "items", 0)``), so that a later message can stand at
any of its keys: ``manifest.where(item.key_path + ("source", "from"))``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from anyascii import anyascii

from ..errors import PackError, Problem, ProblemsError, SandboxError
from ..model import GlossaryEntry, Level, Location, Person, TimelineEvent
from . import schema
from .checks import Checks
from .entries import (
    BlockRef,
    CommentarySpec,
    CorrectionSpec,
    DocumentSpec,
    ItemSpec,
    Manifest,
    PartSpec,
    PassageSpec,
    QuestionSpec,
    SourceSpec,
    Span,
    WorksheetSpec,
)
from .packfiles import UnusablePath, display_path, file_inside
from .wording import describe
from .yamlpos import KeyPath, YamlText, read_yaml
from .yamlschema import validate

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
    pack, problems = validate(schema.Pack, doc)
    checks = Checks(doc, pack_dir, shown)
    problems = doc.problems + problems + checks.run()
    if problems:
        raise ProblemsError(sorted(problems, key=lambda p: _order(p, path)))
    return _Builder(doc, checks).manifest(pack, pack_dir)


def _order(problem: Problem, path: str) -> tuple:
    """pack.yaml's problems first, by position; then those in other files."""
    where = problem.where or Location(path)
    return (where.path != path, where.path, where.line or 0, where.column or 0)


# --- from the validated schema to the typed manifest ---------------------------


class _Builder:
    """Turns the validated schema objects into the `Manifest`, with ids, files and positions."""

    def __init__(self, doc: YamlText, checks: Checks):
        self.doc, self.checks, self.where = doc, checks, doc.where

    def manifest(self, pack: schema.Pack, root: Path) -> Manifest:
        """The whole manifest."""
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
            glossary=tuple(GlossaryEntry(slug(g.term), g.term, g.definition, tuple(g.aliases or ())) for g in pack.glossary or ()),
            people=tuple(Person(slug(p.name), p.name, p.description, tuple(p.aliases or ())) for p in pack.people or ()),
            timeline=tuple(TimelineEvent(e.date, e.event, date_sort_key(e.date)) for e in pack.timeline or ()),
            yaml=self.doc,
        )

    def spans(self, spans: list[schema.Span] | None, keys: KeyPath) -> tuple[Span, ...]:
        """The spans of a list at `keys` (a document's quotations, a passage's omissions)."""
        return tuple(Span(s.from_, s.to, self.where(keys + (i,)), keys + (i,)) for i, s in enumerate(spans or ()))

    def document(self, d: schema.Document, keys: KeyPath) -> DocumentSpec:
        """The document at `keys`, with the file the checks found for it."""
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

    def part(self, p: schema.Part, keys: KeyPath) -> PartSpec:
        """The part at `keys` (``part-N``) and its items."""
        if p.items is not None:
            items = tuple(
                self.item(item, keys + ("items", i), item.edition or (), item.title) for i, item in enumerate(p.items)
            )
        else:
            items = (self.item(p, keys, (), None),)
        return PartSpec(f"part-{keys[-1] + 1}", p.title, items, p.edition or (), self.where(keys), keys)

    def item(self, item: schema.Item, keys: KeyPath, editions: tuple[str, ...], title: str | None) -> ItemSpec:
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

    def question(self, q: schema.Question, keys: KeyPath) -> QuestionSpec:
        """The question at `keys`, with its id and its answer lines (by default two per mark, 4 to 60)."""
        levels = tuple(Level(v.level, v.marks, v.descriptor) for v in q.levels or ())
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


# --- ids and sort keys of the entries the model takes as they are -----------------------

MONTHS = {
    name: i
    for i, name in enumerate(
        "january february march april may june july august september october november december".split(), 1
    )
}


def date_sort_key(text: str) -> str:
    """An ISO-like key for dates written as in the documents: '21 January 1924', 'January 1924', '1926'."""
    words = re.findall(r"[A-Za-z]+|\d+", text)
    year = next((w for w in words if len(w) == 4 and w.isdigit()), "9999")
    month = next((MONTHS[w.lower()] for w in words if w.lower() in MONTHS), 0)
    day = next((int(w) for w in words if w.isdigit() and len(w) <= 2), 0)
    return f"{year}-{month:02d}-{day:02d}"


def slug(text: str) -> str:
    """An id made from a name: transliterated to ASCII, lower case, words joined by '-'.

    ASCII because an id becomes a PDF destination name, an EPUB fragment and a
    URL: non-ASCII names are encoded differently in each, and PDF readers do not
    agree on how such names sort in a name tree ('вождь' -> 'vozhd').
    """
    return re.sub(r"[^\w]+", "-", anyascii(text).lower()).strip("-") or "x"
