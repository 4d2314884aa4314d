"""The print fonts: which faces the PDF uses, and whether they can set the pack's text.

The handouts are set in PT Serif (text) and PT Sans (headings, labels), both
from ParaType and drawn for Latin and Cyrillic alike, so a Russian word in a
source prints in the same face as the English around it. They come from PyPI
(``fontpkg-pt-serif``, ``fontpkg-pt-sans``) and are loaded from the installed
packages through importlib.resources, never from system folders. Where those
packages are missing, the DejaVu faces that every machine with Pango has are
used instead, by name.

A character that the chosen fonts lack would make Pango borrow a glyph from
some other font on the machine, or print an empty box; studypack refuses
both. The PDF writer reports what WeasyPrint actually set in which font, and
`check_glyphs` turns that into messages: each such character and where it
occurs in the pack, or the font a stylesheet chose that is not a print font.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from importlib.resources import files
from pathlib import Path
from typing import Iterable, Iterator

from .. import model as m
from ..errors import Problem, ProblemsError


@dataclass(frozen=True)
class Face:
    """One font file of a family: its weight and style."""

    path: Path
    weight: int
    style: str


@dataclass(frozen=True)
class Family:
    """A font family as the print stylesheet names it; ``faces`` empty for a system font."""

    name: str
    role: str
    faces: tuple[Face, ...] = ()

    @property
    def packaged(self) -> bool:
        """Whether the family comes from an installed package (else fontconfig finds it by name)."""
        return bool(self.faces)


# role -> (the PyPI package's import name, the system family used without it)
PRINT_FAMILIES = {
    "text": ("fontpkg_pt_serif", "DejaVu Serif"),
    "display": ("fontpkg_pt_sans", "DejaVu Sans"),
}

# What WeasyPrint hyphenates with by default (U+2010) is missing from many
# fonts; the hyphen-minus every font has looks the same in print.
PLAIN_HYPHEN = "-"


def _packaged_family(module_name: str, role: str) -> Family | None:
    """The family a fontpkg package ships, from its metadata.json, or None if it is not installed."""
    try:
        import_module(module_name)
    except ImportError:
        return None
    root = files(module_name)
    meta = json.loads(root.joinpath("metadata.json").read_text(encoding="utf-8"))
    faces = tuple(
        Face(Path(str(root.joinpath(f["path"]))), int(f["weight"]), f["style"])
        for f in meta["files"]
        if not f.get("variable")
    )
    return Family(meta["family"], role, faces)


@cache
def print_families() -> tuple[Family, ...]:
    """The text and display families for print: packaged where installed, else DejaVu."""
    out = []
    for role, (module_name, system_name) in PRINT_FAMILIES.items():
        out.append(_packaged_family(module_name, role) or Family(system_name, role))
    return tuple(out)


def font_dirs() -> tuple[Path, ...]:
    """The folders the packaged fonts are read from (the URL fetcher allows them)."""
    return tuple(sorted({face.path.parent for fam in print_families() for face in fam.faces}))


def font_css() -> str:
    """@font-face rules for the packaged fonts and the custom properties naming each role's family.

    print.css sets ``font-family: var(--text-font)``, so a pack's own print.css
    can keep our fonts without knowing which ones were installed.
    """
    rules = []
    for fam in print_families():
        for face in fam.faces:
            rules.append(
                "@font-face { "
                f'font-family: "{fam.name}"; src: url("{face.path.as_uri()}"); '
                f"font-weight: {face.weight}; font-style: {face.style}; }}"
            )
    props = " ".join(f'--{fam.role}-font: "{fam.name}";' for fam in print_families())
    rules.append(f":root {{ {props} hyphenate-character: \"{PLAIN_HYPHEN}\"; }}")
    return "\n".join(rules) + "\n"


# --- checking the text against the fonts ----------------------------------

FONT_FAMILY_RE = re.compile(r"font-family\s*:\s*([^;}]+)", re.IGNORECASE)
GENERIC_FAMILIES = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "math", "emoji", "fangsong"}


def named_families(css: str) -> tuple[set[str], bool]:
    """The family names a stylesheet asks for, and whether it also relies on a generic family."""
    names: set[str] = {fam.name for fam in print_families()}
    generic = False
    for match in FONT_FAMILY_RE.finditer(css):
        for item in match.group(1).split(","):
            name = item.strip().strip("'\"").strip()
            if name.lower() in GENERIC_FAMILIES:
                generic = True
            elif name and not name.startswith("var("):
                names.add(name)
    return names, generic


def describe_char(char: str) -> str:
    """A character as a teacher can find it: the character, its code point and name."""
    name = unicodedata.name(char, "")
    if not name:
        name = "a control character" if unicodedata.category(char) == "Cc" else "unnamed character"
    if not char.isprintable() or char.isspace():
        return f"U+{ord(char):04X} ({name}, invisible)"
    return f"'{char}' (U+{ord(char):04X} {name})"


def check_glyphs(borrowed: dict[str, set[str]], missing: set[str], pack: m.Pack, fonts: str) -> None:
    """Fail, saying what to change, if text was set in a font the stylesheets do not name or in none.

    ``borrowed`` maps each such font to the characters set in it; ``fonts``
    names the fonts the stylesheets ask for. A font that was given letters
    the print fonts have was chosen by a stylesheet (one message); otherwise
    it stood in for characters the print fonts lack (one message per place).
    """
    problems: list[Problem] = []
    stand_ins: dict[str, str] = {}
    for family, chars in sorted(borrowed.items()):
        if any(c.isascii() and c.isalnum() for c in chars):
            sample = "".join(sorted(chars))[:40]
            problems.append(Problem(None, (
                f"some text ({sample!r}) is set in {family}, which is not one of the print fonts ({fonts}); "
                "a stylesheet gives it a font-family that is not installed or is not one of them (such as monospace for code)"
            )))
        else:
            stand_ins.update((c, family) for c in chars)
    for char in sorted(set(stand_ins) | missing):
        if char in missing:
            what = f"no font on this machine has a glyph for {describe_char(char)}"
        else:
            what = f"the print fonts ({fonts}) have no glyph for {describe_char(char)} (it would print in {stand_ins[char]})"
        places = list(_places(pack, char)) or [(None, "the print stylesheet or a template")]
        for where, context in places[:3]:
            problems.append(Problem(where, f"{what}, in {context}; replace the character, or use a font that has it"))
        if len(places) > 3:
            problems.append(Problem(None, f"{describe_char(char)} occurs in {len(places) - 3} more places"))
    if problems:
        raise ProblemsError(problems)


def _places(pack: m.Pack, char: str) -> Iterator[tuple[m.Location | str | None, str]]:
    """Where ``char`` occurs in the pack's words: (location, what it is part of)."""
    paths = {d.document.id: d.document.path for d in pack.documents}
    for field_name in ("title", "subtitle", "course", "author", "rights", "description"):
        if char in (getattr(pack, field_name) or ""):
            yield "pack.yaml", f"the pack's {field_name}"
    for part in pack.parts:
        if char in part.title:
            yield "pack.yaml", f"the title of part '{part.title}'"
        for item in part.items:
            if isinstance(item, m.Commentary):
                yield from _in_text(item.markdown, item.origin, char, f"commentary in '{part.title}'")
            elif isinstance(item, m.Extract):
                yield from _in_extract(item, paths.get(item.document_id, item.document_id), char)
            else:
                yield from _in_worksheet(item, char)
    for entry in pack.glossary:
        if char in entry.term + entry.definition:
            yield "pack.yaml", f"the glossary entry '{entry.term}'"
    for person in pack.people:
        if char in person.name + person.description:
            yield "pack.yaml", f"the entry for {person.name} in who's who"
    for event in pack.timeline:
        if char in event.date + event.event:
            yield "pack.yaml", f"the timeline entry for {event.date}"
    for pdoc in pack.documents:
        if char in (pdoc.citation or "") + (pdoc.rights or ""):
            yield "pack.yaml", f"the credits of document '{pdoc.document.id}'"


