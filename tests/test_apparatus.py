"""The study apparatus: terms and people marked in the text, glossary and who's who, timeline,
sources and acknowledgements, index. Mostly the HTML target; one EPUB and one PDF test."""

from __future__ import annotations

import dataclasses
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html

from studypack import apparatus
from studypack import model as m
from studypack.render import Renderer
from studypack.render.acknowledgements import source_labels
from studypack.theme import Theme
from studypack.writers import WriteRequest, get_writer

XHTML = "{http://www.w3.org/1999/xhtml}"

INTRO = """## The Troika and the Party Congress

The Troika ran the party. The troika met often, and the [Troika](https://example.org/troika)
was feared. `Troika` is code. Trotsky spoke at the Party
Congress; the Congress of Soviets met later. The triumvirate of Zinoviev, Kamenev and Stalin
outvoted Trotsky. TROIKA in capitals is not the term. Guesde wrote nothing here.
"""

SOURCE_WORDS = (
    m.Text("Comrades, the Troika and Leon Trotsky disagree"),
    m.NoteRef("[4]", "4", "note-4"),
    m.Text(" about the Party Congress. The troika "),
    m.Correction("Carr", "[Can]"),
    m.Text(" you imagine the triumvirate at the Congress of Soviets? Trotsky’s answer: no."),
)


def make_pack(root: Path, **changes) -> m.Pack:
    """Three parts: commentary with a heading, link and code; a source with a note marker and a correction; a worksheet."""
    document = m.Document("cliff", "documents/cliff.txt", m.DocumentInfo(title="The campaign"), ())
    second = m.Document("corin", "documents/corin.txt", m.DocumentInfo(title="The power struggle"), ())
    extract = m.Extract(
        "speech", "A", "cliff", (m.Paragraph("p7", SOURCE_WORDS), m.Paragraph("p8", (m.Text("Lenin was ill."),))),
        "Zinoviev, speech, May 1924.", title="Zinoviev speaks",
    )
    other = m.Extract("declaration", "B", "corin", (m.Paragraph("p3", (m.Text("The Politburo is silent."),)),), None)
    question = m.Question("q1", 1, "What did the Politburo fear from Trotsky?", 4, 8)
    parts = (
        m.Part("part-1", "Introduction", (m.Commentary(INTRO, m.Location("commentary/intro.md", 1)),)),
        m.Part("part-2", "Speeches", (
            m.Commentary("Trotsky and the Troika again.", m.Location("commentary/before.md", 1)),
            extract,
            other,
        )),
        m.Part("part-3", "Worksheet", (m.Worksheet("ws", None, None, (question,)),)),
    )
    pack = m.Pack(
        name="apparatus", root=str(root), title="Apparatus pack", subtitle=None, course=None, author=None,
        language="en-GB", rights="Pack © History Department.", date="2026-09-01", labels="letters", paper="a4",
        documents=(
            m.PackDocument(document, "Text © Tony Cliff.", "Tony Cliff, The campaign against Trotsky", "keep"),
            m.PackDocument(second, None, "Chris Corin, article", "omit"),
        ),
        parts=parts,
        glossary=(
            m.GlossaryEntry("congress-of-soviets", "Congress of Soviets", "The national assembly of the soviets."),
            m.GlossaryEntry("party-congress", "Party Congress", "The party's supreme body.", ("Congress",)),
            m.GlossaryEntry("politburo", "Politburo", "The party's leaders."),
            m.GlossaryEntry("troika", "Troika", "Zinoviev, Kamenev and Stalin.", ("triumvirate",)),
        ),
        people=(
            m.Person("bernstein-adler-kautsky-and-guesde", "Bernstein, Adler, Kautsky and Guesde", "Socialists."),
            m.Person("vladimir-lenin", "Vladimir Lenin", "Founder of the party.", ("Lenin",)),
            m.Person("leon-trotsky", "Leon Trotsky", "Leader of the Opposition."),
        ),
        timeline=(
            m.TimelineEvent("15 October 1923", "The Declaration of 46.", "1923-10-15"),
            m.TimelineEvent("21 January 1924", "Lenin dies.", "1924-01-21"),
            m.TimelineEvent("May 1924", "Thirteenth Party Congress.", "1924-05-00"),
        ),
    )
    return dataclasses.replace(pack, **changes)


