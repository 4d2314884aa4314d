"""`studypack inspect`: the report and the JSON a teacher checks a document with."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studypack.cli.document_report import SCHEMA, document_json, document_report
from studypack.readers import read_document

DOCS = Path(__file__).parent / "data" / "documents"


@pytest.fixture(scope="module")
def corin():
    return read_document(DOCS / "corin.txt", "corin", display_path="documents/corin.txt")


@pytest.fixture(scope="module")
def cliff():
    return read_document(DOCS / "cliff.txt", "cliff", display_path="documents/cliff.txt")


def test_json_is_serialisable_and_has_the_schema(corin, cliff):
    for doc in (corin, cliff):
        data = document_json(doc)
        assert json.loads(json.dumps(data)) == data
        assert data["schema"] == SCHEMA == "studypack.inspect/1"
        assert set(data) == {"schema", "id", "path", "info", "sections", "notes", "left_out", "counts"}


def test_json_sources_with_attributions(corin):
    data = document_json(corin)
    assert data["id"] == "corin" and data["path"] == "documents/corin.txt"
    assert data["info"]["author"] == "Chris Corin"
    sources = [b for s in data["sections"] for b in s["blocks"] if b["type"] == "source"]
    assert [(s["id"], s["label"], s["line"]) for s in sources] == [
        ("source-1", "1", 4), ("source-2", "2", 10), ("source-3", "3", 15), ("source-4", "4", 23)]
    assert sources[2]["attribution"] == "Kamenev at the 14th Party Congress, December 1925."
    assert [p["id"] for p in sources[1]["paragraphs"]] == ["p6", "p7"]
    assert set(sources[0]) == {"type", "id", "line", "label", "attribution", "paragraphs"}
    assert set(sources[0]["paragraphs"][0]) == {"id", "line", "text"}
    assert data["counts"]["sources"] == 4 and data["notes"] == []


def test_json_notes_with_and_without_text(cliff):
    data = document_json(cliff)
    notes = {n["id"]: n for n in data["notes"]}
    assert notes["note-star-1"]["has_text"] is True
    assert notes["note-star-1"]["line"] == 230
    assert notes["note-star-1"]["paragraphs"][0]["text"].startswith("In June 1924 Iuzovka")
    assert notes["note-star-2"]["referenced_from"] == ["p80"]
    assert notes["note-19"] == {
        "id": "note-19", "label": "19", "referenced_from": ["p44"], "has_text": False, "line": None,
        "paragraphs": []}
    assert notes["note-33"]["referenced_from"] == ["p106"]  # the marker inside note 2*
    assert "note-21" not in notes
    assert data["counts"]["notes_with_text"] == 2 and data["counts"]["notes_without_text"] == 40


def test_json_sections_quotations_and_omission(cliff):
    data = document_json(cliff)
    assert [s["id"] for s in data["sections"]] == [
        "the-troikas-reaction-to-trotskys-new-course", "the-thirteenth-party-conference",
        "the-death-of-lenin", "the-lenin-levy", "the-thirteenth-party-congress"]
    assert data["sections"][3]["heading"] == {"text": "The Lenin Levy", "level": 2, "line": 139}
    quotes = [b for s in data["sections"] for b in s["blocks"] if b["type"] == "quotation"]
    assert quotes[1]["id"] == "q2" and quotes[1]["certain"] is False and quotes[1]["citation"] is None
    assert quotes[0]["certain"] is True and len(quotes[0]["paragraphs"]) == 2
    omissions = [b for s in data["sections"] for b in s["blocks"] if b["type"] == "omission"]
    assert omissions == [{"type": "omission", "id": "gap1", "line": 118}]
    assert data["counts"] == {
        "sections": 5, "paragraphs": 106, "sources": 0, "quotations": 17, "uncertain_quotations": 1,
        "notes_with_text": 2, "notes_without_text": 40, "omissions": 1}


def test_json_lists_and_tables():
    data = document_json(read_document(DOCS / "breaks-lists-table.txt", "b"))
    blocks = data["sections"][0]["blocks"]
    assert blocks[1] == {"type": "list", "id": "list1", "line": 5, "items": ["Bukharin", "Kamenev", "Stalin"]}
    assert blocks[2] == {"type": "break", "id": "break1", "line": 9}
    assert blocks[4]["rows"][1] == ["Khamovniki", "90", "121"]


def test_report_corin(corin):
    report = document_report(corin)
    assert report.startswith("Document corin (documents/corin.txt)\n")
    assert "  author      “Chris Corin”" in report
    assert "Sources (4)" in report
    assert "  source-2  SOURCE 2  line 10  2 paragraphs (p6–p7)" in report
    assert "      attribution: Kamenev at the 14th Party Congress, December 1925." in report
    assert "Quotations (0)" in report


def test_report_cliff(cliff):
    report = document_report(cliff)
    assert "  title       “2. The campaign against Trotsky”" in report
    assert "  the-lenin-levy  line 139, “The Lenin Levy”  6 blocks" in report
    assert "  q2  line 21  1 paragraph (p7)  END GUESSED: check it, or add a quotations: hint" in report
    assert "  q7  line 95  3 paragraphs (p42–p44)  end certain" in report
    assert "      “I got the Kremlin on the direct wire. …” to “… could always find an explanation. [19]”" in report
    assert "  note-star-2  [2*]  line 232  marker in p80" in report
    assert "Note markers without text (40)" in report
    assert "  note-19  [19]  in p44" in report
    assert "  gap1  omission  line 118  after p53" in report
    assert report.endswith("106 paragraphs, 17 quotations (1 with a guessed end), 0 sources\n")


def test_what_a_saved_web_page_left_out_is_shown():
    """Site furniture the HTML reader did not take is listed, in the report and in the JSON."""
    doc = read_document(Path(__file__).parent / "data" / "documents" / "formats" / "formats.html", "page")
    assert doc.left_out, "the fixture page has furniture to leave out"
    assert document_json(doc)["left_out"] == list(doc.left_out)
    report = document_report(doc)
    assert f"Left out of the file, not part of the document ({len(doc.left_out)})" in report
    assert all(f"  {line}" in report for line in doc.left_out)
