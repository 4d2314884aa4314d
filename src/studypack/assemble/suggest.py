"""Suggestions a teacher edits into pack.yaml: the dated sentences of a document, for `timeline:`.

`dated_sentences` reads a document as the reader understood it and finds
each sentence that carries a date written out ("15 October 1923",
"16-18 January 1924", "January 1924", "November-December 1923",
"23 December"), with the id of the block it stands in (``p12``; a source's
attribution line by the source's id, ``source-1``; a quotation's citation by
the quotation's, ``q3``). A sentence with several dates is suggested once,
under its first date that gives a year. Years alone ("in 1926") are left out
unless asked for: they are too often not events.

Nothing here decides what matters: the output is a starting point, printed
as YAML to paste under ``timeline:`` or as JSON for other tools.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from .. import model as m

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_M = rf"(?:{MONTHS})"
_D = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_AND = r"(?:\s*[-–]\s*|,\s*|\s+and\s+|\s+to\s+)"
_Y = r"(?:1\d{3}|20\d{2})(?![\d])"
_ONE = rf"(?:{_D}(?:{_AND}{_D})*\s+{_M}(?:,?\s+{_Y})?|{_M}\s+{_D},?\s+{_Y}|{_M}(?:{_AND}{_M})*\s+{_Y})"
DATE = re.compile(rf"(?<![\w-]){_ONE}(?:\s*[-–]\s*{_ONE})?(?![\w])")
YEAR = re.compile(rf"(?<![\w-]){_Y}(?:\s*[-–]\s*\d{{2,4}})?(?![\w])")
YEAR_IN = re.compile(_Y)

# Words before a full stop that does not end a sentence.
ABBREVIATIONS = frozenset("mr mrs ms dr st no nos pp p vol vols cf ed eds ca c fig col cols art arts ch".split())
NOTE_MARKER = re.compile(r"\s*\[\d+\*?\]")


@dataclass(frozen=True)
class DatedSentence:
    """A sentence of a document with a date in it, and where it stands."""

    date: str  # the first date of the sentence that gives a year, as written
    event: str  # the sentence, note markers and enclosing brackets taken off
    block: str  # the id of its paragraph (or source, quotation, heading, list, table)
    line: int
    other_dates: tuple[str, ...] = ()
    where: str = "paragraph"  # paragraph | attribution | citation | heading | note | list | table
    year_before: str | None = None  # where the date has no year: the last year the document gave before it

    @property
    def year_given(self) -> bool:
        return bool(YEAR_IN.search(self.date))


def sentences(text: str) -> list[str]:
    """A text cut into sentences, each stripped: at . ! ? or … and space before a capital, a digit or an opening quote."""
    out, start = [], 0
    for end in re.finditer(r"([.!?…]+)[’'”\")\]]*\s+(?=[‘“\"'(\[]*[A-Z0-9])", text):
        before = text[start : end.start()].split()
        if end.group(1) == "." and before and _abbreviation(before[-1].lstrip("‘“\"'([")):
            continue
        out.append(text[start : end.end()].strip())
        start = end.end()
    if text[start:].strip():
        out.append(text[start:].strip())
    return out


def _abbreviation(word: str) -> bool:
    return word.lower() in ABBREVIATIONS or bool(re.fullmatch(r"(?:[A-Z]\.)*[A-Z]", word))  # initials: E.H., J


def tidy(sentence: str) -> str:
    """A sentence as a timeline event: note markers off, whitespace collapsed, a bracketed line unbracketed."""
    text = " ".join(NOTE_MARKER.sub("", sentence).split())
    if text.startswith("(") and text.endswith((")", ").")) and text.count("(") == 1:
        text = text[1:].rstrip(".")[:-1].strip()
        if not text.endswith((".", "!", "?")):
            text += "."
    return text


def _texts(doc: m.Document):
    """(text, block id, line, where) of everything a date may be in, in reading order."""
    for block in doc.blocks:
        if isinstance(block, m.Paragraph):
            yield block.text, block.id, block.line, "paragraph"
        elif isinstance(block, m.Heading):
            yield block.text, block.id, block.line, "heading"
        elif isinstance(block, (m.Quotation, m.SourceBlock)):
            for p in block.paragraphs:
                yield p.text, p.id, p.line, "paragraph"
            extra = block.citation if isinstance(block, m.Quotation) else block.attribution
            if extra:
                where = "citation" if isinstance(block, m.Quotation) else "attribution"
                yield extra, block.id, block.line, where
        elif isinstance(block, m.ListBlock):
            for item in block.items:
                yield m.plain_text(item), block.id, block.line, "list"
        elif isinstance(block, m.Table):
            for row in block.rows:
                yield " – ".join(row), block.id, block.line, "table"
    for note in doc.notes:
        for p in note.paragraphs:
            yield p.text, p.id, p.line, "note"


def dated_sentences(doc: m.Document, *, years: bool = False) -> list[DatedSentence]:
    """The sentences of a document that have a date in them, in reading order (``years``: a year alone will do)."""
    out = []
    last_year = None
    for text, block, line, where in _texts(doc):
        for sentence in sentences(text):
            dates = [" ".join(d.group().split()) for d in DATE.finditer(sentence)]
            if not dates and years:
                dates = [d.group() for d in YEAR.finditer(sentence)]
            if dates:
                main = next((d for d in dates if YEAR_IN.search(d)), dates[0])
                others = tuple(d for d in dict.fromkeys(dates) if d != main)
                before = None if YEAR_IN.search(main) else last_year
                out.append(DatedSentence(main, tidy(sentence), block, line, others, where, before))
            for date in dates:
                last_year = (YEAR_IN.findall(date) or [last_year])[-1]
    return out


def timeline_yaml(found: list[DatedSentence], source: str) -> str:
    """The suggestions as YAML to paste under ``timeline:`` in pack.yaml, each with a comment saying where it is."""
    lines = [
        f"# Dated sentences in {source}: a starting point for the pack's timeline.",
        "# Keep the events that matter, shorten each to a line, and give every date its year.",
        "timeline:",
    ]
    if not found:
        lines.append("  []  # no dated sentences found")
    for s in found:
        notes = [s.block if s.where in ("paragraph", "heading") else f"{s.block} ({s.where})", f"line {s.line}"]
        if not s.year_given:
            notes.append("no year given: add it" + (f" (the year before it is {s.year_before})" if s.year_before else ""))
        if s.other_dates:
            notes.append("also " + "; ".join(s.other_dates))
        lines.append(f"  # {', '.join(notes)}")
        lines.append(f"  - date: {_yaml_string(s.date)}")
        lines.append(f"    event: {_yaml_string(s.event)}")
    return "\n".join(lines) + "\n"


def timeline_json(found: list[DatedSentence], source: str) -> dict:
    """The suggestions as a stable JSON structure."""
    return {
        "schema": "studypack.suggest-timeline/1",
        "document": source,
        "timeline": [
            {
                "date": s.date,
                "event": s.event,
                "block": s.block,
                "where": s.where,
                "line": s.line,
                "year_given": s.year_given,
                "other_dates": list(s.other_dates),
                "year_before": s.year_before,
            }
            for s in found
        ],
    }


def _yaml_string(text: str) -> str:
    # A JSON string is a YAML 1.2 double-quoted scalar.
    return json.dumps(text, ensure_ascii=False)
