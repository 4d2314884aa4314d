"""Positions in a file a person wrote: the 1-based line and column of an offset.

Shared by the YAML reader and the document readers, so that every message
counts lines and columns the same way.
"""

from __future__ import annotations

import re

from .model import Location

_BREAK = re.compile(r"\r\n|\r|\n")


def line_col(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character offset in `text` (any of ``\\r\\n``, ``\\r``, ``\\n`` ends a line)."""
    prefix = text[:index]
    breaks = list(_BREAK.finditer(prefix))
    if not breaks:
        return 1, index + 1
    return len(breaks) + 1, index - breaks[-1].end() + 1


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
