"""Ids made from words are ASCII, so a PDF destination, an EPUB fragment and a URL name them alike."""

from __future__ import annotations

from studypack.manifest.load import slug as entry_id
from studypack.readers import read_text
from studypack.readers.structure import slug as heading_id


def test_glossary_and_people_ids_are_transliterated():
    assert entry_id("vozhd (вождь)") == "vozhd-vozhd"
    assert entry_id("Zinov’ev") == "zinov-ev"
    assert entry_id("Lenin Levy") == "lenin-levy"


def test_heading_ids_are_transliterated():
    assert heading_id("Кто такой вождь?") == "kto-takoy-vozhd"
    assert heading_id("The Troika’s reaction") == "the-troikas-reaction"


def test_a_document_in_cyrillic_has_ascii_ids():
    doc = read_text("Кто такой вождь\n\nКаменев был против вождя.\n", "doc")
    ids = [section.id for section in doc.sections] + [b.id for s in doc.sections for b in s.blocks]
    assert ids and all(i.isascii() for i in ids), ids
    assert "kto-takoy-vozhd" in ids
