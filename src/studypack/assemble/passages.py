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


# --- the document as printed blocks -------------------------------------------


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


# The kinds of block a source prints (templates/source-block.html); any other is reported, never dropped.
PRINTABLE = (m.Paragraph, m.Line, m.ListBlock, m.Cells, m.SceneBreak, m.Omission)


def unprintable(blocks: list) -> list:
    """The blocks among these that no source can print: a kind of block studypack has no printed form for."""
    return [b for b in blocks if not isinstance(b, PRINTABLE)]


def describe_unprintable(block) -> str:
    """What `check` says of a block no source can print."""
    return (
        f"{type(block).__name__.lower()} {getattr(block, 'id', '?')} (line {getattr(block, 'line', 0)}) "
        "cannot be printed in a source (pdf, html, epub): studypack has no printed form for it; "
        "choose a range without it, or leave it out with omit:"
    )


def _words(text: str | None) -> tuple[m.Inline, ...]:
    return (m.Text(text),) if text else ()


def printed_blocks(doc: m.Document) -> tuple[list[m.ExtractBlock], dict[str, tuple[int, int]]]:
    """Every block of the document as a source prints it, and each id a pack can name -> its blocks.

    The range of an id is ``(first, stop)`` into the list. A SOURCE block's or a
    quotation's range holds its paragraphs only: its label, attribution and
    citation stand in the list for passages that run across it. A block of a kind
    no source can print stands in the list as it is (see `unprintable`).
    """
    out: list[m.ExtractBlock] = []
    ranges: dict[str, tuple[int, int]] = {}
    for section in doc.sections:
        if section.heading is not None:
            h = section.heading
            out.append(m.Line(h.id, "heading", _words(h.text), h.line, h.level))
        body = len(out)
        for block in section.blocks:
            _add_block(block, out, ranges)
        ranges.setdefault(section.id, (body, len(out)))
        if section.heading is not None and section.heading.id != section.id:
            ranges.setdefault(section.heading.id, (body, len(out)))
    return out, ranges


def _add_block(block: m.Block, out: list[m.ExtractBlock], ranges: dict[str, tuple[int, int]]) -> None:
    if isinstance(block, m.SourceBlock):
        out.append(m.Line(f"{block.id}-label", "label", _words(f"Source {block.label}"), block.line))
        _add_paragraphs(block, out, ranges)
        if block.attribution:
            out.append(m.Line(f"{block.id}-attribution", "attribution", _words(f"({block.attribution})"), block.line))
    elif isinstance(block, m.Quotation):
        _add_paragraphs(block, out, ranges)
        if block.citation:
            out.append(m.Line(f"{block.id}-citation", "citation", _words(block.citation), block.line))
    elif isinstance(block, m.Table):
        rows = tuple(tuple(_words(cell) for cell in row) for row in block.rows)
        ranges[block.id] = (len(out), len(out) + 1)
        out.append(m.Cells(block.id, rows, True, block.line))
    elif isinstance(block, m.Heading):
        ranges[block.id] = (len(out), len(out) + 1)
        out.append(m.Line(block.id, "heading", _words(block.text), block.line, block.level))
    else:
        ranges[block.id] = (len(out), len(out) + 1)
        out.append(block)


def _add_paragraphs(block: m.SourceBlock | m.Quotation, out: list[m.ExtractBlock], ranges: dict) -> None:
    """A SOURCE block's or quotation's paragraphs, each nameable by its id, the block by its own."""
    start = len(out)
    for p in block.paragraphs:
        ranges[p.id] = (len(out), len(out) + 1)
        out.append(p)
    ranges[block.id] = (start, len(out))


def _with_runs(block: m.ExtractBlock, runs: list[tuple[m.Inline, ...]]) -> m.ExtractBlock | None:
    """The block with its runs of words replaced (in order), or None where no words are left."""
    if isinstance(block, (m.Paragraph, m.Line)):
        return replace(block, spans=runs[0]) if runs[0] else None
    if isinstance(block, m.ListBlock):
        items = tuple(item for item in runs if item)
        return replace(block, items=items) if items else None
    if isinstance(block, m.Cells):
        width, it, rows, header = [len(r) for r in block.rows], iter(runs), [], False
        for index, size in enumerate(width):
            row = tuple(next(it) for _ in range(size))
            if any(row):
                header = header or (index == 0 and block.header)
                rows.append(row)
        return replace(block, rows=tuple(rows), header=header) if rows else None
    return block


class FlatText:
    """Printed blocks as one text (each run of words a paragraph of it), with the offset of every run."""

    SEP = "\n\n"

    def __init__(self, blocks: list[m.ExtractBlock]):
        self.blocks = blocks
        self.runs: list[tuple[int, tuple[m.Inline, ...]]] = []  # (block index, spans)
        for index, block in enumerate(blocks):
            self.runs.extend((index, run) for run in m.block_runs(block))
        self.offsets: list[int] = []
        texts, pos = [], 0
        for _, run in self.runs:
            text = m.plain_text(run)
            self.offsets.append(pos)
            texts.append(text)
            pos += len(text) + len(self.SEP)
        self.text = self.SEP.join(texts)

    def index_at(self, offset: int) -> int:
        """The index of the run that holds ``offset``."""
        lo = 0
        for i, start in enumerate(self.offsets):
            if start <= offset:
                lo = i
            else:
                break
        return lo

    def rebuild(self, runs: list[tuple[m.Inline, ...]], keep) -> list[m.ExtractBlock]:
        """The blocks with new runs (one per run of this text), keeping blocks without words in ``keep``."""
        out, k = [], 0
        for index, block in enumerate(self.blocks):
            count = len(m.block_runs(block))
            if count == 0:
                if index in keep:
                    out.append(block)
                continue
            new = _with_runs(block, runs[k : k + count])
            k += count
            if new is not None:
                out.append(new)
        return out

    def cut(self, start: int, end: int) -> list[m.ExtractBlock]:
        """The blocks (cut to size) covering [start, end): cells and items outside it left empty."""
        first, last = self.index_at(start), self.index_at(max(start, end - 1))
        runs: list[tuple[m.Inline, ...]] = []
        for i, (_, spans) in enumerate(self.runs):
            if i < first or i > last:
                runs.append(())
                continue
            lo = max(0, start - self.offsets[i])
            hi = min(len(m.plain_text(spans)), end - self.offsets[i])
            if i == last:
                hi = _trailing_markers_end(spans, hi)
            runs.append(_strip_edges(slice_spans(spans, lo, hi)))
        keep = range(self.runs[first][0], self.runs[last][0]) if self.runs else range(0)
        return self.rebuild(runs, keep)


