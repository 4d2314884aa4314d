"""The readers of real formats: web pages, Word, OpenDocument, EPUB and PDF.

The fixtures in tests/data/documents/formats/ were made with the tools
teachers' documents come from (their README says how); each test reads one
and checks the structure its markup gives, and that every word is kept.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from studypack.build.jobs import BuildOptions
from studypack.build.orchestrate import build
from studypack.errors import DocumentError
from studypack.model import Heading, ListBlock, NoteRef, Paragraph, Quotation, Table, plain_text
from studypack.assemble.passages import document_paragraphs, find_passage
from studypack.readers import MAX_BINARY_BYTES, read_bytes, read_document

FORMATS = Path(__file__).parent / "data" / "documents" / "formats"
ROOTS = Path(__file__).parent / "roots"


def read(name: str):
    return read_document(FORMATS / name, name.split(".")[0], display_path=f"documents/{name}")


def error_for(path: Path) -> str:
    with pytest.raises(DocumentError) as caught:
        read_document(path, "doc", display_path=f"documents/{path.name}")
    return caught.value.format_message()


def of_type(doc, kind) -> list:
    found = [b for b in doc.blocks if isinstance(b, kind)]
    for block in doc.blocks:
        if kind is Paragraph and isinstance(block, Quotation):
            found.extend(block.paragraphs)
    return found


def linked_notes(doc) -> list[tuple[str, str]]:
    """(marker as written, text of the note it points to) in reading order; every marker must have a note."""
    out = []
    for para in document_paragraphs(doc):
        for span in para.spans:
            if isinstance(span, NoteRef):
                note = doc.note(span.note_id)
                assert note is not None, f"{span.marker} in {para.id} points to no note"
                out.append((span.marker, " ".join(p.text for p in note.paragraphs)))
    return out


def all_text(doc) -> str:
    parts = [b.text for b in doc.blocks if isinstance(b, (Heading, Paragraph))]
    parts += [p.text for b in doc.blocks if isinstance(b, Quotation) for p in b.paragraphs]
    parts += [plain_text(i) for b in doc.blocks if isinstance(b, ListBlock) for i in b.items]
    parts += [" ".join(r) for b in doc.blocks if isinstance(b, Table) for r in b.rows]
    return "\n".join(parts)


# --- one source, four formats (pandoc) ----------------------------------------------------------

@pytest.mark.parametrize("name", ["formats.docx", "formats.odt", "formats.epub", "formats.html"])
def test_pandoc_outputs_give_the_same_structure(name):
    doc = read(name)
    headings = [b.text for b in doc.blocks if isinstance(b, Heading)]
    assert headings[-2:] == ["The recruits", "What the old guard said"]
    first = next(p for p in document_paragraphs(doc) if p.text.startswith("In 1924"))
    # emphasis reduced to its words; curly quotes, dash and ellipsis as written
    assert "took in hundreds of thousands of new members." in first.text
    assert "It was “a flood” — or so the Orgburo’s report said… The old members called them ‘the levy’." in first.text
    notes = linked_notes(doc)
    assert [text for _, text in notes] == ["Figures vary between sources; see the census of 1927.",
                                      "The “Lenin enrolment” of 1924 was announced after his death."]
    [table] = of_type(doc, Table)
    assert table.rows == (("Year", "Members", "Candidates"), ("1923", "386,000", "117,000"),
                          ("1925", "441,000", "361,000"))
    bullets, numbered = of_type(doc, ListBlock)
    assert [plain_text(i) for i in bullets.items] == ["political education", "experience of the underground",
                                                      "any memory of 1917"]
    assert [plain_text(i) for i in numbered.items] == ["1. First, the levy.", "2. Second, the apparatus."]
    [quote] = of_type(doc, Quotation)
    assert [p.text for p in quote.paragraphs] == [
        "Back to Lenin, we are against creating a theory of the vozhd [leader]; we are against making a vozhd.",
        "Personally I suggest that our General Secretary is not the kind of figure who can unite the old "
        "Bolshevik staff around him."]
    assert "[leader]" not in dict(notes) and not any(isinstance(s, NoteRef) for p in quote.paragraphs for s in p.spans)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


@pytest.mark.parametrize("name", ["formats.docx", "formats.odt", "formats.epub", "formats.html"])
def test_every_word_of_the_source_is_read_once(name):
    """From the first paragraph on, the words read (body, then notes) are the source's words, in order."""
    source = (FORMATS / "source.md").read_text(encoding="utf-8")
    body, _, notes = source[source.index("In 1924"):].partition("[^1]:")
    notes = "[^1]:" + notes
    expected = _words(re.sub(r"\[\^\d\]:?", "", body)) + _words(re.sub(r"\[\^\d\]:?", "", notes))
    doc = read(name)
    got: list[str] = []
    started = False
    for block in doc.blocks:
        if isinstance(block, Paragraph) and block.text.startswith("In 1924"):
            started = True
        if not started:
            continue
        if isinstance(block, (Heading, Paragraph)):
            spans = getattr(block, "spans", None)
            got += _words(block.text if spans is None else plain_text(tuple(x for x in spans if not isinstance(x, NoteRef))))
        elif isinstance(block, Quotation):
            got += [w for p in block.paragraphs for w in _words(p.text)]
        elif isinstance(block, ListBlock):
            got += [w for item in block.items for w in _words(plain_text(item))]
        elif isinstance(block, Table):
            got += [w for row in block.rows for cell in row for w in _words(cell)]
    for note in doc.notes:
        got += [w for p in note.paragraphs for w in _words(p.text)]
    assert got == expected


