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

`validate` checks the data against a pydantic model and turns each error into
a problem at the position of the offending key or value; `Text`, `Words`,
`choice` and `whole_number` are field types whose errors read well. The
wording helpers (`quote`, `describe`, `suggest`, `dotted`) and `file_inside`,
which keeps the files a pack names inside its folder, serve every message
about what a pack's author wrote.
"""

from __future__ import annotations

import difflib
import posixpath
import re
import typing
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ValidationError
from pydantic_core import PydanticCustomError
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from .errors import Problem, ProblemsError
from .model import Location

KeyPath = tuple[str | int, ...]

MAX_DEPTH = 40
MAX_VALUES = 100_000

_STD = "tag:yaml.org,2002:"
_PLAIN_TAGS = {_STD + name for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq", "value")}
_BREAK = re.compile(r"\r\n|\r|\n")
_BRACKET = re.compile(r"[\[\]{}]")
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


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


# --- wording and places shared by every message -----------------------------


def clean(text: str) -> str:
    """Text made safe for a one-line message: no control characters, no lone surrogates."""
    return _SURROGATE.sub("\ufffd", _UNPRINTABLE.sub(" ", text))


def quote(text: str, limit: int = 60) -> str:
    """Text in single quotes for a message, shortened to `limit` characters."""
    text = clean(str(text))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"'{text}'"


def describe(value: Any) -> str:
    """What a YAML value is, for 'got …' in a message."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "keys and values (a mapping)"
    return quote(repr(value))


