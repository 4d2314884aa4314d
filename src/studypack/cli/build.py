"""``studypack build``: the build's options from the command line, its progress and summary on the terminal."""

from __future__ import annotations

from pathlib import Path

import click

from .options import EDITION_CHOICES, FORMAT_CHOICES, VARIANT_CHOICES, PackDirs, Paper, StyleDirs, TemplateDirs, expand, pack_dirs_or_all


@click.command()
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
    from .progress import Display
    from ..roster import read_roster

    if split and names is None:
        raise click.UsageError("--split needs --names: it splits a class set into one file per student")

    options = BuildOptions(
        formats=expand(formats, FORMAT_CHOICES[:-1]),
        editions=expand(editions, EDITION_CHOICES[:-1]),
        out_dir=out_dir,
        paper=paper,
        templates=tuple(templates),
        styles=tuple(styles),
        jobs=jobs,
        force=force,
        emit_html=emit_html,
        variants=expand(variants or ("standard",), VARIANT_CHOICES[:-1]),
        booklet=booklet,
        roster=read_roster(names) if names is not None else None,
        split=split,
        combine=combine,
        class_size=class_size,
    )
    if watch:
        from .progress import WatchDisplay
        from ..build.watch import watch_builds

        display = WatchDisplay(quiet=quiet)
        watch_builds(pack_dirs_or_all(pack_dirs), options, display, progress=display.progress)
        click.echo("stopped watching", err=True)
        return
    display = Display(quiet=quiet)
    try:
        report = run_build(pack_dirs_or_all(pack_dirs), options, progress=display.progress)
    finally:
        display.close()  # the live progress off the terminal before the summary, or an error
    display.summary(report)
