"""Document readers, registered by file suffix, and the file checks they share.

`read_document` does all the file I/O and turns every way a file can be
unreadable into a one-line `DocumentError`; `read_bytes` and `read_text` are
the pure part. Text formats (``.txt``, ``.md``) get their file decoded and
normalised; binary ones (``.html``, ``.epub``, ``.docx``, ``.odt``, ``.pdf``)
get its bytes. A reader turns what it read into units (`Para`, `Head`,
`Label`, ... in `units.py`) and `structure.assemble` turns units into the typed `Document`,
so every format gets the same ids, SOURCE blocks, quotations and hints.
"""

from __future__ import annotations

import stat
from pathlib import Path

from ..errors import DocumentError
from ..model import Document, Location
from ..textpos import byte_line_col, line_col
from .normalise import normalise
from .registry import READERS, Reader, ReaderHints, known_suffixes, reader_for, register

__all__ = [
    "MAX_BINARY_BYTES", "MAX_BYTES", "READERS", "Reader", "ReaderHints", "known_suffixes", "normalise", "read_document",
    "read_bytes", "read_text", "reader_for", "register",
]

MAX_BYTES = 10 * 1024 * 1024
# Word files, e-books and PDFs carry pictures and fonts: a larger file can still hold little text.
MAX_BINARY_BYTES = 64 * 1024 * 1024

# Characters that show nothing, for telling whether a document has any text at all.
_INVISIBLE = str.maketrans(dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff")))
_BINARY = "looks like a binary file, not text (NUL byte); save the document as plain text"


def read_text(
    text: str,
    doc_id: str,
    *,
    path: str = "<text>",
    suffix: str = ".txt",
    hints: ReaderHints | None = None,
) -> Document:
    """Read a document from a string (no I/O): normalise it, check it, hand it to its reader."""
    reader = reader_for(suffix, path)
    text = normalise(text)
    if "\x00" in text:
        raise DocumentError(_BINARY, Location(path, *line_col(text, text.index("\x00"))))
    if not text:
        raise DocumentError("document is empty", path)
    if not text.translate(_INVISIBLE).strip():
        raise DocumentError("document has no text (only blank lines and spaces)", path)
    return reader.read(text, doc_id, path, hints)


def _decode(data: bytes, where: str) -> str:
    """Bytes to text, or a DocumentError saying which byte is not UTF-8 and where."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DocumentError("is UTF-16 text; save the document as UTF-8", where)
    nul = data.find(b"\x00")
    if nul >= 0:
        raise DocumentError(_BINARY, Location(where, *byte_line_col(data, nul)))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise DocumentError(
            f"is not UTF-8 text (byte {err.start + 1:,} of the file is 0x{data[err.start]:02X}); "
            "save the document as UTF-8",
            Location(where, *byte_line_col(data, err.start)),
        ) from None


def read_bytes(
    data: bytes,
    doc_id: str,
    *,
    path: str = "<bytes>",
    suffix: str = ".txt",
    hints: ReaderHints | None = None,
) -> Document:
    """Read a document from a file's bytes (no I/O): decoded for a text format, as they are otherwise."""
    reader = reader_for(suffix, path)
    if not reader.binary:
        return read_text(_decode(data, path), doc_id, path=path, suffix=suffix, hints=hints)
    if not data:
        raise DocumentError("document is empty", path)
    doc = reader.read(data, doc_id, path, hints)
    if not doc.sections and not doc.notes:
        raise DocumentError("document has no text (nothing but markup, pictures or blank pages)", path)
    return doc


def _limit(reader: Reader) -> int:
    return MAX_BINARY_BYTES if reader.binary else MAX_BYTES


def read_document(
    path: Path,
    doc_id: str,
    *,
    display_path: str | None = None,
    hints: ReaderHints | None = None,
) -> Document:
    """Read a document file: check it is a regular file of a known kind and not too large, then read it."""
    path = Path(path)
    where = display_path or str(path)
    try:
        info = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise DocumentError("document not found", where) from None
    except OSError as err:
        raise DocumentError(f"cannot be read ({err.strerror})", where) from None
    if stat.S_ISDIR(info.st_mode):
        raise DocumentError("is a folder, not a document", where)
    if not stat.S_ISREG(info.st_mode):
        # a pipe or a device could block the read for ever or never end
        raise DocumentError("is not a regular file (a pipe, socket or device)", where)
    limit = _limit(reader_for(path.suffix, where))
    if info.st_size > limit:
        raise DocumentError(
            f"document is too large ({info.st_size:,} bytes; the limit is {limit // (1024 * 1024)} MB)", where
        )
    try:
        with path.open("rb") as handle:
            # read no more than the limit, even if the file grew since it was measured
            data = handle.read(limit + 1)
    except OSError as err:
        raise DocumentError(f"cannot be read ({err.strerror})", where) from None
    if len(data) > limit:
        raise DocumentError(f"document is too large (over {limit // (1024 * 1024)} MB)", where)
    return read_bytes(data, doc_id, path=where, suffix=path.suffix, hints=hints)


# The built-in readers register themselves (in .registry) when imported; none imports a
# library it reads with until it reads a file.
from . import docx, epub, html, markdown, odt, pdf, text  # noqa: E402,F401