def _strip_edges(spans: tuple[m.Inline, ...]) -> tuple[m.Inline, ...]:
    items = list(spans)
    if items and isinstance(items[0], m.Text):
        items[0] = m.Text(items[0].text.lstrip())
    if items and isinstance(items[-1], m.Text):
        items[-1] = m.Text(items[-1].text.rstrip())
    return tuple(s for s in items if not (isinstance(s, m.Text) and not s.text))


def find_passage(
    source: m.Document | list[m.ExtractBlock], opening: str, closing: str
) -> list[m.ExtractBlock]:
    """The printed blocks (of a document, or of its printed blocks) from ``opening`` to the end of
    ``closing``; NotFound if either is not unique."""
    blocks = printed_blocks(source)[0] if isinstance(source, m.Document) else source
    flat = FlatText(blocks)
    start = locate_once(flat.text, opening, "opening")
    end_at = locate_once(flat.text, closing, "closing", start)
    return flat.cut(start, end_at + len(closing))


def leave_out(blocks: list[m.ExtractBlock], opening: str, closing: str) -> list[m.ExtractBlock]:
    """The blocks with the words from ``opening`` to ``closing`` replaced by […] (blocks wholly inside dropped)."""
    flat = FlatText(blocks)
    start = locate_once(flat.text, opening, "omitted opening")
    end = locate_once(flat.text, closing, "omitted closing", start) + len(closing)
    first, last = flat.index_at(start), flat.index_at(end - 1)
    mark = m.Text(OMISSION_MARK)
    runs: list[tuple[m.Inline, ...]] = []
    for i, (_, spans) in enumerate(flat.runs):
        if i < first or i > last:
            runs.append(spans)
            continue
        head = _strip_edges(slice_spans(spans, 0, start - flat.offsets[i])) if i == first else ()
        tail = _strip_edges(slice_spans(spans, end - flat.offsets[i], len(m.plain_text(spans)))) if i == last else ()
        if i == first == last:
            runs.append(_strip_edges((*head, m.Text(" "), mark, m.Text(" "), *tail)))
        elif i == first:
            # The mark ends what is kept before the omission, or stands where it starts when
            # nothing is kept on either side (a table row left out: the mark in its first cell).
            runs.append((*head, m.Text(" "), mark) if head else (mark,) if not _has_tail(flat, last, end) else ())
        elif i == last:
            runs.append(tail if runs[first] else _strip_edges((mark, m.Text(" "), *tail)))
        else:
            runs.append(())
    first_block, last_block = flat.runs[first][0], flat.runs[last][0]
    keep = [k for k in range(len(blocks)) if not first_block < k < last_block]
    return flat.rebuild(runs, keep)


def _has_tail(flat: FlatText, last: int, end: int) -> bool:
    spans = flat.runs[last][1]
    return bool(_strip_edges(slice_spans(spans, end - flat.offsets[last], len(m.plain_text(spans)))))


def correct(
    blocks: list[m.ExtractBlock], notes: tuple[m.Note, ...], find: str, replacement: str
) -> tuple[list[m.ExtractBlock], tuple[m.Note, ...]]:
    """The blocks and notes with the one occurrence of ``find`` marked as corrected to ``replacement``.

    ``find`` may stand in any run of words: a paragraph, a heading, a list item,
    a table cell, a note."""
    flat = FlatText(blocks)
    note_runs = [p.spans for n in notes for p in n.paragraphs]
    every = [spans for _, spans in flat.runs] + note_runs
    hits = [(k, offset) for k, spans in enumerate(every) for offset in _occurrences(m.plain_text(spans), find)]
    if len(hits) != 1:
        if hits:
            raise NotFound(f"the correction '{find}' occurs {len(hits)} times; add words to make it unique")
        # A match across paragraphs or nothing at all: say what is nearest.
        close = nearest("\n".join(m.plain_text(spans) for spans in every), find)
        hint = f"; nearest: '{close}'" if close else ""
        raise NotFound(f"the correction '{find}' does not occur in the document{hint}")
    k, offset = hits[0]
    spans = every[k]
    fixed = (
        *slice_spans(spans, 0, offset),
        m.Correction(find, replacement),
        *slice_spans(spans, offset + len(find), len(m.plain_text(spans))),
    )
    every[k] = tuple(s for s in fixed if not (isinstance(s, m.Text) and not s.text))
    body = flat.rebuild(every[: len(flat.runs)], range(len(blocks)))
    it = iter(every[len(flat.runs) :])
    notes = tuple(replace(n, paragraphs=tuple(replace(p, spans=next(it)) for p in n.paragraphs)) for n in notes)
    return body, notes