def test_note_texts_are_not_body_text():
    for name in ("formats.docx", "formats.odt", "formats.epub", "formats.html", "saved-page.html"):
        text = all_text(read(name))
        assert "Figures vary" not in text and "Party census" not in text, name
        assert "↑" not in text and "↩" not in text and "^" not in text, name


# --- Word and OpenDocument as LibreOffice and python-docx write them ---------------------------

@pytest.mark.parametrize("name", ["letters.odt", "letters.docx"])
def test_footnote_and_endnote_headings_quotations_from_libreoffice(name):
    doc = read(name)
    assert doc.info.title == "The Declaration of the 46"
    assert [(b.text, b.level) for b in doc.blocks if isinstance(b, Heading)] == [
        ("The letter of October 1923", 1), ("The signatories", 1)]
    notes = linked_notes(doc)
    assert [text for _, text in notes] == [
        "The text survives in the party archive; it was first printed abroad in 1990.",
        "The list here is the editor’s summary, not the letter’s own words."]
    [quote] = of_type(doc, Quotation)
    assert len(quote.paragraphs) == 2 and quote.paragraphs[1].text.endswith("the ‘quiet folk’.")
    assert of_type(doc, Table)[0].rows[2] == ("V. A. Antonov-Ovseenko", "head of the army’s political directorate")
    assert "Its tone was measured — but its charge was not." in all_text(doc)


def test_odt_endnote_keeps_its_own_mark():
    markers = [marker for marker, _ in linked_notes(read("letters.odt"))]
    assert markers == ["1", "i"]


def test_word_built_in_styles():
    doc = read("word-styles.docx")
    assert doc.info.title == "Reports from the provinces"
    assert [(b.text, b.level) for b in doc.blocks if isinstance(b, Heading)] == [
        ("The Smolensk report", 1), ("What the report asked for", 2)]
    first, second = of_type(doc, Quotation)
    assert first.paragraphs[0].text.startswith("Of forty members present")
    assert first.citation == "(Smolensk archive, WKP 33, l. 12.)"
    assert second.paragraphs[0].text == "We cannot wait for the next congress."
    bullets, numbered = of_type(doc, ListBlock)
    assert [plain_text(i) for i in numbered.items] == ["1. Enrol the levy in the political schools.",
                                                       "2. Report back by June."]
    assert of_type(doc, Table)[0].rows[0] == ("Month", "New members")
    assert "wrote in March 1924 that the levy had doubled the cells — and halved their meetings." in all_text(doc)


# --- saved web pages -----------------------------------------------------------------------------

