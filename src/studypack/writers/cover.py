"""The cover image of an e-book: the pack's title as a poster, rendered by WeasyPrint, rasterised by PDFium.

``cover-image.xhtml`` is laid out on one page of the image's size, written as
a PDF and rasterised with pypdfium2 into a PNG. Nothing in it depends on the
clock (the PNG has no time chunk), so the same pack gives the same image.

Cost: one small WeasyPrint layout and one rasterisation per EPUB (a few tenths
of a second); turn it off with the ``cover`` option.
"""

from __future__ import annotations

import io

from markupsafe import Markup

from ..render import Renderer
from . import WriteRequest

# 1600 x 2560 pixels: the 1:1.6 shape e-reader libraries and Kindle expect.
WIDTH, HEIGHT = 1600, 2560
# At most this many colours, a cover is flat artwork and is stored with a palette (`_flat`).
FLAT_COLOURS = 4096


def cover_image(request: WriteRequest) -> bytes:
    """The PNG cover image of the request's pack and edition."""
    import pypdfium2
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from .. import fonts
    from ..fetch import ResourcePolicy, url_fetcher
    from ..resources import builtin_dir
    from .pdf import fetch_errors, pack_base, weasyprint_log

    pack = request.pack
    renderer = Renderer(pack, request.edition, "epub", request.theme, request.variant, options=request.options)
    html = renderer.render(
        "cover-image.xhtml",
        font_css=Markup(fonts.font_css().replace("</", "<\\/")),
        width=WIDTH,
        height=HEIGHT,
    )
    policy = ResourcePolicy.for_pack(pack.root, builtin_dir("styles"), *fonts.font_dirs())
    with weasyprint_log(), fetch_errors():
        document = HTML(string=html, base_url=pack_base(pack), url_fetcher=url_fetcher(policy)).render(
            font_config=FontConfiguration()
        )
        pdf_bytes = document.copy(document.pages[:1]).write_pdf()
    pdf = pypdfium2.PdfDocument(pdf_bytes)
    try:
        page = pdf[0]
        bitmap = page.render(scale=WIDTH / page.get_width(), draw_annots=False)
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
    from PIL import Image

    if image.getcolors(FLAT_COLOURS) is None:
        return image
    return image.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
