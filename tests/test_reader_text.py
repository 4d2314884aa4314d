"""The plain-text reader on the two sample documents, their variants, and unreadable files."""

from __future__ import annotations

import os
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
from studypack.readers import MAX_BYTES, ReaderHints, read_document, read_text

DOCS = Path(__file__).parent / "data" / "documents"


@pytest.fixture(scope="module")
def corin():
    return read_document(DOCS / "corin.txt", "corin")


@pytest.fixture(scope="module")
def cliff():
    return read_document(DOCS / "cliff.txt", "cliff")


def read(name: str, **kwargs):
    return read_document(DOCS / name, name.split(".")[0], **kwargs)


def all_paragraphs(doc):
    out = []
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            out.append(block)
        elif isinstance(block, (Quotation, SourceBlock)):
            out.extend(block.paragraphs)
    return out


def quotation_starting(doc, words):
    found = [b for b in doc.blocks if isinstance(b, Quotation) and b.paragraphs[0].text.startswith(words)]
    assert len(found) == 1, [b.id for b in found]
    return found[0]


def markers(doc):
    return [span for p in all_paragraphs(doc) for span in p.spans if isinstance(span, NoteRef)]


# --- corin ---------------------------------------------------------------------


def test_corin_metadata(corin):
    assert corin.id == "corin"
    assert corin.info.author == "Chris Corin"
    assert corin.info.standfirst == (
        "Chris Corin elucidates important documents relating to the power struggle after Lenin's death."
    )
    assert corin.info.title is None and corin.info.book is None


def test_corin_four_sources_with_attributions(corin):
    sources = [b for b in corin.blocks if isinstance(b, SourceBlock)]
    assert [(s.id, s.label) for s in sources] == [
        ("source-1", "1"), ("source-2", "2"), ("source-3", "3"), ("source-4", "4")]
    assert [s.attribution for s in sources] == [
        "From the declaration of 46 leading Bolsheviks presented to the Politburo, 15 October 1923.",
        "Stalin on Permanent Revolution, from Problems of Leninism, 1924.",
        "Kamenev at the 14th Party Congress, December 1925.",
        "Bukharin: The party and the Opposition Bloc, July 1926.",
    ]
    assert [len(s.paragraphs) for s in sources] == [1, 2, 2, 2]
    assert [s.line for s in sources] == [4, 10, 15, 23]


def test_corin_source_texts_are_exact(corin):
    source_1, source_2 = [b for b in corin.blocks if isinstance(b, SourceBlock)][:2]
    assert source_1.paragraphs[0].text.startswith("‘We observe the ever increasing, and now scarcely concealed")
    assert source_1.paragraphs[0].text.endswith("the executive assemblies of this hierarchy.’")
    first, second = source_2.paragraphs
    assert first.text.startswith("Trotsky’s ‘permanent revolution’ is the negation of Lenin’s theory")
    assert second.text.startswith("What difference is there between Trotsky’s theory")
    assert second.text.endswith("is a variety of Menshevism ...")
    assert (first.id, second.id) == ("p6", "p7")


def test_corin_commentary_between_sources(corin):
    (section,) = corin.sections
    assert section.id == "intro" and section.heading is None
    kinds = ["S" if isinstance(b, SourceBlock) else "p" for b in section.blocks]
    assert "".join(kinds) == "ppSppSpSppppSp"
    between = section.blocks[3:5]
    assert [p.text.split()[:4] for p in between] == [
        ["The", "declaration", "could", "not"], ["Trotsky’s", "theory", "of", "‘permanent"]]
    assert section.blocks[-1].text.endswith("the triumph of Stalin.")


def test_corin_brackets_that_are_not_notes(corin):
    source_3 = corin.blocks[7]
    assert source_3.id == "source-3"
    assert "the vozhd [leader]; we are against" in source_3.paragraphs[0].text
    assert source_3.paragraphs[0].text.endswith("(Noise) …")
    assert markers(corin) == []


# --- cliff ---------------------------------------------------------------------


def test_cliff_metadata(cliff):
    assert cliff.info.author == "Tony Cliff"
    assert cliff.info.book == "Trotsky: Fighting the rising Stalinist bureaucracy"
    assert cliff.info.title == "2. The campaign against Trotsky"
    assert cliff.info.standfirst is None


