"""The qpdf audit that conftest runs over every PDF the suite makes: it finds what it is there to find."""

from __future__ import annotations

import pikepdf
import pytest

from pdfcheck import PdfAudit, qpdf_problems


def _pdf_with_destinations(path, names: list[str]) -> None:
    """A one-page PDF whose /Dests name tree holds ``names`` in the order given."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    page = pdf.pages[0].obj
    flat = pikepdf.Array()
    for name in names:
        flat.append(pikepdf.String(name))
        flat.append(pikepdf.Array([page, pikepdf.Name.Fit]))
    pdf.Root.Names = pikepdf.Dictionary(Dests=pdf.make_indirect(pikepdf.Dictionary(Names=flat)))
    pdf.save(path)


def test_a_clean_pdf_has_no_problems(tmp_path):
    _pdf_with_destinations(tmp_path / "clean.pdf", ["term-troika", "term-vozhd"])
    assert qpdf_problems(tmp_path / "clean.pdf") == []


@pytest.mark.broken_pdfs
@pytest.mark.parametrize("names", [["term-vozhd", "term-troika"], ["term-вождь", "term-zinoviev"]])
def test_a_name_tree_out_of_order_is_found(tmp_path, names):
    """The fault of the joined handouts: keys out of order, which a viewer's bisection would miss (with
    a non-ASCII key, qpdf orders by the text's characters, as WeasyPrint writes the tree)."""
    _pdf_with_destinations(tmp_path / "unsorted.pdf", names)
    assert any("not sorted" in problem for problem in qpdf_problems(tmp_path / "unsorted.pdf"))


@pytest.mark.broken_pdfs
def test_the_audit_reports_each_new_file_once(tmp_path):
    audit = PdfAudit()
    (tmp_path / "half.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<<")
    _pdf_with_destinations(tmp_path / "clean.pdf", ["a"])
    first = audit.new_problems(tmp_path)
    assert len(first) >= 1 and all(line.startswith(str(tmp_path / "half.pdf")) for line in first)
    assert audit.new_problems(tmp_path) == []  # nothing written since
    _pdf_with_destinations(tmp_path / "clean.pdf", ["b", "a"])  # written again, broken this time
    assert any("clean.pdf" in line and "not sorted" in line for line in audit.new_problems(tmp_path))
