"""What several commands share: the choices, the common options and arguments, and their helpers."""

from __future__ import annotations

from pathlib import Path

import click

FORMAT_CHOICES = ("html", "pdf", "epub", "all")
EDITION_CHOICES = ("student", "teacher", "answers", "all")
VARIANT_CHOICES = ("standard", "large-print", "dyslexia", "all")

PackDirs = click.argument("pack_dirs", nargs=-1, type=click.Path(path_type=Path), metavar="[PACK_DIR]...")
TemplateDirs = click.option("--templates", "templates", multiple=True, type=click.Path(path_type=Path, file_okay=False, exists=True), help="A folder of templates that shadow the built-ins (repeatable).")
StyleDirs = click.option("--styles", "styles", multiple=True, type=click.Path(path_type=Path, file_okay=False, exists=True), help="A folder of stylesheets that shadow the built-ins (repeatable).")
Paper = click.option("--paper", type=click.Choice(("a4", "letter")), help="Paper size for PDF (default: the pack's, else A4).")


def expand(values: tuple[str, ...], every: tuple[str, ...]) -> tuple[str, ...]:
    """The values chosen on the command line, "all" (or none) standing for every one, in order, once each."""
    chosen: list[str] = []
    for value in values or ("all",):
        for v in every if value == "all" else (value,):
            if v not in chosen:
                chosen.append(v)
    return tuple(chosen)


def pack_dirs_or_all(pack_dirs: tuple[Path, ...]) -> list[Path]:
    """The pack folders named, or else every pack under ./packs."""
    from ..build.jobs import find_packs

    return list(pack_dirs) if pack_dirs else find_packs(Path("packs"))
