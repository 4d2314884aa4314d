"""``studypack preview``: serve a pack on this computer and rebuild it as its files change."""

from __future__ import annotations

from pathlib import Path

import click

from .options import Paper, StyleDirs, TemplateDirs


@click.command()
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
