"""Build orchestration: jobs, cache, parallel workers, atomic output.

A build turns pack folders into output files. Each output is one job (pack x
edition x variant x format). The build:

1. finds the jobs and their cache keys (a hash of everything the output
   depends on) and skips those whose output is up to date;
2. reads and validates each pack that still has work (once per build), and
   stops before writing anything if any pack has an error;
3. renders the jobs, in worker processes when there are several;
4. writes every output to a temporary file in its final folder and renames it
   into place, so an interrupted or failed build leaves the previous outputs
   as they were and no partial files. A lock file keeps two builds from
   writing to one output folder at once.

This module never imports click; the CLI calls `build` and shows its report.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from . import __version__
from .cache import BuildCache, job_key
from .errors import Interrupted, OutputError, Problem, ProblemsError, StudypackError
from .outputs import OutputLock, atomic_target
from .render import Theme
from .writers import WriteRequest, extension_of, get_writer

log = logging.getLogger(__name__)

EDITIONS = ("student", "teacher")
VARIANTS = ("standard",)


@dataclass(frozen=True)
class BuildOptions:
    """Everything about a build that is not the packs themselves."""

    formats: tuple[str, ...] = ("html", "pdf", "epub")
    editions: tuple[str, ...] = EDITIONS
    variants: tuple[str, ...] = ("standard",)
    out_dir: Path = Path("dist")
    paper: str | None = None
    templates: tuple[Path, ...] = ()
    styles: tuple[Path, ...] = ()
    jobs: int = 0  # 0: the number of cores
    force: bool = False
    emit_html: bool = False

    def writer_options(self) -> dict:
        """The options a writer sees (and that the cache key covers)."""
        return {"paper": self.paper, "emit_html": self.emit_html}


@dataclass(frozen=True)
class Job:
    """One output: a pack in one edition, variant and format."""

    pack_dir: Path
    name: str
    edition: str
    variant: str
    format: str
    out_dir: Path

    @property
    def output(self) -> Path:
        suffix = "" if self.variant == "standard" else f"-{self.variant}"
        return self.out_dir / self.name / f"{self.name}-{self.edition}{suffix}.{extension_of(self.format)}"


@dataclass(frozen=True)
class Output:
    """What happened to one job: its file, pages, size, time, and whether the cache served it."""

    job: Job
    path: Path
    pages: int | None
    size: int
    seconds: float
    cached: bool
    extra_files: tuple[Path, ...] = ()


@dataclass
class BuildReport:
    """The outcome of a build, for the summary the CLI prints."""

    outputs: list[Output] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rendered(self) -> list[Output]:
        return [o for o in self.outputs if not o.cached]


# Progress callback: (event, job, output-or-None). Events: "start", "done", "cached".
Progress = Callable[[str, Job, "Output | None"], None]


def pack_name(pack_dir: Path) -> str:
    """A pack's name: its folder's name."""
    return pack_dir.resolve().name


def find_packs(root: Path = Path("packs")) -> list[Path]:
    """The pack folders under ``root`` (each has a pack.yaml), sorted by name."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if (p / "pack.yaml").is_file())


def plan_jobs(pack_dirs: list[Path], options: BuildOptions) -> list[Job]:
    """Every job of a build, in a stable order."""
    jobs = []
    for pack_dir in pack_dirs:
        for fmt in options.formats:
            for edition in options.editions:
                for variant in options.variants:
                    jobs.append(Job(pack_dir, pack_name(pack_dir), edition, variant, fmt, options.out_dir))
    return jobs


