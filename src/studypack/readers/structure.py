"""From units to a `Document`: what both readers share once they have read their format.

A reader turns its text into units: what it found, before anything decides
what it is (`Para`, `Head`, `Label`, `Bullets`, `Rows`, `Break`, `Gap`,
`Quoted`, and the `NoteText` of notes). `assemble` walks them once and gives
every format the same ids, sections, SOURCE blocks, quotations (hinted by the
pack, marked by the document, or guessed after a lead-in) and notes.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from anyascii import anyascii

from ..errors import DocumentError
from ..model import (
    Document,
    DocumentInfo,
    Heading,
    ListBlock,
    Note,
    Omission,
    Paragraph,
    Quotation,
    SceneBreak,
    Section,
    SourceBlock,
    Table,
    Text,
)

from .quotations import CITATION_MAX, QUOTE_RUN, quoted_paragraph, split_citation
from .units import (
    BRACKET_NOTE,
    Break,
    Bullets,
    Head,
    Label,
    MARKER,
    NoteText,
    Para,
    Quoted,
    Rows,
    Unit,
    note_id,
    parenthesised,
    spans,
)

if TYPE_CHECKING:
    from .registry import ReaderHints

_ENDS_WITH_MARKER = re.compile(r"\[(?:\d{1,3}\*?|\*{1,3})\]$")
_TRAILING_MARKERS = re.compile(r"(?:\s*\[(?:\d{1,3}\*?|\*{1,3})\])+$")
_RESERVED = re.compile(r"^(?:intro|(?:p|q|list|table|break|gap)\d+|(?:source|note)-.*)$")
_QUOTE_LOOKAHEAD = 5  # paragraphs after a lead-in searched for the one ending with a marker
_SOURCE_LOOKAHEAD = 8  # paragraphs after a SOURCE line searched for the attribution
_SELF_CITED = 0.45  # this share of paragraphs ending with a note marker: the author cites their own sentences  # a parenthesised paragraph this short can end a quotation as its citation

def slug(text: str) -> str:
    """A heading's id: ASCII (transliterated, as every id: see assemble.slug), lower case,
    apostrophes dropped, every other run of non-letters a ``-``."""
    words = re.sub(r"[\'\u2018\u2019`]", "", anyascii(text).lower())
    return re.sub(r"[\W_]+", "-", words).strip("-") or "section"


class _Ids:
    """Numbered ids (``p1``, ``q1``) and unique ones (``source-1``, then ``source-1-2``)."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._used: set[str] = set()
        self._tried: dict[str, int] = {}

    def next(self, prefix: str) -> str:
        self._counts[prefix] = self._counts.get(prefix, 0) + 1
        return f"{prefix}{self._counts[prefix]}"

    def unique(self, base: str) -> str:
        # the next number to try is remembered per base: a thousand notes labelled "1" stay linear
        candidate, n = base, self._tried.get(base, 1)
        if n > 1:
            candidate = f"{base}-{n}"
        while candidate in self._used:
            n += 1
            candidate = f"{base}-{n}"
        self._tried[base] = n
        self._used.add(candidate)
        return candidate


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _resolve_hints(units: list[Unit], hints: ReaderHints | None, where: str) -> dict[int, int]:
    """Each hinted quotation as first unit index -> last unit index, or a DocumentError naming it."""
    paras = [(i, _collapse(u.text), u.line) for i, u in enumerate(units) if isinstance(u, Para)]
    ranges: dict[int, int] = {}
    for opening, closing in hints.quotations if hints else ():
        first, last = _collapse(opening), _collapse(closing)
        name = f"quotations hint “{opening}” … “{closing}”"
        if not first or not last:
            raise DocumentError(f"{name}: both the opening and the closing words are needed", where)
        starts = [(i, line) for i, text, line in paras if text.startswith(first)]
        ends = [(i, line) for i, text, line in paras
                if text.endswith(last) or _TRAILING_MARKERS.sub("", text).endswith(last)]
        if not starts:
            inside = [line for _, text, line in paras if first in text]
            detail = f" (the words are inside the paragraph at line {inside[0]})" if inside else ""
            raise DocumentError(f"{name}: no paragraph starts with “{opening}”{detail}", where)
        if not ends:
            raise DocumentError(f"{name}: no paragraph ends with “{closing}”", where)
        for found, what in ((starts, "start"), (ends, "end")):
            if len(found) > 1:
                lines = ", ".join(str(line) for _, line in found)
                raise DocumentError(
                    f"{name}: {len(found)} paragraphs {what} with these words (lines {lines}); "
                    "give more words", where)
        (start, start_line), (end, end_line) = starts[0], ends[0]
        if end < start:
            raise DocumentError(f"{name}: the closing words (line {end_line}) come before "
                                f"the opening words (line {start_line})", where)
        between = [u for u in units[start : end + 1] if not isinstance(u, Para)]
        if between:
            raise DocumentError(f"{name}: runs over a heading, SOURCE line or break "
                                f"(line {between[0].line}); a quotation is consecutive paragraphs",
                                where)
        if any(start <= other_end and other_start <= end for other_start, other_end in ranges.items()):
            raise DocumentError(f"{name}: overlaps another quotation hint", where)
        ranges[start] = end
    return ranges


