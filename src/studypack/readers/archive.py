"""Zip containers (``.docx``, ``.odt``, ``.epub``) and the XML inside them, read safely.

A container is checked before any library reads it: every member is
decompressed once here, counting, so a member that claims to be small but
inflates to gigabytes (a zip bomb), a damaged member or a file that is no zip
at all is refused in one line naming the document. XML is parsed with
entities unresolved, no DTD loaded and no network, so a document can never
make the reader open another file or an address.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from ..errors import DocumentError

MAX_MEMBER = 64 * 1024 * 1024  # one file inside the container, uncompressed
MAX_TOTAL = 256 * 1024 * 1024  # all of them
MAX_MEMBERS = 10_000
_CHUNK = 1024 * 1024


def open_zip(data: bytes, where: str, kind: str) -> zipfile.ZipFile:
    """The container as a ZipFile, once every member has been checked to inflate within the limits.

    ``kind`` names the format with its article, for messages: ``"a Word (.docx)"``.
    """
    try:  # zipfile raises NotImplementedError for a compression method it does not know: a damaged file
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, NotImplementedError, OSError):
        raise DocumentError(f"is not {kind} file (not a zip container: damaged, cut short or misnamed)",
                            where) from None
    if len(members) > MAX_MEMBERS:
        raise DocumentError(f"holds {len(members):,} files; refused as a possible zip bomb", where)
    total = 0
    for member in members:
        if member.file_size > MAX_MEMBER:
            raise _too_large(where, member.filename)
        total += _inflated_size(archive, member, where, kind)
        if total > MAX_TOTAL:
            raise DocumentError(f"unpacks to more than {MAX_TOTAL // (1024 * 1024)} MB; "
                                "refused as a possible zip bomb", where)
    return archive


def _too_large(where: str, name: str) -> DocumentError:
    return DocumentError(f"holds '{name}', which unpacks to more than {MAX_MEMBER // (1024 * 1024)} MB; "
                         "refused as a possible zip bomb", where)


def _inflated_size(archive: zipfile.ZipFile, member: zipfile.ZipInfo, where: str, kind: str) -> int:
    """Decompress a member without keeping it: its real size, whatever its header claims."""
    if member.flag_bits & 0x1:
        raise DocumentError("is encrypted; save a copy without a password and read that", where)
    size = 0
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > MAX_MEMBER:
                    raise _too_large(where, member.filename)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError, ValueError) as err:
        raise DocumentError(f"is damaged: '{member.filename}' inside it cannot be unpacked ({_reason(err)})",
                            where) from None
    return size


def _reason(err: Exception) -> str:
    text = str(err).strip().rstrip(".") or type(err).__name__
    return text.splitlines()[0][:120]


def member(archive: zipfile.ZipFile, name: str, where: str, kind: str) -> bytes:
    """A member's bytes (already checked by `open_zip`), or a DocumentError if the container lacks it."""
    try:
        return archive.read(name)
    except KeyError:
        raise DocumentError(f"is not complete: '{name}' is missing inside it (is it really {kind} file?)",
                            where) from None


def parse_xml(data: bytes, where: str, what: str):
    """XML from inside a container as an lxml tree: no entities, no DTD, no network."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False,
                             remove_comments=True, remove_pis=True)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        raise DocumentError(f"is damaged: {what} is not well-formed XML ({_reason(err)})", where) from None
