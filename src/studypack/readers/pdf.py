"""The PDF reader (``.pdf`` with a text layer): pypdfium2's text, laid out again as plain text.

A PDF has no paragraphs or headings, only lines of glyphs at positions. Per
page: the text in PDFium's reading order, cut into visual lines (pieces on
one baseline, such as a superscript, joined again); running heads and
footers that repeat on most pages, and page numbers, left out and said;
lines joined into paragraphs where the gap to the next line is no larger than
the usual line spacing; a word broken at a line end by a hyphenation hyphen
joined with a soft hyphen (U+00AD, invisible in print) in its place, as the
plain-text reader joins wrapped lines; an ordinary ``-`` at a line end kept.
The text then goes through the plain-text reader (`text.TextReader`), which
finds headings, notes and quotations as it does in a ``.txt``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from ..errors import DocumentError
from ..model import Document
from .normalise import normalise
from .registry import ReaderHints, register
from .text import TextReader

_LINE_END = re.compile(r"\r\n|\n|\r")
_PAGE_NUMBER = re.compile(r"^[\W_]*(?:\d{1,4}|[ivxlcdm]{1,7}|[IVXLCDM]{1,7})[\W_]*$")
_BREAK_HYPHENS = ("\u2010", "\u00ad", "\x02")
_SOFT_HYPHEN = "\u00ad"
_BULLETS = set("•◦▪▫‣∙·–")
_TERMINAL = tuple(".?!:;…\"'’”»)]")
_OCR_HINT = "run OCR on it first, e.g. 'ocrmypdf scan.pdf scan-text.pdf', and read that file"


@dataclass
class _Line:
    """One visual line of a page: its text and where it stands (PDF points, y upwards)."""

    text: str
    left: float
    bottom: float
    top: float
    right: float

    @property
    def height(self) -> float:
        return self.top - self.bottom


def _lines(textpage) -> list[_Line]:
    """A page's text as visual lines: PDFium's lines, the pieces that share a baseline joined again."""
    text = textpage.get_text_range()
    lines: list[_Line] = []
    pos = 0
    for piece in _LINE_END.split(text):
        start = pos
        pos += len(piece) + 2  # PDFium ends each of its lines with \r\n
        visible = [i for i, ch in enumerate(piece) if not ch.isspace()]
        if not visible:
            continue
        # loose boxes: the font's ascent and descent, the same for every glyph of a line
        first = textpage.get_charbox(start + visible[0], loose=True)
        last = textpage.get_charbox(start + visible[-1], loose=True)
        line = _Line(piece, first[0], min(first[1], last[1]), max(first[3], last[3]), last[2])
        if lines and _same_line(lines[-1], line):
            previous = lines[-1]
            lines[-1] = _Line(previous.text + piece, previous.left, min(previous.bottom, line.bottom),
                              max(previous.top, line.top), max(previous.right, line.right))
        else:
            lines.append(line)
    return lines


def _same_line(a: _Line, b: _Line) -> bool:
    overlap = min(a.top, b.top) - max(a.bottom, b.bottom)
    return overlap > 0.4 * min(a.height, b.height) and b.left > a.left


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.split()))


def _running(pages: list[list[_Line]]) -> tuple[list[list[_Line]], list[str]]:
    """The pages without their running heads, footers and page numbers; what was left out."""
    if len(pages) < 2:
        return pages, []
    edges = Counter()
    for lines in pages:
        for line in _edge_lines(lines):
            edges[_furniture_key(line.text)] += 1
    repeated = {key for key, n in edges.items() if n >= max(2, len(pages) // 2)}
    heads, numbers, out = Counter(), 0, []
    for lines in pages:
        drop = set()
        for line in _edge_lines(lines):
            if _PAGE_NUMBER.match(line.text.strip()):
                drop.add(id(line))
                numbers += 1
            elif _furniture_key(line.text) in repeated:
                drop.add(id(line))
                heads[" ".join(line.text.split())] += 1
        out.append([line for line in lines if id(line) not in drop])
    said = [f"running head or footer on {n} pages: “{text}”" for text, n in heads.items()]
    if numbers:
        said.append(f"page numbers ({numbers})")
    return out, said


def _edge_lines(lines: list[_Line]) -> list[_Line]:
    """The top two and bottom two lines of a page, by position (where heads and footers stand)."""
    by_height = sorted(lines, key=lambda line: -line.top)
    return list({id(line): line for line in by_height[:2] + by_height[-2:]}.values())


def _joined(before: str, after: str) -> str:
    """Two lines of one paragraph as one: a hyphenation hyphen becomes a soft hyphen, else a space."""
    before, after = before.rstrip(), after.lstrip()
    if before.endswith(_BREAK_HYPHENS) and before[-2:-1].isalpha() and after[:1].islower():
        return before[:-1] + _SOFT_HYPHEN + after
    if before.endswith("-") and before[-2:-1].isalpha() and after[:1].islower():
        return before + after
    return f"{before} {after}"


def _ends_early(previous: _Line, line: _Line, column_right: float) -> bool:
    """True if the next line's first word would have fitted on this line: the line ended on purpose."""
    words = line.text.split()
    width = (line.right - line.left) / max(1, len(line.text.strip()))
    return previous.right + (len(words[0]) + 1) * width < column_right - width


