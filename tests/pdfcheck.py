"""qpdf's checker over every PDF the test session makes (conftest runs it after each test).

A PDF that a viewer reads by bisection (name trees) or by cross-reference
must be right to the byte, which looking at pages does not show: qpdf's own
check (pikepdf ``check_pdf_syntax``, the library behind ``qpdf --check``)
must find nothing in any handout, booklet, class set or pieced handout.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf


def qpdf_problems(path: Path) -> list[str]:
    """What qpdf's checker reports for one PDF file (errors and warnings), empty when it is clean."""
    try:
        with pikepdf.open(path) as pdf:
            return [str(problem) for problem in pdf.check_pdf_syntax()]
    except pikepdf.PdfError as err:
        return [f"cannot be opened: {err}"]


class PdfAudit:
    """Checks each PDF below a folder once (a file written again is checked again)."""

    def __init__(self) -> None:
        self.seen: set[tuple[str, int, int]] = set()
        self.checked = 0

    def new_problems(self, folder: Path) -> list[str]:
        """Problems in the PDFs below ``folder`` written since the last call, as 'file: problem' lines."""
        found = []
        for path in sorted(folder.rglob("*.pdf")):
            try:
                info = path.stat()
            except FileNotFoundError:  # removed by another test meanwhile
                continue
            key = (str(path), info.st_mtime_ns, info.st_size)
            if key in self.seen:
                continue
            self.seen.add(key)
            self.checked += 1
            found += [f"{path}: {problem}" for problem in qpdf_problems(path)]
        return found