def suggest(word: Any, options: typing.Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the option closest to `word`, or '' when none is close."""
    options = [o for o in options if isinstance(o, str)]
    if not isinstance(word, str) or not options or len(word) > 100:
        return ""
    folded = {o.casefold(): o for o in options}
    match = folded.get(word.casefold())
    if match is None:
        close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
        match = close[0] if close else None
    return f" (did you mean {quote(match)}?)" if match is not None and match != word else ""


def dotted(keys: KeyPath) -> str:
    """A key path as people read it: ``parts[2].items[0].source.from``."""
    out = ""
    for key in keys:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out


def line_col(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character offset in `text`."""
    prefix = text[:index]
    breaks = list(_BREAK.finditer(prefix))
    if not breaks:
        return 1, index + 1
    return len(breaks) + 1, index - breaks[-1].end() + 1


def entries(mapping: Any, key: str) -> typing.Iterator[tuple[int, dict]]:
    """(index, entry) for each mapping in the list at `key`, skipping whatever is not one."""
    value = mapping.get(key) if isinstance(mapping, dict) else None
    for i, entry in enumerate(value if isinstance(value, list) else []):
        if isinstance(entry, dict):
            yield i, entry


def display_path(folder: str, relative: str) -> str:
    """How messages name a file: the path as written, normalised, in the folder as the user named it."""
    relative = posixpath.normpath(clean(relative).replace("\\", "/"))
    return relative if folder in ("", ".") else posixpath.join(folder, relative)


class UnusablePath(Exception):
    """A path in a pack that cannot be read: ``outside`` when it leads out of the pack folder."""

    def __init__(self, message: str, outside: bool = False):
        super().__init__(message)
        self.message, self.outside = message, outside


def file_inside(root: Path, relative: str) -> Path:
    """The file a relative path names inside `root`, after symlinks and '..'; UnusablePath says why not."""
    try:
        target = (root / relative).resolve()
        inside = target.is_relative_to(root.resolve())
        exists, folder, ordinary = target.exists(), target.is_dir(), target.is_file()
    except RuntimeError:  # Python before 3.13 on a symlink loop
        raise UnusablePath(f"{quote(relative)} is a link that leads back to itself") from None
    except (OSError, ValueError):  # NUL bytes, names too long, loops on later Pythons
        raise UnusablePath(f"{quote(relative)} cannot be read as a file name") from None
    if not inside:
        raise UnusablePath(f"{quote(relative)} is outside the pack folder", outside=True)
    if not exists:
        raise UnusablePath(f"file {quote(relative)} does not exist")
    if folder:
        raise UnusablePath(f"{quote(relative)} is a folder, not a file")
    if not ordinary:
        raise UnusablePath(f"{quote(relative)} is not an ordinary file (a pipe or a device?)")
    return target


def find_in_text(path: str, text: str, needle: str, after: int = 0) -> tuple[Location, int] | None:
    """Where `needle` occurs in a file's text from offset `after`, and the offset just past it."""
    found = text.find(needle, after)
    if found < 0:
        return None
    line, column = line_col(text, found)
    return Location(path, line, column), found + len(needle)


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
            return _scalar(node)
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
    style = node.style if isinstance(node, ScalarNode) else None
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
            return _integer(text)
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
        line_start = raw.rfind(b"\n", 0, err.start) + 1
        line = raw.count(b"\n", 0, err.start) + 1
        column = len(raw[line_start : err.start].decode("utf-8", "replace")) + 1
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
            root = YAML(typ="rt", pure=True).compose(text)
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


# --- pydantic errors at YAML positions ------------------------------------------

_MESSAGES = {
    "string_type": "expected text, got {got}",
    "int_type": "expected a whole number, got {got}",
    "bool_type": "expected true or false, got {got}",
    "list_type": "expected a list, got {got}",
    "dict_type": "expected keys and values (a mapping), got {got}",
    "model_type": "expected keys and values (a mapping), got {got}",
    "model_attributes_type": "expected keys and values (a mapping), got {got}",
    "too_short": "needs at least one entry",
}


def _realign(loc: tuple, data: Any, keep_last: bool) -> KeyPath:
    """The part of a pydantic error location that names values in the data (drops union tags)."""
    out: list[str | int] = []
    node = data
    for i, step in enumerate(loc):
        if isinstance(node, dict) and isinstance(step, str) and step in node:
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        elif keep_last and i == len(loc) - 1:
            pass
        else:
            continue
        out.append(step)
    return tuple(out)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def keys_at(model: type[BaseModel], keys: KeyPath) -> list[str]:
    """The keys a mapping may have at this key path, according to the model."""
    current = [model]
    for step in keys:
        if isinstance(step, int):
            continue
        following: list[type[BaseModel]] = []
        for m in current:
            for name, field in m.model_fields.items():
                if (field.alias or name) == step:
                    following += _models_in(field.annotation)
        current = following
    return sorted({field.alias or name for m in current for name, field in m.model_fields.items()})


def _translate(err: dict, model: type[BaseModel], doc: YamlText) -> Problem:
    kind = err["type"]
    keys = _realign(err["loc"], doc.data, keep_last=kind == "missing")
    if kind == "missing":
        place, where = keys[:-1], doc.where(keys[:-1])
        message = f"missing required key {quote(str(keys[-1]))}"
    elif kind == "extra_forbidden":
        place, where = keys[:-1], doc.where_key(keys)
        message = f"unknown key {quote(str(keys[-1]))}{suggest(keys[-1], keys_at(model, keys[:-1]))}"
    else:
        place, where = keys, doc.where(keys)
        if kind in _MESSAGES:
            message = _MESSAGES[kind].format(got=describe(err.get("input")))
        elif kind == "studypack":
            message = err["msg"]
        else:
            message = f"{err['msg'][:1].lower()}{err['msg'][1:]}, got {describe(err.get('input'))}"
    return Problem(where, f"{dotted(place)}: {message}" if place else message)


def validate(model: type[BaseModel], doc: YamlText) -> tuple[Any, list[Problem]]:
    """Validate the data against a pydantic model: the instance, or None and a problem per error."""
    try:
        return model.model_validate(doc.data), []
    except ValidationError as err:
        problems: list[Problem] = []
        for error in err.errors(include_url=False):
            problem = _translate(error, model, doc)
            if problem not in problems:
                problems.append(problem)
        return None, problems


# --- field types whose errors read well -------------------------------------------


def invalid(message: str) -> PydanticCustomError:
    """An error for a field validator to raise; `validate` reports `message` as it is."""
    return PydanticCustomError("studypack", "{message}", {"message": message})


def either(options: typing.Sequence[str]) -> str:
    """Options quoted and joined for a message: ``'a', 'b' or 'c'``."""
    quoted = [quote(o) for o in options]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f" or {quoted[-1]}"


def as_text(value: Any) -> Any:
    """Numbers where text is expected are taken as text (a title ``1984``, a year ``1926``)."""
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise invalid("must not be empty")
    return value


Text = Annotated[str, BeforeValidator(as_text)]
Words = Annotated[Text, AfterValidator(_not_blank)]


def choice(*allowed: str) -> Any:
    """A field type: one of `allowed`, in any case (stored in lower case)."""

    def check(value: str) -> str:
        if value.lower() in allowed:
            return value.lower()
        raise invalid(f"expected {either(allowed)}, got {quote(value)}{suggest(value, allowed)}")

    return Annotated[str, AfterValidator(check)]


def whole_number(low: int, high: int | None = None) -> Any:
    """A field type: a whole number from `low` (to `high`)."""

    def check(value: int) -> int:
        if value < low or (high is not None and value > high):
            limits = f"from {low} to {high}" if high is not None else f"of {low} or more"
            raise invalid(f"expected a whole number {limits}, got {value}")
        return value

    return Annotated[int, AfterValidator(check)]
