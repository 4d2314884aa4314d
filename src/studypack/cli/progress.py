"""What the build shows while it works and when it is done.

On a terminal, a build with more than one output to render shows a live
display (rich): a bar for the whole build and a line for each output being
rendered, and a line for each output as it is finished. When standard error
is not a terminal, plain lines instead (one per finished output); with
--quiet, nothing until the summary line.

The summary, on standard output, lists each output with its pages, size and
the time it took, marks those that came from the cache, and ends with one
line counting them: ``4 outputs (3 rendered, 1 from the cache) in 5.2 s``.
"""

from __future__ import annotations

import os
import sys

import click

from ..build.jobs import BuildReport, Job, Output
from ..errors import terminal_safe


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


def _where(path) -> str:
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative


def _pages(o: Output) -> str:
    return "" if o.pages is None else f"{o.pages} page" + ("" if o.pages == 1 else "s")


def _name(job: Job) -> str:
    return job.output.name


class Display:
    """Progress (on standard error) and summary (on standard output) of a build.

    ``live`` chooses the rich display; by default it is on when standard error
    is a terminal and --quiet is not given. Call `close` if the build fails, so
    that the terminal is left tidy.
    """

    def __init__(self, quiet: bool = False, stream=None, live: bool | None = None):
        self.quiet = quiet
        self.stream = stream or sys.stderr
        if live is None:
            live = not quiet and _is_terminal(self.stream)
        self.live = live and not quiet
        self._queued = 0
        self._finished = 0
        self._live = None  # rich.live.Live, while it is shown: the build's bar over a line per job running
        self._bar = self._jobs = None
        self._overall = None
        self._tasks: dict[Job, int] = {}

    # --- while the build runs ---------------------------------------------

    def progress(self, event: str, job: Job, output: Output | None) -> None:
        """Called by the build as jobs are queued, start, are rendered and are put in place."""
        if self.quiet:
            return
        if event == "queued":
            self._queued += 1
        elif event == "start" and self.live and self._queued > 1:
            self._start(job)
        elif event == "rendered" and output is not None:
            self._finished += 1
            self._rendered(job, output)

    def _start(self, job: Job) -> None:
        if self._live is None:
            from rich.console import Console, Group
            from rich.live import Live
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._bar = Progress(
                TextColumn("[bold]building"),
                BarColumn(bar_width=30),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
            )
            self._jobs = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
            self._overall = self._bar.add_task("", total=self._queued, completed=self._finished)
            self._live = Live(
                Group(self._bar, self._jobs), console=Console(file=self.stream), transient=True, refresh_per_second=8
            )
            self._live.start()
        self._tasks[job] = self._jobs.add_task(terminal_safe(f"{job.format:<4} {_name(job)}"))

    def _rendered(self, job: Job, output: Output) -> None:
        if self._live is None:
            line = f"{_name(job):<44} {_pages(output):>10} {_size(output.size):>8} {output.seconds:6.1f} s"
            click.echo(terminal_safe(f"rendered {line}"), file=self.stream)
            return
        task = self._tasks.pop(job, None)
        if task is not None:
            self._jobs.remove_task(task)
        self._bar.update(self._overall, completed=self._finished)

    def close(self) -> None:
        """Take the live display off the terminal (the summary follows, or an error)."""
        if self._live is not None:
            self._live.stop()
            self._live = self._bar = self._jobs = None
        self._queued = self._finished = 0
        self._tasks.clear()

    # --- when it is done ------------------------------------------------------

    def summary(self, report: BuildReport) -> None:
        """The table of outputs and the closing line."""
        self.close()
        if not self.quiet and report.outputs:
            rows = [
                (_where(o.path), _pages(o), _size(o.size), "cached" if o.cached else f"{o.seconds:.1f} s")
                for o in report.outputs
            ]
            width = max(len(r[0]) for r in rows)
            for path, pages, size, how in rows:
                click.echo(terminal_safe(f"  {path:<{width}}  {pages:>10} {size:>8} {how:>8}"))
        if not self.quiet and report.printing:
            print_summary(report.printing)
        cached = len(report.outputs) - len(report.rendered)
        click.echo(
            f"{len(report.outputs)} outputs ({len(report.rendered)} rendered, {cached} from the cache) "
            f"in {report.seconds:.1f} s"
        )


def print_summary(printing) -> None:
    """The paper each PDF takes, printed double-sided: a copy, and the copies a class needs (printroom.figures)."""
    click.echo("paper, printed double-sided (booklets: flip on the short edge, then fold):")
    rows = [
        (
            _where(f.path),
            f"{f.pages} page" + ("" if f.pages == 1 else "s"),
            f"{f.sheets} sheet" + ("" if f.sheets == 1 else "s") + " a copy",
            f"x {f.copies}",
            f"{f.total_sheets} sheet" + ("" if f.total_sheets == 1 else "s"),
        )
        for f in printing
    ]
    width = max(len(r[0]) for r in rows)
    for path, pages, sheets, copies, total in rows:
        click.echo(terminal_safe(f"  {path:<{width}}  {pages:>9}  {sheets:>16}  {copies:>6}  = {total:>11}"))


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False


class WatchDisplay(Display):
    """What ``build --watch`` shows: what changed, what was rebuilt or what went wrong, then that it waits."""

    def waiting(self) -> None:
        """Say that the build is waiting for the next change."""
        click.echo("watching for changes (Ctrl-C to stop)", file=self.stream)

    def changed(self, paths) -> None:
        """Name the files that changed (the first three)."""
        shown = ", ".join(_where(p) for p in paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        click.echo(terminal_safe(f"changed: {shown}"), file=self.stream)

    def built(self, report: BuildReport) -> None:
        """The summary of a rebuild."""
        self.summary(report)
        self.waiting()

    def failed(self, error) -> None:
        """The error of a failed rebuild, as the build would have printed it."""
        self.close()
        error.show(file=self.stream)
        self.waiting()
