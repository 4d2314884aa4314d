"""Tables in plain text: ASCII grid tables, column-aligned tables under a dashed rule, tab tables.

Each reader here takes the lines of one run of non-empty lines as written
(indentation kept) and returns a `Rows` unit, or None when the lines are not
that kind of table. None of them ever cuts a word: a table whose columns do not
line up with its rule is not taken as a table (its lines stay paragraphs).
"""

from __future__ import annotations

import re

from .units import Rows

_GRID_RULE = re.compile(r"^\+(?:[-=:]+\+)+$")
_DASHES = re.compile(r"-+")
_SIMPLE_RULE = re.compile(r"^ *-+(?: +-+)+ *$")
_NUMBER = re.compile(r"^[\d.,%–\-—+ ]+$")
_HEADER_WORDS = 4


def _numeric(cell: str) -> bool:
    return bool(cell) and bool(_NUMBER.match(cell)) and any(c.isdigit() for c in cell)


def header_like(rows: list[tuple[str, ...]]) -> bool:
    """A first row that looks like a header: every cell filled and none a number, and either
    a column of numbers under one of its cells or only short cells (``Year``, ``Sown area``)."""
    first, rest = rows[0], rows[1:]
    if not rest or any(not cell or _numeric(cell) for cell in first):
        return False
    numbers_below = any(
        all(_numeric(row[k]) for row in rest if k < len(row) and row[k]) for k in range(len(first))
        if any(k < len(row) and row[k] for row in rest)
    )
    return numbers_below or all(len(cell.split()) <= _HEADER_WORDS for cell in first)


def grid_table(lines: list[str], line: int) -> Rows | None:
    """A ``+---+`` / ``| a | b |`` grid table: rows between rules, a ``+===+`` rule under the header.

    A row written over several lines has its cells' lines joined; rows with no
    text at all (an empty last row) are left out.
    """
    border = lines[0].strip()
    if len(lines) < 3 or not _GRID_RULE.match(border) or not _GRID_RULE.match(lines[-1].strip()):
        return None
    indent = len(lines[0]) - len(lines[0].lstrip())
    cuts = [i for i, char in enumerate(border) if char == "+"]
    rows: list[tuple[str, ...]] = []
    pending: list[list[str]] | None = None
    header = False
    for raw in lines[1:]:
        text = raw[indent:].rstrip()
        if _GRID_RULE.match(text):
            if pending is not None:
                rows.append(tuple(" ".join(" ".join(part).split()) for part in pending))
            header = header or ("=" in text and len(rows) == 1)
            pending = None
            continue
        if not text.startswith("|") or any(c < len(text) and text[c] not in "|+" for c in cuts):
            return None
        pending = pending or [[] for _ in cuts[1:]]
        for k, (a, b) in enumerate(zip(cuts, cuts[1:])):
            pending[k].append(text[a + 1 : b])
    rows = [row for row in rows if any(row)]
    return Rows(tuple(rows), line, header) if rows else None


def simple_table(lines: list[str], line: int) -> Rows | None:
    """Columns lined up under a rule of dashes (``-----  ------``) below the header line."""
    if len(lines) < 3 or not _SIMPLE_RULE.match(lines[1]):
        return None
    starts = [m.start() for m in _DASHES.finditer(lines[1])]
    rows = []
    for raw in (lines[0], *lines[2:]):
        if _SIMPLE_RULE.match(raw):
            continue
        for b in starts[1:]:
            # a word across a column edge: the columns do not line up, so this is no table
            if 0 < b < len(raw) and not raw[b - 1].isspace() and not raw[b].isspace():
                return None
        bounds = [0, *starts[1:], len(raw)]
        rows.append(tuple(raw[a:b].strip() for a, b in zip(bounds, bounds[1:])))
    return Rows(tuple(rows), line, True)


def tab_table(lines: list[str], line: int) -> Rows:
    """Tab-separated lines; the first row is the header only when it looks like one."""
    rows = [tuple(cell.strip() for cell in text.strip().split("\t")) for text in lines]
    return Rows(tuple(rows), line, header_like(rows))
