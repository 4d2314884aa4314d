"""The study apparatus: the pack's terms and people marked in its text, and the index.

A *headword* is a glossary term or a person of the pack, with the forms it
takes in the text: its own words and its aliases (a person without aliases
is also found by the last word of the name: "Trotsky" for "Leon Trotsky").
A `Marker` finds headwords in the text of the parts as the renderer writes it
out, part by part, and wraps the words it finds without changing them:

- the first use in each part links to the entry in the glossary or in the
  who's who (``<a class="term">``, ``<a class="person">``);
- every use carries an id (``ix-…``) for the index to point at.

(The markup is the renderer's, from the template ``inline.html``.)

Matching is on whole words, longest form first, and the first letter in
either case (``Troika`` finds "troika"; ``CC`` does not find "cc"). Text in
headings or links is never marked (the Markdown side of this is in
render/markdown.py); text outside the parts (the back matter) is not marked at all.

The marker records each use as it writes it, so the index, which comes after
the parts, can list them: by part and source on screen and in the e-book,
by printed page in the PDF.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from itertools import groupby
from typing import Callable, Iterable

from markupsafe import escape

from . import model as m

log = logging.getLogger(__name__)

INDEX_ANCHOR_PREFIX = "ix-"  # the ids of the uses the index points at

APOSTROPHES = "'’"


# --- headwords -----------------------------------------------------------------


@dataclass(frozen=True)
class Headword:
    """A glossary term or a person, as the marker finds it and the index lists it.

    ``anchor`` is the id of its entry in the glossary or who's who;
    ``sort_name`` is how the index shows it (people surname first).
    """

    kind: str  # "term" or "person"
    anchor: str
    name: str
    sort_name: str
    forms: tuple[str, ...]
    aliases: tuple[str, ...] = ()


def is_group(name: str) -> bool:
    """Whether a who's who name lists several people ("Bernstein, Adler, Kautsky and Guesde")."""
    return "," in name or " and " in name or " & " in name


def default_alias(name: str) -> str | None:
    """The form a person is found by when the pack gives no aliases: the last word of a name of two or more words."""
    words = name.split()
    if len(words) < 2 or is_group(name):
        return None
    return words[-1]


def surname_first(name: str) -> str:
    """How an index lists a person: "Trotsky, Leon"; a single name or a group as written."""
    words = name.split()
    if len(words) < 2 or is_group(name):
        return name
    return f"{words[-1]}, {' '.join(words[:-1])}"


def headwords(pack: m.Pack) -> list[Headword]:
    """The pack's glossary terms, then its people, each with the forms to look for."""
    out = [
        Headword("term", f"term-{g.id}", g.term, g.term, _unique((g.term, *g.aliases)), tuple(g.aliases))
        for g in pack.glossary
    ]
    for p in pack.people:
        aliases = tuple(p.aliases) or tuple(a for a in [default_alias(p.name)] if a)
        out.append(Headword("person", f"person-{p.id}", p.name, surname_first(p.name), _unique((p.name, *aliases)), aliases))
    return out