def build(pack_dirs: list[Path], options: BuildOptions, progress: Progress | None = None) -> BuildReport:
    """Build the outputs of ``pack_dirs``; raises StudypackError on bad input, nothing half-written."""
    from .assemble import load_pack

    started = time.perf_counter()
    progress = progress or (lambda event, job, output: None)
    _check_pack_dirs(pack_dirs)
    jobs = plan_jobs(pack_dirs, options)
    report = BuildReport()
    _prepare_out_dir(options.out_dir)

    with OutputLock(options.out_dir), _terminate_as_interrupt():
        cache = BuildCache.load(options.out_dir)
        themes = {d: Theme.for_pack(d, options.templates, options.styles) for d in pack_dirs}
        keys = {job: job_key(job, themes[job.pack_dir], options, __version__) for job in jobs}
        todo = []
        for job in jobs:
            if not options.force and cache.fresh(job.output, keys[job]):
                output = Output(job, job.output, cache.pages(job.output), job.output.stat().st_size, 0.0, True)
                report.outputs.append(output)
                progress("cached", job, output)
            else:
                todo.append(job)

        packs = _load_packs(sorted({j.pack_dir for j in todo}, key=str), load_pack)
        requests = [
            (job, WriteRequest(packs[job.pack_dir], job.edition, job.variant, themes[job.pack_dir], options.writer_options()))
            for job in todo
        ]
        try:
            for output in _run(requests, options.jobs, progress):
                cache.record(output.path, keys[output.job], output.pages)
                report.outputs.append(output)
        finally:
            cache.save()
    report.outputs.sort(key=lambda o: jobs.index(o.job))
    report.seconds = time.perf_counter() - started
    return report


def _check_pack_dirs(pack_dirs: list[Path]) -> None:
    problems = []
    for d in pack_dirs:
        if not d.is_dir():
            problems.append(Problem(None, f"{d}: no such pack folder"))
        elif not (d / "pack.yaml").is_file():
            problems.append(Problem(None, f"{d}: not a pack (it has no pack.yaml)"))
    if problems:
        raise ProblemsError(problems)
    if not pack_dirs:
        raise StudypackError("no packs to build: name a pack folder, or run in a folder that has packs/")


def _prepare_out_dir(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the output folder: {exc.strerror}", where=str(out_dir)) from None
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise OutputError("the output folder is not writable", where=str(out_dir))


def _load_packs(pack_dirs: list[Path], load_pack) -> dict:
    packs, problems = {}, []
    for pack_dir in pack_dirs:
        try:
            packs[pack_dir] = load_pack(pack_dir)
        except ProblemsError as exc:
            problems.extend(exc.problems)
        except StudypackError as exc:
            problems.append(Problem(exc.where, exc.message))
    if problems:
        raise ProblemsError(problems)
    return packs


def _run(requests: list[tuple[Job, WriteRequest]], jobs: int, progress: Progress) -> Iterator[Output]:
    workers = min(jobs or os.cpu_count() or 1, len(requests))
    if workers <= 1:
        for job, request in requests:
            progress("start", job, None)
            output = render_job(job, request)
            progress("done", job, output)
            yield output
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_worker_init) as pool:
        futures = {}
        for job, request in requests:
            progress("start", job, None)
            futures[pool.submit(render_job, job, request)] = job
        pending = set(futures)
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_EXCEPTION)
                for future in done:
                    output = future.result()
                    progress("done", output.job, output)
                    yield output
        except BaseException:
            for future in pending:
                future.cancel()
            raise


def _worker_init() -> None:
    # Workers leave Ctrl-C to the parent, which cancels them and cleans up.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def render_job(job: Job, request: WriteRequest) -> Output:
    """Render one job to a temporary file beside its output and rename it into place."""
    started = time.perf_counter()
    writer = get_writer(job.format)
    try:
        job.output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder: {exc.strerror}", where=str(job.output.parent)) from None
    with atomic_target(job.output) as tmp:
        result = writer.write(request, tmp)
    return Output(
        job,
        job.output,
        result.pages,
        job.output.stat().st_size,
        time.perf_counter() - started,
        False,
        result.extra_files,
    )


@contextmanager
def _terminate_as_interrupt():
    """Treat SIGTERM like Ctrl-C, so the same clean-up runs."""

    def on_term(signum, frame):
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, on_term)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    except KeyboardInterrupt:
        raise Interrupted("build interrupted; the outputs of earlier builds are as they were") from None
    finally:
        signal.signal(signal.SIGTERM, previous)

