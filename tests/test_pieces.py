"""A long handout laid out in pieces (layout/pieces.py) is the handout laid out whole.

The sample packs are short, so the tests ask for pieces of one element
(``piece_elements``): every place the handout can be cut is cut. The pieced
PDF and WeasyPrint's layout of the whole handout are then compared as a
reader meets them: every page as an image, the text, the bookmarks, the
named destinations, where each link goes, and the PDF/UA structure tree.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import lxml.html
import pytest

from studypack.assemble.pack import load_pack
from studypack.theme import Theme
from studypack.layout import cut, pieces, process
from studypack.writers import WriteRequest, get_writer, handout_html

pikepdf = pytest.importorskip("pikepdf")
pdfium = pytest.importorskip("pypdfium2")


def write(pack_dir: Path, dest: Path, *, whole: bool = False, edition: str = "student", variant: str = "standard",
          **options):
    writer = get_writer("pdf")
    writer.pieces = not whole
    pack = load_pack(pack_dir)
    request = WriteRequest(pack, edition, variant, Theme.for_pack(pack_dir), {"emit_html": True, **options})
    return writer.write(request, dest)


def reading(path: Path) -> dict:
    """What a reader meets in a PDF, page numbers counted from 0."""
    pdf = pikepdf.open(path)
    page_of = {page.obj.objgen: n for n, page in enumerate(pdf.pages)}
    names = {str(k): page_of[v[0].objgen] for k, v in pikepdf.NameTree(pdf.Root.Names.Dests).items()}
    links = []
    for n, page in enumerate(pdf.pages):
        for annotation in page.obj.get("/Annots", ()):
            target = annotation.get("/Dest")
            # Where it goes, and the line it is on (WeasyPrint splits a contents line's link in
            # two cells whose widths may differ; the line and its two ends do not).
            links.append((n, round(float(annotation.Rect[1]), 1), names[str(target)] if target is not None
                          else str(annotation.A.URI)))

    def tree(element, depth=0) -> list:
        if isinstance(element, int):
            return [(depth, "MCID", int(element))]
        if "/S" not in element:
            return [(depth, "MCR" if "/MCID" in element else "OBJR")]
        out = [(depth, str(element.S), page_of.get(element.Pg.objgen) if "/Pg" in element else None)]
        kids = element.get("/K")
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
            out += tree(kid, depth + 1)
        return out

    with pdf.open_outline() as outline:
        def marks(items, depth=0):
            found = []
            for item in items:
                found.append((depth, item.title, page_of[item.destination[0].objgen]))
                found += marks(item.children, depth + 1)
            return found

        bookmarks = marks(outline.root)
    document = pdfium.PdfDocument(path)
    images = [document[n].render(scale=1).to_pil().tobytes() for n in range(len(document))]
    texts = [document[n].get_textpage().get_text_range() for n in range(len(document))]
    structure = tree(pdf.Root.StructTreeRoot.K[0])
    parents = pdf.Root.StructTreeRoot.ParentTree.Nums
    keys = [int(parents[i]) for i in range(0, len(parents), 2)]
    return {
        "images": images, "texts": texts, "bookmarks": bookmarks, "names": names, "links": links,
        "structure": structure, "lang": str(pdf.Root.Lang), "title": str(pdf.docinfo.Title),
        "parent keys": keys == sorted(keys) and len(set(keys)) == len(keys),
        "page keys": [int(p.obj.StructParents) for p in pdf.pages] == list(range(len(pdf.pages))),
    }


@pytest.mark.slow
@pytest.mark.parametrize(
    "sample, edition, variant, fork",
    [("power-struggle", "student", "standard", True), ("interpretations", "teacher", "dyslexia", False)],
)
def test_a_handout_in_pieces_reads_as_the_whole_handout(pack_copy, tmp_path, monkeypatch, sample, edition, variant,
                                                        fork):
    """Each piece laid out in a process of its own (as in a build), or all in this one (as in the preview)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setattr(process, "can_fork", lambda: fork)
    pack_dir = pack_copy(sample, "packs")
    whole = write(pack_dir, tmp_path / "whole.pdf", whole=True, edition=edition, variant=variant)
    pieced = write(pack_dir, tmp_path / "pieced.pdf", piece_elements=1, edition=edition, variant=variant)
    assert "pieces" not in whole.details
    assert pieced.details["pieces"] >= 4  # the title page, parts cut before their worksheets, the apparatus, the index
    assert pieced.pages == whole.pages
    a, b = reading(tmp_path / "whole.pdf"), reading(tmp_path / "pieced.pdf")
    for what in ("texts", "images", "bookmarks", "names", "links", "structure", "lang", "title"):
        assert a[what] == b[what], what
    assert b["parent keys"] and b["page keys"]
    assert pikepdf.open(tmp_path / "pieced.pdf").check_pdf_syntax() == []  # qpdf finds nothing wrong with the join
    assert f"Page {pieced.pages} of {pieced.pages}" in b["texts"][-1]
    assert pieced.details["page_map"] == whole.details["page_map"]  # the EPUB's page list (epub_pages)
    assert pieced.details["index_pages"] == whole.details["index_pages"]
    # --emit-html writes the handout's HTML, which WeasyPrint alone lays out into the same pages.
    html_of = {p.name: p.read_text(encoding="utf-8") for p in (*whole.extra_files, *pieced.extra_files)}
    assert len(set(html_of.values())) == 1