def render_html(pack: m.Pack, edition: str = "student", renderer: Renderer | None = None) -> str:
    renderer = renderer or Renderer(pack, edition, "html", Theme())
    return renderer.render("pack.html", inline_css="")


@pytest.fixture
def pack(tmp_path) -> m.Pack:
    return make_pack(tmp_path)


@pytest.fixture
def page(pack):
    return lxml_html.fromstring(render_html(pack))


def marks(element, kind: str) -> list[tuple[str, str]]:
    """(words, href) of the links of a kind (term, person) under an element."""
    return [(a.text_content(), a.get("href")) for a in element.iterfind(f".//a[@class='{kind}']")]


def uses(element) -> list[tuple[str, str]]:
    """(words, id) of every marked use, links and plain mentions, in order."""
    return [(e.text_content(), e.get("id")) for e in element.xpath(".//*[starts-with(@id, 'ix-')]")]


def section(page, part_id: str):
    return page.get_element_by_id(f"part-{part_id}")


# --- marking ---------------------------------------------------------------------


def test_first_use_in_each_part_links_to_the_glossary_and_later_uses_only_get_an_id(page):
    intro, speeches = section(page, "part-1"), section(page, "part-2")
    assert marks(intro, "term").count(("The Troika", "#term-troika")) == 0
    assert [href for _, href in marks(intro, "term")].count("#term-troika") == 1
    assert [href for _, href in marks(speeches, "term")].count("#term-troika") == 1  # counted afresh per part
    troika_uses = [id_ for words, id_ in uses(intro) if "troika" in id_]
    assert len(troika_uses) == 3  # Troika, troika, triumvirate (not the heading, link, code or TROIKA)
    assert page.get_element_by_id(troika_uses[0]).tag == "a"
    assert all(page.get_element_by_id(i).tag == "span" for i in troika_uses[1:])


def test_words_are_matched_whole_case_free_in_the_first_letter_with_aliases(page):
    intro = section(page, "part-1")
    words = [w for w, _ in uses(intro)]
    assert "troika" in words and "triumvirate" in words
    assert "TROIKA" not in words
    text = intro.text_content()
    assert "TROIKA in capitals" in text
    assert ("Trotsky", "#person-leon-trotsky") in marks(intro, "person")  # the last word of the name
    assert "Guesde" not in words  # a group of people has no default alias


def test_longest_form_wins(page):
    intro = section(page, "part-1")
    found = dict((w.replace("\n", " "), i) for w, i in uses(intro))
    assert found["Congress of Soviets"].startswith("ix-term-congress-of-soviets-")
    assert found["Party Congress"].startswith("ix-term-party-congress-")
    assert "Congress" not in found


def test_a_term_across_a_line_break_of_the_markdown_is_found_and_the_break_kept(pack):
    html = render_html(pack)
    assert re.search(r'<a class="term" id="ix-term-party-congress-1-1" href="#term-party-congress">Party\nCongress</a>', html)


def test_never_in_headings_links_or_code(page):
    intro = section(page, "part-1")
    heading = intro.find(".//h2")
    assert heading.text_content() == "The Troika and the Party Congress" and len(heading) == 0
    link = intro.find(".//a[@href='https://example.org/troika']")
    assert len(link) == 0 and link.text == "Troika"
    assert len(intro.find(".//code")) == 0
    for title in page.iterfind(".//h1"):
        assert not title.xpath(".//*[starts-with(@id, 'ix-')]")


