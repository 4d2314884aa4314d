"""Extracts never lose words: a passage prints every block in its range, in every format.

The property, over the sample packs' documents and the corpus documents that read: for a
passage from the opening words of one block to the closing words of a later one (with a
block left out and a word corrected, sometimes), the words printed in the HTML, the EPUB
(XHTML text) and the PDF (its extracted text) are the document's words in that range,
minus the note markers and the words left out ([…]), plus the bracketed correction.

The document's words are gathered here from the reader's model, block by block, apart from
the assembler's own walk (assemble/passages.py), so that the two check each other.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from lxml import etree, html

from studypack import model as m
from studypack.assemble.pack import load_pack
from studypack.errors import ProblemsError, StudypackError
from studypack.readers import read_document
from studypack.theme import Theme
from studypack.writers import WriteRequest, get_writer

REPO = Path(__file__).resolve().parent.parent
# The sample packs' documents (each once), the corpus, and a document with every kind of block.
DOCUMENTS = (
    sorted({p.name: p for p in REPO.glob("packs/*/documents/*")}.values())
    + sorted((REPO / "tests" / "corpus" / "docs").iterdir())
    + [REPO / "tests" / "roots" / "extracts" / "documents" / "report.md"]
)
XHTML = "{http://www.w3.org/1999/xhtml}"


def words(text: str) -> list[str]:
    """The words of a text: runs of letters and digits (punctuation, brackets and […] are not words)."""
    return re.findall(r"\w+", unicodedata.normalize("NFKC", text))


# --- the document's runs of words, from the reader's model --------------------------


def _unmarked(spans) -> str:
    """A run's text without its note markers."""
    return "".join(s.text for s in spans if isinstance(s, m.Text))


def document_runs(doc: m.Document) -> list[tuple[str, str]]:
    """Each run of words of the document in reading order: (text as written, text without note markers)."""
    runs: list[tuple[str, str]] = []

    def plain(text: str) -> None:
        runs.append((text, text))

    def para(p: m.Paragraph) -> None:
        runs.append((p.text, _unmarked(p.spans)))

    for section in doc.sections:
        if section.heading is not None:
            plain(section.heading.text)
        for block in section.blocks:
            if isinstance(block, m.Paragraph):
                para(block)
            elif isinstance(block, m.Heading):
                plain(block.text)
            elif isinstance(block, m.SourceBlock):
                plain(f"Source {block.label}")
                for p in block.paragraphs:
                    para(p)
                if block.attribution:
                    plain(f"({block.attribution})")
            elif isinstance(block, m.Quotation):
                for p in block.paragraphs:
                    para(p)
                if block.citation:
                    plain(block.citation)
            elif isinstance(block, m.ListBlock):
                runs.extend((m.plain_text(item), _unmarked(item)) for item in block.items)
            elif isinstance(block, m.Table):
                runs.extend((cell, cell) for row in block.rows for cell in row)
    return runs


@functools.lru_cache(maxsize=None)
def readable() -> list[tuple[Path, m.Document]]:
    """The sample and corpus documents that read (a corpus file the readers refuse is left out)."""
    out = []
    for path in DOCUMENTS:
        try:
            out.append((path, read_document(path, "doc")))
        except StudypackError:
            continue
    return out


# --- a passage -----------------------------------------------------------------------


@dataclasses.dataclass
class Passage:
    """A passage of a document as a pack names it, and the words it must print."""

    path: Path
    opening: str
    closing: str
    omit: tuple[str, str] | None
    correction: tuple[str, str] | None
    expected: list[str]


def _unique_prefix(text: str, full: str) -> str | None:
    """The fewest opening words of ``text`` that occur once in ``full``."""
    ends = [match.end() for match in re.finditer(r"\S+", text)]
    for end in ends[2:] or ends[-1:]:
        if full.count(text[:end]) == 1:
            return text[:end]
    return None


def _unique_suffix(text: str, after: str) -> str | None:
    """The fewest closing words of ``text`` that occur once in ``after``."""
    starts = [match.start() for match in re.finditer(r"\S+", text)]
    for start in reversed(starts[:-2] or starts[:1]):
        if after.count(text[start:]) == 1:
            return text[start:]
    return None


