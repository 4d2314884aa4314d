"""Quotations a paragraph marks itself: opening quotation marks, and a citation after the closing one."""

from __future__ import annotations

from ..model import Inline, NoteRef, Text, plain_text
from .units import MARKER, Para


CITATION_MAX = 120
_OPENING = "\"“«„'‘"
_CLOSING = "\"”»“'’"
QUOTE_RUN = 8  # paragraphs one opening-quote quotation may run over
_PAIRS = {")": "(", "]": "["}


def _strip_markers(text: str) -> str:
    """The text without the note markers (and spaces) that end it; a loop, not a regex, to stay linear."""
    while True:
        text = text.rstrip()
        start = text.rfind("[") if text.endswith("]") else -1
        if start < 0 or not MARKER.fullmatch(text[start:]):
            return text
        text = text[:start]


def _trailing_citation(text: str) -> int | None:
    """Where a short closing reference in brackets (``(Vol. 3, p. 217)``, ``[ibid.]``) begins, if the
    text ends with one after the end of a sentence or a quotation."""
    end = len(text) - 1 if text.endswith((").", "].")) else len(text)
    close = text[end - 1] if end else ""
    if close not in _PAIRS:
        return None
    depth = 0
    for index in range(end - 1, max(-1, end - 1 - CITATION_MAX), -1):
        depth += 1 if text[index] == close else -1 if text[index] == _PAIRS[close] else 0
        if depth == 0:
            before = text[:index].rstrip()
            return index if index > 0 and before.endswith((*_CLOSING, ".", "!", "?", "…")) else None
    return None


def quoted_paragraph(text: str) -> tuple[bool, int | None] | None:
    """For a paragraph that opens with a quotation mark: (whether the quotation closes in it,
    where a citation after it begins); None for any other paragraph, or one where the
    quotation closes and the author's own words go on after it."""
    if not text or text[0] not in _OPENING:
        return None
    body = _strip_markers(text)
    cite = _trailing_citation(body)
    if cite is not None:
        body = body[:cite].rstrip()
    ends_quoted = body.rstrip(".,;:").endswith(tuple(_CLOSING))
    if text[0] == '"':
        closed = body.count('"') % 2 == 0
    elif text[0] in "'‘":
        # apostrophes look like closing single quotes: only the last character can tell
        closed = ends_quoted
    else:
        closed = sum(body.count(c) for c in "”»") >= sum(body.count(c) for c in "“«„")
    if closed and not ends_quoted:
        return None
    return closed or cite is not None, cite


def split_citation(para: Para) -> tuple[Para, str | None]:
    """A quotation's last paragraph and the reference in brackets that closes it on the same line
    (``..." (Vol. 3, p. 217)``), kept word for word as the citation; (para, None) without one.

    A note marker after the reference stays in the paragraph, where it is linked; where the
    format marked the paragraph's spans, the reference must lie in its closing text spans.
    """
    stripped = _strip_markers(para.text)
    cite = _trailing_citation(stripped)
    if cite is None:
        return para, None
    citation, head = stripped[cite:], para.text[:cite].rstrip()
    if para.marked is None:
        return Para(head + para.text[len(stripped):], para.line, para.single_line), citation
    kept: list[Inline] = []
    length = 0
    for span in para.marked:
        text = span.text if isinstance(span, Text) else span.marker if isinstance(span, NoteRef) else span.original
        if length + len(text) <= len(head):
            kept.append(span)
        elif length < len(stripped):
            if not isinstance(span, Text) or length + len(text) < len(stripped):
                return para, None  # a marker or a correction inside the reference: leave it whole
            if head[length:]:
                kept.append(Text(head[length:]))
        else:
            kept.append(span)
        length += len(text)
    return Para(plain_text(tuple(kept)), para.line, para.single_line, tuple(kept)), citation
