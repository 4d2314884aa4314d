"""The PDF handout: built once per edition from a small pack, then read back with pypdf."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
import re
from pathlib import Path

import pytest

from studypack import model as m
from studypack.errors import ProblemsError, SandboxError
from studypack.theme import Theme
from studypack.writers import WriteRequest, get_writer

pypdf = pytest.importorskip("pypdf")

pytestmark = pytest.mark.slow

DATA = Path(__file__).parent / "data" / "documents"
TEACHER_ONLY = "Teacher-only reminder: collect the worksheets on Friday."


def _para(pid: str, text: str, line: int = 0) -> m.Paragraph:
    """A paragraph whose note markers (`` [12]``, `` [1*]``) become NoteRefs, as the reader makes them."""
    spans: list[m.Inline] = []
    for piece in re.split(r" ?(\[\d+\*?\])", text):
        if re.fullmatch(r"\[\d+\*?\]", piece):
            label = piece[1:-1]
            spans.append(m.NoteRef(piece, label, "note-" + label.replace("*", "star")))
        elif piece:
            spans.append(m.Text(piece))
    return m.Paragraph(pid, tuple(spans), line)


def _lines(name: str, first: int, last: int) -> list[str]:
    return (DATA / name).read_text(encoding="utf-8").splitlines()[first - 1 : last]


def sample_pack(root: Path, *, paper: str = "a4", extra_commentary: str = "") -> m.Pack:
    """A pack like a teacher's: commentary, a short and a long source with notes, a worksheet."""
    corin = _lines("corin.txt", 1, 27)
    cliff = _lines("cliff.txt", 1, 234)
    note = m.Note("note-1star", "1*", (_para("n1", cliff[230 - 1].removeprefix("1*. "), 230),), 230)
    long_paras = [_para(f"p{n}", cliff[n - 1], n) for n in (125, 127, 129, 131, 133, 137)]
    documents = (
        m.PackDocument(m.Document("corin", "documents/corin.txt", m.DocumentInfo(), ()), "© Chris Corin", "Chris Corin, article"),
        m.PackDocument(
            m.Document("cliff", "documents/cliff.txt", m.DocumentInfo(), (), (note,)), None, "Tony Cliff, Trotsky", "omit"
        ),
    )
    declaration = m.Extract(
        "declaration", "A", "corin", (_para("p5", corin[5 - 1], 5),),
        "(From the declaration of 46 leading Bolsheviks presented to the Politburo, 15 October 1923.)",
        title="The Declaration of 46",
    )
    lenin_cult = m.Extract(
        "lenin-cult", "B", "cliff", tuple(long_paras),
        "Tony Cliff, Trotsky: Fighting the rising Stalinist bureaucracy, chapter 2.",
        title="The Lenin cult", notes=(note,),
    )
    questions = (
        m.Question("q1", 1, "How valuable is [[declaration]] for an enquiry into how the party was run in 1923?", 8, 16,
                   ("declaration",), mark_scheme="Award a level, then a mark.",
                   indicative=("The signatories were senior insiders.",),
                   levels=(m.Level("2", "5–8", "Evaluates the source."), m.Level("1", "1–4", "Describes the source."))),
        m.Question("q2", 2, "Explain what [[lenin-cult]] shows about the Lenin cult.", 12, 24, ("lenin-cult",),
                   mark_scheme="Credit the use of Krupskaya’s letter."),
        m.Question("q3", 3, "‘Stalin won because of his position.’ How far do you agree?", 5, 10),
    )
    intro = (
        "Studying these sources is revealing – it shows how Lenin was used as a weapon… "
        "Kamenev was against making anyone the *vozhd* (вождь, ‘leader’)."
    )
    parts = (
        m.Part("introduction", "Introduction", (m.Commentary(intro + extra_commentary, m.Location("commentary/intro.md", 1)),)),
        m.Part("declaration", "The Declaration of 46", (
            m.Commentary("\n\n".join(corin[1:3]), m.Location("commentary/before.md", 1), credit="From Chris Corin’s article"),
            declaration,
            m.Commentary(corin[7 - 1], m.Location("commentary/after.md", 1)),
        )),
        m.Part("cult", "The Lenin cult", (lenin_cult,)),
        m.Part("worksheet", "Worksheet", (m.Worksheet("ws", None, "Answer **all** questions.", questions),)),
        m.Part("notes", "Teacher’s notes", (m.Commentary(TEACHER_ONLY, m.Location("commentary/notes.md", 1)),), ("teacher",)),
    )
    return m.Pack(
        name="sample", root=str(root), title="The struggle for power, 1923–27",
        subtitle="Sources on Stalin, Trotsky and the oppositions", course="A-level History",
        author="History Department", language="en-GB", rights="For classroom use.", date="2026-09-01",
        labels="letters", paper=paper, documents=documents, parts=parts,
        glossary=(m.GlossaryEntry("vozhd", "vozhd (вождь)", "Russian for ‘leader’."),),
        description="The power struggle after Lenin’s death.", keywords=("Stalin", "Trotsky"),
    )


