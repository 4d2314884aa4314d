"""Checks of pack.yaml that need the whole manifest and the file system.

Kinds of parts and items, ids (given, and the defaults sources, worksheets
and questions get), references between entries (``[[id]]`` in Markdown, a
question's ``sources``) and the files the pack names, each problem at its
place in pack.yaml (or in the commentary file it is in).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import PackError, Problem
from ..resource_policy import read_pack_file
from ..model import SOURCE_REFERENCE, Location
from ..textpos import find_in_text
from .packfiles import UnusablePath, display_path, file_inside
from .wording import clean, dotted, either, quote, suggest
from .yamlpos import KeyPath, YamlText
from .yamlschema import as_text

_KINDS = ("commentary", "source", "worksheet")
_KIND_KEYS = {
    "commentary": {"commentary", "credit", "edition"},
    "source": {"source", "id", "title", "intro", "attribution", "edition"},
    "worksheet": {"worksheet", "edition"},
}
_EXPECTED = {
    "items": "a list of items",
    "commentary": "Markdown or the path of a .md file",
    "source": "a source such as 'corin#source-1' or a passage",
    "worksheet": "a worksheet with instructions and questions",
}
_BLOCK_REF = re.compile(r"([^#\s]+)#([^#\s]+)")


def _is_file(commentary: str) -> bool:
    """Commentary that is one line ending in ``.md`` names a file; anything else is Markdown."""
    return "\n" not in commentary.strip() and commentary.strip().lower().endswith(".md")


def _listed_in(mapping: Any, key: str) -> list:
    """The list at `key` of a mapping; empty where there is no such list."""
    value = mapping.get(key) if isinstance(mapping, dict) else None
    return value if isinstance(value, list) else []


def _entries(mapping: Any, key: str) -> Iterator[tuple[int, dict]]:
    """(index, entry) for each mapping in the list at `key`, skipping whatever is not one."""
    for i, entry in enumerate(_listed_in(mapping, key)):
        if isinstance(entry, dict):
            yield i, entry


class Checks:
    """Kinds of parts and items, ids, references and files: what needs more than one value.

    Works on the raw data, so that it finds its problems even where the schema
    found others. What it works out (ids, files, commentary texts) the builder reuses.
    """

    def __init__(self, doc: YamlText, root: Path, shown: str):
        self.doc, self.root, self.shown = doc, root, shown
        self.problems: list[Problem] = []
        self.ids: dict[KeyPath, str] = {}
        self.files: dict[KeyPath, Path] = {}
        self.commentary: dict[KeyPath, tuple[str, str]] = {}
        self.sources: list[str] = []
        self.taken: dict[str, int | None] = {}

    def add(self, where: Location, message: str) -> None:
        """Report a problem at a position."""
        self.problems.append(Problem(where, message))

    def at(self, keys: KeyPath, message: str) -> None:
        """Report a problem with the value at a key path, the path leading the message."""
        self.add(self.doc.where(keys), f"{dotted(keys)}: {message}")

    def run(self) -> list[Problem]:
        """Run every check; the problems found."""
        documents = self.documents(self.doc.data)
        items = list(self.items(self.doc.data))
        sheets = self.reserve(items)
        markdown: list[tuple[KeyPath, Any]] = []
        passages: dict[str, int] = {}
        for keys, item, kind in items:
            if kind == "source":
                self.source(keys, item, documents, passages)
                markdown.append((keys + ("intro",), item.get("intro")))
            elif kind == "commentary":
                markdown += self.commentary_text(keys, item["commentary"])
        questions = [
            (keys + ("worksheet", "questions", i), q) for keys, sheet in sheets for i, q in _entries(sheet, "questions")
        ]
        for n, (keys, question) in enumerate(questions, 1):
            self.claim(keys, question.get("id"), f"q{n}", "question")
        markdown += [(keys + ("worksheet", "instructions"), sheet.get("instructions")) for keys, sheet in sheets]
        for keys, question in questions:
            markdown += [(keys + (key,), question.get(key)) for key in ("text", "mark_scheme")]
            markdown += [(keys + ("indicative", i), text) for i, text in enumerate(_listed_in(question, "indicative"))]
            markdown += [(keys + ("levels", i, "descriptor"), level.get("descriptor")) for i, level in _entries(question, "levels")]
            for i, name in enumerate(map(as_text, _listed_in(question, "sources"))):
                if isinstance(name, str) and name not in self.sources:
                    message = f"question refers to unknown source {quote(name)}{suggest(name, self.sources)}"
                    self.add(self.doc.where(keys + ("sources", i)), message)
        for section, key in (("glossary", "definition"), ("people", "description"), ("timeline", "event")):
            markdown += [((section, i, key), entry.get(key)) for i, entry in _entries(self.doc.data, section)]
        for keys, text in markdown:
            if isinstance(text, str):  # numbers, taken as text, hold no references
                self.references(
                    text, self.doc.where(keys), lambda needle, after, k=keys: self.doc.find(k, needle, after)
                )
        for shown, text in self.commentary.values():
            self.references(
                text, Location(shown, 1, 1), lambda needle, after, s=shown, t=text: find_in_text(s, t, needle, after)
            )
        return self.problems

    def reserve(self, items: list[tuple[KeyPath, dict, str]]) -> list[tuple[KeyPath, dict]]:
        """Reserve the ids parts and worksheets get (``part-N``, ``worksheet-N``); the worksheets."""
        for i, _ in enumerate(_listed_in(self.doc.data, "parts")):
            self.taken.setdefault(f"part-{i + 1}", self.doc.where(("parts", i)).line)
        sheets = [(keys, item["worksheet"]) for keys, item, kind in items if kind == "worksheet"]
        sheets = [(keys, sheet) for keys, sheet in sheets if isinstance(sheet, dict)]
        for n, (keys, _) in enumerate(sheets, 1):
            self.ids[keys] = f"worksheet-{n}"
            self.taken.setdefault(f"worksheet-{n}", self.doc.where(keys).line)
        return sheets

    def documents(self, data: dict) -> list[str]:
        """Check document ids and files; the ids declared."""
        first: dict[str, int | None] = {}
        for i, document in _entries(data, "documents"):
            ident, path = document.get("id"), as_text(document.get("path"))
            if isinstance(ident, str):
                line = self.doc.where(("documents", i, "id")).line
                if ident in first:
                    self.add(
                        self.doc.where(("documents", i, "id")),
                        f"document id {quote(ident)} is used twice (first at line {first[ident]})",
                    )
                first.setdefault(ident, line)
            if isinstance(path, str) and path.strip():
                target = self.pack_file(("documents", i, "path"), path)
                if target is not None:
                    self.files[("documents", i)] = target
        return list(first)

    def items(self, data: dict) -> Iterator[tuple[KeyPath, dict, str]]:
        """(key path, mapping, kind) for every item; a part written with one item is that item."""
        for p, part in _entries(data, "parts"):
            kind = self.kind(("parts", p), part, ("items",) + _KINDS, "a part")
            if kind == "items":
                self.misplaced(("parts", p), part, "items")
                for i, item in _entries(part, "items"):
                    item_kind = self.kind(("parts", p, "items", i), item, _KINDS, "an item")
                    if item_kind:
                        self.misplaced(("parts", p, "items", i), item, item_kind)
                        yield ("parts", p, "items", i), item, item_kind
            elif kind:
                self.misplaced(("parts", p), part, kind, part=True)
                yield ("parts", p), part, kind

    def kind(self, keys: KeyPath, entry: dict, kinds: tuple[str, ...], what: str) -> str | None:
        """The one kind key an entry has, or None after reporting why there is not exactly one."""
        present = [k for k in entry if k in kinds]
        if len(present) != 1:
            found = f"; it has {either(present).replace(' or ', ' and ')}" if present else ""
            where = self.doc.where_key(keys + (present[1],)) if len(present) > 1 else self.doc.where(keys)
            self.add(where, f"{dotted(keys)}: {what} needs exactly one of {either(kinds)}{found}")
            return None
        if entry[present[0]] is None:
            self.at(keys + (present[0],), f"expected {_EXPECTED[present[0]]}, got nothing")
            return None
        return present[0]

    def misplaced(self, keys: KeyPath, entry: dict, kind: str, part: bool = False) -> None:
        """Report known keys that do not go with this kind of entry."""
        allowed = (
            {"title", "edition", "items"} if kind == "items" else _KIND_KEYS[kind] | ({"title"} if part else set())
        )
        for key in entry:
            owners = tuple(k for k in _KINDS if key in _KIND_KEYS[k])
            if key in allowed or not owners:
                continue
            if kind == "items":
                why = f"'{key}' goes on an item under 'items', not on the part"
            else:
                why = f"'{key}' does not go with '{kind}' (it goes with {either(owners)})"
            self.add(self.doc.where_key(keys + (key,)), f"{dotted(keys + (key,))}: {why}")

    def source(self, keys: KeyPath, item: dict, documents: list[str], passages: dict[str, int]) -> None:
        """Check a source's reference or passage, and claim its id."""
        value, default = item["source"], None
        if isinstance(value, str):
            match = _BLOCK_REF.fullmatch(value.strip())
            if not match:
                message = "write a document id, '#' and a block id, e.g. 'corin#source-1'"
            elif match[1] not in documents:
                message = f"there is no document {quote(match[1])}{suggest(match[1], documents)}"
            else:
                message, default = "", f"{match[1]}-{match[2]}"
            if message:
                self.add(self.doc.where(keys + ("source",)), f"source {quote(value)}: {message}")
        elif isinstance(value, dict) and isinstance(as_text(value.get("document")), str):
            name = as_text(value["document"])
            passages[name] = passages.get(name, 0) + 1
            default = f"{name}-passage-{passages[name]}"
            if name not in documents:
                self.at(keys + ("source", "document"), f"there is no document {quote(name)}{suggest(name, documents)}")
        self.claim(keys, item.get("id"), default, "source")

    def claim(self, keys: KeyPath, explicit: Any, default: str | None, what: str) -> None:
        """Give the entry at `keys` its id (explicit, else the default), reporting ids used twice."""
        given = isinstance(explicit, str)
        ident = explicit if given else default
        if ident is None:
            return
        where = self.doc.where(keys + ("id",)) if given else self.doc.where(keys)
        self.ids[keys] = ident
        if what == "source":
            self.sources.append(ident)
        if ident not in self.taken:
            self.taken[ident] = where.line
        elif given:
            self.add(where, f"id {quote(ident)} is already used at line {self.taken[ident]}; choose another")
        else:
            line = self.taken[ident]
            self.add(
                where,
                f"this {what} gets the id {quote(ident)}, which is already used at line {line};"
                " give it an 'id' of its own",
            )

    def commentary_text(self, keys: KeyPath, value: Any) -> list[tuple[KeyPath, Any]]:
        """Inline commentary, to check for references; a .md file is read and kept instead."""
        if not isinstance(value, str) or not _is_file(value):
            return [(keys + ("commentary",), value)]
        relative = value.strip()
        target = self.pack_file(keys + ("commentary",), relative)
        if target is not None:
            try:
                data = read_pack_file(target, "commentary", shown=display_path(self.shown, relative))
                self.commentary[keys] = (display_path(self.shown, relative), data.decode("utf-8-sig"))
            except PackError as err:
                self.at(keys + ("commentary",), f"file {quote(relative)}: {err.message.removeprefix('this ')}")
            except UnicodeDecodeError:
                self.at(keys + ("commentary",), f"file {quote(relative)} is not UTF-8 text; save it as UTF-8")
            except OSError:
                self.at(keys + ("commentary",), f"file {quote(relative)} cannot be read")
        return []

    def pack_file(self, keys: KeyPath, relative: str) -> Path | None:
        """The file a path in the pack names, or None after reporting why it cannot be used."""
        try:
            return file_inside(self.root, relative)
        except UnusablePath as err:
            self.at(keys, err.message)
            return None

    def references(self, text: str, fallback: Location, locate: Any) -> None:
        """Report each ``[[id]]`` in Markdown that names no source, where it is written."""
        after = 0
        for match in SOURCE_REFERENCE.finditer(text):
            where, found = fallback, locate(match[0], after)
            if found is not None:
                where, after = found
            if match[1] not in self.sources:
                self.add(where, f"[[{clean(match[1])}]] refers to an unknown source{suggest(match[1], self.sources)}")
