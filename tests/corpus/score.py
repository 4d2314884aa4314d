"""Score studypack's reader on the corpus: precision and recall per phenomenon, per document.

Run ``python tests/corpus/score.py`` (``make corpus``); ``--record`` writes today's
figures to floors.yaml, and without it the run fails (exit 1) when a figure is
below its floor. Each document in docs/ has an expected file <slug>.yaml, written
by a person reading the document, never by running the reader.

Matching rules (the same for every document and format):

* Text is compared by its *words*: NFKC, case folded, note markers such as
  ``[12]``, ``[1*]`` and ``[**]`` removed, then only runs of letters and digits
  are kept. Punctuation, quote marks, dashes and emphasis marks do not count;
  every word does (a heading that keeps ``{#id .class}`` markup fails).
* headings: a found heading matches an expected one with the same words; each
  expected heading can be matched once (a heading found twice counts once).
* notes: by label (``1``, ``1*``, ``*``, ``A``) and linked-ness. Found = every
  distinct marker label in the body (paragraphs, quotations, SOURCE blocks,
  list items, table cells); linked = the reader has that note's text. A label
  found with the wrong linked-ness is a false find *and* a miss.
* tables: by row count (header row included), column count (widest row),
  whether the first row is a header, and the words of the first cell.
  A table without a ``header`` attribute is taken as the model documents it:
  first row is the header.
* lists: by item count and the opening words of the first item (the found
  item must start with the expected words).
* quotations: a quotation or SOURCE block found matches an expected one whose
  opening words its first paragraph starts with.
* quotation citations: counted over quotations with a citation (or SOURCE
  attribution); a matched pair scores when both citations have the same words.
* title: one item per document: expected title vs. the title the reader found.

Every expected item not found lowers recall; every found item not expected
lowers precision. A figure with nothing to divide by is shown as ``-`` and has
no floor. A document whose format has no reader yet is "no reader": it finds
nothing (recall 0), it does not stop the run; a reader that raises on a corpus
document is reported the same way with its error.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError

HERE = Path(__file__).resolve().parent
DOCS = HERE / "docs"
FLOORS = HERE / "floors.yaml"
PHENOMENA = ("headings", "notes", "tables", "lists", "quotations", "citations", "title")
_MARKER = re.compile(r"\[\s*(?:\d+\*?|\*+|[A-Z])\s*\]")
_WORD = re.compile(r"[^\W_]+")


class CorpusError(Exception):
    """A corpus file is wrong; the message names file:line:col."""


def words(text: str | None) -> tuple[str, ...]:
    """The words of a text, as the matching rules compare them."""
    if not text:
        return ()
    text = _MARKER.sub(" ", unicodedata.normalize("NFKC", text).casefold())
    return tuple(_WORD.findall(text))


@dataclass
class Tally:
    """True finds, finds and expected items of one phenomenon."""

    hits: int = 0
    found: int = 0
    expected: int = 0

    def add(self, other: "Tally") -> None:
        self.hits += other.hits
        self.found += other.found
        self.expected += other.expected

    @property
    def precision(self) -> float | None:
        return self.hits / self.found if self.found else None

    @property
    def recall(self) -> float | None:
        return self.hits / self.expected if self.expected else None


@dataclass
class Found:
    """What the reader found in one document, reduced to what is scored."""

    status: str = "read"
    headings: list[tuple] = field(default_factory=list)
    notes: dict[str, bool] = field(default_factory=dict)
    tables: list[tuple] = field(default_factory=list)
    lists: list[tuple] = field(default_factory=list)
    quotations: list[tuple] = field(default_factory=list)  # (first-paragraph words, citation words)
    title: tuple = ()


# --- what the reader found --------------------------------------------------


def _inline_text(spans) -> str:
    """The text of inline spans (Text, NoteRef, Correction), of a cell object or of a plain string."""
    if isinstance(spans, str) or not isinstance(spans, (tuple, list)):
        return spans if isinstance(spans, str) else getattr(spans, "text", "")
    return "".join(getattr(s, "text", None) or getattr(s, "marker", None) or getattr(s, "original", "") for s in spans)


def _refs(obj, out: dict[str, str]) -> None:
    """Collect note references (label -> note id) anywhere inside a block, in reading order."""
    if isinstance(obj, str) or obj is None:
        return
    if hasattr(obj, "label") and hasattr(obj, "note_id"):
        out.setdefault(str(obj.label), obj.note_id)
        return
    if isinstance(obj, (tuple, list)):
        for item in obj:
            _refs(item, out)
        return
    for name in ("spans", "paragraphs", "items", "rows", "cells", "blocks"):
        _refs(getattr(obj, name, None), out)


def extract(document) -> Found:
    """Reduce a studypack Document to the scored phenomena."""
    found = Found(title=words(document.info.title))
    refs: dict[str, str] = {}
    for section in document.sections:
        if section.heading is not None:
            found.headings.append(words(section.heading.text))
        for block in section.blocks:
            _refs(block, refs)
            kind = type(block).__name__
            if kind in ("Quotation", "SourceBlock"):
                first = block.paragraphs[0].text if block.paragraphs else ""
                cite = getattr(block, "citation", None) or getattr(block, "attribution", None)
                found.quotations.append((words(first), words(cite)))
            elif kind == "Table" and block.rows:
                first = block.rows[0][0] if block.rows[0] else ""
                found.tables.append((len(block.rows), max(len(r) for r in block.rows),
                                     bool(getattr(block, "header", True)), words(_inline_text(first))))
            elif kind == "ListBlock" and block.items:
                found.lists.append((len(block.items), words(_inline_text(block.items[0]))))
    found.notes = {label: document.note(note_id) is not None for label, note_id in refs.items()}
    return found


def read_found(path: Path) -> Found:
    """Read one corpus document with the project's reader; a refusal or crash finds nothing."""
    from studypack.errors import DocumentError
    from studypack.readers import read_document

    try:
        return extract(read_document(path, path.stem, display_path=path.name))
    except DocumentError as err:
        status = "no reader" if "unknown kind of document" in err.message else f"refused: {err.message}"
        return Found(status=status)
    except Exception as err:  # a reader bug must not hide the other documents' figures
        return Found(status=f"crashed: {type(err).__name__}: {err}")