def test_saved_page_main_content_and_what_was_left_out():
    doc = read("saved-page.html")
    assert doc.info.title == "Lenin Levy"
    text = all_text(doc)
    for furniture in ("Jump to content", "Main page", "Search", "last edited", "Privacy", "[ edit ]", "edit",
                      "Categories", "Contents", "For the 1925 enrolment", "client-js"):
        assert furniture not in text, furniture
    assert "Ленинский призыв" in text and "January 1924." in text  # a non-breaking space is a space
    said = "\n".join(doc.left_out)
    for kind in ("navigation", "page header", "page footer", "edit links", "category links", "editors' note"):
        assert kind in said, kind
    assert "“This page was last edited on 3 May …”" in said


def test_saved_page_reference_list_links_every_use():
    doc = read("saved-page.html")
    refs = [s for p in document_paragraphs(doc) for s in p.spans if isinstance(s, NoteRef)]
    assert [(r.marker, r.note_id) for r in refs] == [("[1]", "note-1"), ("[2]", "note-2"), ("[1]", "note-1")]
    assert doc.note("note-1").paragraphs[0].text == "Carr, E. H. The Interregnum, p. 352."
    assert doc.note("note-2").paragraphs[0].text == "Party census figures, 1927."
    [quote] = of_type(doc, Quotation)
    assert quote.citation == "— Pravda, 10 February 1924"
    [table] = of_type(doc, Table)
    assert table.rows[0] == ("Date", "Full members", "Candidates")
    assert [plain_text(i) for i in of_type(doc, ListBlock)[0].items] == ["workers from the bench",
                                                                         "members of the Komsomol"]


def test_page_without_main_old_encoding_name_anchors():
    doc = read("no-main.html")
    text = all_text(doc)
    assert "Archive | 1925" not in text and "Another speech" not in text and "Public domain" not in text
    assert "this talk of a “collective leadership” that means" in text  # Windows-1252 curly quotes
    assert linked_notes(doc) == [("[1]", "The stenographic record notes applause from the majority here.")]
    assert any("sidebar" in line for line in doc.left_out)
    assert doc.info.title == "Speech of 1925"


def test_html_markup_never_makes_a_marker_of_text():
    page = b"<html><body><main><p>He said [3] times no.<sup>4</sup></p></main></body></html>"
    doc = read_bytes(page, "t", path="p.html", suffix=".html")
    [para] = document_paragraphs(doc)
    assert para.text == "He said [3] times no.4" and not any(isinstance(s, NoteRef) for s in para.spans)


