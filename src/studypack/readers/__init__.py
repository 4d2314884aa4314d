"""Document readers, registered by file suffix, and the file checks they share.

`read_document` does all the file I/O and turns every way a file can be
unreadable into a one-line `DocumentError`; `read_text` is the pure part. A
reader turns normalised text into units (`Para`, `Head`, `Label`, ...) and
`structure.assemble` turns units into the typed `Document`, so every format
gets the same ids, SOURCE blocks, quotations and hints.
"""

from __future__ import annotations

import stat
from pathlib import Path

from ..errors import DocumentError
from ..model import Document, Location
from ..textpos import byte_line_col, line_col
from .registry import READERS, Reader, ReaderHints, register  # noqa: F401 - the readers' interface, exported here

MAX_BYTES = 10 * 1024 * 1024

# Non-breaking spaces of every width become plain spaces; nothing else changes.
_SPACES = str.maketrans({"\u00a0": " ", "\u2007": " ", "\u202f": " "})
# Characters that show nothing, for telling whether a document has any text at all.
_INVISIBLE = str.maketrans(dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff")))
_BINARY = "looks like a binary file, not text (NUL byte); save the document as plain text"


def known_suffixes() -> tuple[str, ...]:
    """The suffixes some reader reads, sorted."""
    return tuple(sorted(READERS))


def reader_for(suffix: str, where: str) -> Reader:
    """The reader for a suffix, or a DocumentError listing the known ones."""
    cls = READERS.get(suffix.lower())
    if cls is None:
        what = f"'{suffix}'" if suffix else "(the file name has no suffix)"
        raise DocumentError(
            f"unknown kind of document {what}; known: {', '.join(known_suffixes())}", where
        )
    return cls()


def normalise(text: str) -> str:
    """The text as readers see it: no BOM, ``\\n`` line endings, plain spaces for non-breaking ones."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_SPACES)


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


def read_document(
    path: Path,
    doc_id: str,
    *,
    display_path: str | None = None,
    hints: ReaderHints | None = None,
) -> Document:
    """Read a document file: check it is a readable UTF-8 text of a known kind, then read it."""
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
    reader_for(path.suffix, where)
    if info.st_size > MAX_BYTES:
        raise DocumentError(
            f"document is too large ({info.st_size:,} bytes; the limit is 10 MB)", where
        )
    try:
        data = path.read_bytes()
    except OSError as err:
        raise DocumentError(f"cannot be read ({err.strerror})", where) from None
    return read_text(_decode(data, where), doc_id, path=where, suffix=path.suffix, hints=hints)


# The built-in readers register themselves on import.
from . import markdown, text  # noqa: E402,F401
