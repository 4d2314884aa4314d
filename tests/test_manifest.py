"""pack.yaml -> Manifest: good packs load with every default; bad ones list every problem at once.

Each file in tests/data/manifests/bad/ is a pack.yaml whose trailing
``# expect:`` comments are the exact problem lines it must produce, in order
(``LINE:COL: message`` for pack.yaml itself, a full ``path:LINE:COL: message``
for other files). It is loaded inside a copy of tests/data/manifests/base/,
which holds the documents and commentary files the cases name.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from studypack.errors import PackError, ProblemsError, SandboxError, StudypackError
from studypack.manifest.entries import BlockRef, CommentarySpec, Manifest, PassageSpec, SourceSpec, WorksheetSpec
from studypack.manifest.load import load_manifest
from studypack.model import Location

DATA = Path(__file__).parent / "data" / "manifests"
BAD = sorted(p.name for p in (DATA / "bad").glob("*.yaml"))
SHOWN = "packs/x"
ONE_DOCUMENT = (
    "title: T\ndocuments:\n  - id: corin\n    path: documents/odd.txt\nparts:\n  - title: P\n    source: corin#p1\n"
)


def make_pack(tmp_path: Path, text: str | bytes) -> Path:
    """A copy of the base pack with `text` as its pack.yaml."""
    pack = tmp_path / "x"
    shutil.copytree(DATA / "base", pack)
    (pack / "pack.yaml").write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return pack


def problems(tmp_path: Path, text: str | bytes) -> list[str]:
    """The problem lines loading `text` as a pack.yaml reports (the count line checked and dropped)."""
    with pytest.raises(ProblemsError) as caught:
        load_manifest(make_pack(tmp_path, text), display_dir=SHOWN)
    *lines, summary = caught.value.format_message().split("\n")
    assert summary == f"{len(lines)} error{'s' if len(lines) != 1 else ''}"
    assert len(caught.value.problems) == len(lines)
    return lines


def expected(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        if line.startswith("# expect: "):
            wanted = line[len("# expect: ") :]
            out.append(f"{SHOWN}/pack.yaml:{wanted}" if wanted[0].isdigit() else wanted)
    return out


@pytest.mark.parametrize("name", BAD)
def test_bad_manifest_reports_exactly_these_problems(tmp_path, name):
    text = (DATA / "bad" / name).read_text(encoding="utf-8")
    wanted = expected(text)
    assert wanted, f"{name} has no '# expect:' lines"
    assert problems(tmp_path, text) == wanted


def test_there_are_many_bad_cases():
    assert len(BAD) >= 25
    assert sum(len(expected((DATA / "bad" / n).read_text(encoding="utf-8"))) for n in BAD) >= 80


def test_four_mistakes_give_four_lines(tmp_path):
    text = (DATA / "bad" / "four-mistakes.yaml").read_text(encoding="utf-8")
    assert len(problems(tmp_path, text)) == 4


# --- problems that need bytes or a file system the fixtures cannot hold ----------------


def test_tab_in_indentation(tmp_path):
    text = "title: T\ndocuments: []\nparts:\n\t- title: P\n"
    assert problems(tmp_path, text) == [
        f"{SHOWN}/pack.yaml:4:1: a tab is used for indentation here; indent with spaces only"
    ]


def test_not_utf8(tmp_path):
    text = "title: T\nauthor: Ren\xe9e\n".encode("latin-1")
    assert problems(tmp_path, text) == [
        f"{SHOWN}/pack.yaml:2:12: the file is not UTF-8 text (byte 0xE9 cannot be read); save it as UTF-8"
    ]


def test_control_character(tmp_path):
    assert problems(tmp_path, "title: The\x07 pack\n") == [
        f"{SHOWN}/pack.yaml:1:11: the character U+0007 is not allowed in YAML; delete it"
    ]


@pytest.mark.parametrize("text", ["", "\n\n  \n", "\ufeff", "---\n", "~\n"])
def test_empty_file(tmp_path, text):
    assert problems(tmp_path, text) == [
        f"{SHOWN}/pack.yaml:1:1: pack.yaml is empty; it needs at least 'title', 'documents' and 'parts'"
    ]


def test_deep_nesting_and_alias_bombs_are_problems_not_crashes(tmp_path):
    flow = problems(tmp_path / "a", "title: " + "[" * 5000 + "]" * 5000 + "\n")
    assert flow == [f"{SHOWN}/pack.yaml:1:48: lists and mappings are nested more than 40 deep"]
    block = problems(tmp_path / "c", "title:\n" + "".join("  " * i + "a:\n" for i in range(1, 45)) + " " * 90 + "x\n")
    assert block == [f"{SHOWN}/pack.yaml:42:83: lists and mappings are nested more than 40 deep"]
    dashes = problems(tmp_path / "d", "title:\n" + "- " * 1000 + "x\n")
    assert dashes == [f"{SHOWN}/pack.yaml:2:81: lists and mappings are nested more than 40 deep"]
    bomb = ["title: T", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    bomb += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 8)]
    lines = problems(tmp_path / "b", "\n".join(bomb) + "\n")
    assert lines == [f"{SHOWN}/pack.yaml:1:1: the file is too big: its aliases expand to more than 100000 values"]


def test_recursive_alias(tmp_path):
    text = "title: T\ndocuments: &d [*d]\nparts: []\n"
    assert f"{SHOWN}/pack.yaml:2:12: this list or mapping contains an alias to itself; remove that alias" in problems(
        tmp_path, text
    )


def test_no_pack_yaml(tmp_path):
    with pytest.raises(PackError) as caught:
        load_manifest(tmp_path, display_dir=SHOWN)
    assert caught.value.format_message().splitlines()[0] == f"no pack.yaml in {SHOWN}"
    with pytest.raises(PackError, match="no pack.yaml in"):
        load_manifest(tmp_path / "nowhere")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlink_out_of_the_pack(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("not the pack's\n", encoding="utf-8")
    text = ONE_DOCUMENT.replace("odd.txt", "link.txt")
    pack = make_pack(tmp_path, text)
    (pack / "documents" / "link.txt").symlink_to(outside)
    (pack / "commentary" / "elsewhere").symlink_to(tmp_path, target_is_directory=True)
    with pytest.raises(ProblemsError) as caught:
        load_manifest(pack, display_dir=SHOWN)
    assert [str(p) for p in caught.value.problems] == [
        f"{SHOWN}/pack.yaml:4:11: documents[0].path: 'documents/link.txt' is outside the pack folder"
    ]
    (pack / "pack.yaml").write_text(text.replace("link.txt", "../commentary/elsewhere/secret.txt"), encoding="utf-8")
    with pytest.raises(
        ProblemsError, match="'documents/../commentary/elsewhere/secret.txt' is outside the pack folder"
    ):
        load_manifest(pack, display_dir=SHOWN)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs symlinks and FIFOs")
def test_symlink_loops_and_pipes_are_not_followed(tmp_path):
    pack = make_pack(tmp_path, ONE_DOCUMENT)
    (pack / "documents" / "odd.txt").symlink_to("odd.txt")
    with pytest.raises(ProblemsError) as caught:
        load_manifest(pack, display_dir=SHOWN)
    assert [str(p) for p in caught.value.problems] == [
        f"{SHOWN}/pack.yaml:4:11: documents[0].path: 'documents/odd.txt' is a link that leads back to itself"
    ]
    (pack / "documents" / "odd.txt").unlink()
    os.mkfifo(pack / "documents" / "odd.txt")  # reading it would wait for ever
    with pytest.raises(ProblemsError) as caught:
        load_manifest(pack, display_dir=SHOWN)
    assert [str(p) for p in caught.value.problems] == [
        f"{SHOWN}/pack.yaml:4:11: documents[0].path: 'documents/odd.txt' is not an ordinary file (a pipe or a device?)"
    ]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_pack_yaml_must_be_a_file_in_the_pack(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("password: hunter2\n", encoding="utf-8")
    pack = make_pack(tmp_path, "")
    (pack / "pack.yaml").unlink()
    (pack / "pack.yaml").symlink_to(secret)
    with pytest.raises(SandboxError) as caught:
        load_manifest(pack, display_dir=SHOWN)
    assert caught.value.format_message() == (
        f"{SHOWN}/pack.yaml: this is a link to a file outside the pack folder; put the file itself in the pack"
    )
    (pack / "pack.yaml").unlink()
    (pack / "pack.yaml").mkdir()
    with pytest.raises(PackError) as caught:
        load_manifest(pack, display_dir=SHOWN)
    assert caught.value.format_message() == f"{SHOWN}/pack.yaml: 'pack.yaml' is a folder, not a file"


def test_symlink_inside_the_pack_is_fine(tmp_path):
    text = ONE_DOCUMENT.replace("odd.txt", "link.txt")
    pack = make_pack(tmp_path, text)
    (pack / "documents" / "link.txt").symlink_to(pack / "documents" / "corin.txt")
    manifest = load_manifest(pack)
    assert manifest.documents[0].file == (pack / "documents" / "corin.txt").resolve()


def test_commentary_file_not_utf8(tmp_path):
    text = "title: T\ndocuments: []\nparts:\n  - title: P\n    commentary: commentary/latin.md\n"
    pack = make_pack(tmp_path, text)
    (pack / "commentary" / "latin.md").write_bytes("Ren\xe9e\n".encode("latin-1"))
    with pytest.raises(ProblemsError) as caught:
        load_manifest(pack, display_dir=SHOWN)
    assert [str(p) for p in caught.value.problems] == [
        f"{SHOWN}/pack.yaml:5:17: parts[0].commentary: file 'commentary/latin.md' is not UTF-8 text; save it as UTF-8"
    ]


def test_every_error_is_a_studypack_error_with_exit_code_1(tmp_path):
    with pytest.raises(StudypackError) as caught:
        load_manifest(make_pack(tmp_path, "title: [\n"), display_dir=SHOWN)
    assert caught.value.exit_code == 1


# --- good packs -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def good() -> Manifest:
    return load_manifest(DATA / "good", display_dir="packs/good")


def test_good_pack_top_level(good):
    assert good.path == "packs/good/pack.yaml"
    assert good.root == DATA / "good"
    assert (good.title, good.subtitle, good.course) == (
        "The power struggle, 1923–27",
        "Sources and questions",
        "A-level History: Russia 1917–53",
    )
    assert (good.author, good.rights) == ("History department", "© the department. For use in class.")
    assert (good.language, good.date, good.labels, good.paper) == ("en-GB", "2024-09-02", "numbers", "letter")
    assert good.keywords == ("Stalin", "Trotsky", "Declaration of 46")
    assert good.description == "Sources on the struggle between Stalin and Trotsky."


def test_good_pack_documents(good):
    corin, cliff = good.documents
    assert (corin.id, corin.path, corin.file) == (
        "corin",
        "documents/corin.txt",
        (DATA / "good/documents/corin.txt").resolve(),
    )
    assert (corin.author, corin.missing_notes) == ("Chris Corin", "mention")
    assert corin.citation == "Chris Corin, 'The power struggle after Lenin's death'"
    assert [(c.find, c.replace) for c in corin.corrections] == [("Carr you imagine", "[Can] you imagine")]
    assert corin.corrections[0].origin == Location("packs/good/pack.yaml", 23, 9)
    assert [(q.from_, q.to) for q in corin.quotations] == [("After October our Party", "wage the war.")]
    assert (cliff.title, cliff.rights, cliff.missing_notes, cliff.corrections) == (None, None, "omit", ())
    assert good.document("cliff") is cliff and good.document("nobody") is None


def test_good_pack_parts_and_items(good):
    assert [(p.id, p.title, p.editions) for p in good.parts] == [
        ("part-1", "Introduction", ()),
        ("part-2", "The Declaration of 46", ("student", "teacher")),
        ("part-3", "Stalin answers", ()),
        ("part-4", "Teacher's notes", ("teacher",)),
        ("part-5", "Worksheet", ()),
    ]
    intro = good.parts[0].items[0]
    assert isinstance(intro, CommentarySpec)
    assert intro.file == "commentary/introduction.md"
    assert intro.markdown.startswith("# Introduction\n")
    assert intro.markdown_origin == Location("packs/good/commentary/introduction.md", 1, 1)
    assert intro.key_path == ("parts", 0) and intro.origin == Location("packs/good/pack.yaml", 32, 5)
    inline, declaration, second, after = good.parts[1].items
    assert inline.file is None
    assert inline.markdown == (
        "In October 1923 forty-six leading Bolsheviks wrote to the Politburo.\nRead [[declaration]] closely.\n"
    )
    assert inline.markdown_origin == Location("packs/good/pack.yaml", 39, 11)
    assert (declaration.id, declaration.ref) == ("declaration", BlockRef("corin", "source-1"))
    assert str(declaration.ref) == "corin#source-1"
    assert second.id == "corin-source-2"
    assert after.credit == "From the article by Chris Corin"


def test_good_pack_sources(good):
    assert [s.id for s in good.sources] == [
        "declaration",
        "corin-source-2",
        "stalin-pravda",
        "cliff-passage-2",
        "cliff-the-lenin-levy",
    ]
    stalin, passage, levy = good.parts[2].items
    assert isinstance(stalin, SourceSpec) and isinstance(stalin.ref, PassageSpec)
    assert (stalin.ref.document, stalin.ref.from_, stalin.ref.to) == (
        "cliff",
        "I must dispel a possible misunderstanding",
        "the Second International ...",
    )
    assert [(o.from_, o.to) for o in stalin.ref.omit] == [("It must be admitted", "noble trait.")]
    assert (stalin.title, stalin.attribution) == (
        "Stalin attacks Trotsky",
        "Stalin, article in Pravda, 15 December 1923.",
    )
    assert stalin.intro == "Stalin wrote in Pravda on 15 December 1923, after [[declaration]]."
    assert passage.ref.omit == () and passage.title is None
    assert levy.editions == ("teacher",) and levy.ref == BlockRef("cliff", "the-lenin-levy")


def test_good_pack_worksheet(good):
    sheet = good.parts[4].items[0]
    assert isinstance(sheet, WorksheetSpec)
    assert (sheet.id, sheet.title) == ("worksheet-1", "Questions on the sources")
    assert sheet.instructions == "Answer all questions. Use [[declaration]] and your own knowledge."
    first, compare, short = sheet.questions
    assert (first.id, first.marks, first.lines, first.sources) == ("q1", 8, 16, ("declaration",))
    assert first.mark_scheme == "Credit answers that weigh [[declaration]] against [[stalin-pravda]].\n"
    assert first.indicative == ("The declaration was signed by 46 leading Bolsheviks.",)
    assert [(v.level, v.marks) for v in first.levels] == [("3", "7–8")]
    assert (compare.id, compare.lines) == ("compare", 24)
    assert (short.id, short.marks, short.lines) == ("q3", 1, 4)
    assert good.questions == sheet.questions


def test_good_pack_glossary_people_timeline(good):
    assert [(g.term, g.aliases) for g in good.glossary] == [("Politburo", ("Political Bureau",))]
    assert [(p.name, p.aliases) for p in good.people] == [("Leon Trotsky", ())]
    assert [(e.date, e.event) for e in good.timeline] == [
        ("15 October 1923", "The Declaration of 46."),
        ("1926", "The United Opposition forms."),
    ]
    # The model's own entries, with the ids and sort keys the assembler orders and links them by.
    assert [g.id for g in good.glossary] == ["politburo"] and [p.id for p in good.people] == ["leon-trotsky"]
    assert [e.sort_key for e in good.timeline] == ["1923-10-15", "1926-00-00"]


def test_where_finds_keys_and_values(good):
    assert good.where(("parts", 2, "items", 0, "source", "from")) == Location("packs/good/pack.yaml", 51, 17)
    assert good.where_key(("parts", 2, "items", 0, "source", "from")) == Location("packs/good/pack.yaml", 51, 11)
    assert good.where(("documents", 0, "corrections", 0, "find")) == Location("packs/good/pack.yaml", 23, 15)
    assert good.where(("parts", 2, "items", 0, "source", "nothing", 3)) == Location("packs/good/pack.yaml", 50, 11)
    assert good.where(()) == Location("packs/good/pack.yaml", 2, 1)


def test_minimal_pack_gets_every_default(tmp_path):
    text = (
        "title: 1984\ndocuments:\n  - {id: corin, path: documents/corin.txt}\n"
        "parts:\n  - title: P\n    source: corin#source-1\n"
        "  - title: Q\n    worksheet:\n      questions:\n"
        "        - {text: A, marks: 1}\n        - {text: B, marks: 45}\n"
    )
    manifest = load_manifest(make_pack(tmp_path, text))
    assert manifest.path == f"{tmp_path / 'x'}/pack.yaml"
    assert manifest.title == "1984"
    assert (manifest.language, manifest.date, manifest.labels, manifest.paper) == (
        "en-GB",
        "2000-01-01",
        "letters",
        "a4",
    )
    assert (manifest.subtitle, manifest.keywords, manifest.glossary, manifest.people, manifest.timeline) == (
        None,
        (),
        (),
        (),
        (),
    )
    (source,) = manifest.parts[0].items
    assert (source.id, source.title, source.editions, source.intro) == ("corin-source-1", None, (), None)
    assert [(q.id, q.lines, q.sources, q.levels) for q in manifest.questions] == [("q1", 4, (), ()), ("q2", 60, (), ())]


def test_choices_are_read_in_any_case(tmp_path):
    text = "title: T\npaper: A4\nlabels: Numbers\ndocuments: []\n"
    text += "parts:\n  - title: P\n    edition: Teacher\n    commentary: Hi.\n"
    manifest = load_manifest(make_pack(tmp_path, text))
    assert (manifest.paper, manifest.labels, manifest.parts[0].editions) == ("a4", "numbers", ("teacher",))


def test_folded_scalars_have_no_fold_marks(tmp_path):
    """ruamel marks folds in `>` scalars with BEL; none may reach the pack (a PDF would show a box)."""
    folder = tmp_path / "basic"
    shutil.copytree(Path(__file__).parent / "roots" / "basic", folder)
    yaml = folder / "pack.yaml"
    yaml.write_text(yaml.read_text().replace("subtitle: Every part of the format", "subtitle: >-\n  Every part\n  of the format"))
    assert load_manifest(folder).subtitle == "Every part of the format"
