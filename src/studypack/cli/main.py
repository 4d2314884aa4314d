"""The command line: parse arguments, call the core, show the outcome.

Nothing here knows how a pack is read or rendered; every command calls one
function of the core and translates its errors (StudypackError) into one
line and an exit code. ``--debug`` shows the traceback of anything else.
"""

from __future__ import annotations

import logging
import os
import sys

import click

from .. import __version__
from ..errors import StudypackError, terminal_safe
from .build import build
from .documents import inspect, suggest
from .packs import check, list_packs, new
from .preview import preview


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="studypack")
@click.option("--debug", is_flag=True, help="Show Python tracebacks for unexpected errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Make printable study packs and e-books from primary-source documents.

    \b
    Examples:
      studypack build                      build every pack under ./packs to ./dist
      studypack build packs/power-struggle --format pdf --edition student
      studypack check                      validate every pack without rendering
      studypack inspect documents/corin.txt
    """
    ctx.obj = {"debug": debug}
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, format="%(levelname)s: %(message)s")


for command in (build, check, list_packs, inspect, suggest, new, preview):
    main.add_command(command)


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code; unexpected errors are reported without a traceback."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        main.main(args=argv, prog_name="studypack", standalone_mode=False)
    except StudypackError as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("interrupted", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return 130
    except Exception as exc:  # a bug, not a user's mistake
        if debug:
            raise
        click.echo(terminal_safe(f"studypack: internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)"), err=True)
        return 70
    return 0


def entry() -> None:
    """The console script."""
    leave(run())


def leave(code: int) -> None:
    """End the process with ``code`` without tearing the interpreter down.

    By now every output is written and closed and the workers have ended;
    Python's own exit would then spend about 25 ms freeing every module and
    object one by one, a tenth of a small EPUB build. What exit handlers the
    process registered still run, and what it printed is flushed first. With
    another thread still running, a stream that cannot be flushed (a closed
    pipe), or a profiler or tracer watching (``python -m cProfile``, coverage:
    they write their results after the program), Python exits as usual.
    """
    import atexit
    import threading

    if threading.active_count() > 1 or sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)
    atexit._run_exitfuncs()  # what sys.exit would run: logging.shutdown, multiprocessing's clean-up...
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)
