"""The reading corpus: every document is licensed, described and small; the reader's scores never fall.

tests/corpus/score.py holds the matching rules; floors.yaml the figures recorded
with ``python tests/corpus/score.py --record``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "corpus"
MAX_BYTES = 1024 * 1024
FORMATS = {".txt", ".md", ".htm", ".docx", ".odt", ".epub", ".pdf"}


def _load_score():
    spec = importlib.util.spec_from_file_location("corpus_score", CORPUS / "score.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


score = _load_score()


@pytest.fixture(scope="module")
def expected():
    return [score.load_expected(path) for path in score.expected_files() if path.name != score.FLOORS.name]


def test_every_document_has_an_expected_file_and_the_other_way_round(expected):
    documents = {p.name for p in (CORPUS / "docs").iterdir() if p.is_file()}
    described = [e.document for e in expected]
    assert len(described) == len(set(described)), "two expected files describe the same document"
    assert documents == set(described)
    assert all(e.slug == Path(e.document).stem for e in expected), "an expected file is named after its document"


def test_every_document_says_where_it_comes_from_and_under_which_licence(expected):
    for exp in expected:
        assert len(exp.provenance) > 60, f"{exp.slug}: provenance too short to be useful"
        assert exp.licence.startswith(("Public domain (", "CC BY-SA ")), f"{exp.slug}: licence {exp.licence!r}"


def test_the_corpus_is_large_enough_and_in_the_formats_teachers_have(expected):
    assert len(expected) >= 25
    assert {Path(e.document).suffix for e in expected} == FORMATS


def test_no_corpus_file_is_over_one_megabyte():
    sizes = {p.relative_to(CORPUS).as_posix(): p.stat().st_size for p in CORPUS.rglob("*") if p.is_file()}
    assert sizes and not {name: size for name, size in sizes.items() if size > MAX_BYTES}


def test_no_figure_is_below_its_floor():
    results = score.run()
    floors = score.load_floors()
    missing = [r.slug for r in results if r.slug not in floors]
    assert not missing, f"no floors recorded for {missing}: run python tests/corpus/score.py --record"
    assert score.below_floors(results, floors) == []


# --- the matching rules themselves -------------------------------------------


def _expected(**kw):
    base = dict(slug="x", document="x.txt", provenance="", licence="", headings=[], notes={}, tables=[],
                lists=[], quotations=[], title=())
    base.update(kw)
    return score.Expected(**base)


def test_words_ignore_punctuation_markers_and_case_but_not_leftover_markup():
    assert score.words("I. THE FACTS — “about” October[12]") == ("i", "the", "facts", "about", "october")
    assert score.words("The Lenin Levy {#lenin-levy .title}") != score.words("The Lenin Levy")


def test_a_false_heading_lowers_precision_and_a_missed_one_recall():
    exp = _expected(headings=[score.words("Background"), score.words("Notes")])
    got = score.Found(headings=[score.words("Background"), score.words("Chapter 1. Generations")])
    tally = score.score(exp, got)["headings"]
    assert (tally.hits, tally.found, tally.expected) == (1, 2, 2)


def test_a_note_found_with_the_wrong_linkedness_is_both_a_false_find_and_a_miss():
    exp = _expected(notes={"1": True, "2": False})
    got = score.Found(notes={"1": False, "2": False, "3": True})
    tally = score.score(exp, got)["notes"]
    assert (tally.hits, tally.found, tally.expected) == (1, 3, 2)


def test_tables_lists_quotations_and_citations_match_by_their_shape_and_opening_words():
    exp = _expected(
        tables=[(13, 4, True, ("year",))],
        lists=[(3, ("village", "of", "verbka"))],
        quotations=[(("of", "course"), ("see", "vol", "xxv")), (("we", "are"), ())],
    )
    got = score.Found(
        tables=[(13, 4, False, ("year",))],
        lists=[(3, ("village", "of", "verbka", "in", "pavlograd"))],
        quotations=[(("of", "course", "the", "assembly"), ("see", "vol", "xxv")), (("they", "said"), ("x",))],
    )
    tallies = score.score(exp, got)
    assert (tallies["tables"].hits, tallies["lists"].hits) == (0, 1)
    assert (tallies["quotations"].hits, tallies["quotations"].found) == (1, 2)
    assert (tallies["citations"].hits, tallies["citations"].found, tallies["citations"].expected) == (1, 2, 1)


def test_a_document_without_a_reader_scores_zero_recall_and_does_not_stop_the_run(tmp_path):
    odd = tmp_path / "letter.xyz"
    odd.write_text("Dear comrade", encoding="utf-8")
    found = score.read_found(odd)
    assert found.status == "no reader"
    tally = score.score(_expected(title=("a", "letter")), found)["title"]
    assert tally.recall == 0 and tally.precision is None


def test_a_figure_under_its_floor_is_reported():
    result = score.Result("doc", "read", {"headings": score.Tally(1, 2, 4)})
    assert score.below_floors([result], {"doc": {"headings": {"precision": 0.5, "recall": 0.5}}}) == [
        "doc headings recall: 0.250 < floor 0.500"
    ]
