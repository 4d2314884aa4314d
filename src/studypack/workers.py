"""Worker processes for a build: forked once, warmed up once, fed one job at a time.

Why not `concurrent.futures.ProcessPoolExecutor`: a build wants three things
it does not give.

- Warm-up while the parent works. The workers are forked as soon as the build
  knows what it must render, and import the writers' heavy modules
  (WeasyPrint takes about 0.4 s) while the parent reads the packs; a writer
  module's ``warm_up()``, where it has one, then compiles its templates.
- Each pack crosses to a worker once. A pack is pickled once per build and
  sent to a worker only before the first job of that pack it runs; a job is
  then a few hundred bytes.
- The parent chooses which job runs next when a worker becomes free (the
  longest first, and an EPUB only after the PDF whose page map it uses), and
  can stop every worker at once on Ctrl-C, each removing its temporary file.

A job's exception reaches the parent with the worker's traceback as a note
(shown with --debug); a worker that dies (killed, out of memory) is an error
naming the output it was making.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import pickle
import signal
import traceback
from multiprocessing.connection import Connection, wait
from typing import Any, Callable

from .errors import StudypackError


class WorkerDied(StudypackError):
    """A worker process ended without answering (killed, or out of memory)."""

    exit_code = 1


def _serve(conn: Connection, preload: tuple[str, ...], handler: Callable[[Any, Any], Any]) -> None:
    """A worker's life: import ``preload``, then run ``handler(payload, pack)`` for each job it is sent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle

    def on_term(signum, frame):
        raise SystemExit(1)  # unwinds through atomic_target, which removes the temporary file

    signal.signal(signal.SIGTERM, on_term)
    end_with_parent()
    for module in preload:
        warm_up = getattr(importlib.import_module(module), "warm_up", None)
        if warm_up is not None:
            try:
                warm_up()  # what the module's first job would otherwise do on the way (compile templates)
            except Exception:  # noqa: BLE001 - only a head start: the job itself reports any real problem
                pass
    packs: dict[str, Any] = {}
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        kind = message[0]
        if kind == "pack":
            packs[message[1]] = pickle.loads(message[2])
        elif kind == "job":
            _, payload, pack_id = message
            try:
                reply = ("ok", handler(payload, packs[pack_id]))
            except Exception as exc:  # noqa: BLE001 - every failure goes back to the parent
                reply = ("error", portable(exc), traceback.format_exc())
            conn.send(reply)
        else:
            return


def end_with_parent() -> None:
    """Have the kernel send this worker SIGTERM when the build process dies (Linux's PR_SET_PDEATHSIG).

    A build killed outright (SIGKILL, out of memory) cannot stop its workers;
    without this, one in the middle of a long handout would go on writing into
    the output folder, and hold its lock, for minutes. SIGTERM unwinds the job
    like Ctrl-C: its temporary file is removed. Elsewhere a worker notices only
    when it next reads from the build process.
    """
    parent = os.getppid()
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request was made
        raise SystemExit(1)


def portable(exc: Exception) -> tuple:
    """An exception as (class, args, attributes), which pickles even where __init__ takes other arguments."""
    state = (type(exc), exc.args, dict(vars(exc)))
    try:
        pickle.dumps(state)
    except Exception:  # noqa: BLE001 - something in it does not pickle: keep the words
        state = (RuntimeError, (f"{type(exc).__name__}: {exc}",), {})
    return state


def rebuild(state: tuple) -> Exception:
    cls, args, attributes = state
    exc = cls.__new__(cls, *args)
    exc.args = args
    vars(exc).update(attributes)
    return exc


class Worker:
    """One forked process, its end of the pipe, and what it has been sent."""

    def __init__(self, context, preload: tuple[str, ...], handler: Callable[[Any, Any], Any]):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, preload, handler), daemon=True)
        self.process.start()
        child.close()
        self.packs: set[str] = set()
        self.task: Any = None  # what it is working on, None when idle
        self.label = ""  # the task in words, for messages

    def send(self, task: Any, label: str, payload: Any, pack_id: str, pack_bytes: Callable[[], bytes]) -> None:
        """Give the worker a job (and the pack first, if it has not had it)."""
        if pack_id not in self.packs:
            self.conn.send(("pack", pack_id, pack_bytes()))
            self.packs.add(pack_id)
        self.conn.send(("job", payload, pack_id))
        self.task, self.label = task, label


class WorkerPool:
    """``count`` forked worker processes that each import ``preload`` once, then run ``handler``."""

    def __init__(self, count: int, preload: tuple[str, ...], handler: Callable[[Any, Any], Any]):
        # fork: the workers start with everything the parent has imported, at no cost.
        context = multiprocessing.get_context("fork")
        self.workers = [Worker(context, preload, handler) for _ in range(count)]
        self._pickled: dict[str, bytes] = {}
        self._packs: dict[str, Any] = {}

    def add_pack(self, pack_id: str, pack: Any) -> None:
        """Make a pack available to jobs (pickled once, when a worker first needs it)."""
        self._packs[pack_id] = pack

    def _pack_bytes(self, pack_id: str) -> bytes:
        if pack_id not in self._pickled:
            self._pickled[pack_id] = pickle.dumps(self._packs[pack_id], protocol=pickle.HIGHEST_PROTOCOL)
        return self._pickled[pack_id]

    def idle(self) -> list[Worker]:
        """The workers without a job."""
        return [w for w in self.workers if w.task is None]

    def busy(self) -> bool:
        """Whether any worker has a job."""
        return any(w.task is not None for w in self.workers)

    def submit(self, worker: Worker, task: Any, label: str, payload: Any, pack_id: str) -> None:
        """Send ``payload`` (a job of pack ``pack_id``) to an idle worker; ``task`` comes back with its result.

        ``label`` names the task in an error message (the output it makes).
        """
        worker.send(task, label, payload, pack_id, lambda: self._pack_bytes(pack_id))

    def next_result(self, timeout: float | None = None) -> tuple[Any, Any] | None:
        """Wait for a worker to finish: (its task, the handler's result); re-raises the job's exception.

        None if no worker finished within ``timeout`` seconds (None: wait as long as it takes).
        """
        busy = {w.conn: w for w in self.workers if w.task is not None}
        sentinels = {w.process.sentinel: w for w in busy.values()}
        ready = wait([*busy, *sentinels], timeout)
        if not ready:
            return None
        for item in ready:
            worker = busy.get(item) or sentinels[item]
            task, worker.task = worker.task, None
            try:
                reply = worker.conn.recv()
            except (EOFError, OSError):
                worker.process.join(timeout=5)
                code = worker.process.exitcode
                raise WorkerDied(
                    f"the worker process making {worker.label} stopped (exit code {code})",
                    hint="it may have run out of memory: try again with --jobs 1",
                ) from None
            if reply[0] == "error":
                exc = rebuild(reply[1])
                exc.add_note(f"in the worker process:\n{reply[2]}")
                raise exc
            return task, reply[1]
        return None  # pragma: no cover - wait() returns only what is ready

    def close(self, kill: bool = False) -> None:
        """End the workers: politely when the build is done, at once (SIGTERM) when it was interrupted."""
        for w in self.workers:
            if kill and w.process.is_alive():
                os.kill(w.process.pid, signal.SIGTERM)
            else:
                try:
                    w.conn.send(("stop",))
                except OSError:
                    pass
        for w in self.workers:
            w.process.join(timeout=10)
            if w.process.is_alive():
                w.process.kill()
                w.process.join()
            w.conn.close()

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(kill=exc_type is not None)
