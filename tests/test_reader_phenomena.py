"""The readers on the phenomena of real documents: notes, lists, tables, headings, quotations, titles.

Each test builds a small document in the shape a phenomenon takes (never a corpus
document) and checks what the reader makes of it, in plain text or Markdown.
"""

from __future__ import annotations

import pytest

from studypack.model import Heading, ListBlock, Paragraph, Quotation, Table, plain_text
from studypack.readers import read_text


def txt(text: str):
    return read_text(text, "t", suffix=".txt")


def md(text: str):
    return read_text(text, "t", suffix=".md")


def kinds(doc, kind):
    return [b for b in doc.blocks if isinstance(b, kind)]


def labels(doc):
    """Every note label referred to in the text, with whether the note has text."""
    out = {}
    for block in doc.blocks:
        for para in getattr(block, "paragraphs", None) or ([block] if isinstance(block, Paragraph) else []):
            for span in para.spans:
                if hasattr(span, "note_id"):
                    out[span.label] = doc.note(span.note_id) is not None
    return out


# --- notes -------------------------------------------------------------------


def test_a_closing_run_of_bracket_lines_is_the_notes_and_an_empty_one_is_no_note():
    doc = txt("A claim.[1] Another.[2]\n\nMore text.[3]\n\n[1] Smith, p. 4.\n\n[2]\n\n[3] Jones, p. 9.\n")
    assert labels(doc) == {"1": True, "2": False, "3": True}
    assert [n.label for n in doc.notes] == ["1", "3"]
    # the empty entry keeps its words, as a plain paragraph with no marker
    assert any(isinstance(b, Paragraph) and b.text == "[2]" and not labels_in(b) for b in doc.blocks)


def labels_in(para):
    return [s for s in para.spans if hasattr(s, "note_id")]


def test_bracket_notes_in_markdown_with_pandoc_links_and_starred_notes():
    text = ("Said so.^[\\[1\\]](#n1){#f1}^ And this *\n\n### Notes\n\n### By A. Writer\n\n"
            "[\\[1\\]](#f1){#n1} The first note.\n\n[\\*] The starred note.\n\n1) a numbered line inside it\n")
    doc = md(text)
    assert labels(doc) == {"1": True, "*": True}
    star = doc.note("note-stars-1")
    assert [p.text for p in star.paragraphs] == ["The starred note.", "1) a numbered line inside it"]
    assert [b.text for b in kinds(doc, Heading)] == ["Notes"]  # the byline is no heading


# --- front matter, masthead, title -------------------------------------------


def test_unknown_front_matter_keys_do_not_refuse_the_document():
    doc = md("---\ntitle: \"A Page\"\noriginalSource: \"http://example.org/x\"\ntags: [a]\n---\n\nText.\n")
    assert doc.info.title == "A Page"
    assert doc.left_out == ("front matter keys not used by studypack: originalSource, tags",)


def test_a_masthead_of_author_book_and_chapter_gives_the_title():
    doc = md("## Ann Author\n\n### The Book {#b .title}\n\n-----\n\n### The Chapter {title=\"c2\"}\n\nText.\n\n"
             "### A Section {.inline}\n\nMore.\n")
    assert (doc.info.author, doc.info.book, doc.info.title) == ("Ann Author", "The Book", "The Chapter")
    assert [b.text for b in kinds(doc, Heading)] == ["A Section"]


def test_a_front_matter_title_that_differs_from_the_heading_is_said():
    doc = md("---\ntitle: Wrong\nlayout: page\n---\n## A. Author\n\n### Right {.title}\n\n---\n\nText.\n")
    assert doc.info.title == "Right"
    assert "front matter title 'Wrong' not used" in doc.left_out[1]


def test_a_single_section_heading_is_no_title():
    doc = md("## First section\n\nText.\n")
    assert doc.info.title is None
    assert [b.text for b in kinds(doc, Heading)] == ["First section"]


def test_plain_text_title_over_two_lines_then_its_author():
    doc = txt("The Industrialization of the\n\nCountry\n\nAnn Author\n\nThe text begins here, as a sentence.\n")
    assert (doc.info.title, doc.info.author) == ("The Industrialization of the Country", "Ann Author")


# --- headings ----------------------------------------------------------------


@pytest.mark.parametrize("line", ["1917", "October 1917", "September 20", "\u201cPeace, Land and Bread\u201d",
                                  "II. The party", "IV The party", "Dual power (dvoevlastie)"])
def test_heading_forms(line):
    doc = txt(f"Some text here, a sentence.\n\n{line}\n\nMore text follows, a sentence.\n")
    assert [b.text for b in kinds(doc, Heading)] == [line]


@pytest.mark.parametrize("line", ["To: Comrade Ivanov", "Copy to Comrade Petrov", "Top secret", "By Ann Author",
                                  "Soldiers_demonstration_1917.jpg", "\u201cThat is how it arose.\u201d"])
def test_lines_that_are_no_headings(line):
    doc = txt(f"Some text here, a sentence.\n\n{line}\n\nMore text follows, a sentence.\n")
    assert kinds(doc, Heading) == []


def test_a_contents_list_at_the_top_is_no_run_of_headings():
    doc = txt("Contents\n\nFirst part\nSecond part\nThird part\n\nA sentence of text.\n\nFirst part\n\nText.\n\n"
              "Second part\n\nText.\n\nThird part\n\nText.\n")
    assert [len(b.items) for b in kinds(doc, ListBlock)] == [3]
    assert [h.id for h in kinds(doc, Heading)] == ["contents", "first-part", "second-part", "third-part"]


