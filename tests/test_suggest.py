"""`studypack suggest timeline`: the dated sentences of a document, as YAML a teacher pastes into pack.yaml."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from studypack.cli import main
from studypack.readers import read_document
from studypack.assemble.suggest import dated_sentences, sentences, tidy

DATA = Path(__file__).parent / "data" / "documents"


def suggested(name: str, *args: str) -> str:
    result = CliRunner().invoke(main, ["suggest", "timeline", str(DATA / name), *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def corin():
    return dated_sentences(read_document(DATA / "corin.txt", "corin"))


@pytest.fixture(scope="module")
def cliff():
    return dated_sentences(read_document(DATA / "cliff.txt", "cliff"))


def test_corin_dates_and_their_paragraphs(corin):
    found = [(s.date, s.block) for s in corin]
    assert found == [
        ("October 1923", "p2"),
        ("15 October 1923", "source-1"),  # the attribution line of SOURCE 1
        ("January 1924", "p4"),
        ("January 1924", "p8"),
        ("December 1925", "p8"),
        ("December 1925", "source-3"),
        ("25 June 1926", "p13"),
        ("July 1926", "source-4"),
        ("December 1927", "p17"),
    ]
    declaration = corin[1]
    assert declaration.where == "attribution"
    assert declaration.event == "From the declaration of 46 leading Bolsheviks presented to the Politburo, 15 October 1923."


def test_cliff_dates_and_their_paragraphs(cliff):
    found = {(s.date, s.block) for s in cliff}
    assert {
        ("15 December 1923", "p1"),
        ("16-18 January 1924", "p1"),
        ("28, 29, 30 December 1923", "p6"),
        ("November-December 1923", "p15"),
        ("January 1924", "p16"),
        ("10-11 January 1924", "p22"),
        ("21 January 1924", "p41"),
        ("11 April 1924", "p64"),
        ("22 May 1924", "p68"),
        ("October 1927", "p72"),
        ("5 December 1923", "p87"),
        ("June 1924", "p105"),  # a note of the document
        ("April 1925", "p105"),
    } <= found
    lenin = next(s for s in cliff if s.date == "21 January 1924")
    assert lenin.event == (
        "On 21 January 1924, after nine months of total disability, Lenin suffered another severe stroke and died."
    )
    assert lenin.line == 93


def test_a_sentence_with_several_dates_is_listed_once_under_the_first_with_a_year(cliff):
    pravda = next(s for s in cliff if s.date == "28, 29, 30 December 1923")
    assert pravda.other_dates == ("1 and 4 January 1924",)
    stalin = next(s for s in cliff if s.date == "15 December 1923")
    assert stalin.other_dates == ("20 and 21 December",)


def test_a_date_without_a_year_is_kept_and_flagged(cliff):
    moscow = next(s for s in cliff if s.date == "23 December")
    assert not moscow.year_given and moscow.block == "p22" and moscow.year_before == "1924"


def test_yaml_pastes_under_timeline_with_the_paragraph_in_a_comment():
    out = suggested("cliff.txt")
    data = YAML(typ="safe").load(out)
    assert list(data) == ["timeline"]
    assert all(set(entry) == {"date", "event"} for entry in data["timeline"])
    assert {"date": "21 January 1924", "event": "On 21 January 1924, after nine months of total disability, "
            "Lenin suffered another severe stroke and died."} in data["timeline"]
    lines = out.splitlines()
    at = lines.index('  - date: "21 January 1924"')
    assert lines[at - 1] == "  # p41, line 93"
    assert "  # p22, line 53, no year given: add it (the year before it is 1924)" in lines


def test_json_has_the_same_suggestions():
    data = json.loads(suggested("corin.txt", "--json"))
    assert data["schema"] == "studypack.suggest-timeline/1"
    assert [(e["date"], e["block"]) for e in data["timeline"]][:2] == [("October 1923", "p2"), ("15 October 1923", "source-1")]
    assert data["timeline"][1]["where"] == "attribution"


def test_years_alone_only_when_asked():
    plain = YAML(typ="safe").load(suggested("corin.txt"))["timeline"]
    with_years = YAML(typ="safe").load(suggested("corin.txt", "--years"))["timeline"]
    assert not any(e["date"] == "1926" for e in plain)
    assert any(e["date"] == "1926" and "United Opposition" in e["event"] for e in with_years)


def test_sentences_are_not_cut_at_initials_or_abbreviations():
    text = "In E.H. Carr’s words it failed. He came No. 51 of 52 (pp. 3–4). ‘It is over.’ Then 1924 came."
    assert sentences(text) == ["In E.H. Carr’s words it failed.", "He came No. 51 of 52 (pp. 3–4).", "‘It is over.’",
                               "Then 1924 came."]


def test_events_lose_note_markers_and_enclosing_brackets():
    assert tidy("Stalin could boast in October 1927 that he stayed. [29]") == "Stalin could boast in October 1927 that he stayed."
    assert tidy("(Kamenev at the 14th Party Congress, December 1925.)") == "Kamenev at the 14th Party Congress, December 1925."


def test_a_missing_document_is_a_one_line_error(tmp_path):
    result = CliRunner().invoke(main, ["suggest", "timeline", str(tmp_path / "nothing.txt")])
    assert result.exit_code != 0
    assert "nothing.txt" in result.output
