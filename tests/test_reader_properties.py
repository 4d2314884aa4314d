"""Properties of the readers: no word is ever lost, and nothing but DocumentError escapes."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studypack.errors import DocumentError
from studypack.model import (
    Heading,
    ListBlock,
    Paragraph,
    Quotation,
    SourceBlock,
    Table,
    plain_text,
)
from studypack.readers import normalise, read_document, read_text

DOCS = Path(__file__).parent / "data" / "documents"
TEXT_DOCUMENTS = sorted(p.name for p in DOCS.glob("*.txt"))

# Words are runs of letters and digits: bullets (``*``, ``-``), note-label brackets and
# scene-break asterisks are the document's marks, not its words. Soft hyphens separate
# words here, because a hard-wrapped line ending in one is joined to the next without a
# space (the word is whole again in the model).
_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> Counter:
    """The letter-and-digit words of a text, case-folded."""
    return Counter(word.casefold() for word in _WORD.findall(text))


def model_text(doc) -> str:
    """Everything the model holds, rebuilt as the document wrote it (order aside)."""
    info = doc.info
    parts = [info.title, info.book, info.standfirst]
    derived = info.standfirst is not None and info.author is not None and info.standfirst.startswith(info.author)
    if not derived:
        parts.append(info.author)
    for block in doc.blocks:
        if isinstance(block, (Heading, Paragraph)):
            parts.append(block.text)
        elif isinstance(block, Quotation):
            parts += [p.text for p in block.paragraphs] + [block.citation]
        elif isinstance(block, SourceBlock):
            parts.append(f"SOURCE {block.label}")
            parts += [p.text for p in block.paragraphs]
            if block.attribution is not None:
                parts.append(f"({block.attribution})")
        elif isinstance(block, ListBlock):
            parts += [f"* {plain_text(item)}" for item in block.items]
        elif isinstance(block, Table):
            parts += [cell for row in block.rows for cell in row]
    for note in doc.notes:
        first, *rest = [p.text for p in note.paragraphs]
        parts += [f"{note.label}. {first}", *rest]
    return "\n".join(part for part in parts if part is not None)


@pytest.mark.parametrize("name", TEXT_DOCUMENTS)
def test_no_word_lost_in_documents(name):
    path = DOCS / name
    doc = read_document(path, "doc")
    source = normalise(path.read_bytes().decode("utf-8"))
    assert words(model_text(doc)) == words(source)


def test_word_check_notices_a_lost_word():
    doc = read_document(DOCS / "corin.txt", "corin")
    source = normalise((DOCS / "corin.txt").read_text(encoding="utf-8"))
    assert words(model_text(doc)) != words(source.replace("Kamenev at the 14th", "Kamenev Kamenev at the 14th"))


_CONVENTIONS = st.sampled_from([
    "", "", "", "SOURCE 1", "SOURCE A", "Source 2", "(Kamenev at the Congress, 1925.)", "( x )", "()",
    "(a) b (c)", "(XI/2, pp. 335/38.)", "He wrote:", "It stated: ", "a quote ending [19]", "[1*]", "[12] [3*]",
    "1*. A starred note.", "2. A numbered note", "Notes", "Footnotes", "* item", "* * *", "***", "*",
    "a\tb\tc", "\t", "x\ty", "The Lenin Levy", "Tony Cliff", "2. The campaign", "Chris Corin elucidates things.",
    "вождь", "Kam\u00adenev", "appa\u00ad", "ratus", "no\u00a0break", "\u00a0", "\ufeff", "  indented",
    "ends mid", "sentence and goes on", "Carr you imagine", "…", "...", "‘quoted’ – dash",
])
_FREE_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30)
_SMALL_ALPHABET = st.text("abcAB ()[]*:.1\t\u00a0\u00ad’-\n\r", max_size=30)
DOCUMENTS = st.lists(st.one_of(_CONVENTIONS, _FREE_TEXT, _SMALL_ALPHABET), max_size=30).map(
    lambda lines: "\n".join(lines))
EOL = st.sampled_from(["\n", "\r\n", "\r"])


def _read(text: str, suffix: str = ".txt"):
    """The document, or None where DocumentError was raised (the only error allowed)."""
    try:
        return read_text(text, "doc", suffix=suffix)
    except DocumentError:
        return None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(DOCUMENTS, st.text()), eol=EOL, bom=st.booleans())
def test_text_reader_never_loses_a_word(text, eol, bom):
    text = ("\ufeff" if bom else "") + text.replace("\n", eol)
    doc = _read(text)
    if doc is not None:
        assert words(model_text(doc)) == words(normalise(text))


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(DOCUMENTS, st.text()))
def test_markdown_reader_raises_only_document_errors(text):
    doc = _read(text, ".md")
    if doc is not None:
        assert doc.id == "doc"


@settings(max_examples=100, deadline=None)
@given(paragraphs=st.lists(
    st.sampled_from(["He wrote:", "A quoted paragraph.", "Another one. [7]", "(III, p. 5.)", "Comment.",
                     "SOURCE 1", "(Attribution.)", "Heading Here", "* * *"]), max_size=20))
def test_ids_are_unique_and_in_reading_order(paragraphs):
    doc = _read("\n\n".join(paragraphs))
    if doc is None:
        return
    # a headed section's id is its heading's id; only a headless first section adds one
    ids = [s.id for s in doc.sections if s.heading is None]
    numbers = []
    for block in doc.blocks:
        ids.append(block.id)
        if isinstance(block, Paragraph):
            numbers.append(int(block.id[1:]))
        for para in block.paragraphs if isinstance(block, (Quotation, SourceBlock)) else ():
            numbers.append(int(para.id[1:]))
            ids.append(para.id)
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(ids) == len(set(ids))


@given(st.lists(st.sampled_from(["a", "é", "\n", "\r", "\r\n", " "]), max_size=40).map("".join), st.data())
def test_line_col_counts_lines_as_a_reader_does(text, data):
    """textpos.line_col (a table of line starts) agrees with counting the line breaks before the offset."""
    from studypack.textpos import line_col

    index = data.draw(st.integers(0, len(text)))
    before = text[:index]
    breaks = list(re.finditer(r"\r\n|\r|\n", before))
    expected = (len(breaks) + 1, index - breaks[-1].end() + 1) if breaks else (1, index + 1)
    assert line_col(text, index) == expected