def test_a_sources_words_are_unchanged_by_marking(tmp_path):
    marked = lxml_html.fromstring(render_html(make_pack(tmp_path)))
    plain = lxml_html.fromstring(render_html(make_pack(tmp_path, glossary=(), people=())))
    source, unmarked = marked.get_element_by_id("src-speech"), plain.get_element_by_id("src-speech")
    paragraphs = source.findall(".//blockquote/p")
    assert [p.text_content() for p in paragraphs] == [p.text_content() for p in unmarked.findall(".//blockquote/p")]
    assert paragraphs[0].text_content() == (
        "Comrades, the Troika and Leon Trotsky disagree[4] about the Party Congress. The troika [Can]"
        " you imagine the triumvirate at the Congress of Soviets? Trotsky’s answer: no."
    )
    words = [w for w, _ in uses(source)]  # and it was marked: the full name before the surname alone
    assert words == ["Troika", "Leon Trotsky", "Party Congress", "troika", "triumvirate", "Congress of Soviets", "Trotsky", "Lenin"]


def test_questions_are_marked_and_the_source_list_and_apparatus_are_not(page):
    worksheet = section(page, "part-3")
    assert ("Politburo", "#term-politburo") in marks(worksheet, "term")
    for back in ("glossary", "people", "timeline", "acknowledgements"):
        assert not uses(page.get_element_by_id(back))


def test_every_link_resolves_to_an_id(page):
    ids = set(page.xpath("//@id"))
    links = [h[1:] for h in page.xpath("//a/@href") if h.startswith("#")]
    assert links and all(target in ids for target in links), sorted(set(links) - ids)
    assert len(ids) == len(page.xpath("//@id"))  # no id twice


def test_rendering_twice_gives_the_same_page(pack):
    renderer = Renderer(pack, "student", "html", Theme())
    assert render_html(pack, renderer=renderer) == render_html(pack, renderer=renderer)


def test_an_edition_counts_only_what_it_shows(tmp_path):
    pack = make_pack(tmp_path)
    hidden = dataclasses.replace(pack.parts[0], editions=("teacher",))
    pack = dataclasses.replace(pack, parts=(hidden, *pack.parts[1:]))
    student = lxml_html.fromstring(render_html(pack, "student"))
    index = student.get_element_by_id("index").text_content()
    assert "Introduction" not in index and "Speeches" in index


# --- the back of the pack --------------------------------------------------------------


def test_glossary_and_who_is_who_link_back_to_first_uses_and_name_other_forms(page):
    troika = page.get_element_by_id("term-troika").getnext()
    assert "Also: triumvirate." in troika.text_content()
    back = [(a.text_content(), a.get("href")) for a in troika.iterfind(".//span[@class='entry-uses']/a")]
    assert back == [("Introduction", "#ix-term-troika-1-1"), ("Speeches", "#ix-term-troika-2-1")]
    trotsky = page.get_element_by_id("person-leon-trotsky").getnext()
    assert "Also:" not in trotsky.text_content()  # the surname files beside the name


def test_index_lists_parts_and_sources_with_cross_references(page):
    index = page.get_element_by_id("index")
    entries = [" ".join(li.text_content().split()) for li in index.iterfind(".//li")]
    assert "Trotsky, Leon: Introduction; Speeches (Source A); Worksheet (Question 1)" in entries
    assert "triumvirate, see Troika" in entries
    assert "Troika: Introduction; Speeches (Source A)" in entries
    assert "Congress, see Party Congress" not in entries  # an alias the text never uses alone
    headings = [e.split(":")[0].split(",")[0] for e in entries]
    assert headings == sorted(headings, key=str.casefold)
    assert [h.text for h in index.iterfind(".//h2")] == ["C", "L", "P", "T"]


def test_timeline_is_grouped_by_year(page):
    rows = [" ".join(" ".join(tr.itertext()).split()) for tr in page.get_element_by_id("timeline").iterfind(".//tr")]
    assert rows == ["1923", "15 October 1923 The Declaration of 46.", "1924", "21 January 1924 Lenin dies.",
                    "May 1924 Thirteenth Party Congress."]


