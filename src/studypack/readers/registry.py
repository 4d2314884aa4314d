"""The registry of readers by file suffix, and what a pack tells a reader.

Kept apart from the package's ``__init__`` so that a reader module can
register itself without importing the package that imports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..errors import DocumentError
from ..model import Document


@dataclass(frozen=True)
class ReaderHints:
    """What a pack tells the reader: passages that are quotations, as (opening, closing) words."""

    quotations: tuple[tuple[str, str], ...] = ()


class Reader(Protocol):
    """The interface of a reader: the suffixes it reads, whether it wants bytes, and `read`.

    A text reader (``binary = False``) gets the file decoded and normalised
    (`studypack.readers.normalise`); a binary one gets the file's bytes. Either
    way the file has been checked and read already: a reader does no I/O.
    """

    suffixes: tuple[str, ...]
    binary: bool

    def read(self, data: str | bytes, doc_id: str, path: str, hints: ReaderHints | None) -> Document:
        """Turn the file's text (or bytes) into a Document."""


READERS: dict[str, type] = {}


def register(*suffixes: str, binary: bool = False):
    """Class decorator: read files with these suffixes (``".txt"``) with this reader."""

    def decorate(cls: type) -> type:
        cls.suffixes = tuple(s.lower() for s in suffixes)
        cls.binary = binary
        for suffix in cls.suffixes:
            READERS[suffix] = cls
        return cls

    return decorate


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
