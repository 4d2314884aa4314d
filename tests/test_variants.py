"""The accessible variants (large print, dyslexia-friendly) and the answer key edition (docs/print-room.md).

The PDFs of the small `handout` pack are built once (module fixture), in the
standard, large-print and dyslexia-friendly variants, and measured: the fonts
they use, the size of their letters, the length of their lines, the colour of
the page. The answer key is checked in HTML and built as an EPUB, whose
writer checks that every link reaches its target.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from statistics import median

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from studypack.assemble.pack import load_pack
from studypack.build.jobs import EDITIONS, BuildOptions, plan_jobs
from studypack.cli import main
from studypack.render import Renderer
from studypack.theme import Theme
from tests.conftest import ROOTS

PX = 0.75  # WeasyPrint sets text in CSS pixels: points per pixel


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    """The student edition of the handout pack in every variant: variant -> PDF path."""
    root = tmp_path_factory.mktemp("variants")
    pack = root / "handout"
    shutil.copytree(ROOTS / "handout", pack)
    out = root / "out"
    result = CliRunner().invoke(main, ["build", str(pack), "-f", "pdf", "-e", "student", "--variant", "all", "-o", str(out), "-j", "1"])
    assert result.exit_code == 0, result.output
    names = {"standard": "handout-student.pdf", "large-print": "handout-student-large-print.pdf", "dyslexia": "handout-student-dyslexia.pdf"}
    return {variant: out / "handout" / name for variant, name in names.items()}


def fonts_of(path) -> set[str]:
    """The fonts a PDF uses, without the subset prefix (PT-Sans-Bold)."""
    found = set()
    for page in PdfReader(path).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            found.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return found


def letter_sizes(path) -> list[float]:
    """The size, in points, of every letter in the PDF."""
    document = pypdfium2.PdfDocument(path)
    sizes = []
    for i in range(len(document)):
        text = document[i].get_textpage()
        for index in range(text.count_chars()):
            if text.get_text_range(index, 1).isalpha():
                sizes.append(round(pdfium_c.FPDFText_GetFontSize(text.raw, index) * PX, 1))
    return sizes


def lines_of(path) -> list[str]:
    document = pypdfium2.PdfDocument(path)
    return [line for i in range(len(document)) for line in document[i].get_textpage().get_text_range().splitlines()]


def test_every_variant_is_made_under_its_own_name(pdfs):
    assert all(path.is_file() for path in pdfs.values())


def test_variants_are_set_in_the_sans_serif_without_italics(pdfs):
    assert {"PT-Serif", "PT-Serif-Italic"} <= fonts_of(pdfs["standard"])
    for variant in ("large-print", "dyslexia"):
        used = fonts_of(pdfs[variant])
        assert used and all(font.startswith("PT-Sans") and "Italic" not in font for font in used), (variant, used)
        text = "\n".join(lines_of(pdfs[variant]))
        assert "вождь" in text  # the Cyrillic of the sources, in the same face


def test_large_print_is_18_point_and_nothing_under_16(pdfs):
    sizes = letter_sizes(pdfs["large-print"])
    assert Counter(sizes).most_common(1)[0][0] == 18.0
    assert min(sizes) >= 16.0
    assert Counter(letter_sizes(pdfs["standard"])).most_common(1)[0][0] == 10.5


def test_dyslexia_friendly_is_14_point_on_cream_in_short_lines(pdfs):
    sizes = letter_sizes(pdfs["dyslexia"])
    assert Counter(sizes).most_common(1)[0][0] == 14.0
    assert min(sizes) >= 11.0
    # Lines of 60-70 characters (the contents' dot leaders aside; notes are smaller, so longer).
    long_lines = sorted(len(line) for line in lines_of(pdfs["dyslexia"]) if len(line) > 40 and ". . ." not in line)
    assert 58 <= median(long_lines) <= 70 and long_lines[int(len(long_lines) * 0.9)] <= 76
    corner = pypdfium2.PdfDocument(pdfs["dyslexia"])[0].render(scale=0.1).to_pil().getpixel((1, 1))
    assert corner[:3] == (251, 245, 227)
    white = pypdfium2.PdfDocument(pdfs["large-print"])[0].render(scale=0.1).to_pil().getpixel((1, 1))
    assert white[:3] == (255, 255, 255)


def test_each_target_gets_the_variant_sheets_it_needs():
    pack = load_pack(ROOTS / "handout")
    sheets = {
        (variant, target): Renderer(pack, "student", target, Theme(), variant).stylesheets()
        for variant in ("standard", "large-print", "dyslexia")
        for target in ("html", "pdf", "epub")
    }
    assert sheets["standard", "pdf"] == ("base.css", "print.css")
    assert sheets["large-print", "pdf"] == ("base.css", "print.css", "clear-print.css", "variant-large-print.css", "variant-large-print.pdf.css")
    assert sheets["dyslexia", "html"][-2:] == ("variant-dyslexia.css", "variant-dyslexia.html.css")
    # The e-book leaves size, typeface, line spacing and background to the reader's app.
    assert sheets["large-print", "epub"] == ("base.css", "epub.css", "clear-print.css", "variant-large-print.css")
    assert sheets["dyslexia", "epub"] == ("base.css", "epub.css", "clear-print.css", "variant-dyslexia.css")
    for variant in ("large-print", "dyslexia"):
        for name in sheets[variant, "epub"][2:]:
            rules = re.sub(r"/\*.*?\*/", "", Theme().stylesheet(name).read_text(encoding="utf-8"), flags=re.S)
            assert not re.search(r"font-family|background|line-height|color|\d(pt|px|mm)\b", rules), name


# --- the answer key ----------------------------------------------------------------------


def test_edition_all_includes_the_answer_key():
    assert EDITIONS == ("student", "teacher", "answers")
    jobs = plan_jobs([ROOTS / "handout"], BuildOptions(formats=("pdf",), editions=EDITIONS))
    assert [j.output.name for j in jobs] == ["handout-student.pdf", "handout-teacher.pdf", "handout-answers.pdf"]


def test_the_answer_key_has_the_questions_and_mark_schemes_and_no_sources():
    pack = load_pack(ROOTS / "handout")
    html = Renderer(pack, "answers", "html", Theme()).render("pack.html")
    assert "Answer key and mark scheme" in html
    assert "How valuable is" in html and "[8 marks]" in html and "[4 marks]" in html
    assert "MARK-SCHEME-POINT" in html and "Evaluates the source." in html
    assert "The pack gives no mark scheme for this question." in html  # question 2 has none
    assert 'Sources: <a href="#src-kamenev">Source B</a>' in html
    assert '<dt id="src-declaration">Source A</dt>' in html
    assert "From the declaration of 46 leading Bolsheviks presented to the Politburo" in html  # its attribution
    assert "secretarial hierarchy" not in html  # never the source's words
    assert "answer-line" not in html
    assert "TEACHER-ONLY-NOTE" not in html and "was presented in October 1923" not in html


def test_the_answer_key_ebook_links_every_source_label(tmp_path):
    pack = tmp_path / "handout"
    shutil.copytree(ROOTS / "handout", pack)
    args = ["build", str(pack), "-f", "epub", "-e", "answers", "--variant", "dyslexia", "-o", str(tmp_path / "out"), "-j", "1"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "handout" / "handout-answers-dyslexia.epub").is_file()