def test_acknowledgements_give_every_source_document_and_rights(page):
    ack = page.get_element_by_id("acknowledgements")
    items = [" ".join(li.text_content().split()) for li in ack.iterfind(".//ol/li")]
    assert items == ["Source A: Zinoviev speaks – Zinoviev, speech, May 1924.", "Source B: Chris Corin, article."]
    credits = [" ".join(p.text_content().split()) for p in ack.iterfind(".//p[@class='document-credit']")]
    assert credits[0] == (
        "Source A is taken from Tony Cliff, The campaign against Trotsky. Text © Tony Cliff. Note numbers in square"
        " brackets are the original’s; the notes they refer to are not reproduced here."
    )
    assert credits[1] == "Source B is taken from Chris Corin, article."
    assert ack.find(".//p[@class='pack-rights']").text == "Pack © History Department."


def test_missing_notes_mention_is_said_and_omit_is_silent(tmp_path):
    pack = make_pack(tmp_path)
    cliff = dataclasses.replace(pack.documents[0], missing_notes="mention")
    page = lxml_html.fromstring(render_html(dataclasses.replace(pack, documents=(cliff, pack.documents[1]))))
    credit = page.get_element_by_id("acknowledgements").find(".//p[@class='document-credit']").text_content()
    assert "note numbers whose notes are not reproduced here have been left out" in credit
    assert "[4]" not in page.get_element_by_id("src-speech").text_content()


def test_source_labels_run_together():
    extracts = [m.Extract(f"e{i}", label, "d", (), None) for i, label in enumerate("ABCDEFG")]
    pick = lambda labels: [e for e in extracts if e.label in labels]  # noqa: E731
    assert source_labels(pick("ABCDE"), extracts) == "Sources A–E"
    assert source_labels(pick("ABDFG"), extracts) == "Sources A, B, D, F and G"
    assert source_labels(pick("C"), extracts) == "Source C"
    assert source_labels([], extracts) == ""


def test_names_file_surname_first_and_articles_last():
    assert apparatus.surname_first("Leon Trotsky") == "Trotsky, Leon"
    assert apparatus.surname_first("Natalia") == "Natalia"
    assert apparatus.default_alias("Natalia") is None
    assert apparatus.article_last("the Forty Six") == "Forty Six, the"


def test_page_runs_list_each_page_once():
    word = apparatus.Headword("term", "term-x", "X", "X", ("X",))
    place = apparatus.Place(1, "p", "Part")
    used = [apparatus.Use(f"ix-term-x-1-{n}", word, "X", place, n, n == 1) for n in range(1, 8)]
    pages = {"ix-term-x-1-1": 3, "ix-term-x-1-2": 3, "ix-term-x-1-3": 4, "ix-term-x-1-4": 5, "ix-term-x-1-5": 9,
             "ix-term-x-1-6": 11, "ix-term-x-1-7": 12}
    runs = apparatus.by_page(used, pages)
    assert [r.label for r in runs] == ["3–5", "9", "11–12"]
    assert runs[0] == apparatus.Locator("3–5", "ix-term-x-1-1", "ix-term-x-1-4")


# --- EPUB: links across files -------------------------------------------------------------


