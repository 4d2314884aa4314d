"""The plain-text reader: the conventions of the sample documents and their usual variants.

Reading goes: lines -> the notes at the end split off -> chunks (runs of
non-empty lines) -> units (paragraphs, SOURCE lines, bullets, tables, breaks,
gaps) -> the opening lines as `DocumentInfo` -> headings -> `assemble`.
Paragraphs are one per line, or hard-wrapped and joined until a blank line:
the document's own lines decide (`_hard_wrapped`).
"""

from __future__ import annotations

import re

from ..model import Document, DocumentInfo, Text
from .registry import ReaderHints, register
from .text_tables import grid_table, simple_table, tab_table
from .structure import assemble
from .units import BRACKET_NOTE, MARKER, Break, Bullets, Gap, Head, Label, NoteText, Para, Unit, parenthesised

SOURCE_LINE = re.compile(r"^(?:SOURCE|Source)\s+(\d{1,3}[a-z]?|[A-Z])$")
NOTE_START = re.compile(r"^(\d{1,3}\*?)\.\s+(\S.*)$", re.S)
STAR_NOTE_START = re.compile(r"^(\d{1,3}\*)\.\s+(\S.*)$", re.S)
NOTES_HEADING = re.compile(r"^(?:notes|footnotes|endnotes)$", re.IGNORECASE)
_BREAK_LINE = re.compile(r"^([*-])(?:[ \t]*\1){2,}$")
_BULLET_LINE = re.compile(r"^[-*•‣–](?:\s+(\S.*)|\s*)$")
_CONTENTS_RUN = 3  # indented short lines, one per paragraph, in a row: a contents list
_CHAPTER_LINE = re.compile(r"^(?:\d{1,3}|[IVXLCDM]{1,7})\.\s+\S")
_NAME_WORD = re.compile(r"^[^\W\d_][\w.'’-]*$")
_VERB = re.compile(r"^[a-z]{2,}s$")
# What a heading never ends with, and what a line that ends a sentence does end with.
_CLOSING = tuple(".,;:!?…\"'’”»)]-–—")
_TERMINAL = tuple(".?!:;…\"'’”»)]")
_NOT_NAMES = {
    "A", "An", "At", "By", "Chapter", "From", "In", "Introduction", "Notes", "Of", "On",
    "Part", "Section", "Source", "Sources", "The", "To",
}
_HEADING_WORDS = 12
_HEADING_CHARS = 90
_STANDFIRST_WORDS = 60
_GAP_LINES = 3
_SOFT_HYPHEN = "\u00ad"


def _join(text: str, more: str) -> str:
    """Join a hard-wrapped line to the next: with a space, or none after a soft hyphen."""
    return text + more if text.endswith(_SOFT_HYPHEN) else f"{text} {more}"


def _joined(lines: list[tuple[int, str]]) -> str:
    text = lines[0][1]
    for _, more in lines[1:]:
        text = _join(text, more)
    return text


_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December"
           "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
# A bare year, a span of years, a month and year, a day and month: headings of a chronicle.
_DATE_HEADING = re.compile(
    rf"^(?:\d{{3,4}}s?(?:[–-]\d{{2,4}})?|(?:{_MONTHS})\.?(?: \d{{1,2}},?)?(?: \d{{3,4}})?"
    rf"|\d{{1,2}} (?:{_MONTHS})(?: \d{{3,4}})?)$")
# Lines of a letter's header: who it is to and from, copies, its classification.
_LETTER_LINE = re.compile(
    r"^(?:(?:to|from|copy|copies|cc|re|subject|attn)\b\.?:?|(?:top |strictly )?(?:secret|confidential)\b)",
    re.IGNORECASE)
BYLINE = re.compile(r"^By\s+\S")
_PICTURE = (".jpg", ".jpeg", ".png", ".gif", ".svg", ".tif", ".tiff", ".webp")
_OPENING_QUOTES = "\"“‘«„'"


def _heading_words(text: str) -> str:
    """The part of a line that must look like a heading: without a closing bracket
    (``Dual power (dvoevlastie)``) or the quotation marks around a quoted title."""
    if text.endswith(")") and "(" in text:
        text = text[: text.rindex("(")].rstrip()
    if text[:1] in _OPENING_QUOTES and len(text) > 2:
        if not any(char in "\"”’»'" for char in text[1:]):
            return ""  # a quotation that does not close on its line: its first line, not a title
        text = text[1:]
    if text.endswith(tuple("\"”’»'")) and not text[:-1].endswith(tuple(".?!,;:")):
        text = text[:-1]
    return text


