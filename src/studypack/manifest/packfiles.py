"""The files a pack names: kept inside the pack folder, named in messages as the user named them."""

from __future__ import annotations

import posixpath
from pathlib import Path

from .wording import clean, quote


def display_path(folder: str, relative: str) -> str:
    """How messages name a file: the path as written, normalised, in the folder as the user named it."""
    relative = posixpath.normpath(clean(relative).replace("\\", "/"))
    return relative if folder in ("", ".") else posixpath.join(folder, relative)


class UnusablePath(Exception):
    """A path in a pack that cannot be read: ``outside`` when it leads out of the pack folder."""

    def __init__(self, message: str, outside: bool = False):
        super().__init__(message)
        self.message, self.outside = message, outside


def file_inside(root: Path, relative: str) -> Path:
    """The file a relative path names inside `root`, after symlinks and '..'; UnusablePath says why not."""
    try:
        target = (root / relative).resolve()
        inside = target.is_relative_to(root.resolve())
        exists, folder, ordinary = target.exists(), target.is_dir(), target.is_file()
    except RuntimeError:  # Python before 3.13 on a symlink loop
        raise UnusablePath(f"{quote(relative)} is a link that leads back to itself") from None
    except (OSError, ValueError):  # NUL bytes, names too long, loops on later Pythons
        raise UnusablePath(f"{quote(relative)} cannot be read as a file name") from None
    if not inside:
        raise UnusablePath(f"{quote(relative)} is outside the pack folder", outside=True)
    if not exists:
        raise UnusablePath(f"file {quote(relative)} does not exist")
    if folder:
        raise UnusablePath(f"{quote(relative)} is a folder, not a file")
    if not ordinary:
        raise UnusablePath(f"{quote(relative)} is not an ordinary file (a pipe or a device?)")
    return target
