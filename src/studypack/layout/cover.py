"""An e-book's cover image: its HTML laid out by WeasyPrint on one page, rasterised by PDFium.

The writer renders ``cover-image.xhtml`` (writers/epub/cover.py) at the
image's size; here it is laid out, written as a PDF and rasterised with
pypdfium2 into a PNG. Nothing in it depends on the clock (the PNG has no
time chunk), so the same pack gives the same image.
"""

from __future__ import annotations

import io

import pypdfium2
from PIL import Image

from ..model import Pack
from . import engine

# At most this many colours, a cover is flat artwork and is stored with a palette (`_flat`).
FLAT_COLOURS = 4096


def cover_png(html: str, pack: Pack, width: int) -> bytes:
    """The PNG of the first page of ``html`` (its references read from ``pack``), ``width`` pixels wide."""
    document = engine.lay_out_plain(html, pack, engine.new_fonts())
    pdf = pypdfium2.PdfDocument(engine.write_plain(document, pages_kept=1))
    try:
        page = pdf[0]
        bitmap = page.render(scale=width / page.get_width(), draw_annots=False)
        image = bitmap.to_pil().convert("RGB")
    finally:
        pdf.close()
    out = io.BytesIO()
    _flat(image).save(out, format="PNG", optimize=True)
    return out.getvalue()


def _flat(image):
    """A cover of flat colours and text (the built-in one: a few hundred colours, most of them the
    edges of letters) as a 256-colour palette image, which is well under half the size and looks the
    same; a picture with more colours than `FLAT_COLOURS` stays full colour."""
    if image.getcolors(FLAT_COLOURS) is None:
        return image
    return image.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
