"""Watching a pack's inputs: ``studypack build --watch``, and the changes ``preview`` reloads on.

The inputs of a pack are its folder (pack.yaml, documents, commentary, its
own templates and styles) and the theme folders it is rendered with
(``--templates``, ``--styles`` and the built-ins). Hidden files are not
inputs (the build cache ignores them too), nor are editors' swap and backup
files, nor anything in the output folder.

`watch_builds` builds once, then rebuilds the packs whose inputs change until
it is stopped: each rebuild goes through `build`, so its cache skips what is
up to date, and an error is reported and watching goes on.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Iterable, Iterator, Protocol

import watchfiles

from ..errors import Interrupted, StudypackError
from ..theme import Theme
from .jobs import BuildOptions, BuildReport, Progress
from .orchestrate import build

log = logging.getLogger(__name__)

# How often (ms) the watcher wakes when nothing changes; its first wake-up says it is watching.
TICK_MS = 200


class InputFilter(watchfiles.DefaultFilter):
    """Keeps the changes that can affect an output (see the module's docstring)."""

    def __init__(self, ignore: Iterable[Path] = ()):
        super().__init__()
        self.ignore = tuple(p.resolve() for p in ignore)

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        p = Path(path)
        if p.name.startswith(".") or any(p.is_relative_to(folder) for folder in self.ignore):
            return False
        return super().__call__(change, path)


def inputs(pack_dirs: Iterable[Path], templates: Iterable[Path] = (), styles: Iterable[Path] = ()) -> list[Path]:
    """The folders whose files a build of ``pack_dirs`` reads, each once."""
    folders: dict[Path, None] = {}
    for pack_dir in pack_dirs:
        folders[pack_dir.resolve()] = None
        for folder in Theme.for_pack(pack_dir, templates, styles).dirs():
            folders[folder.resolve()] = None
    return list(folders)


def changes(folders: list[Path], stop: threading.Event, ignore: Iterable[Path] = ()) -> Iterator[set[Path]]:
    """Batches of changed paths under ``folders`` until ``stop`` is set.

    The first batch is empty and comes as soon as the watcher is watching, so
    a caller can start work knowing no change from then on is missed; later
    empty batches (the watcher waking up) are left out.
    """
    first = True
    for batch in watchfiles.watch(
        *folders, watch_filter=InputFilter(ignore), stop_event=stop, rust_timeout=TICK_MS, yield_on_timeout=True
    ):
        if batch or first:
            first = False
            yield {Path(path) for _, path in batch}


def affected(pack_dirs: list[Path], paths: Iterable[Path]) -> list[Path]:
    """The packs that changed ``paths`` can affect: those that hold one, or all if one is in a shared theme folder."""
    roots = {d: d.resolve() for d in pack_dirs}
    hit: set[Path] = set()
    for path in paths:
        owners = [d for d, root in roots.items() if path.resolve().is_relative_to(root)]
        if not owners:
            return list(pack_dirs)
        hit.update(owners)
    return [d for d in pack_dirs if d in hit]


class Listener(Protocol):
    """What `watch_builds` tells as it goes."""

    def changed(self, paths: list[Path]) -> None:
        """Inputs changed; a rebuild starts."""

    def built(self, report: BuildReport) -> None:
        """A build finished."""

    def failed(self, error: StudypackError) -> None:
        """A build failed; watching goes on."""


def watch_builds(
    pack_dirs: list[Path],
    options: BuildOptions,
    listener: Listener,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Build ``pack_dirs``, then rebuild the ones whose inputs change, until Ctrl-C or ``stop`` is set."""
    for pack_dir in pack_dirs:
        if not (pack_dir / "pack.yaml").is_file():
            raise StudypackError("not a pack folder (it has no pack.yaml)", where=str(pack_dir))
    if not pack_dirs:
        raise StudypackError("no packs to watch: name a pack folder, or run in a folder that has packs/")
    stop = stop or threading.Event()
    stream = changes(inputs(pack_dirs, options.templates, options.styles), stop, ignore=[options.out_dir])
    try:
        next(stream)
        todo = list(pack_dirs)
        while True:
            _build(todo, options, listener, progress)
            batch = next(stream, None)
            if batch is None:
                return
            listener.changed(sorted(batch))
            todo = affected(pack_dirs, batch)
    except (KeyboardInterrupt, Interrupted):
        return
    finally:
        stop.set()
        stream.close()


def _build(pack_dirs: list[Path], options: BuildOptions, listener: Listener, progress: Progress | None) -> None:
    try:
        report = build(pack_dirs, options, progress)
    except Interrupted:
        raise
    except StudypackError as exc:
        listener.failed(exc)
    except Exception as exc:  # a bug: report it and keep watching; --debug shows the traceback
        log.debug("build failed", exc_info=True)
        listener.failed(StudypackError(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)"))
    else:
        listener.built(report)
