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
import stat
from functools import lru_cache
from pathlib import Path

from ..outputs import write_atomic

CACHE_NAME = ".studypack-cache.json"
ARTEFACTS_NAME = ".studypack-artefacts"
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


def entry_digest(path: Path, inside: Path | None) -> str:
    """What a file contributes to a key: the sha256 of its bytes if it is a regular file (and,
    links followed, inside the folder ``inside`` where one is given); else only what it is, so
    that a pack's link out of it, a link loop, a FIFO or a device is never read (a FIFO would
    keep the build waiting for ever)."""
    try:
        real = path.resolve(strict=True)
        mode = real.stat().st_mode
    except (OSError, RuntimeError) as exc:
        return f"unreadable:{type(exc).__name__}"
    if not stat.S_ISREG(mode):
        return f"not a file:{stat.S_IFMT(mode)}"
    if inside is not None and not real.is_relative_to(inside.resolve()):
        return f"outside:{os.readlink(path) if path.is_symlink() else real}"
    try:
        return file_digest(real)
    except OSError as exc:
        return f"unreadable:{exc.errno}"


def inputs_digest(pack_dir: Path, theme) -> str:
    """A hash of every file a pack's outputs are made from: the pack folder's and its theme's."""
    h = hashlib.sha256()
    for label, root in [("pack", pack_dir), *(("theme", d) for d in theme.dirs())]:
        inside = pack_dir if root.is_relative_to(pack_dir) else None  # the pack's own: confined
        for path in tree_files(root):
            h.update(f"{label}:{path.relative_to(root)}:{entry_digest(path, inside)}\n".encode())
    return h.hexdigest()


def job_key(job, theme, options, version: str, extra: dict | None = None, inputs: str | None = None) -> str:
    """The cache key of a job: changes whenever anything its output depends on changes (``extra`` too).

    ``inputs`` is the pack's `inputs_digest`, where the caller has it (a build
    computes it once per pack, not once per output).
    """
    h = hashlib.sha256()
    parts = {
        "version": version,
        "job": [job.format, job.edition, job.variant],
        "options": options.writer_options(),
        "epoch": os.environ.get("SOURCE_DATE_EPOCH"),
        "extra": extra,
        "inputs": inputs or inputs_digest(job.pack_dir, theme),
    }
    h.update(json.dumps(parts, sort_keys=True, default=str).encode())
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

    def seconds(self, output: Path) -> float | None:
        """How long the output took to render last time (the build starts the longest jobs first)."""
        entry = self.entries.get(self._name(output))
        seconds = entry.get("seconds") if isinstance(entry, dict) else None
        return seconds if isinstance(seconds, (int, float)) else None

    def index_pages(self, output: Path) -> dict[str, int] | None:
        """The pages a handout's index listed when ``output`` was last written (a hint: see writers/pdf.py)."""
        entry = self.entries.get(self._name(output))
        pages = entry.get("index_pages") if isinstance(entry, dict) else None
        if not isinstance(pages, dict) or not all(isinstance(v, int) for v in pages.values()):
            return None
        return pages

    def record(
        self, output: Path, key: str, pages: int | None, seconds: float | None = None, index_pages: dict | None = None
    ) -> None:
        """Remember that ``output`` was just written from ``key`` (in ``seconds``), and the pages its index listed."""
        st = output.stat()
        self.entries[self._name(output)] = {
            "key": key,
            "pages": pages,
            "size": st.st_size,
            "mtime_ns": st.st_mtime_ns,
            "seconds": None if seconds is None else round(seconds, 3),
        }
        if index_pages:
            self.entries[self._name(output)]["index_pages"] = index_pages

    def save(self) -> None:
        """Write the cache back (atomically), and drop the artefacts no recorded output refers to."""
        data = {"version": CACHE_VERSION, "outputs": dict(sorted(self.entries.items()))}
        write_atomic(self.path, json.dumps(data, indent=1).encode())
        folder = self.path.parent / ARTEFACTS_NAME
        if folder.is_dir():
            wanted = {e.get("layout") for e in self.entries.values() if isinstance(e, dict)}
            for path in folder.iterdir():
                if path.name.split(".")[0] not in wanted:
                    path.unlink(missing_ok=True)

    # --- artefacts: what a job made for later jobs (the PDF's page map, the EPUB's cover) ---

    def artefact_path(self, key: str, name: str) -> Path | None:
        """Where the artefact ``name`` kept under ``key`` (a layout key, see artefacts.py) lies, or None."""
        path = self.path.parent / ARTEFACTS_NAME / f"{key}.{name}"
        return path if path.is_file() else None

    def has_artefact(self, key: str, name: str) -> bool:
        """Whether the artefact ``name`` is kept under ``key``."""
        return (self.path.parent / ARTEFACTS_NAME / f"{key}.{name}").is_file()

    def keep_artefact(self, output: Path, key: str, name: str, data: bytes) -> None:
        """Keep an artefact under ``key`` for as long as ``output``'s record refers to it."""
        folder = self.path.parent / ARTEFACTS_NAME
        folder.mkdir(exist_ok=True)
        write_atomic(folder / f"{key}.{name}", data)
        self.refer(output, key)

    def refer(self, output: Path, key: str) -> None:
        """Note that ``output`` was made with (or for) the artefacts kept under ``key``."""
        entry = self.entries.get(self._name(output))
        if isinstance(entry, dict):
            entry["layout"] = key