@st.composite
def passages(draw, max_runs: int | None = None) -> Passage:
    """A passage of one of the documents: from a block's opening words to a later block's closing words."""
    docs = readable()
    path, doc = draw(st.sampled_from(docs))
    runs = document_runs(doc)
    full = "\n\n".join(text for text, _ in runs)
    offsets, pos = [], 0
    for text, _ in runs:
        offsets.append(pos)
        pos += len(text) + 2
    assume(runs)
    first = draw(st.integers(0, len(runs) - 1))
    span = len(runs) - 1 - first if max_runs is None else min(max_runs, len(runs) - 1 - first)
    last = first + draw(st.integers(0, span))
    opening = _unique_prefix(runs[first][0], full) if runs[first][0].strip() else None
    assume(opening is not None and full.index(opening) == offsets[first])
    closing = _unique_suffix(runs[last][0], full[offsets[first] :]) if runs[last][0].strip() else None
    assume(closing is not None and full.index(closing, offsets[first]) + len(closing) == offsets[last] + len(runs[last][0]))
    chosen = [clean for _, clean in runs[first : last + 1]]
    extract_text = "\n\n".join(text for text, _ in runs[first : last + 1])
    omit = None
    middle = [k for k in range(first + 1, last) if runs[k][0].strip() and extract_text.count(runs[k][0]) == 1]
    if middle and draw(st.booleans()):
        k = draw(st.sampled_from(middle))
        omit = (runs[k][0], runs[k][0])
        chosen[k - first] = ""
    correction = None
    notes = " ".join(p.text for n in doc.notes for p in n.paragraphs)
    candidates = sorted(
        {w for i, clean in enumerate(chosen) for w in words(clean) if len(w) >= 5 and not w.isdigit()
         and (full + notes).count(w) == 1}
    )
    if candidates and draw(st.booleans()):
        word = draw(st.sampled_from(candidates))
        correction = (word, f"[{word}-ed]")
        chosen = [text.replace(word, f"[{word}-ed]") for text in chosen]
    return Passage(path, opening, closing, omit, correction, words(" ".join(chosen)))