def test_cliff_five_headings(cliff):
    headings = [(s.id, s.heading.text, s.heading.line) for s in cliff.sections]
    assert headings == [
        ("the-troikas-reaction-to-trotskys-new-course", "The Troika’s reaction to Trotsky’s New Course", 7),
        ("the-thirteenth-party-conference", "The Thirteenth Party Conference", 39),
        ("the-death-of-lenin", "The death of Lenin", 91),
        ("the-lenin-levy", "The Lenin Levy", 139),
        ("the-thirteenth-party-congress", "The Thirteenth Party Congress", 153),
    ]


def test_cliff_starred_notes_have_their_texts(cliff):
    assert [(n.id, n.label, n.line) for n in cliff.notes] == [
        ("note-star-1", "1*", 230), ("note-star-2", "2*", 232)]
    star_1, star_2 = cliff.notes
    assert star_1.paragraphs[0].text.startswith("In June 1924 Iuzovka, an iron and steel town")
    assert star_1.paragraphs[0].text.endswith("In April 1925 Tsaritsin was renamed Stalingrad.")
    assert star_2.paragraphs[0].spans[-1] == NoteRef("[33]", "33", "note-33")
    refs = {m.note_id for m in markers(cliff)}
    assert {"note-star-1", "note-star-2"} <= refs
    assert cliff.note("note-star-2") is star_2


def test_cliff_numbered_markers_have_no_text(cliff):
    numbered = [m for m in markers(cliff) if not m.label.endswith("*")]
    numbered += [s for n in cliff.notes for p in n.paragraphs for s in p.spans if isinstance(s, NoteRef)]
    labels = {int(m.label) for m in numbered}
    # [21] is not in the file: 40 distinct numbered markers between [1] and [41].
    assert labels == set(range(1, 42)) - {21}
    assert len(numbered) == 40
    for label in ("1", "19", "33", "41"):
        assert cliff.note(f"note-{label}") is None
    first = next(m for m in numbered if m.label == "1")
    assert first == NoteRef("[1]", "1", "note-1")


def test_cliff_editorial_brackets_are_text(cliff):
    para = next(p for p in all_paragraphs(cliff) if "[potential]" in p.text)
    assert "[All-important was the fact that]" in para.text
    assert [s.marker for s in para.spans if isinstance(s, NoteRef)] == ["[16]"]


def test_cliff_omission(cliff):
    section = cliff.sections[2]
    index = next(i for i, b in enumerate(section.blocks) if isinstance(b, Omission))
    gap = section.blocks[index]
    assert (gap.id, gap.line) == ("gap1", 118)
    assert section.blocks[index - 1].text.endswith("after which the same liturgical refrain repeats.")
    assert section.blocks[index + 1].text.startswith("Stalin’s funeral oration was a combination")
    assert sum(isinstance(b, Omission) for b in cliff.blocks) == 1


def test_cliff_quotation_ending_at_a_marker(cliff):
    stalin = quotation_starting(cliff, "I must dispel a possible misunderstanding")
    assert len(stalin.paragraphs) == 2 and stalin.certain
    assert stalin.paragraphs[-1].text.endswith("the Second International ... [1]")
    assert stalin.line == 15
    autobiography = quotation_starting(cliff, "I got the Kremlin on the direct wire.")
    assert [p.text[:25] for p in autobiography.paragraphs] == [
        "I got the Kremlin on the ", "Stalin had cheated.", "As a matter of fact the f"]
    assert autobiography.paragraphs[-1].text.endswith("could always find an explanation. [19]")
    assert autobiography.certain
    recant = quotation_starting(cliff, "Comrades, an invitation was extended here")
    assert len(recant.paragraphs) == 4 and recant.paragraphs[-1].text.endswith("this is my party. [35]")


def test_cliff_lead_in_stays_a_paragraph(cliff):
    section = cliff.sections[0]
    lead_in, quote = section.blocks[2:4]
    assert isinstance(lead_in, Paragraph) and lead_in.text.endswith("It stated:")
    assert isinstance(quote, Quotation) and quote.id == "q1"


def test_cliff_guessed_quotation_end_is_uncertain(cliff):
    bukharin = quotation_starting(cliff, "After October our Party")
    assert not bukharin.certain
    assert len(bukharin.paragraphs) == 1
    quotations = [b for b in cliff.blocks if isinstance(b, Quotation)]
    assert [q.id for q in quotations if not q.certain] == [bukharin.id]
    assert len(quotations) == 17


