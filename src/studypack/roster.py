"""Class lists: who gets a named copy of a handout (``--names roster.csv``).

A roster is either

- a CSV file (``.csv``) with a heading row: a ``name`` column, or a first-name
  and a last-name column (the headings a school's MIS export uses are
  understood: ``Forename``, ``Surname``, ``Preferred Forename``...), and
  optionally a ``class`` column (``Form``, ``Reg Group``...) printed in the
  Class box; commas, semicolons or tabs between the columns; or
- a plain list (``.txt``, or any other name): one name per line, no heading.

Either is UTF-8, with or without a byte-order mark. Blank lines are skipped.
Every mistake is a `RosterError` naming the file and the line: a file that is
not UTF-8, no names at all, no name column, a row with no name, a name given
twice (two copies that cannot be told apart).
"""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import RosterError

# A roster is a class list, not a database: anything larger is the wrong file.
MAX_BYTES = 1_000_000

# Headings, as they are compared: lower case, runs of spaces, dots, hyphens and
# underscores as one underscore. In each role, the first heading present wins.
NAME_HEADINGS = ("name", "full_name", "student_name", "pupil_name", "student", "pupil")
FIRST_HEADINGS = ("preferred_forename", "preferred_first_name", "first_name", "forename", "given_name", "firstname")
LAST_HEADINGS = ("preferred_surname", "last_name", "surname", "family_name", "lastname")
CLASS_HEADINGS = ("class", "form", "tutor_group", "reg_group", "registration_group", "group", "set")

CSV_HINT = "save the class list from your spreadsheet as 'CSV UTF-8 (comma delimited)'"


@dataclass(frozen=True)
class Student:
    """One named copy: the name as it is printed, the class (or None), the roster line it came from."""

    name: str
    class_name: str | None
    line: int


@dataclass(frozen=True)
class Roster:
    """A class list: its file (as the user named it) and its students, in the file's order."""

    path: str
    students: tuple[Student, ...]

    @property
    def slug(self) -> str:
        """The roster's name in output file names: its file name without the extension (``9X``)."""
        return file_slug(Path(self.path).stem) or "class"

    def __len__(self) -> int:
        return len(self.students)