def tiny_pack(root: Path, commentary: str = "A short introduction.", paper: str = "a4") -> m.Pack:
    """A one-part pack that renders in a fraction of a second."""
    parts = (m.Part("intro", "Introduction", (m.Commentary(commentary, m.Location("commentary/intro.md", 1)),)),)
    return m.Pack(
        name="tiny", root=str(root), title="Tiny pack", subtitle=None, course=None, author=None, language="en-GB",
        rights=None, date="2026-09-01", labels="letters", paper=paper, documents=(), parts=parts,
    )


def write_pdf(pack: m.Pack, folder: Path, edition: str = "student", **options) -> tuple[Path, object]:
    """Write a pack's PDF the way the build does: to a hidden temporary name, then renamed."""
    final = folder / f"{pack.name}-{edition}.pdf"
    tmp = folder / f".{final.name}.4242.tmp"
    result = get_writer("pdf").write(WriteRequest(pack, edition, "standard", Theme(), options), tmp)
    tmp.replace(final)
    return final, result


# --- reading the PDF back ---------------------------------------------------

MM = 72 / 25.4


@functools.cache
def page_texts(path: Path) -> tuple[str, ...]:
    """The text of each page (PDFs here are never rewritten, so it is read once)."""
    return tuple(page.extract_text() for page in pypdf.PdfReader(path).pages)


def text_in_band(page, top_mm: float, bottom_mm: float) -> str:
    """The text whose baseline lies between two distances from the top of the page."""
    height = float(page.mediabox.height)
    found: list[str] = []

    def visit(text, cm, tm, font, size):
        y = height - (tm[5] * cm[3] + cm[5])
        if text.strip() and top_mm * MM <= y <= bottom_mm * MM:
            found.append(text)

    page.extract_text(visitor_text=visit)
    return "".join(found).strip()


def outline_titles(reader) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append((depth, item.title))

    walk(reader.outline, 0)
    return out


def ruled_lines_mm(path: Path, page_index: int) -> list[float]:
    """The heights (mm from the top) of horizontal rules across most of the text width."""
    pdfium = pytest.importorskip("pypdfium2")
    scale = 150 / 72
    image = pdfium.PdfDocument(str(path))[page_index].render(scale=scale, grayscale=True).to_pil()
    width, height = image.size
    pixels = image.load()
    columns = range(int(width * 0.2), int(width * 0.8), 4)
    # A rule is a run of adjacent rows that are grey all across and, added up, clearly dark
    # (a thin rule is anti-aliased over two rows).
    lines: list[float] = []
    run: list[int] = []
    for y in range(height + 1):
        lightest = max(pixels[x, y] for x in columns) if y < height else 255
        if lightest < 250:
            run.append(lightest)
            continue
        if run and sum(255 - v for v in run) >= 50:
            lines.append((y - len(run) / 2) / scale / MM)
        run = []
    return lines


def answer_lines(path: Path, page_index: int) -> int:
    """How many rules on a page have a neighbour 8 mm away: the ruled lines for handwriting."""
    ys = ruled_lines_mm(path, page_index)
    return sum(1 for y in ys if any(abs(abs(y - z) - 8) < 0.5 for z in ys))


# --- the sample pack, built once per edition --------------------------------


