"""The Word reader (``.docx``): mammoth turns the file into plain semantic HTML, read by the HTML reader.

mammoth maps Word's paragraph styles to HTML (``Heading 1`` to ``h1`` …;
here also ``Quote``, ``Intense Quote`` and ``Block Text`` to a blockquote
and ``Title`` to the document's title), keeps lists, tables, emphasis, and
turns footnotes and endnotes into links to a numbered list of their texts,
which the HTML reader links as notes. Pictures are not opened (their bytes
are never read), nothing outside the file is ever followed
(``external_file_access`` off), and the file's zip container is checked
for size first (`archive.open_zip`).
"""

from __future__ import annotations

import io

from ..errors import DocumentError
from ..model import Document, DocumentInfo
from .archive import open_zip
from .html import drop, parse_html, read_tree
from .registry import ReaderHints, register

_KIND = "a Word (.docx)"
STYLE_MAP = """
p[style-name='Title'] => p.studypack-title:fresh
p[style-name='Quote'] => blockquote > p:fresh
p[style-name='Intense Quote'] => blockquote > p:fresh
p[style-name='Block Text'] => blockquote > p:fresh
p[style-name='Quotations'] => blockquote > p:fresh
"""


def _no_picture(image) -> dict:
    """Pictures are left out without reading them: no alt text, no bytes, no link followed."""
    return {}


def docx_html(data: bytes, where: str) -> str:
    """The Word file as mammoth's HTML, after the container has been checked."""
    import mammoth

    open_zip(data, where, _KIND)
    try:
        result = mammoth.convert_to_html(
            io.BytesIO(data), style_map=STYLE_MAP, convert_image=mammoth.images.img_element(_no_picture),
            external_file_access=False,
        )
    except KeyError as err:
        raise DocumentError(f"is not complete: {err} is missing inside it (is it really {_KIND} file?)",
                            where) from None
    except Exception as err:  # noqa: BLE001 - mammoth raises many kinds on a damaged file; each is one line
        raise DocumentError(f"cannot be read as {_KIND} file ({type(err).__name__}: "
                            f"{str(err).splitlines()[0][:120] if str(err) else 'damaged'})", where) from None
    return result.value


@register(".docx", binary=True)
class DocxReader:
    """Word documents: headings by style, paragraphs, quotations, lists, tables, footnotes and endnotes."""

    def read(self, data: bytes, doc_id: str, path: str, hints: ReaderHints | None) -> Document:
        """Read a .docx file's bytes into a Document."""
        html = docx_html(data, path)
        root = parse_html(f'<html><body>{html}</body></html>'.encode(), path)
        titles = root.xpath("//p[@class='studypack-title']")
        title = " ".join(" ".join(titles[0].itertext()).split()) if titles else None
        for el in titles[:1]:
            drop(el)
        info = DocumentInfo(title=title or None)
        return read_tree(root, doc_id, path, hints, numbered=True, find_main=False, info=info)