def _unique(forms: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for form in forms:
        form = " ".join(form.split())
        if form:
            seen.setdefault(form_key(form), form)
    return tuple(seen.values())


def form_key(words: str) -> str:
    """What two ways of writing one form have in common: first letter lower case, spaces and apostrophes alike."""
    words = " ".join(words.split())
    words = words.replace("’", "'")
    return words[:1].lower() + words[1:]


def _form_pattern(form: str) -> str:
    out = []
    for i, char in enumerate(form):
        if char in APOSTROPHES:
            out.append("['’]")
        elif char == " ":
            out.append(r"\s+")
        elif i == 0 and char.lower() != char.upper():
            out.append(f"[{re.escape(char.lower())}{re.escape(char.upper())}]")
        else:
            out.append(re.escape(char))
    return "".join(out)


_warned: set[str] = set()


def _warn_once(message: str) -> None:
    # Every output of a build makes its own matcher: say it once.
    if message not in _warned:
        _warned.add(message)
        log.warning("%s", message)


class Matcher:
    """Finds the forms of the headwords in a text: whole words, longest first."""

    def __init__(self, words: list[Headword]):
        self.by_key: dict[str, Headword] = {}
        for word in words:
            for form in word.forms:
                key = form_key(form)
                other = self.by_key.setdefault(key, word)
                if other is not word:
                    _warn_once(f"'{form}' is a form of both '{other.name}' and '{word.name}'; it is marked as '{other.name}'")
        forms = sorted(self.by_key, key=lambda k: (-len(k), k))
        self.pattern = (
            re.compile(r"(?<!\w)(?:" + "|".join(_form_pattern(f) for f in forms) + r")(?!\w)") if forms else None
        )

    def find(self, text: str) -> Iterable[tuple[re.Match, Headword]]:
        """Each match in the text with the headword it is a form of, left to right, never overlapping."""
        if self.pattern is None:
            return
        for match in self.pattern.finditer(text):
            yield match, self.by_key[form_key(match.group())]


# --- marking -------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """Where in the pack a text stands: a part, and in it a source or a question (None: the part's own text)."""

    part_number: int
    part_id: str
    part_title: str
    label: str | None = None


def place_in(context: dict, parts: list[m.Part]) -> Place | None:
    """The place of a template's text from its variables (``part``, ``item``, ``q``); None outside the parts."""
    part = context.get("part")
    numbers = {p.id: n for n, p in enumerate(parts, 1)}
    if not isinstance(part, m.Part) or part.id not in numbers:
        return None
    item, question = context.get("item"), context.get("q")
    label = None
    if isinstance(item, m.Extract):
        label = item.display_label
    elif isinstance(question, m.Question):
        label = f"Question {question.number}"
    return Place(numbers[part.id], part.id, part.title, label)


@dataclass(frozen=True)
class Use:
    """One use of a headword in the text: the id of the marked words, and where they stand."""

    anchor: str
    headword: Headword
    words: str
    place: Place
    order: int  # within the part
    first: bool  # the first use in its part: a link to the entry


@dataclass
class Marker:
    """Marks headwords in the text of the parts and remembers every use, in reading order.

    ``write`` gives the markup of a use (the renderer's, from the template
    ``inline.html``, which a pack may override). A part's count starts again
    each time the renderer starts a new pass over it (``new_pass``), so
    rendering twice gives the same ids.
    """

    words: list[Headword]
    write: Callable[[Use], str]
    uses: dict[str, Use] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.matcher = Matcher(self.words)
        self._pass = 0
        self._current: tuple[int, str] | None = None
        self._counts: dict[str, int] = {}
        self._order = 0

    def new_pass(self) -> None:
        """The renderer starts rendering a template: a part seen again is counted afresh."""
        self._pass += 1

    def mark(self, text: str, place: Place | None) -> str:
        """``text`` as HTML, escaped, with the headwords in it marked (nothing outside the parts)."""
        if place is None or self.matcher.pattern is None:
            return str(escape(text))
        out, pos = [], 0
        for match, word in self.matcher.find(text):
            out.append(str(escape(text[pos : match.start()])))
            out.append(self._use(word, match.group(), place))
            pos = match.end()
        out.append(str(escape(text[pos:])))
        return "".join(out)

    def _use(self, word: Headword, words: str, place: Place) -> str:
        if self._current != (self._pass, place.part_id):
            self._current, self._counts, self._order = (self._pass, place.part_id), {}, 0
        count = self._counts[word.anchor] = self._counts.get(word.anchor, 0) + 1
        self._order += 1
        anchor = f"{INDEX_ANCHOR_PREFIX}{word.anchor}-{place.part_number}-{count}"
        use = Use(anchor, word, words, place, self._order, count == 1)
        self.uses[anchor] = use
        return self.write(use)

    def uses_of(self, word: Headword) -> list[Use]:
        """Every use of a headword, in reading order."""
        return sorted((u for u in self.uses.values() if u.headword.anchor == word.anchor), key=_reading_order)

    def first_uses(self, anchor: str) -> list[Use]:
        """The first use in each part of the headword whose entry has this anchor: the entry's links back."""
        return [u for u in sorted(self.uses.values(), key=_reading_order) if u.first and u.headword.anchor == anchor]

    def other_names(self, anchor: str) -> list[str]:
        """The aliases of the headword whose entry has this anchor that a reader might look up ("triumvirate")."""
        word = next((w for w in self.words if w.anchor == anchor), None)
        return [a for a in word.aliases if _elsewhere(a, word.sort_name)] if word else []


def _reading_order(use: Use) -> tuple[int, int]:
    return (use.place.part_number, use.order)


# --- the index -------------------------------------------------------------------


@dataclass(frozen=True)
class Locator:
    """Where an index entry sends the reader: a place in a part (screen, e-book) or a page (print).

    ``anchor`` is the first use there; ``until`` the first use on the last page of a run (print: "5–7").
    """

    label: str
    anchor: str
    until: str | None = None

    @property
    def ends(self) -> tuple[tuple[str, str], ...]:
        """The numbers of a page run with the anchor each links to: (("5", a),) or (("5", a), ("7", b))."""
        numbers = self.label.split("–")
        if len(numbers) == 1 or self.until is None:
            return ((self.label, self.anchor),)
        return ((numbers[0], self.anchor), (numbers[-1], self.until))


@dataclass(frozen=True)
class PartLocators:
    """The uses of an entry in one part: the part's title linked to the first, then each source or question."""

    title: str
    anchor: str
    places: tuple[Locator, ...] = ()


@dataclass(frozen=True)
class IndexEntry:
    """One line of the index: a headword and where it is used, or a cross-reference ("triumvirate, see Troika")."""

    heading: str
    headword: Headword
    parts: tuple[PartLocators, ...] = ()
    pages: tuple[Locator, ...] = ()
    see: bool = False

    @property
    def letter(self) -> str:
        first = next((c for c in self.heading if c.isalnum()), "#")
        return first.upper() if first.isalpha() else "#"


def sort_key(heading: str) -> tuple[str, str]:
    """Alphabetical, letter by letter, ignoring case, apostrophes and punctuation."""
    letters = re.sub(r"[^\w ]+", "", heading.casefold()).strip()
    return (letters, heading)


def index_entries(marker: Marker, pages: dict[str, int] | None = None, *, provisional: bool = False) -> list[IndexEntry]:
    """The index: every headword the text uses, with where; and a cross-reference from each alias used
    that an index reader would look up elsewhere in the alphabet. ``pages`` (anchor -> printed page)
    turns the locators into page runs; ``provisional`` stands in for runs not known yet (`provisional_pages`)."""
    entries = []
    for word in marker.words:
        uses = marker.uses_of(word)
        if not uses:
            continue
        located = by_page(uses, pages) if pages else provisional_pages(uses) if provisional else ()
        entries.append(IndexEntry(article_last(word.sort_name), word, by_part(uses), located))
        used = {form_key(u.words) for u in uses}
        for alias in word.aliases:
            if form_key(alias) in used and _elsewhere(alias, word.sort_name):
                entries.append(IndexEntry(article_last(alias), word, see=True))
    return sorted(entries, key=lambda e: sort_key(e.heading))


def article_last(words: str) -> str:
    """An index files words under their first word that is not an article: "Forty Six, the"."""
    match = re.match(r"(the|a|an)\s+(.+)", words, re.IGNORECASE)
    return f"{match.group(2)}, {match.group(1)}" if match else words


def _elsewhere(alias: str, heading: str) -> bool:
    """Whether an alias files far enough from its headword to need a "see" line (not "cells" for "Cell")."""
    a, b = sort_key(alias)[0].split(" ")[0], sort_key(heading)[0].split(" ")[0]
    return not (a.startswith(b[:4]) or b.startswith(a[:4]))


def by_part(uses: list[Use]) -> tuple[PartLocators, ...]:
    """The uses grouped by part, each source or question of the part once, at its first use."""
    out = []
    for _, group in groupby(uses, key=lambda u: u.place.part_number):
        group = list(group)
        places: dict[str, Locator] = {}
        for use in group:
            if use.place.label:
                places.setdefault(use.place.label, Locator(use.place.label, use.anchor))
        out.append(PartLocators(group[0].place.part_title, group[0].anchor, tuple(places.values())))
    return tuple(out)


def by_page(uses: list[Use], pages: dict[str, int]) -> tuple[Locator, ...]:
    """The printed pages of the uses, each once, consecutive pages run together ("12–14")."""
    first_on: dict[int, str] = {}
    for use in uses:
        page = pages.get(use.anchor)
        if page is not None:
            first_on.setdefault(page, use.anchor)
    return tuple(_run(run, first_on) for run in runs(sorted(first_on)))


def provisional_pages(uses: list[Use]) -> tuple[Locator, ...]:
    """Page runs of about the width the real ones will have, before a layout tells them.

    The PDF writer's first layout has these in the index (the built-in template
    prints only the index's heading then; a pack's own may print them), and
    then sets the index alone with the real runs (writers/splice.py). A part is
    guessed to print its uses of a word on one page, or on a run of pages where
    it uses it more than once.
    """
    out = []
    for _, group in groupby(uses, key=lambda u: u.place.part_number):
        group = list(group)
        out.append(Locator("00–00", group[0].anchor, group[-1].anchor) if len(group) > 1 else Locator("00", group[0].anchor))
    return tuple(out)


def runs(numbers: Iterable[int]) -> list[list[int]]:
    """Ascending numbers in runs of consecutive ones: [1, 2, 3, 5] -> [[1, 2, 3], [5]] (pages, sources)."""
    out: list[list[int]] = []
    for n in numbers:
        if out and n == out[-1][-1] + 1:
            out[-1].append(n)
        else:
            out.append([n])
    return out


def _run(run: list[int], first_on: dict[int, str]) -> Locator:
    label = str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}"
    return Locator(label, first_on[run[0]], first_on[run[-1]] if len(run) > 1 else None)