class Recorder(logging.Handler):
    """Keeps every warning any logger passes to the root logger."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Both editions of the sample pack (student also with --emit-html), built once, with the warnings logged."""
    folder = tmp_path_factory.mktemp("pdf")
    pack = sample_pack(folder / "pack")
    (folder / "pack").mkdir()
    out = {"pack": pack, "folder": folder}
    recorder = Recorder()
    logging.getLogger().addHandler(recorder)
    try:
        for edition in ("student", "teacher"):
            path, result = write_pdf(pack, folder, edition, emit_html=edition == "student", paper=None)
            out[edition] = path
            out[edition + "-result"] = result
    finally:
        logging.getLogger().removeHandler(recorder)
    out["warnings"] = recorder.records
    return out


def test_page_count_is_reported_and_matches_the_pdf(built):
    for edition in ("student", "teacher"):
        reader = pypdf.PdfReader(built[edition])
        assert built[edition + "-result"].pages == len(reader.pages)
        assert 5 <= len(reader.pages) <= 10


def test_every_source_label_and_attribution_in_reading_order(built):
    text = "\n".join(page_texts(built["student"]))
    body = text[text.index("Introduction\nStudying"):]
    positions = []
    for extract in built["pack"].extracts:
        label = body.index(f"Source {extract.label}: {extract.title}")
        first_words = body.index(m.plain_text(extract.paragraphs[0].spans)[:30])
        attribution = body.index(extract.attribution[:40])
        assert label < first_words < attribution
        positions.append(label)
    assert positions == sorted(positions)


def test_notes_are_footnotes_and_missing_notes_are_dropped(built):
    texts = page_texts(built["student"])
    page = next(t for t in texts if "Source B: The Lenin cult" in t)
    body, foot = page.split("In June 1924 Iuzovka", 1)
    # The call and the marker carry the original's own label, 1*.
    assert "in Red Square.1* Trotsky commented" in body.replace("\n", " ")
    assert body.rstrip().endswith("1*.")  # the note's marker, at the foot of the page
    assert "[22]" not in "".join(texts) and "[1*]" not in "".join(texts)
    assert "renamed Stalingrad" in foot


def test_outline_has_parts_sources_and_worksheet(built):
    titles = outline_titles(pypdf.PdfReader(built["teacher"]))
    assert (0, "Introduction") in titles
    assert (1, "Source A: The Declaration of 46") in titles
    assert (1, "Source B: The Lenin cult") in titles
    assert (0, "Worksheet") in titles
    assert (0, "Teacher’s notes") in titles
    assert not any(title in ("Mark scheme", "Contents", "Indicative content") for _, title in titles)


def test_metadata_comes_from_the_pack(built):
    reader = pypdf.PdfReader(built["teacher"])
    info = reader.metadata
    assert info.title == "The struggle for power, 1923–27 (Teacher edition)"
    assert info.author == "History Department"
    assert info.subject == "The power struggle after Lenin’s death."
    assert info["/Keywords"] == "Stalin, Trotsky"
    assert info["/CreationDate"] == info["/ModDate"] == "D:20260901"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"


def test_tagged_pdf_ua(built):
    root = pypdf.PdfReader(built["student"]).trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"]
    assert root["/StructTreeRoot"]["/K"]
    xmp = root["/Metadata"].get_object().get_data()
    assert b"pdfuaid:part" in xmp or b'part="1"' in xmp


def test_fonts_are_embedded_and_subset(built):
    reader = pypdf.PdfReader(built["student"])
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    assert fonts
    for name, font in fonts.items():
        assert re.fullmatch(r"/[A-Z]{6}\+.+", name), name
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), name


def test_page_footers_count_the_pages(built):
    for edition in ("student", "teacher"):
        texts = page_texts(built[edition])
        total = len(texts)
        assert not re.search(r"Page \d+ of", texts[0])
        for number, text in enumerate(texts[1:], start=2):
            assert re.findall(r"Page (\d+) of (\d+)", text) == [(str(number), str(total))]