def test_an_indented_contents_list():
    doc = txt("Contents\n\n    Chapter 1. One\n\n    Chapter 2. Two\n\n    Chapter 3. Three\n\nText, a sentence.\n")
    assert [len(b.items) for b in kinds(doc, ListBlock)] == [3]


def test_markdown_setext_headings_and_an_all_capitals_title_block():
    doc = md("Intro text.\n\nA Section\n=========\n\nText.\n\nRESOLUTION OF THE COUNCIL ON THE\nCOLLECTION OF GRAIN.\n\n"
             "Text.\n\nCHAIRMAN OF THE COUNCIL V. CHUBAR\n")
    assert [b.text for b in kinds(doc, Heading)] == [
        "A Section", "RESOLUTION OF THE COUNCIL ON THE COLLECTION OF GRAIN."]


# --- lists and tables ---------------------------------------------------------


def test_dash_lists_with_sub_items_and_run_on_lines():
    doc = txt("Text, a sentence.\n\n-   One\n    -   One a\n-   Two, which\n    runs on\n-\n\nMore text.\n")
    (lst,) = kinds(doc, ListBlock)
    assert [plain_text(item) for item in lst.items] == ["One One a", "Two, which runs on", ""]


def test_markdown_bullets_under_a_paragraph_line_and_a_numbered_paragraph():
    doc = md("1) The first period. The facts:\n    * a) one;\n    * b) two.\n\nThe author speaks.\n\n"
             "2) The second period.\n")
    (lst,) = kinds(doc, ListBlock)
    assert [item[0].text for item in lst.items] == ["a) one;", "b) two."]
    assert [p.text for p in kinds(doc, Paragraph)] == [
        "1) The first period. The facts:", "The author speaks.", "2) The second period."]


def test_ascii_grid_table_with_a_header_rule_and_a_row_over_two_lines():
    grid = ("+------+------------+\n| Year | Event      |\n+======+============+\n| 1917 | Revolution |\n"
            "|      | in Russia  |\n+------+------------+\n|      |            |\n+------+------------+\n")
    (table,) = kinds(txt(f"Text.\n\n{grid}\nMore.\n"), Table)
    assert table.rows == (("Year", "Event"), ("1917", "Revolution in Russia"))
    assert table.header is True


def test_grid_table_without_a_header_rule_has_no_header():
    grid = "+---+---+\n| a | b |\n+---+---+\n| c | d |\n+---+---+\n"
    (table,) = kinds(txt(grid), Table)
    assert (table.rows, table.header) == ((("a", "b"), ("c", "d")), False)


def test_column_table_under_a_dashed_rule():
    doc = txt("Text.\n\n  Years       Strikes\n  ----------- --------\n  1862–69     6\n  1870–84     20\n")
    (table,) = kinds(doc, Table)
    assert table.rows == (("Years", "Strikes"), ("1862–69", "6"), ("1870–84", "20"))


def test_columns_that_would_cut_a_word_are_no_table():
    doc = txt("Text.\n\nName  Place\n----- -----\nAnnabel Paris\n")
    assert kinds(doc, Table) == []


@pytest.mark.parametrize(("rows", "header"), [
    ("Year\tFarms\n1929\t57.0\n1930\t85.9\n", True),
    ("Kiev\t1917\nMinsk\t1918\n", False),
    ("1929\t57.0\n1930\t85.9\n", False),
])
def test_tab_table_header_only_when_the_first_row_looks_like_one(rows, header):
    (table,) = kinds(txt(f"Text.\n\n{rows}"), Table)
    assert table.header is header


# --- quotations ---------------------------------------------------------------


def test_quotation_paragraphs_that_open_with_a_quotation_mark():
    doc = md('Marx wrote, in 1847,\n\n"Large-scale industry concentrates people.\n\n'
             '"Combinations take on a political character. (Marx, Poverty of Philosophy, 1847)\n\n'
             'Here the author speaks again.\n\n"It ran on," he said, "to the end." (Vol. 3, p. 217).\n\n'
             '"A word," he said, and the author went on.\n')
    quotes = kinds(doc, Quotation)
    assert [len(q.paragraphs) for q in quotes] == [2, 1]
    assert [q.citation for q in quotes] == ["(Marx, Poverty of Philosophy, 1847)", "(Vol. 3, p. 217)."]
    assert quotes[1].paragraphs[0].text == '"It ran on," he said, "to the end."'
    assert doc.blocks[-1].text.startswith('"A word," he said')


def test_a_quotation_never_runs_through_the_authors_paragraphs():
    doc = txt('He said:\n\n"The first part of what he said\n\nThe author\'s own paragraph.\n')
    (quote,) = kinds(doc, Quotation)
    assert len(quote.paragraphs) == 1 and quote.certain is False


def test_no_quotation_guessed_after_a_colon_where_the_author_cites_every_sentence():
    cited = "A claim of the author.[1]\n\nHe stated in his book:\n\nThe author goes on.[2]\n\nMore.[3]\n\n"
    assert kinds(txt(cited + "[1] A.\n[2] B.\n[3] C.\n"), Quotation) == []
    sparse = "A claim.\n\nHe stated in his book:\n\nThe quoted words.[1]\n\nThe author.\n\nMore.\n\n"
    assert len(kinds(txt(sparse + "[1] A.\n[2] B.\n"), Quotation)) == 1