def test_cliff_hint_overrides_the_guess(cliff):
    hinted = read("cliff.txt", hints=ReaderHints(quotations=(("After October our Party", "wage the war."),)))
    bukharin = quotation_starting(hinted, "After October our Party")
    assert bukharin.certain
    assert [p.text[:20] for p in bukharin.paragraphs] == [
        "After October our Pa", "In all these stages ", "The Brest Peace. In "]
    after = hinted.sections[0].blocks[hinted.sections[0].blocks.index(bukharin) + 1]
    assert isinstance(after, Paragraph) and after.text.startswith("At present, Bukharin said")
    # ids of everything else do not move
    assert [p.id for p in bukharin.paragraphs] == ["p7", "p8", "p9"]
    assert [p.id for p in all_paragraphs(hinted)] == [p.id for p in all_paragraphs(cliff)]


def test_hint_may_end_before_a_note_marker():
    hints = ReaderHints(quotations=(("I got the Kremlin", "an explanation."),))
    quote = quotation_starting(read("cliff.txt", hints=hints), "I got the Kremlin")
    assert len(quote.paragraphs) == 3


def test_hint_can_shorten_a_quotation():
    hints = ReaderHints(quotations=(("If the Opposition lost 18 per cent", "went to the district conferences?"),))
    doc = read("cliff.txt", hints=hints)
    quote = quotation_starting(doc, "If the Opposition lost 18 per cent")
    assert len(quote.paragraphs) == 1
    after = next(p for p in all_paragraphs(doc) if p.text.startswith("And Sapronov drew"))
    assert any(b is after for b in doc.blocks)


@pytest.mark.parametrize(
    ("opening", "closing", "message"),
    [
        ("After Octobr our Party", "wage the war.",
         "no paragraph starts with “After Octobr our Party”"),
        ("lived through three strong crises", "wage the war.",
         "no paragraph starts with “lived through three strong crises” "
         "(the words are inside the paragraph at line 21)"),
        ("After October our Party", "wage the peace.", "no paragraph ends with “wage the peace.”"),
        ("The Opposition", "wage the war.",
         "2 paragraphs start with these words (lines 59, 61); give more words"),
        ("I got the Kremlin", "wage the war.",
         "the closing words (line 25) come before the opening words (line 95)"),
        ("The party crisis of November-December 1923", "with deciding votes (and 222 with consultative votes.)",
         "runs over a heading, SOURCE line or break (line 39); a quotation is consecutive paragraphs"),
    ],
)
def test_hint_errors_name_the_words(opening, closing, message):
    with pytest.raises(DocumentError) as caught:
        read("cliff.txt", display_path="documents/cliff.txt", hints=ReaderHints(((opening, closing),)))
    assert caught.value.format_message() == (
        f"documents/cliff.txt: quotations hint “{opening}” … “{closing}”: {message}")


def test_several_hints():
    hints = ReaderHints((("I got the Kremlin", "an explanation."), ("After October our Party", "wage the war.")))
    doc = read("cliff.txt", hints=hints)
    assert len(quotation_starting(doc, "After October our Party").paragraphs) == 3
    assert len(quotation_starting(doc, "I got the Kremlin").paragraphs) == 3


def test_overlapping_hints_are_refused():
    hints = ReaderHints((("After October our Party", "wage the war."), ("In all these stages", "wage the war.")))
    with pytest.raises(DocumentError, match="overlaps another quotation hint"):
        read("cliff.txt", hints=hints)


def test_cliff_keeps_the_text_as_written(cliff):
    text = "\n".join(p.text for p in all_paragraphs(cliff))
    for slip in ("Carr you imagine", "boomerang on Hm", "a ram storm", "every crack and comer", "‘night have been"):
        assert slip in text
    assert "the Mensheviks and the Second International ... [1]" in text
    assert "Trotsky and the Forty Six – as guilty" in text


# --- variants ------------------------------------------------------------------


def test_lettered_sources_cyrillic_soft_hyphen_no_final_newline():
    raw = (DOCS / "lettered.txt").read_bytes()
    assert not raw.endswith(b"\n") and "\u00a0".encode() in raw
    doc = read("lettered.txt")
    assert doc.info.author == "Anna Marsh"
    sources = [b for b in doc.blocks if isinstance(b, SourceBlock)]
    assert [(s.id, s.label, len(s.paragraphs)) for s in sources] == [("source-a", "A", 1), ("source-b", "B", 2)]
    assert sources[0].attribution == "A speaker at a memorial meeting in Moscow, 27 January 1924."
    paragraphs = [p.text for p in all_paragraphs(doc)]
    assert "The Russian word вождь – the leader – began" in paragraphs[0]
    assert "Kam\u00adenev, who chaired" in paragraphs[2]
    assert paragraphs[-1].endswith("Carr you imagine a delegate voting against them?")


