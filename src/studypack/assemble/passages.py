"""Finding a pack's words in a document: passages, corrections, omissions.

This is the quote-fidelity check. A pack names a passage by its opening and
closing words, a correction by the words it corrects, an omission by the
words it leaves out; each must stand in the document word for word, exactly
once, or the build stops and says where the nearest match is.

Offsets are into the document's own text (note markers as written, slips
uncorrected), so what a teacher copies from the document is what matches.
"""

from __future__ import annotations

import difflib
from dataclasses import replace

from .. import model as m

OMISSION_MARK = "[…]"


class NotFound(Exception):
    """The words occur no times or more than once; ``message`` says which and the nearest match."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _occurrences(haystack: str, needle: str, start: int = 0) -> list[int]:
    found, i = [], haystack.find(needle, start)
    while i >= 0:
        found.append(i)
        i = haystack.find(needle, i + 1)
    return found


def nearest(haystack: str, needle: str) -> str | None:
    """The run of words in ``haystack`` most like ``needle`` (for error messages)."""
    words = haystack.split()
    size = max(1, len(needle.split()))
    if not words:
        return None
    windows = {" ".join(words[i : i + size]) for i in range(0, max(1, len(words) - size + 1))}
    close = difflib.get_close_matches(" ".join(needle.split()), list(windows), n=1, cutoff=0.5)
    return close[0] if close else None


def locate_once(haystack: str, needle: str, what: str, start: int = 0) -> int:
    """The offset of the one occurrence of ``needle`` at or after ``start``; NotFound otherwise."""
    if not needle.strip():
        raise NotFound(f"the {what} words are empty")
    found = _occurrences(haystack, needle, start)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise NotFound(
            f"the {what} words '{needle}' occur {len(found)} times; add words to make them unique"
        )
    close = nearest(haystack[start:], needle)
    hint = f"; nearest: '{close}'" if close else ""
    return_where = " after the opening words" if start else ""
    raise NotFound(f"the {what} words '{needle}' do not occur in the document{return_where}{hint}")


# --- spans ------------------------------------------------------------------


def _span_text(span: m.Inline) -> str:
    if isinstance(span, m.Text):
        return span.text
    if isinstance(span, m.NoteRef):
        return span.marker
    return span.original


def slice_spans(spans: tuple[m.Inline, ...], start: int, end: int) -> tuple[m.Inline, ...]:
    """The spans covering original-text offsets [start, end); text runs are cut, markers kept whole."""
    out: list[m.Inline] = []
    pos = 0
    for span in spans:
        text = _span_text(span)
        s, e = pos, pos + len(text)
        pos = e
        if e <= start or s >= end:
            continue
        if isinstance(span, m.Text):
            out.append(m.Text(text[max(start, s) - s : min(end, e) - s]))
        elif s >= start and e <= end:
            out.append(span)
        elif isinstance(span, m.Correction):
            # A cut through a corrected slip keeps the whole correction.
            out.append(span)
    return tuple(out)


def _trailing_markers_end(spans: tuple[m.Inline, ...], end: int) -> int:
    """Move a cut at ``end`` past the note markers (and spaces) that directly follow it."""
    bounds, pos = [], 0
    for span in spans:
        size = len(_span_text(span))
        bounds.append((pos, pos + size, span))
        pos += size
    full = "".join(_span_text(span) for span in spans)
    moved = True
    while moved:
        moved = False
        for s, e, span in bounds:
            if isinstance(span, m.NoteRef) and s >= end and not full[end:s].strip():
                end, moved = e, True
                break
    return end


# --- the document as one text ----------------------------------------------


class FlatText:
    """A run of paragraphs as one text, with each paragraph's offset, for searching."""

    SEP = "\n\n"

    def __init__(self, paragraphs: list[m.Paragraph]):
        self.paragraphs = paragraphs
        self.offsets: list[int] = []
        texts, pos = [], 0
        for p in paragraphs:
            self.offsets.append(pos)
            texts.append(p.text)
            pos += len(p.text) + len(self.SEP)
        self.text = self.SEP.join(texts)

    def index_at(self, offset: int) -> int:
        """The index of the paragraph that holds ``offset``."""
        lo = 0
        for i, start in enumerate(self.offsets):
            if start <= offset:
                lo = i
            else:
                break
        return lo

    def cut(self, start: int, end: int) -> list[m.Paragraph]:
        """The paragraphs (cut to size) covering [start, end)."""
        first, last = self.index_at(start), self.index_at(max(start, end - 1))
        out = []
        for i in range(first, last + 1):
            p = self.paragraphs[i]
            lo = max(0, start - self.offsets[i])
            hi = min(len(p.text), end - self.offsets[i])
            if i == last:
                hi = _trailing_markers_end(p.spans, hi)
            spans = slice_spans(p.spans, lo, hi)
            if spans:
                out.append(replace(p, spans=_strip_edges(spans)))
        return out