def test_epub_links_reach_across_files_and_back(tmp_path):
    pack = make_pack(tmp_path)
    dest = tmp_path / "a.epub"
    get_writer("epub").write(WriteRequest(pack, "student", "standard", Theme(), {"page_list": False, "cover": False}), dest)
    with zipfile.ZipFile(dest) as z:
        files = {Path(n).name: etree.fromstring(z.read(n)) for n in z.namelist() if n.endswith(".xhtml")}
    ids = {name: {e.get("id") for e in root.iter() if e.get("id")} for name, root in files.items()}
    links = [(name, a) for name, root in files.items() for a in root.iter(f"{XHTML}a")]
    for name, a in links:
        if a.get("href").startswith("https:"):
            continue
        target, _, anchor = a.get("href").partition("#")
        assert target in ids or not target, (name, a.get("href"))
        if anchor:
            assert anchor in ids[target or name], (name, a.get("href"))
    term = next(a for name, a in links if a.get("class") == "term" and name.startswith("part-"))
    assert term.get("href").startswith("glossary.xhtml#term-")
    assert term.get("{http://www.idpf.org/2007/ops}type") == "glossref"
    back = [a.get("href") for _, a in links if a.getparent().get("class") == "entry-uses"]
    assert back and all(h.startswith("part-") for h in back)
    assert files["glossary.xhtml"].find(f".//{XHTML}dt").get("{http://www.idpf.org/2007/ops}type") == "glossterm"
    index = [a.get("href") for a in files["index.xhtml"].iter(f"{XHTML}a")]
    assert any(h.startswith("part-02.xhtml#ix-") for h in index)


# --- PDF: the index's page numbers --------------------------------------------------------------


