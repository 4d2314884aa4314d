"""YAML with positions: parse a file a person wrote and say where each value stands.

`read_yaml` turns the bytes of a YAML 1.2 file into plain Python data (dicts
with string keys, lists, str, int, float, bool, None) and remembers, for every
key path such as ``("parts", 2, "items", 0)``, where its key and value stand.
Syntax errors, tabs and bytes that are not UTF-8 become `Problem`s with a line
and column. Duplicate keys and unsupported tags are collected as problems too,
so that they are reported with everything else.

The tree is built from ruamel.yaml's composed nodes rather than its round-trip
objects, so that every duplicate key is seen (not just the first), dates stay
the text the user wrote, and scalars that cannot be converted stay text instead
of stopping the whole load.

Checking the data against a schema is `yamlschema`'s part; the wording of
messages is `wording`'s.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from ..errors import Problem, ProblemsError
from ..model import Location
from ..textpos import byte_line_col, line_col
from .wording import clean, quote

KeyPath = tuple[str | int, ...]
MAX_DIGITS = 40
_SURROGATE = re.compile("[\ud800-\udfff]")

MAX_DEPTH = 40
MAX_VALUES = 100_000

_STD = "tag:yaml.org,2002:"
_PLAIN_TAGS = {_STD + name for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq", "value")}
_BRACKET = re.compile(r"[\[\]{}]")


@dataclass(frozen=True)
class Spot:
    """Where a value stands (1-based line and column, character offsets) and where its key stands."""

    line: int
    column: int
    start: int
    end: int
    key_line: int | None = None
    key_column: int | None = None
    style: str | None = None


class YamlText:
    """A parsed YAML file: its data, and the position of every value by key path."""

    def __init__(self, path: str, text: str, data: Any, spots: dict[KeyPath, Spot], problems: list[Problem]):
        self.path = path
        self.text = text
        self.data = data
        self.spots = spots
        self.problems = problems

    def _spot(self, keys: KeyPath) -> Spot | None:
        keys = tuple(keys)
        while keys not in self.spots and keys:
            keys = keys[:-1]
        return self.spots.get(keys)

    def where(self, keys: KeyPath) -> Location:
        """The position of the value at this key path (or of its nearest parent that exists)."""
        spot = self._spot(keys)
        return Location(self.path, spot.line, spot.column) if spot else Location(self.path)

    def where_key(self, keys: KeyPath) -> Location:
        """The position of the key at this key path; the value's position for list entries."""
        spot = self.spots.get(tuple(keys))
        if spot is None or spot.key_line is None:
            return self.where(keys)
        return Location(self.path, spot.key_line, spot.key_column)

    def find(self, keys: KeyPath, needle: str, after: int = 0) -> tuple[Location, int] | None:
        """Where `needle` is written inside the value at `keys`, searching from offset `after`.

        Returns the position and the offset to search from next, or None where the
        words are not written literally (escapes, folding).
        """
        spot = self.spots.get(tuple(keys))
        if spot is None or not needle:
            return None
        found = self.text.find(needle, spot.start + after, spot.end)
        if found < 0:
            return None
        line, column = line_col(self.text, found)
        return Location(self.path, line, column), found - spot.start + len(needle)

    def first_line(self, keys: KeyPath) -> Location:
        """Where the text of a scalar begins: the first content line of a `|` or `>` block."""
        spot = self.spots.get(tuple(keys))
        if spot is None:
            return self.where(keys)
        if spot.style in ("|", ">"):
            newline = self.text.find("\n", spot.start, spot.end)
            if newline < 0:
                return self.where(keys)
            content = self.text[newline + 1 : spot.end]
            lines = content.split("\n")
            filled = next((ln for ln in lines if ln.strip()), "")
            return Location(self.path, spot.line + 1, len(filled) - len(filled.lstrip(" ")) + 1)
        if spot.style in ("'", '"'):
            return Location(self.path, spot.line, spot.column + 1)
        return Location(self.path, spot.line, spot.column)


# --- reading ------------------------------------------------------------------


class _TooBig(Exception):
    """The document nests too deeply or its aliases expand to too many values."""

    def __init__(self, message: str, mark: Any = None):
        super().__init__(message)
        self.mark = mark


