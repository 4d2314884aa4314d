"""The print room: booklets, class sets, print runs and the print summary (docs/print-room.md).

The arithmetic and the PDF plumbing are tested on small PDFs made here; one
build through the command line (module fixture: a booklet, a class set split
per student and a print run of the small `handout` pack) is read back page
by page: which page stands on which half of which sheet, whose name is on
which copy, where each handout of the print run starts.
"""

from __future__ import annotations

import io
import re
import shutil

import pypdfium2
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from studypack import printroom
from studypack.cli import main
from tests.conftest import ROOTS

A4_LANDSCAPE = (841.89, 595.28)


def numbered_pdf(count: int, size: str = "A5") -> bytes:
    """A PDF of ``count`` pages, each saying only "P<number>"."""
    from weasyprint import HTML

    pages = "".join(f'<p style="break-after: page">P{n}</p>' for n in range(1, count + 1))
    return HTML(string=f"<style>@page {{ size: {size}; margin: 10mm }}</style>{pages}").write_pdf()


def texts(pdf) -> list[str]:
    """The text of each page."""
    document = pypdfium2.PdfDocument(pdf)
    return [document[i].get_textpage().get_text_range().strip() for i in range(len(document))]


def halves(pdf) -> list[tuple[str, str]]:
    """The text of the left and the right half of each page (sheet side)."""
    document = pypdfium2.PdfDocument(pdf)
    out = []
    for i in range(len(document)):
        page = document[i]
        width, height = page.get_size()
        text = page.get_textpage()
        out.append((text.get_text_bounded(0, 0, width / 2, height).strip(), text.get_text_bounded(width / 2, 0, width, height).strip()))
    return out


# --- arithmetic -------------------------------------------------------------------


def test_booklet_sides_in_saddle_stitch_order():
    assert printroom.booklet_sides(8) == [(8, 1), (2, 7), (6, 3), (4, 5)]
    assert printroom.booklet_sides(6) == [(None, 1), (2, None), (6, 3), (4, 5)]
    assert printroom.booklet_sides(1) == [(None, 1), (None, None)]
    for pages in range(1, 30):
        sides = printroom.booklet_sides(pages)
        assert len(sides) == printroom.booklet_pages(pages) // 2
        assert sorted(n for side in sides for n in side if n) == list(range(1, pages + 1))


def test_sheets_per_copy_and_for_a_class():
    assert [printroom.sheets_double_sided(p) for p in (1, 2, 3, 7, 8)] == [1, 1, 2, 4, 4]
    handout = printroom.figures("x.pdf", "handout", "student", 7, class_size=25)
    assert (handout.sheets, handout.copies, handout.total_sheets) == (4, 25, 100)
    teacher = printroom.figures("x.pdf", "handout", "teacher", 7, class_size=25)
    assert (teacher.copies, teacher.total_sheets) == (1, 4)
    large = printroom.figures("x.pdf", "handout", "student", 15, class_size=25, variant="large-print")
    assert (large.sheets, large.copies) == (8, 1)  # for the student who needs it
    booklet = printroom.figures("x.pdf", "booklet", "student", 10, class_size=30)
    assert (booklet.sheets, booklet.total_sheets) == (3, 90)  # 12 A5 pages: 3 folded A4 sheets
    named = printroom.figures("x.pdf", "class set", "student", 5, class_size=30, names=3)
    assert (named.sheets, named.copies, named.total_sheets) == (3, 3, 9)


# --- PDFs ---------------------------------------------------------------------------


def test_impose_booklet_puts_each_page_on_its_half_of_an_a4_sheet():
    booklet = printroom.impose_booklet(numbered_pdf(6), A4_LANDSCAPE)
    reader = PdfReader(io.BytesIO(booklet))
    assert [(round(float(p.mediabox.width), 1), round(float(p.mediabox.height), 1)) for p in reader.pages] == [(841.9, 595.3)] * 4
    assert halves(booklet) == [("", "P1"), ("P2", ""), ("P6", "P3"), ("P4", "P5")]
    assert printroom.impose_booklet(numbered_pdf(6), A4_LANDSCAPE) == booklet  # the same bytes every time


