"""``studypack check``, ``list`` and ``new``: validate packs, describe them, start one from the starter pack."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import StudypackError, terminal_safe

from .options import PackDirs, pack_dirs_or_all


@click.command()
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

    dirs = pack_dirs_or_all(pack_dirs)
    if not dirs:
        raise StudypackError("no packs to check: name a pack folder, or run in a folder that has packs/")
    checked = check_packs(dirs)
    for line in checked:
        click.echo(terminal_safe(str(line)))


@click.command(name="list")
@PackDirs
def list_packs(pack_dirs):
    """List the packs: title, documents, and the sources each uses.

    \b
    Example:
      studypack list
    """
    from ..assemble.pack import describe_packs

    dirs = pack_dirs_or_all(pack_dirs)
    if not dirs:
        click.echo("no packs found under ./packs")
        return
    click.echo(terminal_safe(describe_packs(dirs)))


@click.command()
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