def _in_text(text: str, origin: m.Location | None, char: str, what: str) -> Iterator[tuple[m.Location | None, str]]:
    """Each line of a piece of Markdown that has ``char``, located from where the text starts."""
    for offset, line in enumerate(text.splitlines()):
        if char in line:
            if origin is None:
                yield None, what
            else:
                yield m.Location(origin.path, (origin.line or 1) + offset), what


def _in_extract(extract: m.Extract, doc_path: str, char: str) -> Iterator[tuple[m.Location | None, str]]:
    label = extract.display_label
    for extra in (extract.title, extract.intro, extract.attribution):
        if extra and char in extra:
            yield extract.origin, f"the heading or attribution of {label}"
    for block in extract.blocks:
        if any(char in m.plain_text(run, original=False) for run in m.block_runs(block)):
            yield m.Location(doc_path, block.line or None), label
    for note in extract.notes:
        if any(char in m.plain_text(p.spans) for p in note.paragraphs):
            yield m.Location(doc_path, note.line or None), f"note {note.label} of {label}"


def _in_worksheet(sheet: m.Worksheet, char: str) -> Iterator[tuple[m.Location | None, str]]:
    if char in (sheet.title or "") + (sheet.instructions or ""):
        yield None, "the worksheet's title or instructions"
    for q in sheet.questions:
        texts = [q.text, q.mark_scheme or "", *q.indicative, *(lv.descriptor for lv in q.levels)]
        if any(char in t for t in texts):
            yield q.origin, f"question {q.number}"


def font_summary(names: Iterable[str]) -> str:
    """Family names for a message: 'PT Serif, PT Sans'."""
    return ", ".join(sorted(names))