@pytest.mark.slow
def test_pdf_index_lists_the_pages_a_term_is_printed_on(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    filler = "\n\n".join(
        f"Paragraph {n} on the work of the party, long enough to fill a good part of a line of print. " * 4
        + ("The Politburo decided." if n % 7 == 3 else "")
        for n in range(60)
    )
    plain_intro = m.Part("part-1", "Introduction", (m.Commentary("The Politburo met.", m.Location("intro.md", 1)),))
    pack = make_pack(tmp_path)
    long_part = m.Part("part-4", "A long chapter", (m.Commentary(filler, m.Location("commentary/long.md", 1)),))
    pack = dataclasses.replace(pack, parts=(plain_intro, *pack.parts[1:], long_part))
    dest = tmp_path / ".apparatus-student.pdf.1.tmp"
    result = get_writer("pdf").write(WriteRequest(pack, "student", "standard", Theme(), {}), dest)
    texts = [p.extract_text() for p in pypdf.PdfReader(dest).pages]
    assert result.pages == len(texts)
    first_back = next(i for i, t in enumerate(texts) if t.lstrip().startswith("Glossary"))
    body = {n for n, t in enumerate(texts[:first_back], 1) if "Politburo" in re.sub(r"-\n", "", t)}
    line = next(ln for ln in texts[-1].splitlines() if ln.startswith("Politburo"))
    listed: set[int] = set()
    for start, _, end in re.findall(r"(\d+)(–(\d+))?", line):
        listed.update(range(int(start), int(end or start) + 1))
    assert len(body) >= 3
    assert listed == body, (line, sorted(body))


def _index_pack(tmp_path: Path) -> m.Pack:
    """A pack whose index entry "Politburo" is used on several pages of a long part."""
    filler = "\n\n".join(
        f"Paragraph {n} on the work of the party, long enough to fill a good part of a line of print. " * 4
        + ("The Politburo decided." if n % 7 == 3 else "")
        for n in range(60)
    )
    pack = make_pack(tmp_path)
    long_part = m.Part("part-4", "A long chapter", (m.Commentary(filler, m.Location("commentary/long.md", 1)),))
    return dataclasses.replace(pack, parts=(*pack.parts, long_part))


def _epoch_date() -> str:
    """The PDF date SOURCE_DATE_EPOCH gives (the writer's, for a layout made here)."""
    from studypack.writers import source_date

    return source_date().strftime("%Y-%m-%dT%H:%M:%SZ")


def _count_layouts(monkeypatch) -> list[int]:
    """Record the page count of every WeasyPrint layout the PDF writer makes."""
    from studypack.layout import engine

    counts: list[int] = []
    real = engine.lay_out

    def counting(*args, **kwargs):
        document, root = real(*args, **kwargs)
        counts.append(len(document.pages))
        return document, root

    monkeypatch.setattr(engine, "lay_out", counting)
    return counts


def pypdf_text(path: Path, page: int) -> str:
    pypdf = pytest.importorskip("pypdf")
    return pypdf.PdfReader(path).pages[page].extract_text()


def _write_with_html(pack: m.Pack, tmp_path: Path):
    dest = tmp_path / ".apparatus-student.pdf.1.tmp"
    result = get_writer("pdf").write(WriteRequest(pack, "student", "standard", Theme(), {"emit_html": True}), dest)
    return dest, result, result.extra_files[0].read_text(encoding="utf-8")


@pytest.mark.slow
def test_pdf_index_is_set_again_alone_and_gives_the_pages_of_a_whole_layout(tmp_path, monkeypatch):
    """One layout of the handout; the index alone set again with the real page runs; the very bytes
    of WeasyPrint laying out the final HTML (``--emit-html``) whole."""
    pypdf = pytest.importorskip("pypdf")
    from studypack.layout import engine

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    pack = _index_pack(tmp_path)
    counts = _count_layouts(monkeypatch)
    dest, result, html = _write_with_html(pack, tmp_path)
    # The index alone (laid out while the handout's layout waits to make its margin boxes), then the handout,
    # whose first layout had only the index's heading where the index goes.
    assert len(counts) == 2 and counts[1] == result.pages, counts
    assert html.count('class="part apparatus index"') == 1 and "index-columns" in html
    assert counts[0] < result.pages / 2  # the index alone, after the title page it borrows its running heads from
    whole = engine.lay_out(html, pack)[0]  # the final HTML laid out whole, as WeasyPrint's command would
    assert dest.read_bytes() == engine.write_document(whole, pack, _epoch_date())
    texts = [p.extract_text() for p in pypdf.PdfReader(dest).pages]
    assert re.search(r"Politburo \d+–\d+", texts[-1])
    assert f"Page {result.pages} of {result.pages}" in texts[-1]
    # The index's page numbers link to where the words are printed.
    links = [a.get_object() for a in pypdf.PdfReader(dest).pages[-1].get("/Annots", [])]
    assert len([a for a in links if a.get("/Dest") or a.get("/A")]) >= 10


@pytest.mark.slow
def test_pdf_index_pages_of_the_last_build_save_the_second_layout(tmp_path, monkeypatch):
    """Given the pages the last build's index listed, and the text unchanged, one layout makes the
    handout, and the same bytes; given pages that are wrong, the index is set again as without them."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    pack = _index_pack(tmp_path)
    first, result, _ = _write_with_html(pack, tmp_path)
    hint = result.details["index_pages"]
    assert hint and all(anchor.startswith("ix-") for anchor in hint)
    for pages, layouts in ((hint, 1), ({anchor: page + 1 for anchor, page in hint.items()}, 2)):
        counts = _count_layouts(monkeypatch)
        dest = tmp_path / ".again.pdf.1.tmp"
        request = WriteRequest(pack, "student", "standard", Theme(), {}, artefacts={"index_pages": pages})
        again = get_writer("pdf").write(request, dest)
        assert len(counts) == layouts and again.details["index_pages"] == hint
        assert dest.read_bytes() == first.read_bytes()
        monkeypatch.undo()
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


@pytest.mark.slow
def test_pdf_index_far_shorter_than_its_provisional_one_is_still_set_alone(tmp_path, monkeypatch):
    """A pack's own index template that prints the provisional runs (the built-in one prints only the heading
    until the pages are known), here far longer than the real ones: the handout is still laid out once, the
    real index alone, and every "Page N of M" counts the real index's pages; the very bytes of a whole layout."""
    pypdf = pytest.importorskip("pypdf")
    from studypack.layout import engine
    from studypack.resources import builtin_dir

    long = (apparatus.Locator("00–00, " * 400 + "00", "x"),)

    def too_long(uses):
        return tuple(apparatus.Locator(loc.label, uses[0].anchor) for loc in long)

    monkeypatch.setattr(apparatus, "provisional_pages", too_long)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    pack = _index_pack(tmp_path)
    builtin = (builtin_dir("templates") / "index.html").read_text(encoding="utf-8")
    own = builtin.replace("{% if not index_is_provisional() %}", "{% if true %}")
    assert own != builtin
    (Path(pack.root) / "templates").mkdir(exist_ok=True)
    (Path(pack.root) / "templates" / "index.html").write_text(own, encoding="utf-8")
    counts = _count_layouts(monkeypatch)
    dest = tmp_path / ".apparatus-student.pdf.1.tmp"
    request = WriteRequest(pack, "student", "standard", Theme.for_pack(Path(pack.root)), {"emit_html": True})
    result = get_writer("pdf").write(request, dest)
    html = result.extra_files[0].read_text(encoding="utf-8")
    assert len(counts) == 2 and counts[1] > result.pages, counts  # the handout laid out with the long index
    whole = engine.lay_out(html, pack)[0]
    assert dest.read_bytes() == engine.write_document(whole, pack, _epoch_date())
    texts = [p.extract_text() for p in pypdf.PdfReader(dest).pages]
    assert f"Page 2 of {result.pages}" in texts[1] and f"Page {result.pages} of {result.pages}" in texts[-1]
    first_back = next(i for i, t in enumerate(texts) if t.lstrip().startswith("Glossary"))
    body = {n for n, t in enumerate(texts[:first_back], 1) if "Politburo" in re.sub(r"-\n", "", t)}
    line = next(ln for ln in texts[-1].splitlines() if ln.startswith("Politburo"))
    listed = {n for a, _, b in re.findall(r"(\d+)(–(\d+))?", line) for n in range(int(a), int(b or a) + 1)}
    assert listed == body