def test_running_heads_on_every_page_but_the_first(built):
    pack = built["pack"]
    reader = pypdf.PdfReader(built["student"])
    heads = [text_in_band(page, 5, 17) for page in reader.pages]
    assert heads[0] == ""
    titles = {part.title for part in pack.parts} | {"Glossary", "Sources and acknowledgements"}
    for number, head in enumerate(heads[1:], start=2):
        assert head == pack.title if number % 2 == 0 else head in titles, (number, head)


def test_teacher_edition_marked_on_every_page_and_its_text_kept_from_students(built):
    for text in page_texts(built["teacher"]):
        assert "TEACHER EDITION" in text.upper()
    student = "\n".join(page_texts(built["student"]))
    teacher = "\n".join(page_texts(built["teacher"]))
    for secret in (TEACHER_ONLY, "Award a level, then a mark.", "Indicative content", "Teacher edition"):
        assert secret not in student
        assert secret.upper() in teacher.upper()


def test_student_edition_has_ruled_answer_lines_8mm_apart(built):
    pack = built["pack"]
    wanted = sum(q.lines for q in pack.parts[3].items[0].questions)
    texts = page_texts(built["student"])
    pages = [i for i, t in enumerate(texts) if "marks]" in t or "Total for this worksheet" in t]
    assert sum(answer_lines(built["student"], i) for i in range(pages[0], pages[-1] + 1)) == wanted
    teacher_pages = [i for i, t in enumerate(page_texts(built["teacher"])) if "marks]" in t]
    assert all(answer_lines(built["teacher"], i) == 0 for i in teacher_pages)


def marks_heights_mm(page) -> list[float]:
    """Where the "[N marks]" of each question on a page stand, in mm from the top."""
    height = float(page.mediabox.height)
    found: list[float] = []

    def visit(text, cm, tm, font, size):
        if re.search(r"\[\d+ marks?\]", text):
            found.append((height - (tm[5] * cm[3] + cm[5])) / MM)

    page.extract_text(visitor_text=visit)
    return found


def test_question_head_keeps_its_first_three_answer_lines(tmp_path):
    questions = tuple(m.Question(f"q{n}", n, f"Question number {n}: explain.", 4, 4 + n % 4) for n in range(1, 16))
    pack = dataclasses.replace(tiny_pack(tmp_path), parts=(m.Part("ws", "Worksheet", (m.Worksheet("ws", None, None, questions),)),))
    path, _ = write_pdf(pack, tmp_path)
    reader = pypdf.PdfReader(path)
    heads = 0
    for index, page in enumerate(reader.pages):
        rules = ruled_lines_mm(path, index)
        for head in marks_heights_mm(page):
            heads += 1
            below = [y for y in rules if y > head]
            assert len(below) >= 3, f"page {index + 1}: a question at {head:.0f} mm has {len(below)} answer lines"
    assert heads == len(questions)
    assert len(reader.pages) > 2


def test_hyphenation_uses_a_hyphen_the_font_has(built):
    text = "\n".join(page_texts(built["student"]))
    assert re.search(r"[a-z]-\n[a-z]", text)
    assert "\u2010" not in text


def test_emit_html_writes_the_exact_input_beside_the_pdf(built):
    html = built["folder"] / "sample-student.print.html"
    assert built["student-result"].extra_files == (html,)
    text = html.read_text(encoding="utf-8")
    assert "@font-face" in text and "@page { size: A4; }" in text and "<base href=" in text
    assert not list(built["folder"].glob(".*.tmp"))
    assert built["teacher-result"].extra_files == ()


def test_rebuild_is_byte_identical(built, tmp_path):
    again, _ = write_pdf(built["pack"], tmp_path, "student", paper=None)
    assert again.read_bytes() == built["student"].read_bytes()


# --- small packs, one behaviour each ------------------------------------------


def _packaged_fonts() -> bool:
    from studypack.layout import fonts

    return all(family.packaged for family in fonts.print_families())