def test_the_page_numbers_are_drawn_as_artifacts_over_the_pieces(pack_copy, tmp_path):
    """The page count is known only at the end: "Page N of M" is drawn over each page from a layout of its
    own, marked as a pagination artifact, so the structure tree has no element for it; under one name, so
    that the handout is the same bytes each time it is built."""
    pack_dir = pack_copy("interpretations", "packs")
    result = write(pack_dir, tmp_path / "pieced.pdf", piece_elements=1)
    write(pack_dir, tmp_path / "again.pdf", piece_elements=1)
    assert (tmp_path / "again.pdf").read_bytes() == (tmp_path / "pieced.pdf").read_bytes()  # the same bytes each build
    pdf = pikepdf.open(tmp_path / "pieced.pdf")
    second = pdf.pages[1]
    contents = b"".join(part.read_bytes() for part in second.obj.Contents)
    assert b"/Artifact BMC" in contents and b" Do Q" in contents
    assert f"Page 2 of {result.pages}" in pdfium.PdfDocument(tmp_path / "pieced.pdf")[1].get_textpage().get_text_range()
    assert "Page 1 of" not in pdfium.PdfDocument(tmp_path / "pieced.pdf")[0].get_textpage().get_text_range()


def test_short_handouts_and_packs_with_their_own_styles_are_laid_out_whole(pack_copy, tmp_path):
    pack_dir = pack_copy("interpretations", "packs")
    assert "pieces" not in write(pack_dir, tmp_path / "a.pdf").details  # under PIECES_FROM elements
    (pack_dir / "styles").mkdir()
    builtin = Path(__file__).parent.parent / "styles" / "print.css"
    (pack_dir / "styles" / "print.css").write_text(builtin.read_text(encoding="utf-8") + "\n/* ours */\n")
    assert "pieces" not in write(pack_dir, tmp_path / "b.pdf", piece_elements=1).details


def test_footnotes_numbered_by_css_keep_the_handout_whole(pack_copy, tmp_path, monkeypatch):
    """A footnote without its own label is numbered by a CSS counter, which would start again in each piece."""
    pack_dir = pack_copy("interpretations", "packs")
    real = pieces.plan
    called = []

    def unlabelled(body, size):
        called.append(size)
        return real(body, size)

    monkeypatch.setattr(pieces, "plan", unlabelled)
    real_prepare = handout_html.prepare_handout

    def without_labels(request, page_css):
        setup = real_prepare(request, page_css)
        return dataclasses.replace(setup, html=setup.html.replace(' data-label="', ' data-was="'))

    monkeypatch.setattr(handout_html, "prepare_handout", without_labels)
    html = real_prepare(
        WriteRequest(load_pack(pack_dir), "student", "standard", Theme.for_pack(pack_dir), {}), "")
    assert ' data-label="' in html.html  # the sample has footnotes, labelled
    assert "pieces" not in write(pack_dir, tmp_path / "a.pdf", piece_elements=1).details
    assert not called  # refused before any cut was planned


def _body(*classes: str):
    blocks = "".join(f'<section class="{c}" id="b{n}"><h1 class="part-title">T{n}</h1><p>x</p></section>'
                     for n, c in enumerate(classes))
    return lxml.html.document_fromstring(f"<html><head></head><body>{blocks}</body></html>")


def test_cuts_fall_only_before_blocks_that_start_a_page():
    tree = _body("title-page", "part", "part has-worksheet", "part", "part has-worksheet", "part apparatus glossary",
                 "part apparatus people", "part apparatus index")
    tree.find("body")[-1].set("id", "index")
    assert pieces.plan(tree.find("body"), 1) == [(0, 1), (1, 2), (2, 4), (4, 5), (5, 7), (7, 8)]
    # Bigger pieces: cut only once a piece is big enough, and before the index always.
    assert pieces.plan(tree.find("body"), 10) == [(0, 1), (1, 5), (5, 7), (7, 8)]  # 3 elements a block
    with pytest.raises(pieces.Unpieceable):
        pieces.plan(_body("part", "part has-worksheet").find("body"), 1)