@pytest.mark.slow
def test_pdf_index_with_a_weasyprint_whose_layout_splice_does_not_know(tmp_path, monkeypatch):
    """Where the page-count hook cannot step into WeasyPrint's layout (another version), the writer reads the
    pages from the finished layout and lays the handout out again with the real index: the same bytes."""
    from studypack.layout import hooks

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    pack = _index_pack(tmp_path)
    first, _, _ = _write_with_html(pack, tmp_path)
    monkeypatch.setattr(hooks, "installed_versions", lambda: {"WeasyPrint": "71.0", "pydyf": "0.14.0"})
    counts = _count_layouts(monkeypatch)
    dest = tmp_path / ".other.pdf.1.tmp"
    result = get_writer("pdf").write(WriteRequest(pack, "student", "standard", Theme(), {}), dest)
    assert len(counts) == 2 and counts[1] == result.pages, counts  # no index alone: the handout twice
    assert dest.read_bytes() == first.read_bytes()


@pytest.mark.slow
def test_pdf_page_count_printed_in_the_text_lays_the_handout_out_again(tmp_path, monkeypatch):
    """A stylesheet that prints the page count in the text (not only in the margins) was set with the
    first layout's count: the writer lays the whole handout out again, and gives WeasyPrint's own pages."""
    from studypack.layout import engine

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    pack = _index_pack(tmp_path)
    styles = Path(pack.root) / "styles"
    styles.mkdir(exist_ok=True)
    (styles / "custom.css").write_text('.pack-title::after { content: " (" counter(pages) " pages)"; }\n', encoding="utf-8")
    counts = _count_layouts(monkeypatch)
    dest = tmp_path / ".apparatus-student.pdf.1.tmp"
    request = WriteRequest(pack, "student", "standard", Theme.for_pack(Path(pack.root)), {"emit_html": True})
    result = get_writer("pdf").write(request, dest)
    html = result.extra_files[0].read_text(encoding="utf-8")
    whole = engine.lay_out(html, pack)[0]
    assert dest.read_bytes() == engine.write_document(whole, pack, _epoch_date())
    assert len(counts) == 3 and counts[-1] == result.pages, counts  # handout, index alone, handout again
    assert f"({result.pages} pages)" in pypdf_text(dest, 0)