def heading_like(text: str) -> bool:
    """Short, capitalised, no closing punctuation, no note marker: a heading on a line of its own.

    Also a bare year or month and year, a quoted title and a line ending in a bracket;
    never a letter's header line (``To: ...``, ``Secret``), a byline or a picture's file name.
    """
    if not text or len(text) > _HEADING_CHARS or len(text.split()) > _HEADING_WORDS or "\t" in text:
        return False
    if MARKER.search(text) or _LETTER_LINE.match(text) or BYLINE.match(text):
        return False
    if text.lower().endswith(_PICTURE):
        return False
    if _DATE_HEADING.match(text):
        return True
    words = _heading_words(text)
    return bool(words) and words[0].isalpha() and words[0].isupper() and not words.endswith(_CLOSING)


def name_like(text: str) -> bool:
    """Two to four capitalised words that can be a person's name (``Tony Cliff``, ``E.H. Carr``)."""
    words = text.split()
    return (
        2 <= len(words) <= 4
        and words[0] not in _NOT_NAMES
        and all(
            _NAME_WORD.match(word) and word[0].isupper() and not word.endswith(("’s", "'s"))
            for word in words
        )
    )


def standfirst_author(text: str) -> str | None:
    """The author named at the start of a standfirst (``Chris Corin elucidates ...``), if any."""
    words = text.split()
    if len(words) > _STANDFIRST_WORDS:
        return None
    for count in (2, 3, 4):
        name = " ".join(words[:count])
        if count < len(words) and _VERB.match(words[count]) and name_like(name):
            return name
    return None


def _kind(text: str) -> str:
    if SOURCE_LINE.match(text):
        return "label"
    if _BREAK_LINE.match(text):
        return "break"
    if _BULLET_LINE.match(text):
        return "bullet"
    if "\t" in text:
        return "row"
    return "prose"


def _notes_start(lines: list[str]) -> tuple[int, re.Pattern]:
    """Where the note texts at the end begin, and the pattern that starts a note there.

    A closing run of ``[1] ...`` lines (a reference list) is notes. Otherwise the
    notes follow the last ``Notes``/``Footnotes`` line that is followed by ``1. ...``
    (the heading itself stays in the body), or begin at the first ``1*. ...`` line
    after a blank line. Everything from there to the end is notes.
    """
    filled = [i for i, line in enumerate(lines) if line.strip()]
    run = len(filled)
    while run > 0 and BRACKET_NOTE.match(lines[filled[run - 1]].strip()):
        run -= 1
    if len(filled) - run >= 2:
        return filled[run], BRACKET_NOTE
    for here, after in reversed(list(zip(filled, filled[1:]))):
        if NOTES_HEADING.match(lines[here].strip()) and NOTE_START.match(lines[after].strip()):
            return here + 1, NOTE_START
    for i in filled:
        if i > 0 and not lines[i - 1].strip() and STAR_NOTE_START.match(lines[i].strip()):
            return i, STAR_NOTE_START
    return len(lines), STAR_NOTE_START


def _chunks(lines: list[str]) -> list[list[tuple[int, str]] | Gap]:
    """Runs of non-empty lines as (line number, stripped text), and a Gap for 3+ empty lines between."""
    out: list[list[tuple[int, str]] | Gap] = []
    run: list[tuple[int, str]] = []
    blanks, blank_start = 0, 0
    for number, raw in enumerate(lines, 1):
        text = raw.strip()
        if not text:
            if run:
                out.append(run)
                run = []
            if not blanks:
                blank_start = number
            blanks += 1
            continue
        if blanks >= _GAP_LINES and out:
            out.append(Gap(blank_start))
        blanks = 0
        run.append((number, text))
    if run:
        out.append(run)
    return out


def _hard_wrapped(chunks: list) -> bool:
    """True if lines inside paragraphs often stop mid-sentence and go on in lower case."""
    pairs = evidence = 0
    for chunk in chunks:
        if isinstance(chunk, Gap):
            continue
        for (_, first), (_, second) in zip(chunk, chunk[1:]):
            if _kind(first) == "prose" and _kind(second) == "prose":
                pairs += 1
                if not first.endswith(_TERMINAL) and second[:1].islower():
                    evidence += 1
    return evidence > 0 and evidence * 5 >= pairs


def _groups(chunk: list[tuple[int, str]]) -> list[tuple[str, list[tuple[int, str]]]]:
    """Consecutive lines of one kind; a lone tab-separated line is prose, labels and breaks stand alone."""
    kinds = [_kind(text) for _, text in chunk]
    for i, kind in enumerate(kinds):
        lone = (i == 0 or kinds[i - 1] != "row") and (i + 1 == len(kinds) or kinds[i + 1] != "row")
        if kind == "row" and lone:
            kinds[i] = "prose"
    groups: list[tuple[str, list[tuple[int, str]]]] = []
    for kind, line in zip(kinds, chunk):
        if groups and groups[-1][0] == kind and kind not in ("label", "break"):
            groups[-1][1].append(line)
        else:
            groups.append((kind, [line]))
    return groups


