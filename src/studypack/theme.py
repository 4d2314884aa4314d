"""Where a pack's templates and stylesheets come from: a `Theme`.

Apart from render/ (Jinja2, markdown-it) so that a build can work out what
it must render, and start its workers, before it imports either.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .errors import SandboxError
from .resources import builtin_dir


@dataclass(frozen=True)
class Theme:
    """Where templates and styles come from: user folders first, built-ins last.

    ``pack_root`` is the pack whose own folders are among them; their files must
    lie inside it (see `confine`).
    """

    template_dirs: tuple[Path, ...] = ()
    style_dirs: tuple[Path, ...] = ()
    pack_root: Path | None = None

    @classmethod
    def for_pack(cls, pack_root: Path, templates: Iterable[Path] = (), styles: Iterable[Path] = ()) -> "Theme":
        """The theme of a pack: command-line folders, then the pack's own, then built-ins.

        The pack's own folders must lie inside it (a link to ``/`` would have the
        build read the whole disk): a SandboxError names one that does not.
        """
        pack_root = Path(pack_root)
        tdirs = [Path(p) for p in templates]
        sdirs = [Path(p) for p in styles]
        confined = cls(pack_root=pack_root)
        if (pack_root / "templates").is_dir():
            tdirs.append(confined.confine(pack_root / "templates", "folder"))
        if (pack_root / "styles").is_dir():
            sdirs.append(confined.confine(pack_root / "styles", "folder"))
        return cls(tuple(tdirs), tuple(sdirs), pack_root)

    def dirs(self) -> tuple[Path, ...]:
        """Every folder the theme takes files from, built-ins included (for the build cache)."""
        return (*self.template_dirs, *self.style_dirs, builtin_dir("templates"), builtin_dir("styles"))

    def has_stylesheet(self, name: str) -> bool:
        """Whether a user folder or the built-ins have stylesheet ``name``."""
        return any((folder / name).is_file() for folder in (*self.style_dirs, builtin_dir("styles")))

    def stylesheet(self, name: str) -> Path:
        """The file that provides stylesheet ``name``: the first user folder that has it, else the built-in."""
        for folder in self.style_dirs:
            candidate = folder / name
            if candidate.is_file():
                return self.confine(candidate, "stylesheet")
        return builtin_dir("styles") / name

    def confine(self, path: Path, what: str) -> Path:
        """``path`` if it is the pack's own and lies, links followed, inside the pack; else a SandboxError.

        Files of the folders given on the command line are the user's own: not confined.
        """
        if self.pack_root is None or not path.is_relative_to(self.pack_root):
            return path
        try:
            inside = path.resolve().is_relative_to(self.pack_root.resolve())
        except (OSError, RuntimeError):
            raise SandboxError(f"this {what} cannot be read: it is a link that leads round in a loop", where=str(path)) from None
        if inside:
            return path
        how = f"a link to '{os.readlink(path)}'" if path.is_symlink() else "reached through a linked folder"
        raise SandboxError(
            f"this {what} is {how}, outside the pack folder; studypack reads only files inside the pack",
            where=str(path),
            hint=f"put the {what} itself in the pack instead of a link to it",
        )
