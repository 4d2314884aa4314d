"""``studypack new``: a pack folder that builds at once, for a teacher to make their own.

The new pack is a copy of the starter pack shipped in ``studypack/starter``
(package data, found through importlib.resources): a commented pack.yaml, an
example document with a SOURCE block, an introduction and a worksheet. Only
pack.yaml is filled in: its title and date. An existing folder is never
touched; a pack that cannot be written whole is removed again.
"""

from __future__ import annotations

import datetime
import json
import re
import shutil
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template

from ..errors import OutputError, StudypackError

# A pack's name becomes its output files' names (dist/NAME/NAME-student.pdf),
# so it is kept to what every file system and e-reader accepts.
NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")


def check_name(name: str) -> str:
    """``name`` if it can name a pack; else a StudypackError suggesting one that can."""
    if NAME.fullmatch(name) and "--" not in name:
        return name
    suggestion = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:64].strip("-")
    hint = f"try '{suggestion}'" if suggestion and NAME.fullmatch(suggestion) else "e.g. 'russia-1924'"
    if "/" in name or "\\" in name:
        hint = "give the name alone and the folder with --dir, e.g. studypack new my-pack --dir packs"
    raise StudypackError(
        f"'{name}' cannot be a pack name: use lower-case letters, digits and single hyphens "
        "(it names the pack's folder and output files)",
        hint=hint,
    )


def title_of(name: str) -> str:
    """A first title for a pack, from its name: ``russia-1924`` -> ``Russia 1924``."""
    words = name.replace("-", " ")
    return words[:1].upper() + words[1:]


def new_pack(name: str, parent: Path, title: str | None = None, today: datetime.date | None = None) -> list[Path]:
    """Create the pack folder ``parent/name`` from the starter pack; return the files written.

    Refuses (StudypackError) a bad name or a folder that already exists; creates
    ``parent`` if needed.
    """
    check_name(name)
    title = (title or title_of(name)).strip()
    if not title or "\n" in title:
        raise StudypackError("the title must be one line of text")
    target = parent / name
    if target.exists() or target.is_symlink():
        raise StudypackError(
            "a folder of that name already exists; studypack new never changes an existing folder",
            where=str(target),
            hint="choose another name, or delete the folder first",
        )
    values = {"title": json.dumps(title, ensure_ascii=False), "date": (today or datetime.date.today()).isoformat()}
    try:
        parent.mkdir(parents=True, exist_ok=True)
        target.mkdir()
    except OSError as exc:
        raise OutputError(f"cannot create the pack folder: {exc.strerror}", where=str(target)) from None
    written: list[Path] = []
    try:
        _copy(files("studypack").joinpath("starter"), target, values, written)
    except OSError as exc:
        shutil.rmtree(target, ignore_errors=True)
        raise OutputError(f"cannot write the pack: {exc.strerror}", where=str(target)) from None
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return sorted(written)


def _copy(source: Traversable, dest: Path, values: dict[str, str], written: list[Path]) -> None:
    for entry in sorted(source.iterdir(), key=lambda e: e.name):
        if entry.name.startswith((".", "__")):
            continue
        if entry.is_dir():
            (dest / entry.name).mkdir()
            _copy(entry, dest / entry.name, values, written)
            continue
        text = entry.read_text(encoding="utf-8")
        if entry.name == "pack.yaml":
            text = Template(text).substitute(values)
        path = dest / entry.name
        path.write_text(text, encoding="utf-8")
        written.append(path)