def test_html_references_are_never_followed(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-WORDS")
    page = (f'<!DOCTYPE html [<!ENTITY x SYSTEM "file://{secret}">]><html><head>'
            f'<link rel="stylesheet" href="file://{secret}"></head><body><p>Before &x; after.</p>'
            f'<iframe src="file://{secret}"></iframe><img src="http://example.invalid/a.png"><object data="{secret}">'
            '</object><script>document.write("scripted")</script></body></html>').encode()
    doc = read_bytes(page, "t", path="p.html", suffix=".html")
    assert "SECRET" not in all_text(doc) and "scripted" not in all_text(doc)
    assert "Before" in all_text(doc)


def test_html_nested_beyond_the_parser_limit_is_refused_not_cut_short():
    page = ("<html><body><p>start</p>\n" + "<div>" * 300 + "deep words</body></html>").encode()
    with pytest.raises(DocumentError) as caught:
        read_bytes(page, "t", path="deep.html", suffix=".html")
    assert caught.value.format_message() == (
        "deep.html: cannot be read as a web page (line 2: Excessive depth in document: 256)")


def test_epub_chapter_nested_beyond_the_parser_limit_is_refused(tmp_path):
    deep = ("<html xmlns='http://www.w3.org/1999/xhtml'><body><p>start</p>" + "<div>" * 300 + "deep words"
            + "</div>" * 300 + "</body></html>").encode()
    path = tmp_path / "deep.epub"
    with zipfile.ZipFile(FORMATS / "formats.epub") as source, zipfile.ZipFile(path, "w") as book:
        for info in source.infolist():
            book.writestr(info, deep if info.filename == "EPUB/text/ch001.xhtml" else source.read(info))
    assert error_for(path) == ("documents/deep.epub: cannot be read as an e-book: its chapter text/ch001.xhtml "
                               "(line 1: Excessive depth in document: 256)")


def test_odt_external_entity_is_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-WORDS")
    content = (f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>'
               '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
               '<text:p>Kept words &x; here.</text:p></office:text></office:body></office:document-content>')
    path = tmp_path / "entity.odt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("content.xml", content)
    doc = read_document(path, "e")
    assert "SECRET" not in all_text(doc) and "Kept words" in all_text(doc)


# --- EPUB ------------------------------------------------------------------------------------------

def test_epub_metadata_title_page_and_chapter_notes():
    doc = read("formats.epub")
    assert (doc.info.title, doc.info.author) == ("The Lenin Levy", "Sam Teacher")
    assert any(line.startswith("title page") for line in doc.left_out)
    # pandoc numbers the notes of each chapter from 1: the two notes stay apart
    refs = [s for p in document_paragraphs(doc) for s in p.spans if isinstance(s, NoteRef)]
    assert [r.note_id for r in refs] == ["note-1", "note-1-2"]


def test_epub_endnotes_in_their_own_file_and_footnotes_in_an_aside():
    doc = read("epub-notes.epub")
    assert (doc.info.title, doc.info.author) == ("Letters from the Left Opposition", "A. Editor")
    assert linked_notes(doc) == [("1", "The date is the postmark’s."), ("*", "His articles of 1928 were copied by hand.")]
    assert doc.note("note-star") is not None
    text = all_text(doc)
    # a book's header and boxed aside are the author's words; its table of contents is not
    assert "Rakovsky to Valentinov" in text and "Astrakhan was a place of exile." in text
    assert any(line.startswith("table of contents") for line in doc.left_out)


# --- PDF ---------------------------------------------------------------------------------------

def test_pdf_running_heads_page_numbers_and_hyphenation():
    doc = read("running-heads.pdf")
    assert doc.left_out == ("running head or footer on 2 pages: “The Lenin Levy: a study”", "page numbers (2)")
    text = all_text(doc)
    assert "a study" not in text
    assert [b.text for b in doc.blocks if isinstance(b, Heading)] == [
        "The Lenin Levy", "The recruits", "What the old guard said"]
    # a hyphenation break becomes a soft hyphen; a hyphen of the word stays
    assert "that the or\u00adganisational consolidation of the apparat\u00adus was incompatible with inner-party" in text
    paras = [p.text for p in of_type(doc, Paragraph)]
    assert paras[0].endswith("called them ‘the levy’, and they did not mean it kindly.")
    assert any(p.startswith("The congress did not listen, and the con\u00adsequences") for p in paras)


def test_pdf_from_a_word_processor_keeps_its_words_and_quotation_block():
    doc = read("letters.pdf")
    text = all_text(doc)
    assert "The regime established within the party is utterly intolerable; it destroys the independence" in text
    assert "forty-six Old Bolsheviks sent a letter to the Politburo.1 Its tone was measured — but its charge" in text


# --- bad files -------------------------------------------------------------------------------------

BAD = {
    "cut-short.docx": "is not a Word (.docx) file (not a zip container: damaged, cut short or misnamed)",
    "plain-text.docx": "is not a Word (.docx) file (not a zip container: damaged, cut short or misnamed)",
    "cut-short.epub": "is not an EPUB (.epub) file (not a zip container: damaged, cut short or misnamed)",
    "cut-short.pdf": "cannot be read as a PDF (damaged, cut short or not a PDF: "
                     "Failed to load document (PDFium: Data format error))",
    "password.pdf": "is a password-protected PDF; save a copy without the password (or print it to a new PDF) "
                    "and read that",
    "scanned.pdf": "has no text layer (a scanned PDF?); run OCR on it first, e.g. "
                   "'ocrmypdf scan.pdf scan-text.pdf', and read that file",
    "zip-bomb.docx": "holds 'word/document.xml', which unpacks to more than 64 MB; refused as a possible zip bomb",
    "no-content.odt": "is not complete: 'content.xml' is missing inside it (is it really an OpenDocument (.odt) file?)",
    "no-document.docx": "cannot be read as a Word (.docx) file (OSError: Could not find main document part. "
                        "Are you sure this is a valid .docx file?)",
    "no-package.epub": "cannot be read as an EPUB (.epub) file ('Can not find container file')",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_file_is_refused_in_one_line(name):
    message = error_for(FORMATS / "bad" / name)
    assert message == f"documents/{name}: {BAD[name]}"
    assert "\n" not in message


def test_zip_member_that_lies_about_its_size_is_measured(tmp_path):
    """A header claiming a small size smuggles nothing: the member is read only to that size and fails its check."""
    path = tmp_path / "liar.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b" " * (65 * 1024 * 1024))
    data = bytearray(path.read_bytes())
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (1000).to_bytes(4, "little")  # the central directory's size
    local = data.find(b"PK\x03\x04")
    data[local + 22 : local + 26] = (1000).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    message = error_for(path)
    assert message == ("documents/liar.docx: is damaged: 'word/document.xml' inside it cannot be unpacked "
                       "(Bad CRC-32 for file 'word/document.xml')")


@pytest.mark.broken_pdfs  # an empty and an over-size ".pdf", on purpose
def test_binary_size_cap_and_empty_file(tmp_path):
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as handle:
        handle.truncate(MAX_BINARY_BYTES + 1)
    assert error_for(huge) == "documents/huge.pdf: document is too large (67,108,865 bytes; the limit is 64 MB)"
    (tmp_path / "empty.epub").write_bytes(b"")
    assert error_for(tmp_path / "empty.epub") == "documents/empty.epub: document is empty"
    (tmp_path / "furniture.html").write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    assert error_for(tmp_path / "furniture.html") == (
        "documents/furniture.html: document has no text (nothing but markup, pictures or blank pages)")


def test_cli_refuses_a_bad_file_with_exit_1_and_no_traceback(tmp_path):
    target = tmp_path / "scan.pdf"
    target.write_bytes((FORMATS / "bad" / "scanned.pdf").read_bytes())
    result = subprocess.run([sys.executable, "-m", "studypack", "inspect", str(target)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"{target}: has no text layer (a scanned PDF?); run OCR on it first, e.g. "
        "'ocrmypdf scan.pdf scan-text.pdf', and read that file"]


def test_importing_the_readers_imports_no_format_library():
    code = ("import json, sys; import studypack.readers; print(json.dumps(sorted(m for m in "
            "('lxml.etree', 'mammoth', 'ebooklib', 'pypdfium2', 'markdown_it') if m in sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(result.stdout) == []


# --- quote fidelity and a build ----------------------------------------------------------------------

def test_passages_find_the_words_of_a_word_file_and_a_web_page():
    letters = read("letters.docx")
    passage = find_passage(letters, "On 15 October 1923 forty-six", "but its charge was not.")
    assert passage[0].text.startswith("On 15 October 1923") and passage[-1].text.endswith("charge was not.")
    assert any(isinstance(s, NoteRef) for s in passage[0].spans)
    page = read("saved-page.html")
    [para] = find_passage(page, "The Lenin Levy (Russian:", "Some 240,000 joined by May.")
    assert para.text.endswith("Some 240,000 joined by May.[2]")  # the marker after the words comes along


def test_pack_with_a_word_file_and_a_web_page_builds_html_and_epub(pack_copy, tmp_path):
    pack = pack_copy("formats")
    out = tmp_path / "out"
    build([pack], BuildOptions(formats=("html", "epub"), editions=("student",), out_dir=out, jobs=1))
    html = (out / "formats" / "formats-student.html").read_text(encoding="utf-8")
    with zipfile.ZipFile(out / "formats" / "formats-student.epub") as book:
        epub = " ".join(book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xhtml"))
    for words in ("On 15 October 1923 forty-six Old Bolsheviks sent a letter to the Politburo.",
                  "Its tone was measured — but its charge was not.",
                  "The regime established within the party is utterly intolerable",
                  "secretarial hierarchy and the ‘quiet folk’.",
                  "was the mass recruitment of workers into the Communist Party",
                  "Some 240,000 joined by May.",
                  "The text survives in the party archive; it was first printed abroad in 1990."):
        assert words in html, words
        assert words in epub, words
    assert "Privacy policy" not in html and "Jump to content" not in html