def _wrapped_paras(lines: list[tuple[int, str]], single: bool) -> list[Para]:
    """Hard-wrapped lines as one paragraph, or two where a parenthesised passage closes them."""
    split = len(lines)
    for k in range(1, len(lines)):
        opens = lines[k][1].startswith("(") and lines[k - 1][1].endswith(_TERMINAL)
        if opens and parenthesised(_joined(lines[k:])):
            split = k
            break
    parts = [part for part in (lines[:split], lines[split:]) if part]
    return [Para(_joined(part), part[0][0], single and len(part) == 1) for part in parts]


def _indent(raw: str) -> int:
    return len(raw) - len(raw.lstrip())


def _bullets(lines: list[tuple[int, str]], raw: list[str]) -> Bullets:
    """Bulleted lines as items; a line indented deeper than the first (a sub-item) joins the item above."""
    top = _indent(raw[lines[0][0] - 1])
    items: list[str] = []
    for number, text in lines:
        if items and _indent(raw[number - 1]) > top:
            # a sub-item joins the item above, without its bullet (a mark, not a word)
            items[-1] = _join(items[-1], _BULLET_LINE.match(text).group(1) or "")
        else:
            items.append(_BULLET_LINE.match(text).group(1) or "")
    return Bullets(tuple(items), lines[0][0])


def _contents(chunks: list, raw: list[str]) -> set[int]:
    """Chunks that are entries of a contents list: runs of single short lines, all indented alike."""
    def entry(chunk) -> int:
        if isinstance(chunk, Gap) or len(chunk) != 1 or _kind(chunk[0][1]) != "prose":
            return 0
        number, text = chunk[0]
        return _indent(raw[number - 1]) if len(text.split()) <= _HEADING_WORDS else 0

    found: set[int] = set()
    start = 0
    while start < len(chunks):
        indent = entry(chunks[start])
        end = start + 1
        while indent and end < len(chunks) and entry(chunks[end]) == indent:
            end += 1
        if indent and end - start >= _CONTENTS_RUN:
            found.update(range(start, end))
        start = end
    return found


def _units(chunks: list, wrapped: bool, raw: list[str]) -> list[Unit]:
    """Chunks -> units, one paragraph per line or per hard-wrapped run (``raw``: the lines as written)."""
    units: list[Unit] = []
    contents = _contents(chunks, raw)
    for index, chunk in enumerate(chunks):
        if isinstance(chunk, Gap):
            units.append(chunk)
            continue
        written = [raw[number - 1] for number, _ in chunk]
        table = grid_table(written, chunk[0][0]) or simple_table(written, chunk[0][0])
        if table is not None:
            units.append(table)
            continue
        if index in contents:
            number, text = chunk[0]
            if index - 1 in contents:
                units[-1].items.append(text)
            else:
                units.append(Bullets([text], number))
            continue
        for kind, lines in _groups(chunk):
            number, first = lines[0]
            in_list = bool(units) and isinstance(units[-1], Bullets) and units[-1].line >= chunk[0][0]
            if kind == "label":
                units.append(Label(SOURCE_LINE.match(first).group(1), number))
            elif kind == "break":
                units.append(Break(number))
            elif kind == "bullet" and in_list:
                more = _bullets(lines, raw).items
                items = units[-1].items
                if _indent(raw[number - 1]) > _indent(raw[units[-1].line - 1]):
                    # a sub-list under an item that ran on: still that item
                    items[-1] = " ".join((items[-1], *more))
                else:
                    items.extend(more)
            elif kind == "bullet":
                # items stay a list while the list may go on (no copy per line), a tuple at the end
                units.append(Bullets(list(_bullets(lines, raw).items), number))
            elif kind == "row":
                units.append(tab_table([text for _, text in lines], number))
            elif in_list and (wrapped or all(_indent(raw[n - 1]) > 0 for n, _ in lines)):
                # a wrapped or indented line after a bullet goes on with it, until the next bullet or blank line
                items = units[-1].items
                items[-1] = _join(items[-1], _joined(lines))
            elif wrapped:
                units.extend(_wrapped_paras(lines, len(chunk) == 1))
            else:
                units.extend(Para(text, n) for n, text in lines)
    return [Bullets(tuple(u.items), u.line) if isinstance(u, Bullets) else u for u in units]