_MASTHEAD_LINE = 12  # a line in a masthead (a site's or a book's name) has at most this many words
_SUBTITLE_LEVEL = 4
_SENTENCE_END = (".", "!", "?", ":", ";", "…")  # headings this deep right under a top-level title are its subtitle


def masthead(units: list[Unit], is_name) -> tuple[dict[str, str], list[Unit]]:
    """The headings above the text that name it (a page's author and book lines, then the title).

    The masthead is the leading run of headings, rules and short lines that are no
    sentence (a site's or an author's name), up to the
    first paragraph after a heading. Its title is its one top-level heading, unless
    a rule comes between it and a later heading (an author and book block, then the
    chapter): then, as without a top-level heading, its last heading. Headings
    before the title are the author (``is_name``) and the book; subtitles (level 4
    and deeper) right after it are the standfirst. Those headings leave the text;
    its lines and its other headings stay.
    A run with a single heading, and neither a rule nor a name line above it, is no masthead.
    Returns the fields found (none without a masthead) and the units left.
    """
    run, headed = 0, False
    while run < len(units):
        unit = units[run]
        if isinstance(unit, Para) and (headed or len(unit.text.split()) > _MASTHEAD_LINE
                                       or unit.text.rstrip().endswith(_SENTENCE_END) or MARKER.search(unit.text)):
            break
        if not isinstance(unit, (Head, Para, Break)):
            break
        headed = headed or isinstance(unit, Head)
        run += 1
    heads = [i for i in range(run) if isinstance(units[i], Head)]
    ruled = bool(heads) and any(isinstance(units[i], Break) for i in range(heads[-1]))
    # a short line over the first heading that is no sentence: an author's or a site's name
    lined = bool(heads) and any(isinstance(units[i], Para) for i in range(heads[0]))
    if len(heads) < 2 and not (ruled or lined):
        # one heading over the text is its first section's (or the reader's title already)
        return {}, units
    tops = [i for i in heads if units[i].level == 1]
    if len(tops) == 1 and not (ruled and heads[-1] > tops[0]):
        title = tops[0]
        subtitles = [i for i in heads if i > title and units[i].level >= _SUBTITLE_LEVEL]
    else:
        title, subtitles = heads[-1], []
    fields = {"title": units[title].text}
    before = [units[i].text for i in heads if i < title]
    if before and is_name(before[0]):
        fields["author"] = before.pop(0)
    if before:
        fields["book"] = ": ".join(before)
    if subtitles:
        fields["standfirst"] = " ".join(units[i].text for i in subtitles)
    drop = {i for i in heads if i <= title} | set(subtitles)
    return fields, [unit for i, unit in enumerate(units) if i not in drop]


def assemble(
    doc_id: str,
    path: str,
    info: DocumentInfo,
    units: list[Unit],
    notes: list[NoteText] | tuple[NoteText, ...] = (),
    hints: ReaderHints | None = None,
    *,
    lead_ins: bool = True,
) -> Document:
    """Units -> Document: ids, sections, SOURCE blocks, quotations (hinted, marked or guessed), notes.

    ``lead_ins``: guess quotations after paragraphs ending with a colon (plain text);
    Markdown marks its quotations itself.
    """
    return _Assembler(path, units, hints, lead_ins).document(doc_id, info, notes)


