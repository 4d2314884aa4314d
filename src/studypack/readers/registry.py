"""The readers' registry: the hints a pack gives a reader, the interface of a reader, and `register`.

Apart from the package's ``__init__`` so that a reader module can register
itself without importing the package that imports it (no import circle).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..model import Document


@dataclass(frozen=True)
class ReaderHints:
    """What a pack tells the reader: passages that are quotations, as (opening, closing) words."""

    quotations: tuple[tuple[str, str], ...] = ()


class Reader(Protocol):
    """The interface of a reader: the suffixes it reads and `read`."""

    suffixes: tuple[str, ...]

    def read(self, text: str, doc_id: str, path: str, hints: ReaderHints | None) -> Document:
        """Turn normalised text into a Document."""


READERS: dict[str, type] = {}


def register(*suffixes: str):
    """Class decorator: read files with these suffixes (``".txt"``) with this reader."""

    def decorate(cls: type) -> type:
        cls.suffixes = tuple(s.lower() for s in suffixes)
        for suffix in cls.suffixes:
            READERS[suffix] = cls
        return cls

    return decorate