def _new_paragraph(previous: _Line, line: _Line, step: float, column_right: float) -> bool:
    """Whether a line starts a paragraph: a wider gap, another type size, a bullet, or room left above."""
    gap = previous.bottom - line.bottom
    whitespace = previous.bottom - line.top
    resized = abs(line.height - previous.height) > 0.2 * max(line.height, previous.height)
    return (gap > 1.35 * step or gap < 0 or whitespace > 0.35 * line.height or resized
            or line.text.lstrip()[:1] in _BULLETS or _ends_early(previous, line, column_right))


def _paragraphs(lines: list[_Line]) -> list[str]:
    """A page's lines as paragraphs (see `_new_paragraph`)."""
    if not lines:
        return []
    steps = sorted(a.bottom - b.bottom for a, b in zip(lines, lines[1:]) if 0 < a.bottom - b.bottom < 3 * a.height)
    # the pitch of lines inside a paragraph is the smallest that is common
    step = steps[len(steps) // 4] if steps else max(line.height for line in lines) * 1.2
    page_right = max(line.right for line in lines)
    paragraphs = [lines[0].text.strip()]
    for previous, line in zip(lines, lines[1:]):
        # an indented block (a quotation) has its own right edge: that of the lines that start where it does
        same = [other.right for other in lines if abs(other.left - previous.left) < 3 and other is not previous]
        column_right = max(same) if same else page_right
        if _new_paragraph(previous, line, step, column_right):
            paragraphs.append(line.text.strip())
        else:
            paragraphs[-1] = _joined(paragraphs[-1], line.text)
    return paragraphs


def pdf_text(data: bytes, where: str) -> tuple[str, list[str]]:
    """The PDF's text layer as plain text (a paragraph a line, blank lines between), and what was left out."""
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as err:
        if getattr(err, "err_code", None) == 4 or "password" in str(err).lower():
            raise DocumentError("is a password-protected PDF; save a copy without the password "
                                "(or print it to a new PDF) and read that", where) from None
        raise DocumentError("cannot be read as a PDF (damaged, cut short or not a PDF: "
                            f"{str(err).rstrip('.')})", where) from None
    try:
        pages = []
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            pages.append(_lines(textpage))
            textpage.close()
            page.close()
    except pypdfium2.PdfiumError as err:
        raise DocumentError(f"cannot be read as a PDF ({str(err).rstrip('.')})", where) from None
    finally:
        pdf.close()
    if not any(pages):
        raise DocumentError(f"has no text layer (a scanned PDF?); {_OCR_HINT}", where)
    pages, said = _running(pages)
    paragraphs: list[str] = []
    for lines in pages:
        page = _paragraphs(lines)
        if page and paragraphs and not paragraphs[-1].endswith(_TERMINAL) and page[0][:1].islower():
            # a paragraph that runs on over the page break
            paragraphs[-1] = _joined(paragraphs[-1], page.pop(0))
        paragraphs.extend(page)
    text = "\n\n".join(p.replace("\x02", _SOFT_HYPHEN) for p in paragraphs if p)
    return text, said


@register(".pdf", binary=True)
class PdfReader:
    """PDFs with a text layer (made from a word processor, or scanned and OCR'd)."""

    def read(self, data: bytes, doc_id: str, path: str, hints: ReaderHints | None) -> Document:
        """Read a PDF's bytes into a Document, through the plain-text reader."""
        text, said = pdf_text(data, path)
        doc = TextReader().read(normalise(text), doc_id, path, hints)
        return replace(doc, left_out=tuple(said))
