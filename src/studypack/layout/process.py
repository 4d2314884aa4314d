"""A layout in a process of its own, so that its memory goes back to the system when it ends.

Python keeps the memory it has freed: a build process that laid out every
piece of a long handout itself would stay at the size of the largest.
`in_own_process` forks, runs the work in the child and sends its result (or
its exception, and its log records) back through a pipe; the child then
ends. Stopped meanwhile (Ctrl-C, SIGTERM from the build), the parent stops
the child too, at once.

Why not ``concurrent.futures.ProcessPoolExecutor(max_tasks_per_child=1)``:
the work is a closure over the layout's state (lxml trees, WeasyPrint's font
configuration: cffi handles), which the executor would have to pickle and
cannot; the executor forks its replacement worker from its manager thread as
soon as a task ends, ahead of the next task, so a fork could neither inherit
the state of the next piece nor be sure that no other thread held a lock; and
it has no public way to end a running task on Ctrl-C.
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import threading
from typing import Callable, TypeVar

from .. import workers

T = TypeVar("T")


def can_fork() -> bool:
    """Whether `in_own_process` forks: where the system can, and no other thread runs."""
    return hasattr(os, "fork") and threading.active_count() == 1


def in_own_process(work: Callable[[], T]) -> T:
    """``work()`` run in a forked process, its result (or exception, and its log) sent back through a pipe.

    Where there is no fork (Windows), or where other threads run (the
    preview's server: a thread could hold a lock the child would wait for),
    the work is done here, and the process's memory is that of the largest piece.
    """
    if not can_fork():
        return work()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        _child(read, write, work)  # never returns into the caller's frames
    os.close(write)
    try:
        with os.fdopen(read, "rb") as pipe:
            data = pipe.read()
    except BaseException:  # stopped (Ctrl-C, SIGTERM from the build): stop the layout too, not after it
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
        raise
    _, status = os.waitpid(pid, 0)
    if not data:
        raise workers.WorkerDied(f"a piece's layout ended without answering (exit status {status})")
    kind, value, records = pickle.loads(data)
    for record in records:
        logging.getLogger(record.name).handle(record)
    if kind == "error":
        raise workers.rebuild(value)
    return value


def _child(read: int, write: int, work: Callable[[], T]) -> None:
    """The forked child: do the work, send the reply, end (``os._exit``: no cleanup of the parent's)."""
    code = 0
    try:
        os.close(read)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        workers.end_with_parent()
        records: list[logging.LogRecord] = []
        ours = logging.getLogger("studypack")
        ours.addHandler(_KeepForParent(records))
        ours.propagate = False  # the parent's handlers will have them
        try:
            reply = ("ok", work(), records)
        except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
            reply = ("error", workers.portable(exc), records)
        with os.fdopen(write, "wb") as out:
            pickle.dump(reply, out, protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:  # noqa: BLE001 - the pipe itself failed: the parent sees no reply
        code = 1
    finally:
        os._exit(code)


class _KeepForParent(logging.Handler):
    """Keeps a child's log records (their messages formatted) for its parent to handle."""

    def __init__(self, records: list) -> None:
        super().__init__(logging.DEBUG)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(logging.makeLogRecord(
            {"name": record.name, "levelno": record.levelno, "levelname": record.levelname,
             "msg": record.getMessage(), "args": None}))
