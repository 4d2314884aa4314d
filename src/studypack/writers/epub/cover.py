"""The cover image of an e-book: the pack's title as a poster, 1600 x 2560 pixels.

``cover-image.xhtml`` is rendered here at the image's size and turned into a
PNG by layout/cover.py (a WeasyPrint layout, rasterised by PDFium). Cost: one
small layout and one rasterisation per EPUB (a few tenths of a second); turn
it off with the ``cover`` option.
"""

from __future__ import annotations

from markupsafe import Markup

from ...layout import fonts
from ...render import Renderer
from .. import WriteRequest

# 1600 x 2560 pixels: the 1:1.6 shape e-reader libraries and Kindle expect.
WIDTH, HEIGHT = 1600, 2560


def cover_image(request: WriteRequest) -> bytes:
    """The PNG cover image of the request's pack and edition."""
    # WeasyPrint and PDFium (half a second to import) only for a book that makes its cover.
    from ...layout.cover import cover_png

    pack = request.pack
    renderer = Renderer(pack, request.edition, "epub", request.theme, request.variant, options=request.options)
    html = renderer.render(
        "cover-image.xhtml",
        font_css=Markup(fonts.font_css().replace("</", "<\\/")),
        width=WIDTH,
        height=HEIGHT,
    )
    return cover_png(html, pack, WIDTH)