def _strip_edges(spans: tuple[m.Inline, ...]) -> tuple[m.Inline, ...]:
    items = list(spans)
    if items and isinstance(items[0], m.Text):
        items[0] = m.Text(items[0].text.lstrip())
    if items and isinstance(items[-1], m.Text):
        items[-1] = m.Text(items[-1].text.rstrip())
    return tuple(s for s in items if not (isinstance(s, m.Text) and not s.text))


def paragraphs_of(blocks) -> list[m.Paragraph]:
    """The paragraphs of some blocks in reading order (those inside sources and quotations included)."""
    out: list[m.Paragraph] = []
    for block in blocks:
        if isinstance(block, m.Paragraph):
            out.append(block)
        elif isinstance(block, (m.Quotation, m.SourceBlock)):
            out.extend(block.paragraphs)
    return out


def document_paragraphs(doc: m.Document) -> list[m.Paragraph]:
    """Every paragraph of a document in reading order (sources and quotations included, notes not)."""
    return paragraphs_of(doc.blocks)


def find_passage(doc: m.Document, opening: str, closing: str) -> list[m.Paragraph]:
    """The paragraphs from ``opening`` to the end of ``closing``; NotFound if either is not unique."""
    flat = FlatText(document_paragraphs(doc))
    start = locate_once(flat.text, opening, "opening")
    end_at = locate_once(flat.text, closing, "closing", start)
    return flat.cut(start, end_at + len(closing))


def leave_out(paragraphs: list[m.Paragraph], opening: str, closing: str) -> list[m.Paragraph]:
    """The paragraphs with the words from ``opening`` to ``closing`` replaced by […]."""
    flat = FlatText(paragraphs)
    start = locate_once(flat.text, opening, "omitted opening")
    end = locate_once(flat.text, closing, "omitted closing", start) + len(closing)
    first, last = flat.index_at(start), flat.index_at(end - 1)
    out = list(paragraphs[:first])
    before = paragraphs[first]
    head = _strip_edges(slice_spans(before.spans, 0, start - flat.offsets[first]))
    after = paragraphs[last]
    tail = _strip_edges(slice_spans(after.spans, end - flat.offsets[last], len(after.text)))
    mark = m.Text(OMISSION_MARK)
    if first == last:
        joined = (*head, m.Text(" ") if head else m.Text(""), mark, m.Text(" ") if tail else m.Text(""), *tail)
        out.append(replace(before, spans=_strip_edges(joined)))
    else:
        if head:
            out.append(replace(before, spans=(*head, m.Text(" "), mark)))
            if tail:
                out.append(replace(after, spans=tail))
        else:
            out.append(replace(after, spans=_strip_edges((mark, m.Text(" "), *tail))))
    out.extend(paragraphs[last + 1 :])
    return out


def correct(doc: m.Document, find: str, replacement: str) -> m.Document:
    """The document with the one occurrence of ``find`` marked as corrected to ``replacement``."""
    hits = []
    for p in _all_paragraphs(doc):
        for offset in _occurrences(p.text, find):
            hits.append((p, offset))
    if len(hits) != 1:
        if hits:
            raise NotFound(f"the correction '{find}' occurs {len(hits)} times; add words to make it unique")
        # A match across paragraphs or nothing at all: say what is nearest.
        close = nearest("\n".join(p.text for p in _all_paragraphs(doc)), find)
        hint = f"; nearest: '{close}'" if close else ""
        raise NotFound(f"the correction '{find}' does not occur in the document{hint}")
    target, offset = hits[0]
    spans = target.spans
    new_spans = (
        *slice_spans(spans, 0, offset),
        m.Correction(find, replacement),
        *slice_spans(spans, offset + len(find), len(target.text)),
    )
    fixed = replace(target, spans=tuple(s for s in new_spans if not (isinstance(s, m.Text) and not s.text)))
    return _replace_paragraph(doc, target, fixed)


def _all_paragraphs(doc: m.Document) -> list[m.Paragraph]:
    return document_paragraphs(doc) + [p for n in doc.notes for p in n.paragraphs]


def _replace_paragraph(doc: m.Document, old: m.Paragraph, new: m.Paragraph) -> m.Document:
    def fix(p: m.Paragraph) -> m.Paragraph:
        return new if p is old else p

    def fix_block(b: m.Block) -> m.Block:
        if isinstance(b, m.Paragraph):
            return fix(b)
        if isinstance(b, (m.Quotation, m.SourceBlock)):
            return replace(b, paragraphs=tuple(fix(p) for p in b.paragraphs))
        return b

    sections = tuple(replace(s, blocks=tuple(fix_block(b) for b in s.blocks)) for s in doc.sections)
    notes = tuple(replace(n, paragraphs=tuple(fix(p) for p in n.paragraphs)) for n in doc.notes)
    return replace(doc, sections=sections, notes=notes)
