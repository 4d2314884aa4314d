"""The command line: parse arguments, call the core, show the outcome.

Nothing here knows how a pack is read or rendered; every command calls one
function of the core and translates its errors (StudypackError) into one
line and an exit code. ``--debug`` shows the traceback of anything else.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

import click

from .. import __version__
from ..errors import StudypackError

FORMAT_CHOICES = ("html", "pdf", "epub", "all")
EDITION_CHOICES = ("student", "teacher", "answers", "all")
VARIANT_CHOICES = ("standard", "large-print", "dyslexia", "all")

PackDirs = click.argument("pack_dirs", nargs=-1, type=click.Path(path_type=Path), metavar="[PACK_DIR]...")
TemplateDirs = click.option("--templates", "templates", multiple=True, type=click.Path(path_type=Path, file_okay=False, exists=True), help="A folder of templates that shadow the built-ins (repeatable).")
StyleDirs = click.option("--styles", "styles", multiple=True, type=click.Path(path_type=Path, file_okay=False, exists=True), help="A folder of stylesheets that shadow the built-ins (repeatable).")
Paper = click.option("--paper", type=click.Choice(("a4", "letter")), help="Paper size for PDF (default: the pack's, else A4).")


def _expand(values: tuple[str, ...], every: tuple[str, ...]) -> tuple[str, ...]:
    chosen: list[str] = []
    for value in values or ("all",):
        for v in every if value == "all" else (value,):
            if v not in chosen:
                chosen.append(v)
    return tuple(chosen)


def _pack_dirs(pack_dirs: tuple[Path, ...]) -> list[Path]:
    from ..build.jobs import find_packs

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
@Paper
@click.option("--jobs", "-j", type=click.IntRange(0, 64), default=0, help="Worker processes (0: one per core).")
@click.option("--force", is_flag=True, help="Rebuild everything, ignoring the build cache.")
@click.option("--emit-html", is_flag=True, help="Also write the exact HTML and CSS each PDF was rendered from.")
@click.option("--variant", "variants", multiple=True, type=click.Choice(VARIANT_CHOICES), help="Accessible variant (repeatable; all: every one and the standard). Default: standard.")
@click.option("--booklet", is_flag=True, help="Also make each PDF as an A5 booklet on A4 sheets (half-letter on letter), for double-sided copying.")
@click.option("--names", "names", type=click.Path(path_type=Path, dir_okay=False), help="A class list (.csv with a name column, or .txt with one name a line): a named copy of the student edition for each student (with --booklet, as booklets too).")
@click.option("--split", is_flag=True, help="With --names: also one PDF per student.")
@click.option("--combine", is_flag=True, help="Also put every PDF handout of the build into one print run, each starting on a right-hand page.")
@click.option("--class-size", type=click.IntRange(1, 1000), default=30, show_default=True, help="Copies of a student edition, for the sheets of paper in the print summary.")
@TemplateDirs
@StyleDirs
@click.option("--quiet", "-q", is_flag=True, help="Print only errors and the summary line.")
@click.option("--watch", "-w", is_flag=True, help="Keep watching: rebuild the packs whose files change, until Ctrl-C.")
def build(pack_dirs, formats, editions, out_dir, paper, jobs, force, emit_html, variants, booklet, names, split, combine, class_size, templates, styles, quiet, watch):
    """Build packs into PDF handouts, EPUB books and HTML pages.

    With no PACK_DIR, builds every pack under ./packs. Outputs go to
    OUT/<pack>/<pack>-<edition>.<ext>.

    \b
    Examples:
      studypack build
      studypack build packs/power-struggle --format pdf --paper letter
      studypack build --format epub --edition student --out handouts
      studypack build packs/power-struggle --format pdf --watch
      studypack build packs/power-struggle --format pdf --booklet --variant all
      studypack build packs/power-struggle --format pdf --names 9X.csv --split
    """
    from ..build.jobs import BuildOptions
    from ..build.orchestrate import build as run_build
    from ..build.progress import Display
    from ..roster import read_roster

    if split and names is None:
        raise click.UsageError("--split needs --names: it splits a class set into one file per student")

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
        variants=_expand(variants or ("standard",), VARIANT_CHOICES[:-1]),
        booklet=booklet,
        roster=read_roster(names) if names is not None else None,
        split=split,
        combine=combine,
        class_size=class_size,
    )
    if watch:
        from ..build.progress import WatchDisplay
        from ..build.watch import watch_builds

        display = WatchDisplay(quiet=quiet)
        watch_builds(_pack_dirs(pack_dirs), options, display, progress=display.progress)
        click.echo("stopped watching", err=True)
        return
    display = Display(quiet=quiet)
    try:
        report = run_build(_pack_dirs(pack_dirs), options, progress=display.progress)
    finally:
        display.close()  # the live progress off the terminal before the summary, or an error
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
    from ..assemble.pack import check_packs

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
    from ..assemble.pack import describe_packs

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
    from .document_report import document_json, document_report
    from ..readers import read_document

    doc = read_document(document, _doc_id(document), display_path=str(document))
    if as_json:
        click.echo(json.dumps(document_json(doc), ensure_ascii=False, indent=2))
    else:
        click.echo(document_report(doc))


@main.group()
def suggest():
    """Suggest entries for pack.yaml from a document: a starting point you edit.

    \b
    Example:
      studypack suggest timeline packs/power-struggle/documents/corin-power-struggle.txt
    """


@suggest.command(name="timeline")
@click.argument("document", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print a stable JSON structure instead of YAML.")
@click.option("--years", is_flag=True, help="Also list sentences dated by a year alone ('in 1926').")
def suggest_timeline(document, as_json, years):
    """List the dated sentences of DOCUMENT as timeline entries.

    Prints YAML to paste under timeline: in pack.yaml: each sentence with a
    written-out date ("15 October 1923", "January 1924") becomes an entry,
    with a comment naming its paragraph (the ids of studypack inspect).
    Keep the events that matter and shorten them.

    \b
    Examples:
      studypack suggest timeline documents/corin.txt >> timeline-draft.yaml
      studypack suggest timeline documents/corin.txt --json
    """
    from ..readers import read_document
    from ..assemble.suggest import dated_sentences, timeline_json, timeline_yaml

    doc = read_document(document, _doc_id(document), display_path=str(document))
    found = dated_sentences(doc, years=years)
    if as_json:
        click.echo(json.dumps(timeline_json(found, str(document)), ensure_ascii=False, indent=2))
    else:
        click.echo(timeline_yaml(found, str(document)), nl=False)


@main.command()
@click.argument("name")
@click.option("--dir", "parent", type=click.Path(path_type=Path, file_okay=False), default=Path("packs"), show_default=True, help="The folder to create the pack in.")
@click.option("--title", help="The pack's title (default: made from NAME).")
def new(name, parent, title):
    """Create a new pack, NAME, that builds at once: a starting point to make your own.

    Writes pack.yaml (every line commented), an example document, an
    introduction and a worksheet. Never changes an existing folder.

    \b
    Examples:
      studypack new russia-1924
      studypack new railways --title "The railway age" --dir units/year-9
    """
    from .scaffold import new_pack

    for path in new_pack(name, parent, title):
        click.echo(f"created {path}")
    pack = parent / name
    click.echo(f"\nNext: copy your document into {pack / 'documents'}, then edit {pack / 'pack.yaml'}.")
    click.echo(f"  studypack preview {pack}    see it in your browser as you edit")
    click.echo(f"  studypack build {pack}      make the PDF, EPUB and HTML in dist/")


@main.command()
@click.argument("pack_dir", required=False, type=click.Path(path_type=Path, file_okay=False))
@click.option("--edition", "-e", type=click.Choice(("student", "teacher")), default="student", show_default=True, help="The edition to open on (both are served).")
@click.option("--port", "-p", type=click.IntRange(0, 65535), default=0, help="The port to listen on (default: a free one).")
@Paper
@TemplateDirs
@StyleDirs
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in your web browser.")
def preview(pack_dir, edition, port, paper, templates, styles, open_browser):
    """Show a pack in your browser, and reload it each time you save a change.

    Serves the HTML edition and the print layout (the PDF's pages) on this
    computer only (127.0.0.1). With no PACK_DIR, previews the pack in the
    current folder, or the only pack under ./packs.

    \b
    Examples:
      studypack preview packs/power-struggle --open
      studypack preview --edition teacher --port 8000
    """
    from ..preview import PreviewOptions, choose_pack
    from ..preview import preview as serve

    pack = choose_pack(pack_dir)

    def ready(url: str) -> None:
        click.echo(f"previewing {pack} at {url} (Ctrl-C to stop)")
        if open_browser:
            click.launch(url)

    serve(pack, PreviewOptions(edition, port, tuple(templates), tuple(styles), paper), ready)
    click.echo("stopped", err=True)


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
