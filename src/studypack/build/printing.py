"""The print summary of a build (pages and sheets of paper) and its print run (--combine)."""

from __future__ import annotations

from pathlib import Path

from ..errors import OutputError
from .jobs import CLASS_SETS, BuildOptions, BuildReport, Output

PRINT_RUN = "print-run.pdf"


def print_figures(outputs: list[Output], options: BuildOptions) -> list:
    """The pages and sheets of paper of each PDF, booklet and class set (paper.PrintFigures)."""
    from .. import paper

    kinds = {"pdf": "handout", "booklet": "booklet", "classset": "class set", "classbooklet": "booklet class set"}
    return [
        paper.figures(
            o.path,
            kinds[o.job.format],
            o.job.edition,
            o.pages,
            options.class_size,
            len(options.roster) if o.job.format in CLASS_SETS else None,
            o.job.variant,
        )
        for o in outputs
        if o.job.format in kinds and o.pages
    ]


def combine(report: BuildReport, options: BuildOptions) -> Path:
    """Write every PDF handout of the build as one print run, each handout starting on a right-hand page."""
    from .. import printroom
    from ..outputs import write_atomic

    handouts = [o.path for o in report.outputs if o.job.format == "pdf"]
    path = options.out_dir / PRINT_RUN
    try:
        pdf = printroom.print_run([p.read_bytes() for p in handouts], "Print run")
    except OSError as exc:
        raise OutputError(f"cannot read a handout for the print run: {exc.strerror}", where=str(exc.filename)) from None
    write_atomic(path, pdf)
    pages = len(printroom.read_pdf(pdf).pages)
    report.printing.append(printroom.PrintFigures(path, "print run", "", pages, printroom.sheets_double_sided(pages), 1))
    return path