def test_stamp_copies_pads_each_copy_to_whole_sheets():
    handout = numbered_pdf(3, "A4")
    stamps = numbered_pdf(4, "A4")  # stamp k says "P<k+1>"
    copies = [printroom.Copy("Anna", (0, 1, 1)), printroom.Copy("Ben", (2, 3, 3))]
    whole, singles = printroom.stamp_copies(handout, stamps, copies, "Class set")
    pages = texts(whole)
    assert len(pages) == 8  # 3 pages and a blank back, twice
    assert [re.findall(r"P\d", t) for t in pages] == [["P1", "P1"], ["P2", "P2"], ["P3", "P2"], [], ["P1", "P3"], ["P2", "P4"], ["P3", "P4"], []]
    assert [len(texts(s)) for s in singles] == [4, 4]
    # Each page of the handout is stored once however many copies draw it.
    assert len(whole) < 2 * len(singles[0]) + 2000


def test_print_run_starts_every_handout_on_a_right_hand_page():
    run = printroom.print_run([numbered_pdf(3, "A4"), numbered_pdf(2, "A4"), numbered_pdf(1, "A4")])
    assert texts(run) == ["P1", "P2", "P3", "", "P1", "P2", "P1"]


# --- one build through the command line ------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A booklet, a class set (split) and a print run of the handout pack's student edition."""
    root = tmp_path_factory.mktemp("printroom")
    pack = root / "handout"
    shutil.copytree(ROOTS / "handout", pack)
    roster = root / "9X.csv"
    long_name = "Maximilian Alexander Fitzgerald-Montgomery Smythe"
    roster.write_text(f"name,class\nAnna Smith,9X\nИван Петров,9X\n{long_name},9X\n", encoding="utf-8")
    out = root / "out"
    args = ["build", str(pack), "-f", "pdf", "-e", "student", "-o", str(out), "-j", "1"]
    args += ["--booklet", "--names", str(roster), "--split", "--combine", "--class-size", "25"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return out / "handout", result.output


def test_the_booklet_reads_back_in_saddle_stitch_order(built):
    folder, _ = built
    booklet = (folder / "handout-student-booklet.pdf").read_bytes()
    sides = halves(booklet)
    pages = len(sides) * 2
    assert pages % 4 == 0
    # Every A5 page but the first has "Page N of M" at its foot: read N back from each half.
    found = [tuple(_page_number(text) for text in side) for side in sides]
    count = max(n for side in found for n in side if n)  # the last page has a footer
    assert pages == printroom.booklet_pages(count)
    assert found == [tuple(None if n == 1 else n for n in side) for side in printroom.booklet_sides(count)]
    assert "Opposition in 1923" in sides[0][1]  # the title page: right half of the first side
    assert all(round(w) == 842 and round(h) == 595 for w, h in _sizes(booklet))


def _page_number(text: str) -> int | None:
    match = re.search(r"Page (\d+) of \d+", text)
    return int(match.group(1)) if match else None


def _sizes(pdf) -> list[tuple[float, float]]:
    document = pypdfium2.PdfDocument(pdf)
    return [document[i].get_size() for i in range(len(document))]


def test_the_class_set_has_one_named_copy_per_student(built):
    folder, _ = built
    handout = texts((folder / "handout-student.pdf").read_bytes())
    whole = texts((folder / "handout-student-class-9X.pdf").read_bytes())
    per_copy = len(handout) + len(handout) % 2
    assert len(whole) == 3 * per_copy
    names = ["Anna Smith", "Иван Петров", "Maximilian Alexander Fitzgerald"]
    for copy, name in enumerate(names):
        pages = whole[copy * per_copy : (copy + 1) * per_copy]
        assert name in " ".join(pages[0].split()), name  # in the Name box
        for page in pages[1 : len(handout)]:
            assert name in " ".join(page.split())  # in the top margin
        assert all(other not in " ".join(pages) for other in names if other != name)
        for page, original in zip(pages, handout):
            assert original.split()[-1] in page  # the handout itself, unchanged under the name
    split = sorted(p.name for p in (folder / "handout-student-class-9X").iterdir())
    assert split == ["1-Anna-Smith.pdf", "2-Иван-Петров.pdf", "3-Maximilian-Alexander-Fitzgerald-Montgomery-Smythe.pdf"]
    assert "Иван Петров" in texts((folder / "handout-student-class-9X" / split[1]).read_bytes())[0]


def test_the_booklet_class_set_is_each_students_named_booklet_on_sheets_of_its_own(built):
    """--booklet with --names: each student's copy is a booklet (saddle-stitch order, as the plain
    booklet), named on its title page and in the top margin of every other page, and starts a sheet."""
    folder, output = built
    plain = halves((folder / "handout-student-booklet.pdf").read_bytes())
    whole = halves((folder / "handout-student-booklet-class-9X.pdf").read_bytes())
    names = ["Anna Smith", "Иван Петров", "Maximilian Alexander Fitzgerald"]
    assert len(whole) == len(names) * len(plain) and len(plain) % 2 == 0  # each booklet: whole sheets
    count = max(n for side in plain for text in side if (n := _page_number(text)))
    for copy, name in enumerate(names):
        sides = whole[copy * len(plain) : (copy + 1) * len(plain)]
        found = [tuple(_page_number(text) for text in side) for side in sides]
        assert found == [tuple(None if n == 1 else n for n in side) for side in printroom.booklet_sides(count)]
        for side, original in zip(sides, plain):
            for half, plain_half in zip(side, original):
                flat = " ".join(half.split())
                if plain_half:  # a page of the handout (not a blank): named, and the page itself under the name
                    assert name in flat, (name, flat[:80])
                    assert plain_half.split()[-1] in half
                assert all(other not in flat for other in names if other != name)
        assert "Opposition in 1923" in sides[0][1]  # the title page: right half of the first side
    # Each page of the handout is stored once in the set however many booklets draw it: three booklets
    # take far less than three times one (the names' stamps are small).
    sizes = {name: (folder / name).stat().st_size for name in ("handout-student-booklet.pdf", "handout-student-booklet-class-9X.pdf")}
    assert sizes["handout-student-booklet-class-9X.pdf"] < 2 * sizes["handout-student-booklet.pdf"], sizes
    split = sorted(p.name for p in (folder / "handout-student-booklet-class-9X").iterdir())
    assert split == ["1-Anna-Smith.pdf", "2-Иван-Петров.pdf", "3-Maximilian-Alexander-Fitzgerald-Montgomery-Smythe.pdf"]
    assert "Иван Петров" in halves((folder / "handout-student-booklet-class-9X" / split[1]).read_bytes())[0][1]
    summary = output[output.index("paper, printed double-sided") :]
    sheets = len(plain) // 2
    assert re.search(rf"handout-student-booklet-class-9X\.pdf +{count} pages +{sheets} sheets? a copy +x 3 += +{3 * sheets} sheet", summary)


def test_the_print_run_and_the_print_summary(built):
    folder, output = built
    run = texts((folder.parent / "print-run.pdf").read_bytes())
    assert run == texts((folder / "handout-student.pdf").read_bytes())  # one handout: nothing to pad
    pages = len(texts((folder / "handout-student.pdf").read_bytes()))
    sheets = (pages + 1) // 2
    summary = output[output.index("paper, printed double-sided") :]
    assert re.search(rf"handout-student\.pdf +{pages} pages +{sheets} sheets? a copy +x 25 += +{25 * sheets} sheet", summary)
    assert re.search(r"handout-student-booklet\.pdf +\d+ pages +\d+ sheets? a copy +x 25", summary)
    assert re.search(rf"handout-student-class-9X\.pdf +{pages} pages +{sheets} sheets? a copy +x 3 += +{3 * sheets} sheet", summary)
    assert "print-run.pdf" in summary


def test_print_options_that_cannot_work_are_refused(tmp_path):
    runner = CliRunner()
    pack = str(ROOTS / "handout")
    result = runner.invoke(main, ["build", pack, "--split", "-o", str(tmp_path)])
    assert result.exit_code == 2 and "--split needs --names" in result.output
    roster = tmp_path / "class.csv"
    roster.write_text("name\nAnna\n", encoding="utf-8")
    result = runner.invoke(main, ["build", pack, "-e", "teacher", "--names", str(roster), "-o", str(tmp_path)])
    assert result.exit_code == 1 and "--names makes a named copy of the student edition" in result.output
    roster.write_text("name\nAnna\n\nanna\n", encoding="utf-8")
    result = runner.invoke(main, ["build", pack, "--names", str(roster), "-o", str(tmp_path)])
    assert result.exit_code == 1 and "class.csv:4: 'anna' is on the class list twice" in result.output


def test_a_name_the_print_fonts_cannot_print_is_refused_at_its_line(tmp_path):
    from studypack.errors import RosterError
    from studypack.roster import read_roster
    from studypack.printroom.stamps import Box, PagePlaces, render_stamps

    roster = tmp_path / "9X.csv"
    roster.write_text("name\nAnna Smith\nЁжик Ёлкин\n王芳\n", encoding="utf-8")
    places = PagePlaces(794, 1123, Box(120, 200, 210, 34), None, 68, 83, 57, 11.3, 12.0)
    with pytest.raises(RosterError) as caught:
        render_stamps(read_roster(roster), places)
    assert str(caught.value.where).endswith("9X.csv:4")
    assert "no glyph for '王' (U+738B" in caught.value.message


def _overlaps(pdf: bytes, name: str) -> list[tuple[int, str]]:
    """(page, text) of every character printed within the box of ``name`` where it stands on a page."""
    document = pypdfium2.PdfDocument(pdf)
    found = []
    for number in range(len(document)):
        text = document[number].get_textpage()
        count = text.count_chars()
        chars = text.get_text_range(0, count)
        start = chars.find(name)
        if start < 0:
            continue
        boxes = [text.get_charbox(i) for i in range(start, start + len(name)) if not chars[i].isspace()]
        left, right = min(b[0] for b in boxes), max(b[2] for b in boxes)
        bottom, top = min(b[1] for b in boxes), max(b[3] for b in boxes)
        for i in range(count):
            if start <= i < start + len(name) or chars[i].isspace():
                continue
            x0, y0, x1, y1 = text.get_charbox(i)
            if x0 < right and x1 > left and y0 < top and y1 > bottom:
                found.append((number + 1, chars[i]))
    return found


def test_names_in_a_large_print_booklet_keep_clear_of_the_running_heads(tmp_path):
    """On a large-print booklet's narrow pages a running head leaves a name no room at the top: the
    names go to the bottom margin's inner corner, set smaller where even that is too narrow, and no
    name is printed over anything; the title page gives the Name box a line of its own."""
    pack = tmp_path / "handout"
    shutil.copytree(ROOTS / "handout", pack)
    long_name = "Maximilian Alexander Fitzgerald-Montgomery Smythe"
    roster = tmp_path / "9X.csv"
    roster.write_text(f"name,class\nAnna Smith,9X\n{long_name},9X\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["build", str(pack), "-f", "pdf", "-e", "student", "-o", str(out), "-j", "1", "--paper", "letter"]
    args += ["--variant", "large-print", "--booklet", "--names", str(roster), "--split"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    folder = out / "handout" / "handout-student-large-print-booklet-class-9X"
    for copy, name in zip(sorted(folder.iterdir()), ["Anna Smith, 9X", f"{long_name}, 9X"]):
        pdf = copy.read_bytes()
        assert _overlaps(pdf, name) == []
        document = pypdfium2.PdfDocument(pdf)
        named = 0
        for number in range(len(document)):
            page = document[number]
            width, height = page.get_size()
            text = page.get_textpage()
            named += " ".join(text.get_text_bounded(0, 0, width, 60).split()).count(name.split(",")[0])
        assert named >= 2, (copy.name, named)  # in the bottom margins (PDF y from the foot of the sheet)
    # The title page (right half of the first side): the Name box on a line of its own, the Class and
    # Date boxes on the line below.
    title = pypdfium2.PdfDocument((out / "handout" / "handout-student-large-print-booklet.pdf").read_bytes())[0]
    text = title.get_textpage()
    chars = text.get_text_range(0, text.count_chars())
    height = {label: text.get_charbox(chars.index(label))[1] for label in ("Name", "Class", "Date")}
    assert height["Class"] == pytest.approx(height["Date"], abs=1)
    assert height["Name"] - height["Class"] > 20, height  # points: a line higher