def test_print_index_before_its_pages_are_known_is_its_heading_alone(tmp_path):
    """The handout's first layout carries only the index's heading (the writer sets the index alone
    once it knows the pages); given the pages, the whole index with its page numbers."""
    pack = _index_pack(tmp_path)
    renderer = Renderer(pack, "student", "pdf", Theme(), "standard")
    first = lxml_html.document_fromstring(renderer.render("pack.html"))
    index = first.get_element_by_id("index")
    assert "provisional" in index.get("class") and [el.tag for el in index] == ["h1"]
    assert renderer.prints_index
    renderer.index_pages = {"ix-term-politburo-4-1": 3, "ix-term-politburo-4-2": 4}
    real = lxml_html.document_fromstring(renderer.render("index.html", again=True))
    assert "Politburo 3–4" in " ".join(real.text_content().split())


@pytest.mark.slow
def test_page_count_hook_reads_the_pages_the_layout_gives(tmp_path):
    """What the page-count hook's ``decide`` reads from WeasyPrint's page maker (the page of every anchor, the
    page count) is what the finished layout says; the count it returns is the one the margins print."""
    pypdf = pytest.importorskip("pypdf")
    import io

    from studypack.layout import engine, fonts, index
    from studypack.layout.hooks import pages
    from studypack.writers import inline_style
    from studypack.writers.handout_html import paper_css

    pack = _index_pack(tmp_path)
    renderer = Renderer(pack, "student", "pdf", Theme(), "standard")
    css = "\n".join((fonts.font_css(), renderer.css(), paper_css("a4")))
    html = renderer.render("pack.html", inline_css=inline_style(css), base_href=engine.pack_base(pack))
    seen = {}

    def decide(context):
        seen.update(pages=pages.anchor_pages(context), count=pages.placed_pages(context))
        return 99

    document, _ = engine.lay_out(html, pack, decide=decide)
    assert seen["count"] == len(document.pages) and seen["pages"] == index.anchor_pages_of(document)
    assert any(anchor.startswith(apparatus.INDEX_ANCHOR_PREFIX) for anchor in seen["pages"])
    text = pypdf.PdfReader(io.BytesIO(document.write_pdf())).pages[1].extract_text()
    assert "Page 2 of 99" in text


def test_index_html_keeps_the_first_block_and_the_index_numbered_on():
    from studypack.layout import cut

    html = (
        "<!DOCTYPE html><html><head><style>@page { @bottom-right { content: counter(page) ' of ' counter( pages ); } }"
        "</style></head><body class='edition-student'><header id='title-page'><h1 class='pack-title'>T</h1></header>"
        "<section id='part-1'>body</section><section id='index'><h1>Index</h1></section></body></html>"
    )
    alone, first = cut.index_html(html, 15)
    right = lxml_html.document_fromstring(alone)
    assert first == 3  # a right-hand page: the title page, a blank, the index
    assert [el.get("id") for el in right.find("body")] == ["title-page", None, "index"]  # its anchor is elsewhere
    hidden = right.find("body")[1]
    assert hidden.get("style") == "display: none" and hidden.text_content() == ""
    assert "break-before: right" in right.get_element_by_id("index").get("style")
    styles = [s.text for s in right.iterfind(".//style")]
    assert "counter( pages )" in styles[0]  # the page count is told to the margin boxes (the page-count hook)
    assert "counter-reset: page 13" in styles[-1]  # the index on page 3 of the small layout is page 15
    alone, first = cut.index_html(html, 16)
    left = lxml_html.document_fromstring(alone)
    assert first == 2 and "break-before: left" in left.get_element_by_id("index").get("style")
    assert "counter-reset: page 15" in [s.text for s in left.iterfind(".//style")][-1]
    assert cut.index_html(html.replace("id='index'", "id='other'"), 16) is None
