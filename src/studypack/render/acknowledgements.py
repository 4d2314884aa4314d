"""What the back matter says of the pack's sources: their labels run together, and the note markers without text.

The acknowledgements of the built-in ``apparatus.html`` template call these
(as ``source_labels`` and ``markers_without_text``).
"""

from __future__ import annotations

from typing import Iterable

from .. import model as m
from ..apparatus import runs


def source_labels(chosen: Iterable[m.Extract], every: list[m.Extract]) -> str:
    """The labels of some of the sources, runs joined: "Sources A–F and H", "Source D" ("" for none)."""
    chosen_ids = {e.id for e in chosen}
    positions = [i for i, e in enumerate(every) if e.id in chosen_ids]
    if not positions:
        return ""
    names = []
    for run in runs(positions):
        first, last = every[run[0]].label, every[run[-1]].label
        names.extend([first] if len(run) == 1 else [first, last] if len(run) == 2 else [f"{first}–{last}"])
    text = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return ("Source " if len(positions) == 1 else "Sources ") + text


def markers_without_text(pack: m.Pack, extracts: Iterable[m.Extract]) -> dict[str, int]:
    """Document id -> how many note markers in these extracts have no note text in the document."""
    documents = {d.document.id: d.document for d in pack.documents}
    out: dict[str, int] = {}
    for extract in extracts:
        doc = documents.get(extract.document_id)
        for run in extract.runs():
            for span in run:
                if isinstance(span, m.NoteRef) and doc is not None and doc.note(span.note_id) is None:
                    out[extract.document_id] = out.get(extract.document_id, 0) + 1
    return out
