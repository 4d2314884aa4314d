"""One writer per output format, all with the same small interface.

A writer turns an assembled `Pack` (one edition, one variant) into one file.
It writes wherever it is told: the build gives it a temporary path in the
output folder and renames the file into place only when the writer returns,
so a writer never has to think about atomic output.

Writers are found by format name and imported only when used, so an EPUB or
HTML build never imports WeasyPrint. The PDF writers (the handout here, the
booklet and the class sets in printroom/) ask layout/ for a laid-out handout;
no writer imports another.
"""

from __future__ import annotations

import importlib
import os
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import ClassVar

from markupsafe import Markup

from ..errors import StudypackError
from ..model import Pack
from ..theme import Theme

# format name -> "module:Class", imported on first use.
REGISTRY: dict[str, str] = {
    "html": "studypack.writers.html:HtmlWriter",
    "pdf": "studypack.writers.pdf:PdfWriter",
    "epub": "studypack.writers.epub:EpubWriter",
    # The print room's outputs (docs/print-room.md): asked for by --booklet and --names, not --format.
    "booklet": "studypack.printroom.booklet:BookletWriter",
    "classset": "studypack.printroom.classset:ClassSetWriter",
    "classbooklet": "studypack.printroom.classset:ClassBookletWriter",
}


@dataclass(frozen=True)
class WriteRequest:
    """What to write: the pack, its edition and variant, the options of the build.

    ``artefacts`` holds what other jobs of the build made for this one: the
    EPUB gets the PDF's page map ("page_map", layout/pagemap.py) and its cover image ("cover").
    """

    pack: Pack
    edition: str
    variant: str
    theme: Theme
    options: dict = field(default_factory=dict)
    artefacts: dict = field(default_factory=dict)


@dataclass(frozen=True)
class WriteResult:
    """What a writer made: pages (where the format has pages) and extra files written beside it."""

    pages: int | None = None
    extra_files: tuple[Path, ...] = ()
    details: dict = field(default_factory=dict)


class Writer(ABC):
    """The interface every writer has: a format name, a file extension, `write`."""

    format: ClassVar[str]
    extension: ClassVar[str]

    @abstractmethod
    def write(self, request: WriteRequest, dest: Path) -> WriteResult:
        """Write the output for ``request`` to ``dest`` (a temporary path the build renames)."""


def get_writer(fmt: str) -> Writer:
    """An instance of the writer registered for format ``fmt``."""
    module_name, class_name = REGISTRY[fmt].split(":")
    return getattr(importlib.import_module(module_name), class_name)()


def extension_of(fmt: str) -> str:
    """The file extension of a format, without importing its writer."""
    return {"html": "html", "pdf": "pdf", "epub": "epub", "booklet": "pdf", "classset": "pdf", "classbooklet": "pdf"}[fmt]


def final_name(dest: Path) -> str:
    """The name the build gives the output once written (dest is its hidden temporary file)."""
    match = re.fullmatch(r"\.(.+)\.\d+\.tmp", dest.name)
    return match.group(1) if match else dest.name


def source_date() -> datetime | None:
    """SOURCE_DATE_EPOCH as a moment (UTC), or None when it is not set: the date of every output that has one."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return None
    try:
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise StudypackError(
            f"SOURCE_DATE_EPOCH is '{epoch}', not a number of seconds since 1970",
            hint="unset it, or set it to e.g. the output of `git log -1 --format=%ct`",
        ) from None


def inline_style(css: str) -> Markup:
    """CSS made safe to sit inside a <style> element (no way to close it early)."""
    return Markup(css.replace("</", "<\\/"))
