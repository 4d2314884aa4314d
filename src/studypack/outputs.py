"""Writing outputs safely: atomic replacement and one build per output folder.

An output is written to a hidden temporary file in the folder it belongs in,
then renamed over the old one (a rename within one folder is atomic), so a
reader of dist/ sees either the old file or the new one, never half of one.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .errors import OutputError

LOCK_NAME = ".studypack.lock"


def temporary_name(path: Path) -> Path:
    """The temporary file an output is written to before it is renamed into place."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


@contextmanager
def atomic_target(path: Path) -> Iterator[Path]:
    """Yield a temporary path; on success rename it to ``path``, on any failure delete it."""
    tmp = temporary_name(path)
    try:
        yield tmp
        try:
            os.replace(tmp, path)
        except OSError as exc:
            raise OutputError(f"cannot write the output: {exc.strerror}", where=str(path)) from None
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    try:
        with atomic_target(path) as tmp:
            tmp.write_bytes(data)
    except OSError as exc:
        raise OutputError(f"cannot write the output: {exc.strerror}", where=str(path)) from None


class OutputLock:
    """An exclusive lock on an output folder for the length of a build."""

    def __init__(self, out_dir: Path):
        self.path = out_dir / LOCK_NAME
        self._fd: int | None = None

    def __enter__(self) -> "OutputLock":
        try:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise OutputError(f"cannot create the lock file: {exc.strerror}", where=str(self.path)) from None
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._fd)
            self._fd = None
            raise OutputError(
                "another studypack build is writing to this folder; wait for it to finish, "
                "or build into another folder with --out",
                where=str(self.path.parent),
            ) from None
        return self

    def __exit__(self, *exc_info) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
