"""A validated manifest + its documents -> the `Pack` the writers print.

Reads each document once (with the pack's quotation hints), applies the
pack's corrections, cuts every source out of its document (quote fidelity:
the words must be there, once), labels the sources across the pack, numbers
the questions, and collects every problem before failing.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from .. import model as m
from ..errors import Problem, ProblemsError, StudypackError
from ..manifest import entries as mf
from ..manifest.load import load_manifest
from ..readers import ReaderHints, read_document
from .passages import (
    OMISSION_MARK,
    NotFound,
    correct,
    describe_unprintable,
    find_passage,
    leave_out,
    printed_blocks,
    unprintable,
)

# How many ids a message lists before it says how many more there are.
IDS_LISTED = 40

def load_pack(pack_dir: Path) -> m.Pack:
    """Read, check and assemble the pack in ``pack_dir``; ProblemsError lists everything wrong."""
    manifest = load_manifest(pack_dir)
    return Assembler(manifest).pack()


class Assembler:
    """Turns one manifest into a Pack, gathering problems instead of stopping at the first."""

    def __init__(self, manifest: mf.Manifest):
        self.manifest = manifest
        self.problems: list[Problem] = []
        self.documents: dict[str, m.PackDocument] = {}
        # Each document as printed blocks (corrections applied), and the blocks each id names.
        self.printed: dict[str, tuple[list[m.ExtractBlock], dict[str, tuple[int, int]]]] = {}

    def fail(self, where: m.Location | None, message: str) -> None:
        self.problems.append(Problem(where, message))

    def pack(self) -> m.Pack:
        man = self.manifest
        for spec in man.documents:
            self._read(spec)
        labels = label_sequence(man.labels)
        parts, number = [], 0
        for part in man.parts:
            items = []
            for item in part.items:
                if isinstance(item, mf.SourceSpec):
                    extract = self._extract(item, next(labels))
                    if extract is not None:
                        items.append(extract)
                elif isinstance(item, mf.CommentarySpec):
                    items.append(m.Commentary(item.markdown, item.markdown_origin, item.credit, item.editions))
                else:
                    worksheet = self._worksheet(item, number)
                    number += len(worksheet.questions)
                    items.append(worksheet)
            parts.append(m.Part(part.id, part.title, tuple(items), part.editions))
        if self.problems:
            raise ProblemsError(sorted(self.problems, key=_order))
        return m.Pack(
            name=man.root.resolve().name,
            root=str(man.root),
            title=man.title,
            subtitle=man.subtitle,
            course=man.course,
            author=man.author,
            language=man.language,
            rights=man.rights,
            date=man.date,
            labels=man.labels,
            paper=man.paper,
            documents=tuple(self.documents[d.id] for d in man.documents if d.id in self.documents),
            parts=tuple(parts),
            glossary=tuple(sorted(man.glossary, key=lambda g: g.term.casefold())),
            people=man.people,
            timeline=tuple(sorted(man.timeline, key=lambda e: e.sort_key)),
            description=man.description,
            keywords=tuple(man.keywords),
        )

    # --- documents ------------------------------------------------------

    def _read(self, spec: mf.DocumentSpec) -> None:
        display = _display(self.manifest, spec.path)
        hints = ReaderHints(quotations=tuple((q.from_, q.to) for q in spec.quotations))
        try:
            doc = read_document(spec.file, spec.id, display_path=display, hints=hints)
        except StudypackError as exc:
            where = m.Location(exc.where) if isinstance(exc.where, str) else exc.where
            self.fail(where or self.manifest.where(spec.key_path + ("path",)), exc.message)
            return
        blocks, ranges = printed_blocks(doc)
        notes = doc.notes
        for fix in spec.corrections:
            try:
                blocks, notes = correct(blocks, notes, fix.find, fix.replace)
            except NotFound as exc:
                self.fail(self.manifest.where(fix.key_path + ("find",)), f"{exc.message} ({display})")
        doc = replace(doc, notes=notes)
        self.printed[spec.id] = (blocks, ranges)
        info = doc.info
        if spec.title or spec.author:
            info = replace(info, title=spec.title or info.title, author=spec.author or info.author)
            doc = replace(doc, info=info)
        self.documents[spec.id] = m.PackDocument(doc, spec.rights, spec.citation, spec.missing_notes)

    # --- sources --------------------------------------------------------

    def _extract(self, spec: mf.SourceSpec, label: str) -> m.Extract | None:
        ref = spec.ref
        pdoc = self.documents.get(ref.document)
        if pdoc is None:
            return None  # the document could not be read: already reported
        doc = pdoc.document
        display = doc.path
        blocks, ranges = self.printed[ref.document]
        attribution = None
        try:
            if isinstance(ref, mf.PassageSpec):
                chosen = find_passage(blocks, ref.from_, ref.to)
            else:
                chosen, attribution = named_blocks(doc, blocks, ranges, ref.block)
        except NotFound as exc:
            key = "from" if "opening" in exc.message else "to"
            self.fail(self.manifest.where(spec.key_path + ("source", key)), f"{exc.message} ({display})")
            return None
        except KeyError:
            self.fail(
                self.manifest.where(spec.key_path + ("source",)),
                f"'{ref}' names nothing in {display}; {known_ids(nameable_ids(doc, ranges))} (see studypack inspect)",
            )
            return None
        if isinstance(ref, mf.PassageSpec):
            for omission in ref.omit:
                try:
                    chosen = leave_out(chosen, omission.from_, omission.to)
                except NotFound as exc:
                    self.fail(omission.origin, f"{exc.message} (in the extract from {display})")
        for block in unprintable(chosen):
            # No word is lost silently: a block no format can print stops the build here.
            self.fail(self.manifest.where(spec.key_path + ("source",)), f"{describe_unprintable(block)} ({display})")
        notes = notes_referred(doc, chosen)
        # Quotations inside an extract of the author's own words are set off;
        # an extract that is all quotation is simply the source.
        quoted = quoted_ids(doc)
        words = [b for b in chosen if m.block_runs(b)]
        if all(b.id in quoted or (isinstance(b, m.Paragraph) and b.text == OMISSION_MARK) for b in words):
            quoted = set()
        return m.Extract(
            id=spec.id,
            label=label,
            document_id=doc.id,
            blocks=tuple(chosen),
            attribution=spec.attribution or attribution,
            intro=spec.intro,
            title=spec.title,
            notes=notes,
            origin=spec.origin,
            editions=spec.editions,
            quoted=tuple(b.id for b in chosen if b.id in quoted),
        )

    # --- worksheets -----------------------------------------------------

    def _worksheet(self, spec: mf.WorksheetSpec, before: int) -> m.Worksheet:
        questions = tuple(
            m.Question(
                id=q.id,
                number=before + i,
                text=q.text,
                marks=q.marks,
                lines=q.lines,
                sources=tuple(q.sources),
                mark_scheme=q.mark_scheme,
                indicative=tuple(q.indicative),
                levels=tuple(q.levels),
                origin=q.origin,
            )
            for i, q in enumerate(spec.questions, 1)
        )
        return m.Worksheet(spec.id, spec.title, spec.instructions, questions, spec.editions)


def named_blocks(
    doc: m.Document, blocks: list[m.ExtractBlock], ranges: dict[str, tuple[int, int]], block_id: str
) -> tuple[list[m.ExtractBlock], str | None]:
    """The printed blocks (and attribution) an id names: a SOURCE block, section, paragraph,
    quotation, table, list…; KeyError for an id the document does not have."""
    first, stop = ranges[block_id]
    attribution = None
    for block in doc.blocks:
        if block.id == block_id and isinstance(block, m.SourceBlock):
            attribution = block.attribution
        elif block.id == block_id and isinstance(block, m.Quotation):
            attribution = block.citation
    return list(blocks[first:stop]), attribution


def nameable_ids(doc: m.Document, ranges: dict[str, tuple[int, int]]) -> list[str]:
    """The ids a pack can name in a document: sources, sections, quotations, tables and lists first, then the rest."""
    kinds = (m.SourceBlock, m.Quotation, m.Table, m.ListBlock)
    first = [b.id for kind in kinds[:1] for b in doc.blocks if isinstance(b, kind)]
    first += [s.id for s in doc.sections]
    first += [b.id for kind in kinds[1:] for b in doc.blocks if isinstance(b, kind)]
    first = [i for i in dict.fromkeys(first) if i in ranges]
    listed = set(first)
    return first + [i for i in ranges if i not in listed]


def known_ids(ids: list[str]) -> str:
    """What a message says of the ids a document has: all of them, or the first ones and how many more."""
    if not ids:
        return "it has no ids a source can name"
    if len(ids) <= IDS_LISTED:
        return f"it has: {', '.join(ids)}"
    return f"it has: {', '.join(ids[:IDS_LISTED])} and {len(ids) - IDS_LISTED} more"


def quoted_ids(doc: m.Document) -> set[str]:
    """The ids of the printed blocks the document sets as quotations (paragraphs and citations)."""
    quotes = [b for b in doc.blocks if isinstance(b, m.Quotation)]
    return {p.id for q in quotes for p in q.paragraphs} | {f"{q.id}-citation" for q in quotes if q.citation}


def notes_referred(doc: m.Document, blocks: list[m.ExtractBlock]) -> tuple[m.Note, ...]:
    """The notes with text that these blocks refer to, in order of first reference."""
    seen: dict[str, m.Note] = {}
    for run in (run for b in blocks for run in m.block_runs(b)):
        for span in run:
            if isinstance(span, m.NoteRef) and span.note_id not in seen:
                note = doc.note(span.note_id)
                if note is not None:
                    seen[span.note_id] = note
    return tuple(seen.values())


def label_sequence(style: str):
    """Source labels in order: A, B, … Z, AA, AB, … or 1, 2, 3, …"""
    n = 0
    while True:
        n += 1
        if style == "numbers":
            yield str(n)
            continue
        label, k = "", n
        while k:
            k, r = divmod(k - 1, 26)
            label = chr(65 + r) + label
        yield label


def plural(n: int, word: str) -> str:
    """'1 source', '2 sources'."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def _display(manifest: mf.Manifest, path: str) -> str:
    """How messages name a file of the pack: beside pack.yaml, as the user named the pack."""
    return str(Path(manifest.path).parent / path)


