"""The command line: parse arguments, call the core, show the outcome.

Nothing here knows how a pack is read or rendered; every command calls one
function of the core and translates its errors (StudypackError) into one
line and an exit code. ``--debug`` shows the traceback of anything else.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from . import __version__
from .errors import StudypackError

FORMAT_CHOICES = ("html", "pdf", "epub", "all")
EDITION_CHOICES = ("student", "teacher", "all")

PackDirs = click.argument("pack_dirs", nargs=-1, type=click.Path(path_type=Path), metavar="[PACK_DIR]...")


def _expand(values: tuple[str, ...], every: tuple[str, ...]) -> tuple[str, ...]:
    chosen: list[str] = []
    for value in values or ("all",):
        for v in every if value == "all" else (value,):
            if v not in chosen:
                chosen.append(v)
    return tuple(chosen)


def _pack_dirs(pack_dirs: tuple[Path, ...]) -> list[Path]:
    from .build import find_packs

    return list(pack_dirs) if pack_dirs else find_packs(Path("packs"))


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


@main.command()
@PackDirs
@click.option("--format", "-f", "formats", multiple=True, type=click.Choice(FORMAT_CHOICES), help="Output format (repeatable). Default: all.")
@click.option("--edition", "-e", "editions", multiple=True, type=click.Choice(EDITION_CHOICES), help="Edition (repeatable). Default: all.")
@click.option("--out", "-o", "out_dir", type=click.Path(path_type=Path), default=Path("dist"), show_default=True, help="Output folder.")
@click.option("--paper", type=click.Choice(("a4", "letter")), help="Paper size for PDF (default: the pack's, else A4).")
@click.option("--jobs", "-j", type=click.IntRange(0, 64), default=0, help="Worker processes (0: one per core).")
@click.option("--force", is_flag=True, help="Rebuild everything, ignoring the build cache.")
@click.option("--emit-html", is_flag=True, help="Also write the exact HTML and CSS each PDF was rendered from.")
@click.option("--templates", "templates", multiple=True, type=click.Path(path_type=Path, file_okay=False, exists=True), help="A folder of templates that shadow the built-ins (repeatable).")
@click.option("--styles", "styles", multiple=True, type=click.Path(path_type=Path, file_okay=False, exists=True), help="A folder of stylesheets that shadow the built-ins (repeatable).")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors and the summary line.")
def build(pack_dirs, formats, editions, out_dir, paper, jobs, force, emit_html, templates, styles, quiet):
    """Build packs into PDF handouts, EPUB books and HTML pages.

    With no PACK_DIR, builds every pack under ./packs. Outputs go to
    OUT/<pack>/<pack>-<edition>.<ext>.

    \b
    Examples:
      studypack build
      studypack build packs/power-struggle --format pdf --paper letter
      studypack build --format epub --edition student --out handouts
    """
    from .build import BuildOptions
    from .build import build as run_build
    from .progress import Display

    options = BuildOptions(
        formats=_expand(formats, FORMAT_CHOICES[:-1]),
        editions=_expand(editions, EDITION_CHOICES[:-1]),
        out_dir=out_dir,
        paper=paper,
        templates=tuple(templates),
        styles=tuple(styles),
        jobs=jobs,
        force=force,
        emit_html=emit_html,
    )
    display = Display(quiet=quiet)
    report = run_build(_pack_dirs(pack_dirs), options, progress=display.progress)
    display.summary(report)


@main.command()
@PackDirs
def check(pack_dirs):
    """Validate packs and their documents without rendering.

    Prints every problem of every pack as path:line:col: message, and exits
    with 1 if there is any error.

    \b
    Examples:
      studypack check
      studypack check packs/power-struggle
    """
    from .assemble import check_packs

    dirs = _pack_dirs(pack_dirs)
    if not dirs:
        raise StudypackError("no packs to check: name a pack folder, or run in a folder that has packs/")
    checked = check_packs(dirs)
    for line in checked:
        click.echo(line)


@main.command(name="list")
@PackDirs
def list_packs(pack_dirs):
    """List the packs: title, documents, and the sources each uses.

    \b
    Example:
      studypack list
    """
    from .assemble import describe_packs

    dirs = _pack_dirs(pack_dirs)
    if not dirs:
        click.echo("no packs found under ./packs")
        return
    click.echo(describe_packs(dirs))


@main.command()
@click.argument("document", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print a stable JSON structure (see docs/documents.md).")
def inspect(document, as_json):
    """Show what the reader recognised in a document.

    Metadata, headings, SOURCE blocks and their attributions, quotations,
    notes: each with the id a pack uses to refer to it.

    \b
    Examples:
      studypack inspect packs/power-struggle/documents/corin-power-struggle.txt
      studypack inspect my-article.txt --json > my-article.json
    """
    from .inspect import document_json, document_report
    from .readers import read_document

    doc = read_document(document, _doc_id(document), display_path=str(document))
    if as_json:
        click.echo(json.dumps(document_json(doc), ensure_ascii=False, indent=2))
    else:
        click.echo(document_report(doc))


def _doc_id(path: Path) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "document"


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
        click.echo(f"studypack: internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", err=True)
        return 70
    return 0


def entry() -> None:
    """The console script."""
    sys.exit(run())
