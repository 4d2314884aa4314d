"""The assembler: sources cut from documents, labels, corrections, omissions, quote fidelity."""

from pathlib import Path

import pytest

from studypack import model as m
from studypack.assemble.pack import label_sequence, load_pack
from studypack.manifest.load import date_sort_key
from studypack.errors import ProblemsError

BASIC = Path(__file__).parent / "roots" / "basic"


@pytest.fixture(scope="module")
def pack():
    return load_pack(BASIC)


def test_sources_are_labelled_in_order_across_the_pack(pack):
    assert [(e.id, e.label) for e in pack.extracts] == [
        ("declaration", "A"),
        ("stalin-pravda", "B"),
        ("zinoviev", "C"),
        ("levy", "D"),
        ("mausoleum", "E"),
    ]


def test_source_block_keeps_the_document_attribution(pack):
    declaration = pack.extracts[0]
    assert declaration.attribution == (
        "From the declaration of 46 leading Bolsheviks presented to the Politburo, 15 October 1923."
    )
    assert declaration.paragraphs[0].text.startswith("‘We observe the ever increasing")


def test_passage_runs_from_opening_to_closing_words_with_omission(pack):
    stalin = pack.extracts[1]
    texts = [p.text for p in stalin.paragraphs]
    assert texts[0].startswith("I must dispel a possible misunderstanding.")
    assert "degeneration. […] But I must protect Trotsky" in texts[0]
    assert "noble trait" not in " ".join(texts)
    # The closing words are followed by a note marker in the document: it comes along.
    assert texts[-1].endswith("the Second International ... [1]")


def test_correction_is_printed_in_brackets_and_the_original_kept(pack):
    zinoviev = pack.extracts[2]
    spans = zinoviev.paragraphs[0].spans
    corrections = [s for s in spans if isinstance(s, m.Correction)]
    assert corrections == [m.Correction("Carr you imagine", "[Can] you imagine")]
    assert "Carr you imagine" in zinoviev.paragraphs[0].text  # the document's words are kept


def test_starred_note_travels_with_its_extract(pack):
    mausoleum = pack.extracts[4]
    assert [n.label for n in mausoleum.notes] == ["1*"]
    assert mausoleum.notes[0].paragraphs[0].text.startswith("In June 1924 Iuzovka")


def test_section_extract_and_numbering(pack):
    levy = pack.extracts[3]
    assert levy.paragraphs[0].text.startswith("After Lenin’s death the Central Committee decreed")
    # Trotsky's two quoted passages inside Cliff's section are marked as quotations.
    quoted = [p.text[:20] for p in levy.paragraphs if p.id in levy.quoted]
    assert quoted == ["The most important f", "The political aim of"]
    assert pack.extracts[1].quoted == ()  # Stalin's article is all quotation
    questions = [q for p in pack.parts for i in p.items if isinstance(i, m.Worksheet) for q in i.questions]
    assert [(q.number, q.marks, q.lines) for q in questions] == [(1, 8, 16), (2, 4, 6)]


def test_timeline_is_sorted_by_date(pack):
    assert [e.date for e in pack.timeline] == ["15 October 1923", "21 January 1924"]


def test_quote_fidelity_names_the_pack_line_and_nearest_match(pack_copy):
    folder = pack_copy("basic")
    yaml = folder / "pack.yaml"
    text = yaml.read_text().replace('from: "Comrade Stalin said, and I', 'from: "Comrade Stalin says, and I')
    yaml.write_text(text)
    with pytest.raises(ProblemsError) as exc:
        load_pack(folder)
    [problem] = exc.value.problems
    line = text.splitlines().index('          from: "Comrade Stalin says, and I, of course"') + 1
    assert str(problem.where) == f"{folder}/pack.yaml:{line}:17"
    assert problem.message == (
        "the opening words 'Comrade Stalin says, and I, of course' do not occur in the document; "
        f"nearest: 'Comrade Stalin said, and I, of course,' ({folder}/documents/cliff.txt)"
    )


def test_ambiguous_and_missing_words_are_all_reported(pack_copy):
    folder = pack_copy("basic")
    yaml = folder / "pack.yaml"
    text = yaml.read_text()
    text = text.replace('to: "in Red Square."', 'to: "Lenin"')
    text = text.replace('find: "Carr you imagine"', 'find: "Car you imagine"')
    yaml.write_text(text)
    with pytest.raises(ProblemsError) as exc:
        load_pack(folder)
    messages = [p.message for p in exc.value.problems]
    assert len(messages) == 2
    assert messages[0].startswith("the correction 'Car you imagine' does not occur in the document")
    assert messages[1].startswith("the closing words 'Lenin' occur ")


def test_labels():
    letters = label_sequence("letters")
    assert [next(letters) for _ in range(28)][-3:] == ["Z", "AA", "AB"]
    numbers = label_sequence("numbers")
    assert [next(numbers) for _ in range(3)] == ["1", "2", "3"]


@pytest.mark.parametrize(
    "text,key",
    [("15 October 1923", "1923-10-15"), ("January 1924", "1924-01-00"), ("1926", "1926-00-00"), ("May 1924", "1924-05-00")],
)
def test_date_sort_key(text, key):
    assert date_sort_key(text) == key