def _order(problem: Problem) -> tuple:
    where = problem.where
    return (str(where.path) if where else "", (where.line or 0) if where else 0, (where.column or 0) if where else 0)


def check_packs(pack_dirs: list[Path]) -> list[str]:
    """Check every pack (manifest, documents, sources); one line per pack, or all problems at once."""
    lines, problems = [], []
    for pack_dir in pack_dirs:
        if not Path(pack_dir).is_dir():
            problems.append(Problem(m.Location(str(pack_dir)), "no such pack folder"))
            continue
        try:
            pack = load_pack(pack_dir)
        except ProblemsError as exc:
            problems.extend(exc.problems)
        except StudypackError as exc:
            problems.append(Problem(exc.where, exc.message))
        else:
            questions = sum(len(i.questions) for p in pack.parts for i in p.items if isinstance(i, m.Worksheet))
            counts = ", ".join(
                plural(n, word)
                for n, word in [(len(pack.documents), "document"), (len(pack.extracts), "source"), (questions, "question")]
            )
            lines.append(f"{pack_dir}: ok ({counts})")
    if problems:
        raise ProblemsError(problems)
    return lines


def describe_packs(pack_dirs: list[Path]) -> str:
    """What `studypack list` prints: each pack's title, documents and the sources it uses."""
    out = []
    for pack_dir in pack_dirs:
        try:
            pack = load_pack(pack_dir)
        except StudypackError as exc:
            out.append(f"{pack_dir}: cannot be read: {exc.format_message().splitlines()[0]}")
            continue
        out.append(f"{pack.name}: {pack.title}" + (f" ({pack.subtitle})" if pack.subtitle else ""))
        for pdoc in pack.documents:
            doc = pdoc.document
            out.append(f"  document {doc.id}: {doc.path}" + (f" ({doc.info.title})" if doc.info.title else ""))
        for e in pack.extracts:
            attribution = f": {e.attribution}" if e.attribution else ""
            out.append(f"  {e.display_label} [{e.id}] from {e.document_id}{attribution}")
    return "\n".join(out)