def _info(units: list[Unit]) -> tuple[DocumentInfo, list[Unit]]:
    """The opening lines: author, book, chapter title (``2. The campaign ...``), or a standfirst.

    Leading short lines are read as an author (a name), then a book and a numbered
    chapter line, or the title after an author; or as a title (one or two lines)
    followed by its author's name. Otherwise a first paragraph that
    opens with a name and a verb (``Chris Corin elucidates ...``) is a standfirst.
    """
    lead: list[str] = []
    for unit in units[:4]:
        if not (isinstance(unit, Para) and unit.single_line):
            break
        text = unit.text
        if not (heading_like(text) or (_CHAPTER_LINE.match(text) and not text.endswith(_CLOSING))):
            break
        lead.append(text)
    author = book = title = None
    used = 0
    if len(lead) >= 2 and name_like(lead[0]):
        author, used = lead[0], 1
    chapter = next((k for k in range(used, min(used + 2, len(lead))) if _CHAPTER_LINE.match(lead[k])), None)
    if chapter is not None:
        book = lead[used] if chapter == used + 1 else None
        title, used = lead[chapter], chapter + 1
    elif author is not None:
        title, used = lead[used], used + 1
    else:
        # the title (over one or two lines, as a large type breaks it), then the author's name
        byline = next((k for k in (1, 2) if k < len(lead) and name_like(lead[k])), None)
        if byline is not None:
            title, author, used = " ".join(lead[:byline]), lead[byline], byline + 1
    if used:
        return DocumentInfo(title=title, author=author, book=book), units[used:]
    first = units[0] if units else None
    if isinstance(first, Para):
        name = standfirst_author(first.text)
        if name:
            return DocumentInfo(author=name, standfirst=first.text), units[1:]
    return DocumentInfo(), units


def _headings(units: list[Unit]) -> list[Unit]:
    """Heading-like lines of their own become headings (never the line right after a SOURCE line).

    A run of three or more heading-like lines with nothing between them, one of
    which comes again later as a heading, is a contents list, not headings.
    """
    candidate = [
        isinstance(unit, Para) and unit.single_line and heading_like(unit.text)
        and not (i and isinstance(units[i - 1], Label))
        for i, unit in enumerate(units)
    ]
    contents: set[int] = set()
    i = 0
    while i < len(units):
        j = i
        while j < len(units) and candidate[j]:
            j += 1
        later = {units[k].text for k in range(j, len(units)) if candidate[k]} if j - i >= _CONTENTS_RUN else set()
        # the run's own heading ("Contents") is not repeated later: the list begins at the first entry that is
        first = next((k for k in range(i, j) if units[k].text in later), j)
        if j - first >= _CONTENTS_RUN:
            contents.update(range(first, j))
        i = j + 1
    out: list[Unit] = []
    for i, unit in enumerate(units):
        if i in contents:  # entries gathered in a list, made a tuple below
            if i - 1 in contents:
                out[-1].items.append(unit.text)
            else:
                out.append(Bullets([unit.text], unit.line))
        elif candidate[i]:
            out.append(Head(unit.text, unit.line))
        else:
            out.append(unit)
    return [Bullets(tuple(u.items), u.line) if isinstance(u, Bullets) else u for u in out]


def _notes(lines: list[str], offset: int, pattern: re.Pattern, wrapped: bool) -> tuple[list[NoteText], list[Para]]:
    """Note texts: each starts as ``pattern`` says; other paragraphs continue the last one.

    A ``[12]`` line with nothing after it is no note text: its markers stay unlinked,
    and the line itself stays at the end of the text as a plain paragraph.
    """
    notes: list[NoteText] = []
    written: dict[int, str] = {}
    after_blank = True
    for number, raw in enumerate(lines, offset + 1):
        text = raw.strip()
        if not text:
            after_blank = True
            continue
        match = pattern.match(text)
        if match:
            label, body = match.groups()
            written[number] = text
            notes.append(NoteText(label, (Para(body, number),) if body.strip() else (), number))
        elif notes:
            note = notes[-1]
            paras = note.paras
            if wrapped and not after_blank and paras:
                paras = (*paras[:-1], Para(_join(paras[-1].text, text), paras[-1].line, False))
            else:
                paras = (*paras, Para(text, number))
            notes[-1] = NoteText(note.label, paras, note.line)
        after_blank = False
    # an entry without text is kept as its line's plain words (no marker: it points nowhere)
    empty = [Para(written[n.line], n.line, True, (Text(written[n.line]),)) for n in notes if not n.paras]
    return [note for note in notes if note.paras], empty


@register(".txt")
class TextReader:
    """Plain text as history teachers receive it: see docs/documents.md for what it recognises."""

    def read(self, text: str, doc_id: str, path: str, hints: ReaderHints | None) -> Document:
        """Read normalised text into a Document."""
        lines = text.split("\n")
        split, note_pattern = _notes_start(lines)
        chunks = _chunks(lines[:split])
        wrapped = _hard_wrapped(chunks)
        info, units = _info(_units(chunks, wrapped, lines))
        notes, empty = _notes(lines[split:], split, note_pattern, wrapped)
        return assemble(doc_id, path, info, _headings(units) + empty, notes, hints, lead_ins=True)
