"""Make the page images of docs/printing.md (`make images`).

Builds the sample pack packs/power-struggle as PDF, both editions, into a
temporary folder, and writes three PNGs to docs/images/: the title page beside
the first page with a source, a worksheet page, and a page of the teacher's
mark scheme. Run it after changing templates or styles/print.css, and look at
the pictures before committing them.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pypdfium2
from PIL import Image

from studypack.assemble.pack import load_pack
from studypack.build.jobs import BuildOptions
from studypack.build.orchestrate import build

REPO = Path(__file__).resolve().parent.parent
PACK = REPO / "packs" / "power-struggle"
IMAGES = REPO / "docs" / "images"
DPI = 60
GAP = 12  # pixels between pages side by side, on grey like a desk


def page_images(pdf: Path) -> tuple[list[Image.Image], list[str]]:
    """Every page of a PDF as an image, and its text (to find the pages worth showing)."""
    document = pypdfium2.PdfDocument(str(pdf))
    images = [page.render(scale=DPI / 72).to_pil().convert("RGB") for page in document]
    texts = [page.get_textpage().get_text_range() for page in document]
    return images, texts


def first_page(texts: list[str], *needles: str) -> int:
    """The index of the first page whose text has every needle."""
    for index, text in enumerate(texts):
        if all(needle in text for needle in needles):
            return index
    raise SystemExit(f"make_images: no page has {needles!r}; has the sample pack changed?")


def side_by_side(*pages: Image.Image) -> Image.Image:
    """Pages next to each other, as they lie on a desk."""
    width = sum(p.width for p in pages) + GAP * (len(pages) + 1)
    height = max(p.height for p in pages) + 2 * GAP
    sheet = Image.new("RGB", (width, height), (128, 128, 128))
    x = GAP
    for page in pages:
        sheet.paste(page, (x, GAP))
        x += page.width + GAP
    return sheet


def main() -> int:
    """Build the sample pack's PDFs and write the page images."""
    first_source = load_pack(PACK).extracts[0]
    heading = f"{first_source.display_label}: {first_source.title}" if first_source.title else first_source.display_label
    with tempfile.TemporaryDirectory() as tmp:
        options = BuildOptions(formats=("pdf",), out_dir=Path(tmp), jobs=1, force=True)
        report = build([PACK], options)
        pdfs = {o.job.edition: o.path for o in report.outputs}
        student, student_text = page_images(pdfs["student"])
        teacher, teacher_text = page_images(pdfs["teacher"])
    IMAGES.mkdir(parents=True, exist_ok=True)
    shots = {
        "student-title-and-source.png": side_by_side(student[0], student[first_page(student_text, heading)]),
        "student-worksheet.png": side_by_side(student[first_page(student_text, "marks]")]),
        "teacher-mark-scheme.png": side_by_side(teacher[first_page(teacher_text, "Mark scheme", "Level")]),
    }
    for name, image in shots.items():
        image.save(IMAGES / name, optimize=True)
        print(f"wrote docs/images/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
