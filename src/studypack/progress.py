"""What the build shows while it works and when it is done.

Plain lines (one per finished output) when the output is not a terminal or
with --quiet; a summary table at the end either way: each output with its
pages, size and time, and what came from the cache.
"""

from __future__ import annotations

import os
import sys

import click

from .build import BuildReport, Job, Output


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


def _where(path) -> str:
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative


class Display:
    """Progress and summary of a build, on standard error and standard output."""

    def __init__(self, quiet: bool = False, stream=None):
        self.quiet = quiet
        self.stream = stream or sys.stderr

    def progress(self, event: str, job: Job, output: Output | None) -> None:
        """Called by the build as jobs start and finish."""
        if self.quiet or event != "done" or output is None:
            return
        click.echo(f"built {_where(output.path)}", file=self.stream)

    def summary(self, report: BuildReport) -> None:
        """The table of outputs and the closing line."""
        if not self.quiet:
            for o in report.outputs:
                pages = f"{o.pages} pages" if o.pages is not None else ""
                how = "cached" if o.cached else f"{o.seconds:.1f} s"
                click.echo(f"  {_where(o.path):<56} {pages:>10} {_size(o.size):>8} {how:>8}")
        cached = len(report.outputs) - len(report.rendered)
        click.echo(
            f"{len(report.outputs)} outputs ({len(report.rendered)} rendered, {cached} from the cache) "
            f"in {report.seconds:.1f} s"
        )