def read_roster(path: Path) -> Roster:
    """Read and check a roster; a `RosterError` naming the file and line for anything wrong."""
    shown = str(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise RosterError("this is too large to be a class list (over 1 MB)", where=shown)
        data = path.read_bytes()
    except IsADirectoryError:
        raise RosterError("this is a folder; name the class list file", where=shown) from None
    except FileNotFoundError:
        raise RosterError("no such class list file", where=shown) from None
    except OSError as exc:
        raise RosterError(f"the class list cannot be read: {exc.strerror}", where=shown) from None
    text = decode(data, shown)
    lines = text.splitlines()
    if path.suffix.lower() == ".csv":
        students = _from_csv(lines, shown)
    else:
        students = [Student(_clean(line), None, n) for n, line in enumerate(lines, 1) if _clean(line)]
    if not students:
        raise RosterError("the class list has no names", where=shown, hint="put one student's name on each line")
    _check_unique(students, shown)
    return Roster(shown, tuple(students))


def decode(data: bytes, shown: str) -> str:
    """The text of a roster file: UTF-8, with or without a byte-order mark; else an error at the first bad line."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RosterError("the class list is saved as UTF-16 ('Unicode text'), not UTF-8", where=shown, hint=CSV_HINT)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise RosterError(
            f"the class list is not UTF-8 text (byte 0x{data[exc.start]:02X} cannot be read)", where=f"{shown}:{line}", hint=CSV_HINT
        ) from None
    if "\x00" in text:
        raise RosterError("this is not a text file", where=shown, hint=CSV_HINT)
    return text


def _from_csv(lines: list[str], shown: str) -> list[Student]:
    """The students of a CSV roster: the heading row is the first line that is not blank."""
    numbered = [(n, line) for n, line in enumerate(lines, 1) if line.strip()]
    if not numbered:
        return []
    first_line, heading_row = numbered[0]
    try:
        dialect = csv.Sniffer().sniff(heading_row, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # Each line is read on its own, so that a stray quote cannot swallow the lines after it.
    rows = [_row(line, dialect, f"{shown}:{n}") for n, line in numbered]
    headings = [_heading(h) for h in rows[0]]
    columns = _columns(headings, rows[0], first_line, shown)
    students = []
    for (number, _), row in zip(numbered[1:], rows[1:]):
        cells = [_clean(c) for c in row]
        if not any(cells):
            continue
        name = " ".join(filter(None, (_cell(cells, i) for i in columns["name"])))
        if not name:
            raise RosterError(
                f"this row has no name (the {' and '.join(repr(rows[0][i].strip()) for i in columns['name'])} column is empty)",
                where=f"{shown}:{number}",
                hint="fill the name in, or delete the row",
            )
        class_name = _cell(cells, columns["class"][0]) if columns["class"] else None
        students.append(Student(name, class_name or None, number))
    return students


def _columns(headings: list[str], written: list[str], line: int, shown: str) -> dict[str, list[int]]:
    """The columns of the name (one, or first and last) and of the class, by the heading row."""

    def find(choices: tuple[str, ...]) -> int | None:
        for choice in choices:
            if choice in headings:
                return headings.index(choice)
        return None

    name, first, last = find(NAME_HEADINGS), find(FIRST_HEADINGS), find(LAST_HEADINGS)
    klass = find(CLASS_HEADINGS)
    if name is not None:
        columns = [name]
    elif first is not None and last is not None:
        columns = [first, last]
    else:
        found = ", ".join(repr(h.strip()) for h in written if h.strip()) or "nothing"
        close = difflib.get_close_matches(headings[0] if headings else "", NAME_HEADINGS + FIRST_HEADINGS + LAST_HEADINGS, 1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        hint += "the first line must name the columns: 'name', or 'first_name' and 'last_name'"
        if first is not None or last is not None:
            missing = "last name (last_name, surname)" if last is None else "first name (first_name, forename)"
            raise RosterError(f"the class list has no {missing} column; its heading row has {found}", where=f"{shown}:{line}", hint=hint)
        raise RosterError(f"the class list has no 'name' column; its heading row has {found}", where=f"{shown}:{line}", hint=hint)
    return {"name": columns, "class": [] if klass is None else [klass]}


def _check_unique(students: list[Student], shown: str) -> None:
    seen: dict[str, Student] = {}
    for student in students:
        key = student.name.casefold()
        if key in seen:
            raise RosterError(
                f"'{student.name}' is on the class list twice (also on line {seen[key].line}): the two copies could not be told apart",
                where=f"{shown}:{student.line}",
                hint="add an initial or a middle name to one of them",
            )
        seen[key] = student


def _row(line: str, dialect, where: str) -> list[str]:
    try:
        return next(csv.reader([line], dialect), [])
    except csv.Error as exc:
        raise RosterError(f"this line cannot be read as CSV: {exc}", where=where, hint=CSV_HINT) from None


def _heading(text: str) -> str:
    return re.sub(r"[\s._-]+", "_", text.strip().lower()).strip("_")


def _clean(text: str) -> str:
    """A cell as printed: surrounding spaces gone, runs of white space (tabs, no-break spaces) as one space."""
    return " ".join(text.split())


def _cell(cells: list[str], index: int) -> str:
    return cells[index] if index < len(cells) else ""


def file_slug(text: str) -> str:
    """Text made safe for a file name: letters (any script), digits, ``-`` and ``_``; spaces as ``-``."""
    words = re.sub(r"[^\w\s-]", "", text, flags=re.UNICODE).split()
    return "-".join(words).strip("-_")
