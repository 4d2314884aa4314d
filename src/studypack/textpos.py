"""Positions in a file a person wrote: the 1-based line and column of an offset.

Shared by the YAML reader and the document readers, so that every message
counts lines and columns the same way.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from .model import Location

_BREAK = re.compile(r"\r\n|\r|\n")


@lru_cache(maxsize=16)
def _line_starts(text: str) -> tuple[int, ...]:
    """The offsets at which the lines of `text` begin (a text is hashed once: Python keeps a string's hash)."""
    return (0, *(m.end() for m in _BREAK.finditer(text)))


def line_col(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character offset in `text` (any of ``\\r\\n``, ``\\r``, ``\\n`` ends a line)."""
    if 0 < index < len(text) and text[index - 1] == "\r" and text[index] == "\n":
        line, column = line_col(text, index - 1)  # between the two of a \r\n: the \r alone has ended the line
        return line + 1, 1
    starts = _line_starts(text)
    line = bisect_right(starts, index) - 1
    return line + 1, index - starts[line] + 1


def byte_line_col(data: bytes, index: int) -> tuple[int, int]:
    """1-based line and column of a byte offset in undecoded UTF-8, the column counted in characters."""
    line_start = data.rfind(b"\n", 0, index) + 1
    column = len(data[line_start:index].decode("utf-8", "replace")) + 1
    return data.count(b"\n", 0, index) + 1, column


def find_in_text(path: str, text: str, needle: str, after: int = 0) -> tuple[Location, int] | None:
    """Where `needle` occurs in a file's text from offset `after`, and the offset just past it."""
    found = text.find(needle, after)
    if found < 0:
        return None
    line, column = line_col(text, found)
    return Location(path, line, column), found + len(needle)
