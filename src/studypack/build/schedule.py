"""Running a build's jobs: in which order, in this process or in the worker pool, and one job itself."""

from __future__ import annotations

import gc
import os
import time
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Iterator

from .artefacts import PrintArtefacts
from ..errors import OutputError, SandboxError
from ..workers import WorkerPool
from ..writers import REGISTRY, WriteRequest, get_writer
from .cache import BuildCache, tree_files
from .jobs import Job, Output, Progress


def start_workers(todo: list[Job], jobs: int):
    """The worker pool of a build (a null context when it renders in this process).

    Workers are forked now, before the packs are read, and import the writers
    of the formats to render while this process reads the packs.
    """
    requested = jobs or os.cpu_count() or 1
    if requested == 1:
        return nullcontext(None)
    preload = tuple(sorted({REGISTRY[job.format].split(":")[0] for job in todo}))
    return WorkerPool(min(requested, len(todo)), preload, _render_in_worker)


# Rough seconds per byte of pack for each format, to order jobs before any has been timed.
_COST = {"pdf": 10.0, "booklet": 10.0, "classset": 12.0, "classbooklet": 12.0, "epub": 1.0, "html": 0.3}


def longest_first(requests: list[tuple[Job, WriteRequest]], cache: BuildCache) -> list[tuple[Job, WriteRequest]]:
    """The requests in the order to start them: longest first (by the last build's time, else by size)."""
    sizes: dict[Path, int] = {}

    def cost(item: tuple[Job, WriteRequest]) -> float:
        job = item[0]
        seconds = cache.seconds(job.output)
        if seconds is not None:
            return seconds
        if job.pack_dir not in sizes:
            sizes[job.pack_dir] = sum(f.stat().st_size for f in tree_files(job.pack_dir))
        return sizes[job.pack_dir] * _COST.get(job.format, 1.0) * 1e-6

    return sorted(requests, key=cost, reverse=True)


def run_jobs(
    packs: Iterator[list[tuple[Job, WriteRequest]]],
    staged: dict[Job, Path],
    pool: WorkerPool | None,
    artefacts: PrintArtefacts,
    cache: BuildCache,
    progress: Progress,
) -> Iterator[Output]:
    """Render the requests of each pack as it is read; outputs as they finish.

    In this process (the packs all read first), or in the pool's workers,
    which start on the first pack while this process reads the next. A job
    starts as soon as it may, the longest first; an EPUB once the PDF whose
    page map it uses is rendered (see artefacts.py).
    """
    todo = set(staged)
    for job in staged:
        progress("queued", job, None)
    pending: list[tuple[Job, WriteRequest]] = []

    def read_one() -> bool:
        """Read the next pack and queue its requests; False when all are read."""
        batch = next(packs, None)
        if batch is None:
            return False
        pending[:] = longest_first(pending + batch, cache)
        for job, request in batch if pool is not None else ():
            pool.add_pack(str(job.pack_dir), request.pack)
        return True

    def next_ready() -> tuple[Job, WriteRequest] | None:
        for i, (job, request) in enumerate(pending):
            if artefacts.ready(job, todo):
                del pending[i]
                progress("start", job, None)
                return job, replace(request, artefacts=artefacts.for_job(job))
        return None

    if pool is None:
        while read_one():
            pass
        while pending:
            job, request = next_ready()  # in this order, each job's twin has already been rendered
            output = render_job(job, request, staged[job])
            artefacts.rendered(output, output.details)
            progress("rendered", job, output)
            yield output
        return
    unread = True
    while True:
        for worker in pool.idle():
            ready = next_ready()
            if ready is None:
                break
            job, request = ready
            # The pack goes to each worker once (see workers.py), not with every job.
            pool.submit(worker, job, str(job.output), (job, replace(request, pack=None), staged[job]), str(job.pack_dir))
        finished = pool.next_result(timeout=0 if unread else None) if pool.busy() else None
        if finished is None:
            if unread:
                unread = read_one()  # while the workers render
                continue
            assert not pending, "jobs left that can never start"
            return
        job, output = finished
        artefacts.rendered(output, output.details)
        progress("rendered", job, output)
        yield output


def _render_in_worker(payload: tuple[Job, WriteRequest, Path], pack) -> Output:
    """`render_job` in a worker process, given the pack it was sent once."""
    job, request, dest = payload
    return render_job(job, replace(request, pack=pack), dest)


def render_job(job: Job, request: WriteRequest, dest: Path) -> Output:
    """Render one job to ``dest``, a temporary file beside its output (deleted if the job fails)."""
    started = time.perf_counter()
    writer = get_writer(job.format)
    if request.artefacts:
        from .artefacts import read_kept

        request = replace(request, artefacts=read_kept(request.artefacts))  # here, in the worker
    try:
        job.output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder: {exc.strerror}", where=str(job.output.parent)) from None
    try:
        with _collected_after():
            result = writer.write(request, dest)
        size = dest.stat().st_size
    except SandboxError as exc:
        dest.unlink(missing_ok=True)
        if exc.where is None and exc.reference is not None:
            from ..resource_policy import written_at

            exc.where = written_at(job.pack_dir, exc.reference)
        raise
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
    seconds = time.perf_counter() - started
    return Output(job, job.output, result.pages, size, seconds, False, result.extra_files, result.details)


@contextmanager
def _collected_after():
    """Collect a job's garbage when it is done, so that the next job has its memory.

    WeasyPrint's documents are held by reference cycles, which only a full
    collection frees. What was alive before the job (modules, the packs) is
    frozen meanwhile, so the collection looks only at what the job made.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.collect()
        gc.unfreeze()
