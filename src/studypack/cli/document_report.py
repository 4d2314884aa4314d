"""What the reader made of a document, for a teacher to check (``studypack inspect DOCUMENT``).

`document_report` is the human-readable listing; `document_json` the same facts
as a stable JSON structure (schema ``studypack.inspect/1``, documented in
docs/documents.md). Both only read the model.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import (
    Document,
    Inline,
    ListBlock,
    NoteRef,
    Omission,
    Paragraph,
    Quotation,
    SceneBreak,
    SourceBlock,
    Table,
    plain_text,
)

SCHEMA = "studypack.inspect/1"


def _opening(text: str, words: int = 8) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def _closing(text: str, words: int = 6) -> str:
    parts = text.split()
    return ("… " if len(parts) > words else "") + " ".join(parts[-words:])


def _spans_in_order(doc: Document) -> Iterator[tuple[str, tuple[Inline, ...]]]:
    """(id of the paragraph or list, its spans) for all running text, in reading order, notes last."""
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            yield block.id, block.spans
        elif isinstance(block, (Quotation, SourceBlock)):
            for para in block.paragraphs:
                yield para.id, para.spans
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield block.id, item
    for note in doc.notes:
        for para in note.paragraphs:
            yield para.id, para.spans


def _notes(doc: Document) -> list[dict]:
    """Every note the document mentions or has: markers first, in reading order, then unreferenced texts."""
    entries: dict[str, dict] = {}
    for owner, spans in _spans_in_order(doc):
        for span in spans:
            if isinstance(span, NoteRef):
                entry = entries.setdefault(
                    span.note_id, {"id": span.note_id, "label": span.label, "referenced_from": []}
                )
                entry["referenced_from"].append(owner)
    for note in doc.notes:
        entries.setdefault(note.id, {"id": note.id, "label": note.label, "referenced_from": []})
    for entry in entries.values():
        note = doc.note(entry["id"])
        entry["has_text"] = note is not None
        entry["line"] = note.line if note else None
        entry["paragraphs"] = [_paragraph(p) for p in note.paragraphs] if note else []
    return list(entries.values())


def _paragraph(para: Paragraph) -> dict:
    return {"id": para.id, "line": para.line, "text": para.text}


def _block(block) -> dict:
    """One block as JSON: a ``type`` and its fields."""
    if isinstance(block, Paragraph):
        return {"type": "paragraph", **_paragraph(block)}
    base = {"id": block.id, "line": block.line}
    if isinstance(block, Quotation):
        return {"type": "quotation", **base, "certain": block.certain, "citation": block.citation,
                "paragraphs": [_paragraph(p) for p in block.paragraphs]}
    if isinstance(block, SourceBlock):
        return {"type": "source", **base, "label": block.label, "attribution": block.attribution,
                "paragraphs": [_paragraph(p) for p in block.paragraphs]}
    if isinstance(block, ListBlock):
        return {"type": "list", **base, "items": [plain_text(item) for item in block.items]}
    if isinstance(block, Table):
        return {"type": "table", **base, "rows": [list(row) for row in block.rows]}
    if isinstance(block, SceneBreak):
        return {"type": "break", **base}
    return {"type": "omission", **base}


def document_json(doc: Document) -> dict:
    """The model of a document as plain JSON data (schema ``studypack.inspect/1``)."""
    sections = [
        {
            "id": section.id,
            "heading": None if section.heading is None else {
                "text": section.heading.text, "level": section.heading.level,
                "line": section.heading.line},
            "blocks": [_block(block) for block in section.blocks],
        }
        for section in doc.sections
    ]
    notes = _notes(doc)
    blocks = [block for section in doc.sections for block in section.blocks]
    return {
        "schema": SCHEMA,
        "id": doc.id,
        "path": doc.path,
        "info": {"title": doc.info.title, "author": doc.info.author, "book": doc.info.book,
                 "standfirst": doc.info.standfirst},
        "sections": sections,
        "notes": notes,
        "left_out": list(doc.left_out),
        "counts": {
            "sections": len(doc.sections),
            "paragraphs": _paragraph_count(doc),
            "sources": sum(isinstance(b, SourceBlock) for b in blocks),
            "quotations": sum(isinstance(b, Quotation) for b in blocks),
            "uncertain_quotations": sum(isinstance(b, Quotation) and not b.certain for b in blocks),
            "notes_with_text": sum(n["has_text"] for n in notes),
            "notes_without_text": sum(not n["has_text"] for n in notes),
            "omissions": sum(isinstance(b, Omission) for b in blocks),
        },
    }


def _paragraph_count(doc: Document) -> int:
    count = sum(len(note.paragraphs) for note in doc.notes)
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            count += 1
        elif isinstance(block, (Quotation, SourceBlock)):
            count += len(block.paragraphs)
    return count


def _span_of(paragraphs: list[dict]) -> str:
    if not paragraphs:
        return "no paragraphs"
    first, last = paragraphs[0]["id"], paragraphs[-1]["id"]
    count = f"{len(paragraphs)} paragraph{'s' if len(paragraphs) != 1 else ''}"
    return f"{count} ({first})" if first == last else f"{count} ({first}–{last})"


def document_report(doc: Document) -> str:
    """A listing of what the reader found, each element with its id and line, for checking by eye."""
    data = document_json(doc)
    blocks = [b for s in data["sections"] for b in s["blocks"]]
    out = [f"Document {doc.id} ({doc.path})"]
    for key in ("title", "author", "book", "standfirst"):
        value = data["info"][key]
        out.append(f"  {key:<11} {'–' if value is None else '“' + _opening(value, 12) + '”'}")

    out += ["", f"Sections ({len(data['sections'])})"]
    for section in data["sections"]:
        heading = section["heading"]
        where = f"line {heading['line']}, “{heading['text']}”" if heading else "(before the first heading)"
        out.append(f"  {section['id']}  {where}  {len(section['blocks'])} blocks")

    sources = [b for b in blocks if b["type"] == "source"]
    out += ["", f"Sources ({len(sources)})"]
    for source in sources:
        out.append(f"  {source['id']}  SOURCE {source['label']}  line {source['line']}  "
                   f"{_span_of(source['paragraphs'])}")
        if source["paragraphs"]:
            out.append(f"      “{_opening(source['paragraphs'][0]['text'])}”")
        attribution = source["attribution"]
        out.append(f"      attribution: {'none found' if attribution is None else attribution}")

    quotations = [b for b in blocks if b["type"] == "quotation"]
    out += ["", f"Quotations ({len(quotations)})"]
    for quote in quotations:
        end = "end certain" if quote["certain"] else "END GUESSED: check it, or add a quotations: hint"
        out.append(f"  {quote['id']}  line {quote['line']}  {_span_of(quote['paragraphs'])}  {end}")
        if quote["paragraphs"]:
            out.append(f"      “{_opening(quote['paragraphs'][0]['text'])}” "
                       f"to “{_closing(quote['paragraphs'][-1]['text'])}”")
        if quote["citation"]:
            out.append(f"      citation: {quote['citation']}")

    with_text = [n for n in data["notes"] if n["has_text"]]
    without = [n for n in data["notes"] if not n["has_text"]]
    out += ["", f"Notes with text ({len(with_text)})"]
    for note in with_text:
        first = note["paragraphs"][0]["text"] if note["paragraphs"] else ""
        used = ", ".join(note["referenced_from"])
        used = f"marker in {used}" if used else "no marker refers to it"
        out.append(f"  {note['id']}  [{note['label']}]  line {note['line']}  {used}")
        out.append(f"      “{_opening(first)}”")
    out.append(f"Note markers without text ({len(without)})")
    for note in without:
        out.append(f"  {note['id']}  [{note['label']}]  in {', '.join(note['referenced_from'])}")

    others, after = [], "the start"
    for block in blocks:
        if block["type"] in ("omission", "list", "table", "break"):
            others.append(f"  {block['id']}  {block['type']}  line {block['line']}  after {after}")
        ids = [p["id"] for p in block.get("paragraphs", [])] or [block["id"]]
        after = ids[-1]
    out += ["", f"Omissions, lists, tables, breaks ({len(others)})", *others]
    out += ["", f"Left out of the file, not part of the document ({len(doc.left_out)})"]
    out += [f"  {line}" for line in doc.left_out]
    counts = data["counts"]
    out += ["", f"{counts['paragraphs']} paragraphs, {counts['quotations']} quotations "
            f"({counts['uncertain_quotations']} with a guessed end), {counts['sources']} sources"]
    return "\n".join(out) + "\n"