class _Builder:
    """Turns composed YAML nodes into plain data, recording positions and problems."""

    def __init__(self, path: str):
        self.path = path
        self.spots: dict[KeyPath, Spot] = {}
        self.problems: list[Problem] = []
        self.count = 0
        self.open: set[int] = set()

    def problem(self, line: int, column: int, message: str) -> None:
        self.problems.append(Problem(Location(self.path, line, column), message))

    def value(self, node: Node, keys: KeyPath, key: Node | None = None) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise _TooBig(f"the file is too big: its aliases expand to more than {MAX_VALUES} values")
        if len(keys) > MAX_DEPTH:
            raise _TooBig(f"lists and mappings are nested more than {MAX_DEPTH} deep", node.start_mark)
        self.spots[keys] = spot = _spot(node, key)
        if (node.tag or "") not in _PLAIN_TAGS:
            shown = str(node.tag).replace(_STD, "!!")
            self.problem(spot.line, spot.column, f"the tag {quote(shown)} is not supported here; remove it")
        if isinstance(node, ScalarNode):
            value = _scalar(node)
            if isinstance(value, str) and _SURROGATE.search(value):
                self.problem(spot.line, spot.column, "this text has a lone surrogate (an escape such as \\ud800), "
                             "which is half of a character; remove it")
                return _SURROGATE.sub("\ufffd", value)
            return value
        if id(node) in self.open:
            self.problem(spot.line, spot.column, "this list or mapping contains an alias to itself; remove that alias")
            return None
        self.open.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return [self.value(child, keys + (i,)) for i, child in enumerate(node.value)]
            return self.mapping(node, keys)
        finally:
            self.open.discard(id(node))

    def mapping(self, node: MappingNode, keys: KeyPath) -> dict[str, Any]:
        out: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            mark = key_node.start_mark
            if not isinstance(key_node, ScalarNode):
                kind = "list" if isinstance(key_node, SequenceNode) else "mapping"
                self.problem(mark.line + 1, mark.column + 1, f"a key must be a word, not a {kind}")
                continue
            key = key_node.value
            if key_node.tag == _STD + "merge":
                self.problem(mark.line + 1, mark.column + 1, "merge keys ('<<') are not supported; write the keys out")
                continue
            if key in first_line:
                self.problem(
                    mark.line + 1, mark.column + 1, f"duplicate key {quote(key)} (first at line {first_line[key]})"
                )
                continue
            first_line[key] = mark.line + 1
            out[key] = self.value(value_node, keys + (key,), key_node)
        return out


def _spot(node: Node, key: Node | None) -> Spot:
    """Where a node (and the key it is the value of) stands, 1-based."""
    start, end = node.start_mark, node.end_mark
    column = start.column + 1
    style = (node.style or None) if isinstance(node, ScalarNode) else None  # libyaml says '' for plain
    if key is not None and isinstance(node, ScalarNode) and node.value == "" and style is None:
        start = end = key.end_mark  # an empty value: ruamel marks the next token, perhaps lines below
        column = start.column + 2  # just after the key's ':'
    if key is None:
        return Spot(start.line + 1, column, start.index, end.index, style=style)
    mark = key.start_mark
    return Spot(start.line + 1, column, start.index, end.index, mark.line + 1, mark.column + 1, style)


def _scalar(node: ScalarNode) -> Any:
    """The Python value of a scalar; text where YAML's reading of it cannot be converted."""
    tag, text = node.tag, node.value
    if node.style == ">":
        # ruamel marks each fold of a folded scalar with BEL; its own loader drops them.
        text = text.replace("\a", "")
    try:
        if tag == _STD + "null":
            return None
        if tag == _STD + "bool":
            return text.lower() in ("true", "yes", "on", "y")
        if tag == _STD + "int":
            # no number in a pack needs more digits; longer ones stay text, for the schema to refuse
            return _integer(text) if len(text) <= MAX_DIGITS else text
        if tag == _STD + "float":
            return float(text.replace("_", "").lower().replace(".inf", "inf").replace(".nan", "nan"))
    except ValueError:
        return text
    return text


def _integer(text: str) -> int:
    digits = text.replace("_", "")
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-")
    if ":" in digits:
        total = 0
        for part in digits.split(":"):
            total = total * 60 + int(part, 10)
        return sign * total
    if digits[:2].lower() in ("0x", "0o", "0b"):
        return sign * int(digits, 0)
    return sign * int(digits, 10)


def _deep_bracket(text: str) -> int | None:
    """The offset of a '[' or '{' opened inside more than MAX_DEPTH others, if any.

    ruamel.yaml's scanner takes time quadratic in the depth of flow nesting, so
    deep ``[[[[...`` is refused before parsing. Brackets in quoted or Markdown
    text count too, which errs only for text with dozens left unclosed.
    """
    depth = 0
    for match in _BRACKET.finditer(text):
        depth = depth + 1 if match[0] in "[{" else max(depth - 1, 0)
        if depth > MAX_DEPTH:
            return match.start()
    return None