@pytest.mark.parametrize("first_page, side, local, reset", [(12, "left", 2, 11), (13, "right", 3, 11)])
def test_a_piece_starts_on_the_side_and_number_of_its_page_in_the_handout(first_page, side, local, reset):
    tree = _body("title-page", "part", "part has-worksheet", "part")
    html, first = cut.part_html(tree, 2, 3, first_page)
    piece = lxml.html.document_fromstring(html)
    blocks = list(piece.find("body"))
    assert first == local
    assert blocks[2].get("style").startswith(f"break-before: {side}")
    assert f"counter-reset: page {reset}" in html
    # The other blocks are kept, empty and hidden (for selectors of siblings); the title page keeps its
    # headings; the last part title before the cut is carried onto the dropped pages, without its id.
    assert blocks[1].get("style") == "display: none" and not len(blocks[1]) and blocks[1].get("id") is None
    assert blocks[3].get("style") == "display: none"
    assert [h.text for h in blocks[0].iter("h1")] == ["T0", "T1"]
    assert all(h.get("id") is None for h in blocks[0].iter("h1"))
    assert cut.part_html(tree, 0, 1, 1)[1] == 1


@pytest.mark.slow
def test_a_piece_that_fills_other_pages_with_the_real_numbers_makes_the_handout_whole(pack_copy, tmp_path,
                                                                                       monkeypatch):
    """The contents are laid out first with numbers of the right length, then again with the real ones;
    should they then fill another number of pages, the pieces would not fit together: one layout instead."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setattr(process, "can_fork", lambda: False)  # the layouts in this process, to be counted here
    pack_dir = pack_copy("power-struggle", "packs")
    real = pieces._Layout._lay_out_piece
    title_layouts = []

    def longer_contents(self, blocks, first_page, write):
        piece, anchors, types = real(self, blocks, first_page, write)
        if blocks[0] == 0:
            title_layouts.append(write)
            if write:
                piece.pages += 1
        return piece, anchors, types

    monkeypatch.setattr(pieces._Layout, "_lay_out_piece", longer_contents)
    result = write(pack_dir, tmp_path / "a.pdf", piece_elements=1)
    assert title_layouts == [False, True]  # counted, then laid out with the real page numbers
    assert "pieces" not in result.details
    whole = write(pack_dir, tmp_path / "b.pdf", whole=True)
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
    assert result.pages == whole.pages


class _Refused(pieces.Unpieceable):
    def __init__(self, what: str, where: int) -> None:
        super().__init__(what)
        self.where = where


def test_a_layout_in_a_process_of_its_own_sends_back_its_result_its_error_and_its_log(caplog, monkeypatch):
    import logging
    import os

    monkeypatch.setattr(process, "can_fork", lambda: True)  # as in a build's worker, whatever threads the test runner has
    def work():
        logging.getLogger("studypack.layout.engine").warning("pack: PDF layout: an unknown property")
        return {"pages": 3, "pid": os.getpid()}

    with caplog.at_level(logging.WARNING, logger="studypack"):
        got = process.in_own_process(work)
    assert got["pages"] == 3 and got["pid"] != os.getpid()
    assert "an unknown property" in caplog.text

    def fails():
        raise _Refused("a margin box prints the page count beside a string", 7)

    with pytest.raises(_Refused) as raised:
        process.in_own_process(fails)
    assert raised.value.where == 7 and "beside a string" in str(raised.value)

    from studypack.workers import WorkerDied

    with pytest.raises(WorkerDied):
        process.in_own_process(lambda: os._exit(3))  # killed, out of memory: no answer


def test_no_fork_where_other_threads_run():
    import threading

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not process.can_fork()
    finally:
        stop.set()
        other.join()


def test_a_short_handout_does_not_import_the_joiner(pack_copy, tmp_path):
    """pikepdf (which joins the pieces) costs a short handout's build 25 ms to import: only long ones do."""
    import subprocess
    import sys

    pack_dir = pack_copy("power-struggle", "packs")
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from studypack.assemble.pack import load_pack\n"
        "from studypack.theme import Theme\n"
        "from studypack.writers import WriteRequest, get_writer\n"
        f"pack = load_pack(Path({str(pack_dir)!r}))\n"
        "request = WriteRequest(pack, 'student', 'standard', Theme.for_pack(pack.root), {})\n"
        f"get_writer('pdf').write(request, Path({str(tmp_path / 'a.pdf')!r}))\n"
        "print('pikepdf' in sys.modules, 'studypack.layout.pieces' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True"]  # asked whether to lay it out in pieces; not pieced