# --- the expected structure -------------------------------------------------


@dataclass
class Expected:
    """An expected-structure file, reduced to what is scored."""

    slug: str
    document: str
    provenance: str
    licence: str
    headings: list[tuple]
    notes: dict[str, bool]
    tables: list[tuple]
    lists: list[tuple]
    quotations: list[tuple]
    title: tuple


_KEYS = {"document", "provenance", "licence", "kind", "title", "author",
         "headings", "notes", "tables", "lists", "quotations"}


def _load_yaml(path: Path):
    try:
        return YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except MarkedYAMLError as err:
        mark = err.problem_mark
        raise CorpusError(f"{path.name}:{mark.line + 1}:{mark.column + 1}: {err.problem}") from None


def load_expected(path: Path) -> Expected:
    """Load and check one expected file; CorpusError names the file and what is wrong."""
    data = _load_yaml(path)
    if not isinstance(data, dict):
        raise CorpusError(f"{path.name}:1:1: expected a mapping of keys")
    unknown = set(data) - _KEYS
    missing = {"document", "provenance", "licence", "kind"} - set(data)
    if unknown or missing:
        raise CorpusError(f"{path.name}:1:1: unknown keys {sorted(unknown)}, missing keys {sorted(missing)}")

    def items(key):
        value = data.get(key) or []
        if not isinstance(value, list):
            raise CorpusError(f"{path.name}:1:1: '{key}' must be a list")
        return value

    try:
        return Expected(
            slug=path.stem, document=str(data["document"]), provenance=str(data["provenance"] or ""),
            licence=str(data["licence"] or ""),
            headings=[words(str(h)) for h in items("headings")],
            notes={str(n["label"]): bool(n["linked"]) for n in items("notes")},
            tables=[(int(t["rows"]), int(t["columns"]), bool(t["header"]), words(str(t["first"])))
                    for t in items("tables")],
            lists=[(int(x["items"]), words(str(x["first"]))) for x in items("lists")],
            quotations=[(words(str(q["opening"])), words(q.get("citation"))) for q in items("quotations")],
            title=words(data.get("title")),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise CorpusError(f"{path.name}:1:1: malformed entry ({type(err).__name__}: {err})") from None


# --- matching ----------------------------------------------------------------


def _greedy(expected: list, found: list, same) -> list[tuple[int, int]]:
    """Pairs (expected index, found index), each item used once, first fit in order."""
    used: set[int] = set()
    pairs = []
    for i, exp in enumerate(expected):
        for j, got in enumerate(found):
            if j not in used and same(exp, got):
                used.add(j)
                pairs.append((i, j))
                break
    return pairs


def _starts(prefix: tuple, text: tuple) -> bool:
    return bool(prefix) and text[: len(prefix)] == prefix


def score(exp: Expected, got: Found) -> dict[str, Tally]:
    """The tallies of every phenomenon for one document."""
    out = {}
    heads = Counter(exp.headings)
    found_heads = Counter(got.headings)
    out["headings"] = Tally(sum(min(n, found_heads[h]) for h, n in heads.items()),
                            sum(found_heads.values()), len(exp.headings))
    out["notes"] = Tally(sum(1 for label, linked in got.notes.items() if exp.notes.get(label) is linked),
                         len(got.notes), len(exp.notes))
    out["tables"] = Tally(len(_greedy(exp.tables, got.tables, lambda e, g: e == g)),
                          len(got.tables), len(exp.tables))
    out["lists"] = Tally(len(_greedy(exp.lists, got.lists, lambda e, g: e[0] == g[0] and _starts(e[1], g[1]))),
                         len(got.lists), len(exp.lists))
    pairs = _greedy(exp.quotations, got.quotations, lambda e, g: _starts(e[0], g[0]))
    out["quotations"] = Tally(len(pairs), len(got.quotations), len(exp.quotations))
    cited = sum(1 for i, j in pairs if exp.quotations[i][1] and exp.quotations[i][1] == got.quotations[j][1])
    out["citations"] = Tally(cited, sum(1 for q in got.quotations if q[1]), sum(1 for q in exp.quotations if q[1]))
    out["title"] = Tally(int(bool(exp.title) and exp.title == got.title), int(bool(got.title)), int(bool(exp.title)))
    return out


# --- the run -----------------------------------------------------------------


@dataclass
class Result:
    """The scores of one document (or of the whole corpus, slug 'total')."""

    slug: str
    status: str
    tallies: dict[str, Tally]

    def figures(self) -> dict[str, dict[str, float | None]]:
        return {p: {"precision": _round(t.precision), "recall": _round(t.recall)} for p, t in self.tallies.items()}


def _round(value: float | None) -> float | None:
    # floors are rounded down so that a re-run of the same reader is never "below" them
    return None if value is None else int(value * 1000) / 1000


def expected_files() -> list[Path]:
    """Every expected-structure file of the corpus, by name."""
    return sorted(HERE.glob("*.yaml"), key=lambda p: p.name) if HERE.is_dir() else []


def run() -> list[Result]:
    """Score every corpus document; the last result is the total."""
    results = []
    total = {p: Tally() for p in PHENOMENA}
    for path in expected_files():
        if path.name == FLOORS.name:
            continue
        exp = load_expected(path)
        doc = DOCS / exp.document
        if not doc.is_file():
            raise CorpusError(f"{path.name}:1:1: document '{exp.document}' is not in docs/")
        got = read_found(doc)
        tallies = score(exp, got)
        for p in PHENOMENA:
            total[p].add(tallies[p])
        results.append(Result(exp.slug, got.status, tallies))
    results.append(Result("total", "", total))
    return results


def _cell(value: float | None) -> str:
    return "   -" if value is None else f"{value:4.2f}"


def report(results: list[Result]) -> str:
    """The table printed by the script: precision/recall per phenomenon and document."""
    head = f"{'document':44} " + " ".join(f"{p[:10]:>11}" for p in PHENOMENA)
    lines = [head, f"{'':44} " + " ".join(f"{'P    R':>11}" for _ in PHENOMENA)]
    for res in results:
        cells = " ".join(f"{_cell(res.tallies[p].precision)} {_cell(res.tallies[p].recall)}".rjust(11)
                         for p in PHENOMENA)
        note = f"  [{res.status}]" if res.status not in ("", "read") else ""
        lines.append(f"{res.slug[:44]:44} {cells}{note}")
    total = results[-1].tallies
    lines.append("")
    lines.append("totals (hits / found / expected): " + "; ".join(
        f"{p} {t.hits}/{t.found}/{t.expected}" for p, t in total.items()))
    return "\n".join(lines)


def below_floors(results: list[Result], floors: dict) -> list[str]:
    """Every figure under its recorded floor, as 'document phenomenon measure: now < floor'."""
    problems = []
    for res in results:
        recorded = floors.get(res.slug) or {}
        for phen, measures in res.figures().items():
            for measure, now in measures.items():
                floor = (recorded.get(phen) or {}).get(measure)
                if floor is not None and now is not None and now < floor:
                    problems.append(f"{res.slug} {phen} {measure}: {now:.3f} < floor {floor:.3f}")
                elif floor is not None and now is None and measure == "recall":
                    problems.append(f"{res.slug} {phen} {measure}: nothing expected any more (floor {floor})")
    return problems


def load_floors() -> dict:
    """The recorded floors ({} before the first --record)."""
    return (_load_yaml(FLOORS) or {}) if FLOORS.is_file() else {}


def write_floors(results: list[Result]) -> None:
    """Write today's figures as floors, atomically."""
    data = {res.slug: res.figures() for res in results}
    yaml = YAML()
    yaml.default_flow_style = None
    fd, tmp = tempfile.mkstemp(dir=HERE, prefix=".floors-", suffix=".yaml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write("# Floors written by `python tests/corpus/score.py --record`; figures may only go up.\n")
            yaml.dump(data, out)
        os.replace(tmp, FLOORS)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    """The command line: print the scores; check or record the floors."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--record", action="store_true", help="write today's figures to floors.yaml")
    args = parser.parse_args(argv)
    try:
        results = run()
        print(report(results))
        if args.record:
            write_floors(results)
            print(f"floors recorded in {FLOORS.name}")
            return 0
        problems = below_floors(results, load_floors())
    except CorpusError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for line in problems:
        print(f"below floor: {line}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
