"""The build cache: nothing changed, nothing rendered.

Each output is recorded with a key: a hash of everything it depends on (the
pack folder's files, the theme's templates and styles, the job, the build
options, SOURCE_DATE_EPOCH and the studypack version). A later build whose key
is the same, and whose output file is still the one it wrote, skips the job.
The record lives in the output folder, beside the outputs it describes.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

from .outputs import write_atomic

CACHE_NAME = ".studypack-cache.json"
CACHE_VERSION = 1


@lru_cache(maxsize=4096)
def _file_digest(path: str, size: int, mtime_ns: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_digest(path: Path) -> str:
    """The sha256 of a file's bytes (remembered while its size and mtime stay the same)."""
    st = path.stat()
    return _file_digest(str(path), st.st_size, st.st_mtime_ns)


def tree_files(root: Path) -> list[Path]:
    """The files of a folder that a build may depend on (hidden files and folders left out)."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        out.extend(Path(dirpath) / f for f in sorted(filenames) if not f.startswith("."))
    return out


def job_key(job, theme, options, version: str) -> str:
    """The cache key of a job: changes whenever anything its output depends on changes."""
    h = hashlib.sha256()
    parts = {
        "version": version,
        "job": [job.format, job.edition, job.variant],
        "options": options.writer_options(),
        "epoch": os.environ.get("SOURCE_DATE_EPOCH"),
    }
    h.update(json.dumps(parts, sort_keys=True, default=str).encode())
    for label, root in [("pack", job.pack_dir), *(("theme", d) for d in theme.dirs())]:
        for path in tree_files(root):
            h.update(f"{label}:{path.relative_to(root)}:{file_digest(path)}\n".encode())
    return h.hexdigest()


class BuildCache:
    """What earlier builds wrote to an output folder, and from what."""

    def __init__(self, path: Path, entries: dict):
        self.path = path
        self.entries = entries

    @classmethod
    def load(cls, out_dir: Path) -> "BuildCache":
        """The cache of an output folder; an unreadable cache is simply empty."""
        path = out_dir / CACHE_NAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            entries = data["outputs"] if data.get("version") == CACHE_VERSION else {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            entries = {}
        return cls(path, entries if isinstance(entries, dict) else {})

    def _name(self, output: Path) -> str:
        return str(output.relative_to(self.path.parent))

    def fresh(self, output: Path, key: str) -> bool:
        """Whether ``output`` exists, is the file the cache recorded, and was made from ``key``."""
        entry = self.entries.get(self._name(output))
        if not isinstance(entry, dict) or entry.get("key") != key:
            return False
        try:
            st = output.stat()
        except OSError:
            return False
        return entry.get("size") == st.st_size and entry.get("mtime_ns") == st.st_mtime_ns

    def pages(self, output: Path) -> int | None:
        """The page count recorded for an output."""
        return self.entries.get(self._name(output), {}).get("pages")

    def record(self, output: Path, key: str, pages: int | None) -> None:
        """Remember that ``output`` was just written from ``key``."""
        st = output.stat()
        self.entries[self._name(output)] = {
            "key": key,
            "pages": pages,
            "size": st.st_size,
            "mtime_ns": st.st_mtime_ns,
        }

    def save(self) -> None:
        """Write the cache back (atomically)."""
        data = {"version": CACHE_VERSION, "outputs": dict(sorted(self.entries.items()))}
        write_atomic(self.path, json.dumps(data, indent=1).encode())