def build_pack(passage: Passage, folder: Path) -> m.Pack:
    """A pack of one source, the passage, written as a teacher would and loaded as the build does."""
    (folder / "documents").mkdir()
    name = "doc" + passage.path.suffix
    (folder / "documents" / name).write_bytes(passage.path.read_bytes())
    q = json.dumps  # a JSON string is a YAML double-quoted scalar
    lines = ["title: Qzxpack", "language: en-GB", "date: 2026-09-01", "documents:",
             f"  - id: doc\n    path: documents/{name}"]
    if passage.correction:
        lines.append(f"    corrections:\n      - find: {q(passage.correction[0])}\n        replace: {q(passage.correction[1])}")
    lines += ["parts:", "  - title: Qzxpart", "    items:", "      - source:", "          document: doc",
              f"          from: {q(passage.opening, ensure_ascii=False)}", f"          to: {q(passage.closing, ensure_ascii=False)}"]
    if passage.omit:
        lines.append(f"          omit:\n            - from: {q(passage.omit[0])}\n              to: {q(passage.omit[1])}")
    lines += ["        id: it", "        intro: Qzxstart", "        attribution: Qzxend"]
    (folder / "pack.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    pack = load_pack(folder)
    # The notes' own words are not the passage's: printed without them, a note call prints nothing.
    parts = tuple(dataclasses.replace(p, items=tuple(dataclasses.replace(i, notes=()) for i in p.items)) for p in pack.parts)
    return dataclasses.replace(pack, parts=parts)


def write(pack: m.Pack, fmt: str, dest: Path) -> Path:
    """One output of the pack (student edition) by the format's own writer."""
    get_writer(fmt).write(WriteRequest(pack, "student", "standard", Theme.for_pack(Path(pack.root)), {}), dest)
    return dest


def _source_words(root) -> list[str]:
    """The words of the printed source (the blockquote of section src-it), attribution left out."""
    [section] = [s for s in root.iter() if isinstance(s.tag, str) and s.get("id") == "src-it"]
    [quote] = [q for q in section.iter() if isinstance(q.tag, str) and q.get("class") == "source-text"]
    for el in list(quote.iter()):
        if isinstance(el.tag, str) and el.get("class") in ("attribution", "noteref", "footnote"):
            el.getparent().remove(el)
        elif isinstance(el.tag, str) and el.tag.replace(XHTML, "") in ("p", "li", "td", "th"):
            el.tail = " " + (el.tail or "")  # cells set side by side are apart on the page
    return words("".join(quote.itertext()))


def printed_html(pack: m.Pack, folder: Path) -> list[str]:
    """The words of the source in the HTML output."""
    return _source_words(html.parse(str(write(pack, "html", folder / "out.html"))).getroot())


def printed_epub(pack: m.Pack, folder: Path) -> list[str]:
    """The words of the source in the EPUB's XHTML."""
    import zipfile

    with zipfile.ZipFile(write(pack, "epub", folder / "out.epub")) as book:
        for name in book.namelist():
            if name.endswith(".xhtml") and b'id="src-it"' in book.read(name):
                return _source_words(etree.fromstring(book.read(name)))
    raise AssertionError("no chapter of the EPUB holds the source")


def _pdf_or_refused(pack: m.Pack, dest: Path) -> Path:
    """The PDF; a passage with a character the print fonts lack is refused aloud (fonts.check_glyphs,
    naming the document's line): no word is lost, and there is nothing to compare."""
    try:
        return write(pack, "pdf", dest)
    except ProblemsError as exc:
        assume("have no glyph for" not in str(exc))
        raise


def printed_pdf(pack: m.Pack, folder: Path) -> str:
    """The letters and digits of the source in the PDF's text, from the intro to the attribution,
    page furniture (running heads, page numbers, the edition) left out; line-end hyphens and spaces
    mean nothing here, so the text is compared as one run of letters and digits."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(_pdf_or_refused(pack, folder / "out.pdf")))
    lines = []
    for page in pdf:
        text = page.get_textpage().get_text_range()
        lines += [line for line in text.splitlines()
                  if line.strip() not in {"Qzxpack", "Qzxpart", "STUDENT", "STUDENT EDITION", "Student edition"}
                  and not re.fullmatch(r"\s*Page \d+ of \d+\s*", line)]
    pdf.close()
    flat = "".join(words("\n".join(lines)))
    start = flat.index("Qzxstart")
    end = flat.index("Qzxend", start)
    body = flat[start + len("Qzxstart") : end]
    assert body.startswith("SourceA")
    return body[len("SourceA") :]


@settings(max_examples=20, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(passages(max_runs=80))
def test_html_and_epub_print_every_word_of_a_passage(passage):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pack = build_pack(passage, folder)
        assert printed_html(pack, folder) == passage.expected
        assert printed_epub(pack, folder) == passage.expected


@pytest.mark.slow
@settings(max_examples=8, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(passages(max_runs=12))
def test_pdf_prints_every_word_of_a_passage(passage):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pack = build_pack(passage, folder)
        assert printed_pdf(pack, folder) == "".join(passage.expected)


# --- examples: every kind of block, in every format ------------------------------------

FIXTURE = REPO / "tests" / "roots" / "extracts"


@pytest.fixture(scope="module")
def fixture_pack() -> m.Pack:
    return load_pack(FIXTURE)


def _extract(pack: m.Pack, source_id: str) -> m.Extract:
    return next(e for e in pack.extracts if e.id == source_id)


def test_a_passage_keeps_its_table_heading_list_quotation_and_break(fixture_pack):
    whole = _extract(fixture_pack, "whole")
    kinds = [(type(b).__name__, getattr(b, "role", "")) for b in whole.blocks]
    assert kinds == [("Paragraph", ""), ("Cells", ""), ("Paragraph", ""), ("Line", "heading"), ("Paragraph", ""),
                     ("ListBlock", ""), ("Paragraph", ""), ("Line", "citation"), ("Paragraph", "")]
    table = whole.blocks[1]
    assert table.header and [m.plain_text(c, original=False) for c in table.rows[2]] == ["Poltava", "[307] [2]", "27.4"]
    assert m.plain_text(whole.blocks[5].items[2], original=False) == "a hearing for the expelled [members] of the committee."
    assert [n.label for n in whole.notes] == ["1", "3"]  # the notes its markers refer to (in a list item too)
    cut = _extract(fixture_pack, "cut")
    assert isinstance(cut.blocks[-2], m.SceneBreak) and cut.blocks[-1].text == "The next meeting was held in May."
    # The row left out is marked […] in its first cell; the header row stays.
    assert [[m.plain_text(c) for c in row] for row in cut.blocks[1].rows[:2]] == [
        ["District", "Farms", "Sown area"], ["[…]", "", ""]]


def test_a_table_or_list_can_be_named_by_its_id(fixture_pack):
    table = _extract(fixture_pack, "table")
    assert [type(b) for b in table.blocks] == [m.Cells] and len(table.blocks[0].rows) == 3
    demands = _extract(fixture_pack, "demands")
    assert [type(b) for b in demands.blocks] == [m.ListBlock] and len(demands.blocks[0].items) == 3


@pytest.mark.parametrize("fmt", ["html", "epub"])
def test_every_block_is_printed_with_its_markup(fixture_pack, fmt, tmp_path):
    out = write(fixture_pack, fmt, tmp_path / f"out.{fmt}")
    if fmt == "epub":
        import zipfile

        with zipfile.ZipFile(out) as book:
            text = next(book.read(n) for n in book.namelist() if n.endswith(".xhtml") and b'id="src-whole"' in book.read(n))
        root = etree.fromstring(text)
    else:
        root = html.parse(str(out)).getroot()
    section = next(s for s in root.iter() if isinstance(s.tag, str) and s.get("id") == "src-whole")
    tags = [el.tag.replace(XHTML, "") for el in section.iter() if isinstance(el.tag, str)]
    assert {"table", "thead", "th", "td", "ul", "li"} <= set(tags)
    heading = next(el for el in section.iter() if isinstance(el.tag, str) and el.get("class") == "source-heading")
    assert heading.get("aria-level") == "3" and "".join(heading.itertext()) == "What the delegates asked"
    corrected = [el for el in section.iter() if isinstance(el.tag, str) and el.get("class") == "correction"]
    assert [(el.text, el.get("title")) for el in corrected] == [("[307]", "3O7"), ("[members]", "membrs")]
    assert "Minutes of the district committee, March 1930." in "".join(section.itertext())


@pytest.mark.slow
def test_the_pdf_sets_the_table_and_list_inside_the_source(fixture_pack, tmp_path):
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(write(fixture_pack, "pdf", tmp_path / "out.pdf")))
    text = "\n".join(page.get_textpage().get_text_range() for page in pdf)
    pdf.close()
    flat = " ".join(text.split())
    for words_ in ("Kharkov 412 38.1", "[307] [2] 27.4", "What the delegates asked", "fewer requisitions in the Poltava districts;",
                   "(Letter of the Poltava delegates, April 1930.)", "Minutes of the district committee, March 1930.",
                   "The requisitions of 1930 were cut in the autumn."):
        assert words_ in flat


def test_an_unknown_id_lists_every_id_or_says_how_many_are_left_out(pack_copy):
    folder = pack_copy("extracts")
    yaml = folder / "pack.yaml"
    yaml.write_text(yaml.read_text().replace("report#table1", "report#table9"))
    with pytest.raises(ProblemsError) as caught:
        load_pack(folder)
    [problem] = caught.value.problems
    assert problem.where.line == 31
    assert problem.message.startswith("'report#table9' names nothing in ")
    assert "it has: intro, what-the-delegates-asked, notes, q1, table1, list1, p1, p2" in problem.message
    assert problem.message.endswith(", break1, p6 (see studypack inspect)")  # all of them: no "…"


def test_a_long_list_of_ids_says_how_many_more(pack_copy):
    from studypack.assemble.pack import IDS_LISTED, known_ids

    ids = [f"p{i}" for i in range(1, IDS_LISTED + 6)]
    assert known_ids(ids).endswith(f"p{IDS_LISTED} and 5 more")
    assert known_ids(ids[:IDS_LISTED]).endswith(f"p{IDS_LISTED}")


@dataclasses.dataclass(frozen=True)
class Figure:
    """A kind of block no source knows how to print (as a reader might add one day)."""

    id: str
    line: int = 0


def test_a_block_no_format_can_print_fails_check_at_the_passage(pack_copy, monkeypatch):
    from studypack.assemble import pack as assemble_pack

    real = assemble_pack.read_document

    def with_figure(*args, **kwargs):
        doc = real(*args, **kwargs)
        first = doc.sections[0]
        blocks = (*first.blocks[:1], Figure("figure1", 5), *first.blocks[1:])
        return dataclasses.replace(doc, sections=(dataclasses.replace(first, blocks=blocks), *doc.sections[1:]))

    monkeypatch.setattr(assemble_pack, "read_document", with_figure)
    with pytest.raises(ProblemsError) as caught:
        assemble_pack.check_packs([pack_copy("extracts")])
    lines = sorted((p.where.line, p.message) for p in caught.value.problems)
    assert [line for line, _ in lines] == [17, 23]  # the two passages that run across it, at their lines
    assert lines[0][1].startswith("figure figure1 (line 5) cannot be printed in a source (pdf, html, epub)")


@pytest.mark.slow
def test_a_book_with_tables_lists_and_headings_in_its_sources_passes_epubcheck(fixture_pack, tmp_path):
    from test_epub import epubcheck, problems

    assert problems(epubcheck(write(fixture_pack, "epub", tmp_path / "out.epub"))) == []
