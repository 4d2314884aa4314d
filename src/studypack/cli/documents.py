"""``studypack inspect`` and ``suggest timeline``: what a reader makes of one document."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command()
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


@click.group()
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


def _doc_id(path: Path) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "document"
