"""What a rendering may read: files inside the pack and studypack's own resources, nothing else.

A pack is untrusted input: its Markdown, templates and stylesheets may name
any URL. `ResourcePolicy` is the one rule every writer applies to such a
reference: a ``file:`` URL is read only if it lies (symlinks resolved) inside
one of the allowed folders, a ``data:`` URI is always fine, and anything else
(http, ftp, a file elsewhere) is a `SandboxError` naming the reference.

The PDF's layouts apply it through a WeasyPrint URL fetcher
(layout/engine.py); the EPUB and HTML writers apply it themselves.
"""

from __future__ import annotations

import mimetypes
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from .errors import PackError, SandboxError
from .model import Location


@dataclass(frozen=True)
class ResourcePolicy:
    """The folders a rendering may read from; ``pack_root`` is the one messages name paths against."""

    roots: tuple[Path, ...]
    pack_root: Path | None = None

    @classmethod
    def for_pack(cls, pack_root: Path | str, *extra: Path) -> "ResourcePolicy":
        """The policy of a pack: its folder, plus built-in folders (styles, fonts)."""
        root = Path(pack_root).resolve()
        return cls((root, *(Path(p).resolve() for p in extra)), root)

    def shown(self, path: Path) -> str:
        """A path as the teacher knows it: relative to the pack folder where it is inside."""
        if self.pack_root is not None and path.is_relative_to(self.pack_root):
            return str(path.relative_to(self.pack_root))
        return str(path)

    def resolve(self, url: str) -> Path | None:
        """The file a URL may be read from; None for a data: URI; SandboxError for anything else."""
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return None
        if scheme != "file":
            raise SandboxError(
                f"the pack refers to '{_short(url)}', which is not a file in the pack; "
                "studypack reads nothing from the network",
                hint="copy the file into the pack folder and refer to it by a relative path",
                reference=url,
            )
        path = Path(url2pathname(urlsplit(url).path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots):
            raise SandboxError(
                f"the pack refers to '{path}', which is outside the pack folder",
                hint="copy the file into the pack folder and refer to it by a relative path",
                reference=url,
            )
        return path

    def read(self, url: str) -> tuple[bytes, str]:
        """The bytes behind an allowed file: URL and their media type."""
        path = self.resolve(url)
        if path is None:
            raise ValueError("data: URIs are decoded by the caller")
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        kind = "stylesheet" if media_type == "text/css" else media_type.partition("/")[0] if media_type.startswith(("image/", "font/")) else "file"
        return read_pack_file(path, kind), media_type


# The most a file of each kind may hold (documents: the readers' own caps): enough for any real pack,
# little enough that a build cannot be made to read for minutes.
SIZE_CAPS = {"template": 1 << 20, "stylesheet": 2 << 20, "commentary": 2 << 20, "image": 32 << 20, "font": 32 << 20, "file": 32 << 20}


def read_pack_file(path: Path, kind: str, *, shown: str | None = None) -> bytes:
    """The bytes of a file a build reads: an ordinary file (no pipe, device or socket, which could
    hang the build), at most ``SIZE_CAPS[kind]``; a PackError naming it otherwise.

    Whether it lies inside the pack is the caller's rule (`ResourcePolicy`, `Theme.confine`): checked
    before, on the same path; the file is opened once, without blocking, and judged by what was opened.
    """
    shown = shown or str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as exc:
        raise PackError(f"this {kind} cannot be read: {exc.strerror}", where=shown) from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise PackError(f"this {kind} is not an ordinary file (a pipe, a device or a socket); studypack reads only ordinary files", where=shown)
        cap = SIZE_CAPS[kind]
        data = fh.read(cap + 1) if info.st_size <= cap else b""
    if info.st_size > cap or len(data) > cap:
        raise PackError(f"this {kind} is larger than {cap >> 20} MB, the most a {kind} may be", where=shown,
                        hint="make it smaller, or split it")
    return data


def _short(url: str) -> str:
    return url if len(url) <= 120 else url[:117] + "..."


# The pack's own files that can write a reference, and the most of each that is searched.
_WRITERS = ("pack.yaml", "commentary", "templates", "styles")
_SEARCHED = 1024 * 1024


def written_at(pack_dir: Path, reference: str) -> Location | None:
    """Where a reference is written in the pack's own text (pack.yaml, commentary, templates, styles).

    ``reference`` is the URL as the pack wrote it, or as WeasyPrint resolved it
    against the pack folder: a resolved ``file:`` URL is also looked for as the
    path relative to the pack folder that leads to it, a web address also by
    the addresses of its folders (a ``<base href>`` it was resolved against).
    None if it is nowhere.
    """
    needles = [reference]
    parts = urlsplit(reference)
    if parts.scheme.lower() == "file":
        path = url2pathname(parts.path)
        needles += [path, os.path.relpath(path, Path(pack_dir).resolve())]
    elif parts.netloc:
        folders = parts.path.split("/")[:-1]
        needles += [f"{parts.scheme}://{parts.netloc}{'/'.join(folders[:n])}/" for n in range(len(folders), 0, -1)]
    root = Path(pack_dir).resolve()
    for relative in _WRITERS:
        top = Path(pack_dir) / relative
        try:
            if not top.resolve().is_relative_to(root):
                continue  # a link out of the pack (perhaps to /): not searched, and refused where it is used
        except (OSError, RuntimeError):  # a link loop
            continue
        files = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file()) if top.is_dir() else []
        for file in files:
            if not file.resolve().is_relative_to(root):
                continue
            try:
                with open(file, "rb") as fh:
                    text = fh.read(_SEARCHED).decode("utf-8", "replace")
            except OSError:
                continue
            for needle in needles:
                found = text.find(needle)
                if found >= 0:
                    line = text.count("\n", 0, found) + 1
                    return Location(str(file), line, found - text.rfind("\n", 0, found))
    return None


# element -> the attributes whose URL a browser or e-reader loads by itself
# (links in <a> are followed only when clicked, so they are not resources).
RESOURCE_ATTRIBUTES = {
    "img": ("src",),
    "link": ("href",),
    "script": ("src",),
    "audio": ("src",),
    "video": ("src", "poster"),
    "source": ("src",),
    "track": ("src",),
    "object": ("data",),
    "embed": ("src",),
    "iframe": ("src",),
    "frame": ("src",),
    "input": ("src",),
    "image": ("href", "{http://www.w3.org/1999/xlink}href"),
    "use": ("href", "{http://www.w3.org/1999/xlink}href"),
    "base": ("href",),  # a <base> would send the e-reader's relative references elsewhere
}