def _decode(raw: bytes, path: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line, column = byte_line_col(raw, err.start)
        byte = raw[err.start]
        raise ProblemsError(
            [
                Problem(
                    Location(path, line, column),
                    f"the file is not UTF-8 text (byte 0x{byte:02X} cannot be read); save it as UTF-8",
                )
            ]
        ) from None


def _syntax_problem(err: Exception, text: str, path: str) -> Problem:
    """A YAML error from ruamel.yaml as a problem at its position."""
    if isinstance(err, ReaderError):
        line, column = line_col(text, err.position)
        code = err.character if isinstance(err.character, int) else ord(str(err.character)[:1] or " ")
        return Problem(Location(path, line, column), f"the character U+{code:04X} is not allowed in YAML; delete it")
    if not isinstance(err, MarkedYAMLError) or err.problem_mark is None:
        return Problem(Location(path, 1, 1), f"not valid YAML: {clean(str(err)).strip()}")
    mark = err.problem_mark
    problem = clean(err.problem or "")
    context = clean(err.context or "")
    if "'\\t'" in problem:
        message = "a tab is used for indentation here; indent with spaces only"
    elif "found unexpected end of stream" in problem and "quoted scalar" in context and err.context_mark is not None:
        mark = err.context_mark
        message = "the quotation mark opened here is never closed"
    elif problem == "mapping values are not allowed here" and _first_colon(text, mark):
        message = (
            "this line is indented more than the key above it; line its key up with the others "
            "(or, if it goes on with the text above, put that text in quotes)"
        )
    elif problem == "mapping values are not allowed here":
        message = "a ':' here starts a key where none is allowed; put text that contains ': ' in quotes"
    elif "expected <block end>" in problem:
        message = "this line is not indented like the lines above it; check its spaces"
    elif "another document" in problem:
        message = "a second YAML document starts here ('---'); a file holds only one"
    else:
        message = f"not valid YAML: {problem}"
        if context and err.context_mark is not None:
            message += f" ({context} at line {err.context_mark.line + 1})"
    return Problem(Location(path, mark.line + 1, mark.column + 1), message)


def _first_colon(text: str, mark) -> bool:
    """Whether the ':' at ``mark`` ends the first key of its line (so the line, not the colon, is out of place)."""
    lines = text.splitlines()
    line = lines[mark.line] if mark.line < len(lines) else ""
    before = line[: mark.column]
    return ": " not in before and before.strip() != "" and not before.lstrip().startswith(("-", "'", '"'))


def _compose(text: str):
    """The YAML's node tree, with positions.

    "safe", not "rt": the nodes are the same, without the comments we never
    read. libyaml (ruamel.yaml.clib) composes it ten times faster than
    ruamel.yaml's Python parser, with the same nodes and positions; a file
    libyaml refuses is parsed again in Python, whose messages `_syntax_problem`
    knows how to explain.
    """
    try:
        return YAML(typ="safe", pure=False).compose(text)
    except (YAMLError, RecursionError):
        pass
    return YAML(typ="safe", pure=True).compose(text)


def read_yaml(raw: bytes, path: str) -> YamlText:
    """Parse YAML bytes into data with positions; ProblemsError where nothing usable can be read.

    An empty file, or one holding only comments or ``null``, gives data None.
    Problems that still leave usable data (duplicate keys, tags) are in the
    result's ``problems``.
    """
    text = _decode(raw, path)
    if not text.strip():
        return YamlText(path, text, None, {}, [])
    too_deep = _deep_bracket(text)
    if too_deep is not None:
        line, column = line_col(text, too_deep)
        raise ProblemsError(
            [Problem(Location(path, line, column), f"lists and mappings are nested more than {MAX_DEPTH} deep")]
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            root = _compose(text)
    except RecursionError:
        raise ProblemsError([Problem(Location(path, 1, 1), "lists and mappings are nested too deeply")]) from None
    except YAMLError as err:
        raise ProblemsError([_syntax_problem(err, text, path)]) from None
    except Exception as err:  # noqa: BLE001 - the parser's own failure on malformed input is still a YAML problem
        raise ProblemsError([_syntax_problem(err, text, path)]) from None
    if root is None:
        return YamlText(path, text, None, {}, [])
    builder = _Builder(path)
    try:
        data = builder.value(root, ())
    except _TooBig as err:
        line, column = (err.mark.line + 1, err.mark.column + 1) if err.mark is not None else (1, 1)
        raise ProblemsError([Problem(Location(path, line, column), str(err))]) from None
    return YamlText(path, text, data, builder.spots, builder.problems)