class _Assembler:
    """Walks the units once, building sections and giving every block its id in reading order."""

    def __init__(self, path: str, units: list[Unit], hints: ReaderHints | None, lead_ins: bool):
        self.path = path
        self.units = list(units)
        # where most paragraphs end with a note marker the author cites sentence by sentence (an
        # encyclopedia): a colon then says nothing about a quotation set apart, so none is guessed
        paras = [u for u in self.units if isinstance(u, Para)]
        cited = sum(1 for u in paras if _ENDS_WITH_MARKER.search(u.text.rstrip()))
        self.lead_ins = lead_ins and not (paras and cited >= _SELF_CITED * len(paras))
        self.hinted = _resolve_hints(self.units, hints, path)
        self.ids = _Ids()
        self.sections: list[Section] = []
        self.heading: Heading | None = None
        self.blocks: list = []
        self.stars = False
        self.remark = False

    def document(self, doc_id: str, info: DocumentInfo, notes) -> Document:
        if not notes and any(isinstance(u, Para) and u.marked is not None for u in self.units):
            notes = self._bracket_notes()
        self.stars = any(note.label and not note.label.strip("*") for note in notes)
        i = 0
        while i < len(self.units):
            i = self._step(i)
        self._close()
        body_notes = tuple(self._note(note) for note in notes)
        return Document(doc_id, self.path, info, tuple(self.sections), body_notes)

    def _step(self, i: int) -> int:
        unit = self.units[i]
        if isinstance(unit, Head):
            self._close()
            base = slug(unit.text)
            base = f"{base}-section" if _RESERVED.match(base) else base
            self.heading = Heading(self.ids.unique(base), unit.text, unit.level, unit.line)
        elif isinstance(unit, Label):
            return self._source(i)
        elif isinstance(unit, Quoted):
            return self._quoted(i)
        elif isinstance(unit, Para):
            return self._para(i)
        elif isinstance(unit, Bullets):
            items = unit.marked or tuple(spans(item) for item in unit.items)
            self.blocks.append(ListBlock(self.ids.next("list"), items, unit.line))
        elif isinstance(unit, Rows):
            self.blocks.append(Table(self.ids.next("table"), unit.rows, unit.line, unit.header))
        elif isinstance(unit, Break):
            self.blocks.append(SceneBreak(self.ids.next("break"), unit.line))
        else:
            self.blocks.append(Omission(self.ids.next("gap"), unit.line))
        return i + 1

    def _close(self) -> None:
        if self.heading is None and not self.blocks:
            return
        section_id = self.heading.id if self.heading else self.ids.unique("intro")
        self.sections.append(Section(section_id, self.heading, tuple(self.blocks)))
        self.heading, self.blocks = None, []

    def _bracket_notes(self) -> list[NoteText]:
        """Notes a format did not mark, written as ``[1] ...`` paragraphs closing the text (a Word
        file made from a web page): taken off the text, and the ``[1]`` in the text marked as theirs.
        Paragraphs between entries go on with the entry above."""
        starts = [i for i, u in enumerate(self.units) if isinstance(u, Para) and BRACKET_NOTE.match(u.text)]
        if len(starts) < 2 or any(not isinstance(u, Para) for u in self.units[starts[0]:]):
            return []
        notes: list[NoteText] = []
        for unit in self.units[starts[0]:]:
            match = BRACKET_NOTE.match(unit.text)
            if match:
                label, text = match.groups()
                notes.append(NoteText(label, (Para(text, unit.line, False),) if text.strip() else (), unit.line))
            else:
                last = notes[-1]
                notes[-1] = NoteText(last.label, (*last.paras, Para(unit.text, unit.line, False)), last.line)
        self.units = self.units[: starts[0]] + [
            Para(f"[{n.label}]", n.line, True, (Text(f"[{n.label}]"),)) for n in notes if not n.paras]
        self.remark = True
        return [n for n in notes if n.paras]

    def _paragraph(self, unit: Para) -> Paragraph:
        marked = unit.marked if unit.marked is not None else spans(unit.text, bare_stars=self.stars)
        if self.remark and unit.marked is not None:
            # the format marked no notes: the written [1] markers are them
            marked = tuple(part for span in marked for part in (
                spans(span.text) if isinstance(span, Text) else (span,)))
        return Paragraph(self.ids.next("p"), marked, unit.line)

    def _free(self, i: int) -> bool:
        """A paragraph no hint claims."""
        return i < len(self.units) and isinstance(self.units[i], Para) and i not in self.hinted

    def _is_citation(self, i: int) -> bool:
        return (self._free(i) and parenthesised(self.units[i].text)
                and len(self.units[i].text) <= CITATION_MAX)

    def _para(self, i: int) -> int:
        unit = self.units[i]
        if i in self.hinted:
            return self._quotation(i, self.hinted[i] + 1, certain=True)
        if quoted_paragraph(unit.text) is not None:
            return self._opening_quote(i)
        self.blocks.append(self._paragraph(unit))
        if self.lead_ins and unit.text.endswith(":"):
            extent = self._extent(i + 1)
            if extent is not None:
                return self._quotation(i + 1, *extent)
        return i + 1

    def _extent(self, start: int) -> tuple[int, bool] | None:
        """Where a quotation after a lead-in ends: (stop index, certain), or None if there is none."""
        if not self._free(start):
            return None
        text = self.units[start].text
        if text.endswith(":") or parenthesised(text):
            return None
        for j in range(start, min(len(self.units), start + _QUOTE_LOOKAHEAD)):
            if not self._free(j) or (j > start and self.units[j].text.endswith(":")):
                break
            if self._is_citation(j):
                return j, True
            if _ENDS_WITH_MARKER.search(self.units[j].text):
                return j + 1, True
        return start + 1, False

    def _opening_quote(self, start: int) -> int:
        """A quotation set as paragraphs that open with a quotation mark: it runs on while each
        paragraph opens one and the last did not close, and ends with a citation after its close."""
        j, cite, certain = start, None, False
        while True:
            closed, cite = quoted_paragraph(self.units[j].text)
            if closed or j + 1 - start >= QUOTE_RUN:
                certain = closed
                break
            nxt = j + 1
            if not (self._free(nxt) and quoted_paragraph(self.units[nxt].text) is not None):
                break
            j = nxt
        paras = [self._paragraph(u) for u in self.units[start:j]]
        last, citation = split_citation(self.units[j])
        paras.append(self._paragraph(last))
        stop = j + 1
        if citation is None and self._is_citation(stop):
            citation, stop, certain = self.units[stop].text, stop + 1, True
        self.blocks.append(Quotation(self.ids.next("q"), tuple(paras), citation, certain, self.units[start].line))
        return stop

    def _quotation(self, start: int, stop: int, certain: bool) -> int:
        paras = tuple(self._paragraph(u) for u in self.units[start:stop])
        citation = None
        if self._is_citation(stop):
            citation, stop, certain = self.units[stop].text, stop + 1, True
        line = self.units[start].line
        self.blocks.append(Quotation(self.ids.next("q"), paras, citation, certain, line))
        return stop

    def _quoted(self, i: int) -> int:
        unit = self.units[i]
        paras = list(unit.paras)
        citation = unit.citation
        if citation is None and len(paras) > 1 and parenthesised(paras[-1].text) and len(paras[-1].text) <= CITATION_MAX:
            citation = paras.pop().text
        stop = i + 1
        if citation is None and self._is_citation(stop):
            citation, stop = self.units[stop].text, stop + 1
        if citation is None and paras:
            paras[-1], citation = split_citation(paras[-1])
        body = tuple(self._paragraph(p) for p in paras)
        self.blocks.append(Quotation(self.ids.next("q"), body, citation, True, unit.line))
        return stop

    def _source(self, i: int) -> int:
        """A SOURCE line, its paragraphs, and the parenthesised attribution that ends it.

        Without an attribution within reach the block keeps only the first unit after the line.
        """
        label = self.units[i]
        found: list[tuple[int, tuple[Para, ...]]] = []
        attribution, stop, count, j = None, i + 1, 0, i + 1
        while j < len(self.units) and j not in self.hinted and count < _SOURCE_LOOKAHEAD:
            unit = self.units[j]
            if isinstance(unit, Para) and parenthesised(unit.text):
                attribution, stop = unit.text[1:-1], j + 1
                break
            if isinstance(unit, Para):
                found.append((j, (unit,)))
            elif isinstance(unit, Quoted) and unit.paras and parenthesised(unit.paras[-1].text):
                found.append((j, unit.paras[:-1]))
                attribution, stop = unit.paras[-1].text[1:-1], j + 1
                break
            elif isinstance(unit, Quoted):
                found.append((j, unit.paras))
            else:
                break
            count += len(found[-1][1])
            j += 1
        if attribution is None:
            found = found[:1]
            stop = found[0][0] + 1 if found else i + 1
        paras = tuple(self._paragraph(p) for _, group in found for p in group)
        source_id = self.ids.unique(f"source-{label.label.lower()}")
        self.blocks.append(SourceBlock(source_id, label.label, paras, attribution, label.line))
        return stop

    def _note(self, note: NoteText) -> Note:
        paras = tuple(self._paragraph(p) for p in note.paras)
        return Note(self.ids.unique(note.ident or note_id(note.label)), note.label, paras, note.line)
