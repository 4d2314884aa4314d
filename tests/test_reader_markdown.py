"""The Markdown reader: the same model as plain text, and HTML kept as text."""

from __future__ import annotations

from pathlib import Path

import pytest

from studypack.errors import DocumentError
from studypack.model import (
    ListBlock,
    NoteRef,
    Omission,
    Paragraph,
    Quotation,
    SceneBreak,
    SourceBlock,
    Table,
    Text,
)
from studypack.readers import READERS, ReaderHints, read_document, read_text
from studypack.readers.markdown import MarkdownReader
from studypack.readers.text import TextReader

DOCS = Path(__file__).parent / "data" / "documents"


@pytest.fixture(scope="module")
def sample():
    return read_document(DOCS / "sample.md", "sample", display_path="documents/sample.md")


def test_registry_by_suffix():
    assert READERS[".txt"] is TextReader
    assert READERS[".md"] is READERS[".markdown"] is MarkdownReader
    assert MarkdownReader.suffixes == (".md", ".markdown")


def test_front_matter_and_title(sample):
    assert sample.info.author == "Sam Teacher"
    assert sample.info.book == "Sources on the succession"
    assert sample.info.title == "The struggle for the succession"
    assert sample.path == "documents/sample.md"


def test_headings_make_sections(sample):
    assert [(s.id, s.heading.text, s.heading.level, s.heading.line) for s in sample.sections] == [
        ("the-lenin-levy", "The Lenin Levy", 2, 8),
        ("numbers", "Numbers", 2, 33),
        ("notes", "Notes", 2, 43),
    ]


def test_blockquote_is_a_quotation_with_its_citation(sample):
    quote = sample.sections[0].blocks[1]
    assert isinstance(quote, Quotation) and quote.id == "q1" and quote.certain
    assert [p.text for p in quote.paragraphs] == [
        "Most of the recruits knew nothing of the old debates.", "They had joined a party in power."]
    assert quote.citation == "(A report to the Orgburo, 1924.)"
    assert quote.line == 12


def test_source_convention(sample):
    source = sample.sections[0].blocks[2]
    assert isinstance(source, SourceBlock)
    assert (source.id, source.label, source.line) == ("source-a", "A", 18)
    assert [p.text for p in source.paragraphs] == ["‘We welcome every worker who comes to us from the bench.’"]
    assert source.attribution == "A speech in Leningrad, March 1924."


def test_inline_markup_is_reduced_to_words_and_markers_kept(sample):
    first = sample.sections[0].blocks[0]
    assert first.spans == (
        Text("In 1924 the party took in hundreds of thousands of new members. "),
        NoteRef("[1]", "1", "note-1"),
    )


def test_lists_tables_breaks_and_omissions(sample):
    blocks = sample.sections[0].blocks
    bullets = blocks[3]
    assert isinstance(bullets, ListBlock)
    assert [i[0].text for i in bullets.items] == [
        "Recruits by May: over 200,000", "Many left again within two years"]
    assert isinstance(blocks[4], Omission) and blocks[4].line == 26
    table, rule, last = sample.sections[1].blocks
    assert isinstance(table, Table) and table.rows == (("Year", "Members"), ("1924", "735,881"))
    assert isinstance(rule, SceneBreak)
    assert last.text.startswith("Вождь и партия stayed a slogan.")


def test_html_never_passes_through(sample):
    texts = [b.text for b in sample.sections[0].blocks if isinstance(b, Paragraph)]
    assert 'Raw HTML is only text: <script>alert("x")</script> and <b>bold</b>.' in texts
    assert "<div>a block of HTML</div>" in texts


def test_notes_under_a_notes_heading(sample):
    assert [(n.id, n.label, [p.text for p in n.paragraphs]) for n in sample.notes] == [
        ("note-1", "1", ["Figures vary between sources.", "A second paragraph of the first note."]),
        ("note-2", "2", ["From the party census."]),
    ]
    assert sample.note("note-3") is None
    assert sample.sections[2].blocks == ()


def test_ordered_list_outside_notes_keeps_its_numbers():
    doc = read_text("Steps:\n\n1. First\n2. Second\n", "t", suffix=".md")
    (intro, steps) = doc.blocks
    assert intro.text == "Steps:"
    assert [item[0].text for item in steps.items] == ["1. First", "2. Second"]


def test_markdown_has_no_colon_guesses_but_takes_hints():
    text = "He wrote:\n\nFirst quoted.\n\nSecond quoted.\n\nComment.\n"
    assert not any(isinstance(b, Quotation) for b in read_text(text, "t", suffix=".md").blocks)
    hinted = read_text(text, "t", suffix=".md", hints=ReaderHints((("First quoted", "Second quoted."),)))
    quote = hinted.blocks[1]
    assert isinstance(quote, Quotation) and [p.id for p in quote.paragraphs] == ["p2", "p3"]


def test_standfirst_and_starred_notes():
    text = "Chris Corin elucidates a document.\n\nA paragraph. [1*]\n\n1*. The starred note.\n"
    doc = read_text(text, "t", suffix=".md")
    assert (doc.info.author, doc.info.standfirst) == ("Chris Corin", "Chris Corin elucidates a document.")
    assert doc.note("note-star-1").paragraphs[0].text == "The starred note."


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ("---\nauthor: [A, B]\n---\n", "t.md:1: front matter 'author' must be a line of text"),
        ("---\n- a list\n---\n", "t.md:1: front matter must be 'key: value' lines"),
        ("---\nauthor: A\nauthor: B\n---\n", "t.md:3: front matter: found duplicate key \"author\""),
        ("---\nauthor: 'A\n---\n", "t.md:"),
    ],
)
def test_front_matter_errors(front, message):
    with pytest.raises(DocumentError) as caught:
        read_text(front + "Text.\n", "t", path="t.md", suffix=".md")
    assert caught.value.format_message().startswith(message)
    assert "\n" not in caught.value.format_message()


def test_unknown_front_matter_keys_are_ignored_and_said():
    doc = read_text("---\nlayout: default\ntitle:\ntags: [a, b]\nauthor: A\n---\nText.\n", "t", suffix=".md")
    assert (doc.info.title, doc.info.author) == (None, "A")
    assert doc.left_out == ("front matter keys not used by studypack: layout, tags",)


def test_notes_heading_needs_a_note_after_it():
    doc = read_text("Text. [1]\n\n## Notes\n\n> 1. quoted, not a note\n", "t", suffix=".md")
    assert doc.notes == ()
    assert [s.id for s in doc.sections] == ["intro", "notes"]