@pytest.mark.skipif(not _packaged_fonts(), reason="with DejaVu as the print fonts, the stand-in is a print font")
def test_text_in_a_font_the_stylesheets_do_not_name_is_refused(tmp_path):
    pack = tiny_pack(tmp_path, "Write `labels: numbers` in pack.yaml.")
    (tmp_path / "styles").mkdir()
    (tmp_path / "styles" / "print.css").write_text(
        "html { font-family: var(--text-font); } code { font-family: 'No Such Font'; }", encoding="utf-8"
    )
    theme = Theme(style_dirs=(tmp_path / "styles",))
    tmp = tmp_path / ".tiny-student.pdf.1.tmp"
    with pytest.raises(ProblemsError, match=r"\(':abelmnrsu'\) is set in .+, which is not one of the print fonts"):
        get_writer("pdf").write(WriteRequest(pack, "student", "standard", theme, {}), tmp)


def test_source_date_epoch_sets_the_dates(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    path, _ = write_pdf(tiny_pack(tmp_path), tmp_path)
    info = pypdf.PdfReader(path).metadata
    assert info["/CreationDate"] == info["/ModDate"] == "D:20231114221320Z"


@pytest.mark.parametrize("paper, size", [("a4", (595.3, 841.9)), ("letter", (612.0, 792.0))])
def test_paper_size(tmp_path, paper, size):
    path, result = write_pdf(tiny_pack(tmp_path, paper="a4"), tmp_path, paper=paper)
    box = pypdf.PdfReader(path).pages[0].mediabox
    assert (round(float(box.width), 1), round(float(box.height), 1)) == size


def test_pack_paper_is_the_default(tmp_path):
    path, _ = write_pdf(tiny_pack(tmp_path, paper="letter"), tmp_path, paper=None)
    assert round(float(pypdf.PdfReader(path).pages[0].mediabox.height)) == 792


def test_missing_glyph_names_the_character_and_where(tmp_path):
    commentary = "First line.\n\nThe character 中 has no glyph in the print fonts."
    with pytest.raises(ProblemsError) as caught:
        write_pdf(tiny_pack(tmp_path, commentary), tmp_path)
    message = caught.value.format_message()
    assert "U+4E2D" in message and "commentary/intro.md:3" in message
    assert not list(tmp_path.glob("*.pdf"))


@pytest.mark.parametrize("reference", ["http://example.com/logo.png", "../outside.png", "/etc/hostname"])
def test_nothing_is_read_from_outside_the_pack(tmp_path, reference):
    (tmp_path / "pack").mkdir()
    (tmp_path / "outside.png").write_bytes(b"not an image")
    pack = tiny_pack(tmp_path / "pack", f"A picture: ![logo]({reference})")
    with pytest.raises(SandboxError) as caught:
        write_pdf(pack, tmp_path)
    assert "outside the pack" in caught.value.message or "not a file in the pack" in caught.value.message


def test_a_link_out_of_the_pack_is_refused(tmp_path):
    (tmp_path / "pack").mkdir()
    (tmp_path / "secret.png").write_bytes(b"not for the pack")
    (tmp_path / "pack" / "logo.png").symlink_to(tmp_path / "secret.png")
    with pytest.raises(SandboxError, match="outside the pack folder"):
        write_pdf(tiny_pack(tmp_path / "pack", "A picture: ![logo](logo.png)"), tmp_path)


def test_a_file_inside_the_pack_may_be_used(tmp_path):
    pytest.importorskip("PIL")
    from PIL import Image

    (tmp_path / "pack").mkdir()
    Image.new("RGB", (8, 8), "red").save(tmp_path / "pack" / "logo.png")
    path, _ = write_pdf(tiny_pack(tmp_path / "pack", "A picture: ![logo](logo.png)"), tmp_path)
    assert path.exists()


def test_without_the_font_packages_dejavu_is_used(tmp_path, monkeypatch):
    from studypack.layout import fonts

    monkeypatch.setattr(fonts, "PRINT_FAMILIES", {"text": ("no_such_font_package", "DejaVu Serif"), "display": ("no_such_font_package", "DejaVu Sans")})
    fonts.print_families.cache_clear()
    try:
        path, _ = write_pdf(tiny_pack(tmp_path, "Кто такой вождь? – ‘the leader’…"), tmp_path)
    finally:
        fonts.print_families.cache_clear()
    names = {str(f["/BaseFont"]) for page in pypdf.PdfReader(path).pages for f in page["/Resources"]["/Font"].values()}
    assert names and all("DejaVu" in name for name in names)


def test_no_warnings_are_logged(built):
    assert [record.getMessage() for record in built["warnings"]] == []


def test_layout_warnings_worth_telling_become_studypack_warnings(caplog):
    from studypack.layout.engine import report_log

    records = [
        logging.makeLogRecord({"name": "weasyprint", "msg": "Using fontTools instead of HarfBuzz-Subset for font %r.", "args": ("PT Serif",)}),
        logging.makeLogRecord({"name": "weasyprint", "msg": "Ignored `colr: red` at 3:5, unknown property."}),
        logging.makeLogRecord({"name": "fontTools.ttLib", "msg": "'created' timestamp seems very low"}),
    ]
    with caplog.at_level(logging.WARNING, logger="studypack"):
        report_log(records, tiny_pack(Path(".")))
    assert [r.getMessage() for r in caplog.records] == ["tiny: PDF layout: Ignored `colr: red` at 3:5, unknown property."]


def _pages_with_references(count: int) -> str:
    """A document whose contents (page 1) points forward to sections, each pointing back to the one before."""
    items = "".join(f'<li><a href="#s{n}">Section {n}</a></li>' for n in range(count))
    sections = "".join(
        f'<section id="s{n}" style="break-before: page"><h2>Section {n}</h2>'
        + ("<p>Words of the section. " * 30 + "</p>") * (1 + n % 3)
        + (f'<p>See <a class="back" href="#s{n - 1}">the section before</a>.</p>' if n else "")
        + "</section>"
        for n in range(count)
    )
    return (
        "<!DOCTYPE html><html><head><style>"
        "@page { size: A6; margin: 10mm; @bottom-center { content: counter(page) ' of ' counter(pages); } }"
        ".contents a::after { content: ' ' target-counter(attr(href), page); }"
        "a.back::after { content: ' (page ' target-counter(url(#s0), page) ')'; }"
        f".last::after {{ content: ' (last section: page ' target-counter(url(#s{count - 1}), page) ')'; }}"
        f"</style></head><body><ol class='contents'>{items}</ol><p class='last'>Also</p>{sections}</body></html>"
    )


@pytest.mark.slow
def test_page_reference_fix_gives_weasyprint_s_very_bytes():
    """The page-reference speed-up (layout/hooks/speedups.py) finds the boxes to tell in a table: the PDF is the one WeasyPrint makes without it,
    with page references by attr() and by url(), forward and back, and they print the right pages."""
    pypdf = pytest.importorskip("pypdf")
    import io

    from weasyprint import HTML

    from studypack.layout.hooks import speedups

    from weasyprint.css.targets import TargetCollector

    html = _pages_with_references(12)
    made, told = {}, {}
    collect = TargetCollector.collect_missing_counters

    def counting(self, parent_box, css_token, parse_again, *missing):  # counts each time a box is told to set its text again
        def again(*args):
            told[fixed] += 1
            return parse_again(*args)

        return collect(self, parent_box, css_token, again, *missing)

    try:
        TargetCollector.collect_missing_counters = counting
        for fixed in (False, True):
            told[fixed] = 0
            with speedups.installed() if fixed else contextlib.nullcontext():
                assert (TargetCollector.cache_target_page_counters is speedups._cache_target_page_counters) == fixed
                made[fixed] = HTML(string=html).write_pdf(pdf_identifier=b"test")
    finally:
        TargetCollector.collect_missing_counters = collect
    assert made[True] == made[False] and told[True] == told[False] > 0, told
    pages = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(made[True])).pages]
    starts = {int(n): i + 1 for i, t in enumerate(pages) for n in re.findall(r"^Section (\d+)$", t, re.M)}
    contents = dict(re.findall(r"Section (\d+) (\d+)", pages[0]))
    assert {int(k): int(v) for k, v in contents.items()} == starts and len(starts) == 12
    assert f"(last section: page {starts[11]})" in pages[0]
    section_5 = "".join(pages[starts[5] - 1 : starts[6] - 1])
    assert f"(page {starts[0]})" in section_5.replace("\n", " ")