def test_crlf_and_bom():
    raw = (DOCS / "crlf-bom.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    doc = read("crlf-bom.txt")
    assert (doc.info.author, doc.info.title) == ("Jo Bloggs", "3. A Chapter With a Byte Order Mark")
    (para, source) = doc.blocks
    assert para.text == "Windows editors end their lines with two characters. Readers must not see them."
    assert para.line == 5
    assert source.paragraphs[0].text == "‘A short quoted line.’"
    assert source.attribution == "A note on where it came from."
    for text in [para.text, source.paragraphs[0].text, source.attribution]:
        assert "\r" not in text and "\ufeff" not in text and "\u00a0" not in text


def test_notes_under_a_notes_heading():
    doc = read("notes-heading.txt")
    assert [(n.id, n.label, len(n.paragraphs)) for n in doc.notes] == [("note-1", "1", 1), ("note-2", "2", 2)]
    assert doc.note("note-2").paragraphs[1].text == "Later figures from 1925 were lower."
    assert doc.note("note-1").paragraphs[0].text == "The chart was shown to the Twelfth Party Congress."
    assert [s.id for s in doc.sections] == ["the-scissors-crisis", "notes"]
    assert doc.sections[1].blocks == ()
    assert [m.note_id for m in markers(doc)] == ["note-1", "note-2"]


def test_hard_wrapped_lines_are_joined():
    doc = read("footnotes-wrapped.txt")
    assert (doc.info.author, doc.info.title) == ("Mary Example", "Letters to the Centre")
    source, para = doc.blocks[:2]
    assert source.paragraphs[0].text == (
        "‘The secretaries have become a power of their own, choosing the "
        "delegates who are supposed to choose them.’ [1]")
    assert source.attribution == "From a letter of a party member in Tula to the Central Committee, October 1923."
    assert "as happened to many critics of the appa\u00adratus in those years. [2]" in para.text
    assert para.line == 11
    note_1 = doc.note("note-1")
    assert [p.text for p in note_1.paragraphs] == [
        "Printed in a bulletin that went only to delegates and was never sold in the shops.",
        "A second paragraph of the first note."]
    assert doc.note("note-2").paragraphs[0].text == "The post was in Central Asia."
    assert doc.sections[-1].id == "footnotes"


def test_breaks_bullets_and_tables():
    doc = read("breaks-lists-table.txt")
    kinds = [type(b).__name__ for b in doc.blocks[1:]]
    assert kinds == ["Paragraph", "ListBlock", "SceneBreak", "Paragraph", "Table", "ListBlock"]
    bullets = doc.blocks[2]
    assert isinstance(bullets, ListBlock) and bullets.id == "list1"
    assert bullets.items == ((Text("Bukharin"),), (Text("Kamenev"),), (Text("Stalin"),))
    assert isinstance(doc.blocks[3], SceneBreak) and doc.blocks[3].id == "break1"
    table = doc.blocks[5]
    assert isinstance(table, Table) and table.rows == (
        ("District", "Opposition", "Central Committee"), ("Khamovniki", "90", "121"),
        ("Zamoskvorechye", "188", "605"))
    assert doc.notes == () and markers(doc) == []
    assert not any(isinstance(b, Quotation) for b in doc.blocks)


def test_citation_ends_a_quotation():
    doc = read("citation.txt")
    quote = next(b for b in doc.blocks if isinstance(b, Quotation))
    assert quote.citation == "(XI/2, pp. 335/38.)" and quote.certain
    assert [p.id for p in quote.paragraphs] == ["p2", "p3"]
    assert doc.blocks[-1].text == "The warning was read out at the congress and then ignored."


def test_ids_for_repeated_and_reserved_headings():
    doc = read_text("Intro\n\nText one.\n\nIntro\n\nText two.\n\nP1\n\nText.\n\nSOURCE 1\n‘a’\n(b)\n\n"
                    "SOURCE 1\n‘c’\n(d)\n", "t")
    assert [s.id for s in doc.sections] == ["intro-section", "intro-section-2", "p1-section"]
    sources = [b for b in doc.blocks if isinstance(b, SourceBlock)]
    assert [s.id for s in sources] == ["source-1", "source-1-2"]


def test_source_without_attribution_keeps_one_paragraph():
    doc = read_text("SOURCE 3\n‘Quoted words.’\nThe author comments.\nAnd again.\n", "t")
    source, *rest = doc.blocks
    assert source.attribution is None and [p.text for p in source.paragraphs] == ["‘Quoted words.’"]
    assert [p.text for p in rest] == ["The author comments.", "And again."]


# --- files that cannot be read -------------------------------------------------


def error_for(path: Path, **kwargs) -> str:
    with pytest.raises(DocumentError) as caught:
        read_document(path, "doc", display_path=f"documents/{path.name}", **kwargs)
    return caught.value.format_message()


def test_missing_file(tmp_path):
    assert error_for(tmp_path / "gone.txt") == "documents/gone.txt: document not found"


def test_directory(tmp_path):
    (tmp_path / "folder.txt").mkdir()
    assert error_for(tmp_path / "folder.txt") == "documents/folder.txt: is a folder, not a document"


def test_pipe_is_not_read(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    assert error_for(tmp_path / "pipe.txt") == "documents/pipe.txt: is not a regular file (a pipe, socket or device)"


def test_symlink_loop(tmp_path):
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    assert error_for(tmp_path / "loop.txt").startswith("documents/loop.txt: cannot be read (")


def test_binary(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(b"first line\nab\x00cd")
    assert error_for(path) == (
        "documents/image.txt:2:3: looks like a binary file, not text (NUL byte); "
        "save the document as plain text")


def test_latin_1(tmp_path):
    path = tmp_path / "old.txt"
    path.write_bytes("Zinoviev\nCaf\u00e9 Pravda\n".encode("latin-1"))
    wide = tmp_path / "wide-first.txt"
    wide.write_bytes("‘Zinoviev’\nвождь \u00e9".encode("utf-8")[:-2] + b"\xe9")
    assert error_for(wide) == (
        "documents/wide-first.txt:2:7: is not UTF-8 text (byte 27 of the file is 0xE9); "
        "save the document as UTF-8")
    assert error_for(path) == (
        "documents/old.txt:2:4: is not UTF-8 text (byte 13 of the file is 0xE9); save the document as UTF-8")


def test_utf16(tmp_path):
    path = tmp_path / "wide.txt"
    path.write_bytes("Stalin\n".encode("utf-16"))
    assert error_for(path) == "documents/wide.txt: is UTF-16 text; save the document as UTF-8"


def test_empty_and_blank(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"\xef\xbb\xbf \n\t\n\xe2\x80\x8b\r\n")
    assert error_for(tmp_path / "empty.txt") == "documents/empty.txt: document is empty"
    assert error_for(tmp_path / "blank.txt") == (
        "documents/blank.txt: document has no text (only blank lines and spaces)")


def test_too_large(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)
    assert error_for(path) == "documents/huge.txt: document is too large (10,485,761 bytes; the limit is 10 MB)"


def test_unknown_suffix(tmp_path):
    (tmp_path / "essay.rtf").write_bytes(b"{\rtf1 essay}")
    (tmp_path / "README").write_text("text")
    assert error_for(tmp_path / "essay.rtf") == (
        "documents/essay.rtf: unknown kind of document '.rtf'; known: .docx, .epub, .htm, .html, .markdown, .md, .odt, .pdf, .txt")
    assert error_for(tmp_path / "README") == (
        "documents/README: unknown kind of document (the file name has no suffix); known: .docx, .epub, .htm, .html, .markdown, .md, .odt, .pdf, .txt")


def test_path_is_shown_as_given_without_display_path(tmp_path):
    with pytest.raises(DocumentError) as caught:
        read_document(tmp_path / "gone.txt", "doc")
    assert caught.value.format_message() == f"{tmp_path / 'gone.txt'}: document not found"


def test_upper_case_suffix_and_document_path(tmp_path):
    path = tmp_path / "NOTES.TXT"
    path.write_text("A paragraph.\n", encoding="utf-8")
    doc = read_document(path, "n", display_path="documents/NOTES.TXT")
    assert doc.path == "documents/NOTES.TXT" and doc.id == "n"
    assert doc.blocks[0].text == "A paragraph."


def test_read_text_checks_like_read_document():
    with pytest.raises(DocumentError, match="NUL byte"):
        read_text("a\x00b", "t")
    with pytest.raises(DocumentError, match="document is empty"):
        read_text("", "t")
    with pytest.raises(DocumentError, match="unknown kind of document '.rtf'"):
        read_text("text", "t", suffix=".rtf")