# --- another WeasyPrint -----------------------------------------------------


def _refuse_reads_from_studypack(monkeypatch, cls, attr: str) -> None:
    """Make ``cls.attr`` (an attribute WeasyPrint sets on its instances) fail when studypack's code reads it,
    and work as before for WeasyPrint's own code."""
    import sys

    kept = f"_kept_{attr}"

    def read(self):
        reader = sys._getframe(1).f_globals.get("__name__", "")
        if reader.startswith("studypack"):
            raise AssertionError(f"{reader} read {cls.__name__}.{attr} on an untested WeasyPrint")
        return self.__dict__[kept]

    def write(self, value):
        self.__dict__[kept] = value

    monkeypatch.setattr(cls, attr, property(read, write), raising=False)


@pytest.mark.slow
def test_on_another_weasyprint_the_build_uses_only_public_api_and_says_so_once(pack_copy, tmp_path, monkeypatch, caplog):
    """Pretending to be WeasyPrint 71 and pydyf 0.14 (the version the hooks read): no private attribute is read or
    patched, one warning says what is off, and the handout is the same PDF, laid out whole (no pieces, the index
    by a second layout); the EPUB made without its PDF's page map has no page list."""
    import pydyf
    import weasyprint.layout
    import weasyprint.pdf
    from weasyprint.css.targets import TargetCollector
    from weasyprint.document import Page
    from weasyprint.pdf.fonts import Font

    from studypack.assemble.pack import load_pack
    from studypack.layout import engine, hooks
    from studypack.writers.epub import EpubWriter

    pikepdf = pytest.importorskip("pikepdf")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    pack_dir = pack_copy("interpretations", "packs")
    pack = load_pack(pack_dir)
    writer = get_writer("pdf")
    writer.pieces = False
    tested = writer.write(WriteRequest(pack, "student", "standard", Theme.for_pack(pack_dir), {}), tmp_path / "a.pdf")
    assert tested.details["page_map"] and tested.details["index_pages"]

    monkeypatch.setattr(hooks, "installed_versions", lambda: {"WeasyPrint": "71.0", "pydyf": "0.14.0"})
    monkeypatch.setattr(hooks, "_warned", False)
    for cls, attr in ((Page, "_page_box"), (Font, "missing"), (Font, "to_unicode")):
        _refuse_reads_from_studypack(monkeypatch, cls, attr)
    originals = (TargetCollector.__init__, TargetCollector.cache_target_page_counters,
                 weasyprint.layout.make_margin_boxes, weasyprint.pdf.resolve_links, pydyf.PDF.page_references)
    seen = []

    class Unpatched(engine.HTML):
        def render(self, *args, **kwargs):
            seen.append(originals == (TargetCollector.__init__, TargetCollector.cache_target_page_counters,
                                      weasyprint.layout.make_margin_boxes, weasyprint.pdf.resolve_links,
                                      pydyf.PDF.page_references))
            return super().render(*args, **kwargs)

    monkeypatch.setattr(engine, "HTML", Unpatched)
    with caplog.at_level(logging.WARNING, logger="studypack"):
        other = get_writer("pdf").write(
            WriteRequest(pack, "student", "standard", Theme.for_pack(pack_dir), {"piece_elements": 1}), tmp_path / "b.pdf")
        book = EpubWriter().write(
            WriteRequest(pack, "student", "standard", Theme.for_pack(pack_dir), {"cover": False}), tmp_path / "b.epub")
    assert seen == [True] * 4  # the handout twice (its index by a second layout), twice for the EPUB: never patched
    assert (tmp_path / "b.pdf").read_bytes() == (tmp_path / "a.pdf").read_bytes()
    assert pikepdf.open(tmp_path / "b.pdf").check_pdf_syntax() == []
    assert "pieces" not in other.details and "page_map" not in other.details and other.pages == tested.pages
    assert other.details["index_pages"] == tested.details["index_pages"]
    assert book.details["print_pages"] == 0
    warnings = [r.getMessage() for r in caplog.records if r.name == "studypack.layout.hooks"]
    assert len(warnings) == 1, warnings
    assert "WeasyPrint 71.0, pydyf 0.14.0 installed" in warnings[0] and "WeasyPrint 70.x, pydyf 0.13.x" in warnings[0]
    assert "laid out whole" in warnings[0] and "no page list" in warnings[0]
