"""Build orchestration: jobs, cache, parallel workers, atomic output.

A build turns pack folders into output files. Each output is one job (pack x
edition x variant x format). The build:

1. finds the jobs and their cache keys (a hash of everything the output
   depends on) and skips those whose output is up to date;
2. reads and validates each pack that still has work (once per build), and
   stops before writing anything if any pack has an error;
3. renders the jobs, in worker processes when there are several, each to a
   temporary file beside its output;
4. renames every temporary file into place only when all the jobs have
   succeeded, so a failed or interrupted build (an error, Ctrl-C, SIGTERM)
   leaves the previous outputs as they were and no temporary files. A lock
   file keeps two builds from writing to one output folder at once.

This module never imports click; the CLI calls `build` and shows its report.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator

from .. import __version__
from ..artefacts import PrintArtefacts
from .cache import BuildCache, inputs_digest, job_key, tree_files
from ..errors import Interrupted, OutputError, Problem, ProblemsError, SandboxError, StudypackError
from ..outputs import OutputLock, temporary_name
from ..theme import Theme
from ..roster import Roster
from ..workers import WorkerPool
from ..writers import REGISTRY, WriteRequest, extension_of, get_writer

log = logging.getLogger(__name__)

EDITIONS = ("student", "teacher", "answers")
VARIANTS = ("standard", "large-print", "dyslexia")

# The print room's outputs (docs/print-room.md): their jobs come from --booklet and --names, not --format.
PRINT_FORMATS = ("booklet", "classset", "classbooklet")
# The class sets: one named copy of the student edition per student, as handouts and (with --booklet) as booklets.
CLASS_SETS = ("classset", "classbooklet")
PRINT_RUN = "print-run.pdf"


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
    booklet: bool = False  # also a booklet of each PDF
    roster: Roster | None = None  # a class set of each student edition, one named copy per student
    split: bool = False  # the class set's copies also one file per student
    combine: bool = False  # the PDF handouts also as one print run (OUT/print-run.pdf)
    class_size: int = 30  # copies of a student edition, for the print summary

    def print_formats(self) -> tuple[str, ...]:
        """The print room's formats this build makes, besides ``formats``."""
        named = ("classset", "classbooklet") if self.booklet else ("classset",)
        return (("booklet",) if self.booklet else ()) + (named if self.roster is not None else ())

    def class_set_options(self) -> dict:
        """What a class set's writer is told besides the writer options (and its cache key covers)."""
        return {"roster": self.roster, "split": self.split}

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
    class_list: str = ""  # a class set's: the class list's name (its file name's stem)

    @property
    def output(self) -> Path:
        suffix = "" if self.variant == "standard" else f"-{self.variant}"
        if self.format in ("booklet", "classbooklet"):
            suffix += "-booklet"
        if self.format in CLASS_SETS:
            suffix += f"-class-{self.class_list}"
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
    details: dict = field(default_factory=dict, repr=False, compare=False)  # the writer's WriteResult.details


@dataclass
class BuildReport:
    """The outcome of a build, for the summary the CLI prints."""

    outputs: list[Output] = field(default_factory=list)
    seconds: float = 0.0
    printing: list = field(default_factory=list)  # printroom.PrintFigures of each PDF, booklet and class set
    print_run: Path | None = None  # --combine: every PDF handout of the build in one file

    @property
    def rendered(self) -> list[Output]:
        return [o for o in self.outputs if not o.cached]


# Progress callback: (event, job, output-or-None). Events: "start", "rendered" (to its
# temporary file), "done" (in place, once every job has succeeded), "cached".
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
    class_list = options.roster.slug if options.roster is not None else ""
    for pack_dir in pack_dirs:
        for fmt in (*options.formats, *options.print_formats()):
            # A class set is of the student edition: the others are not handed to each student.
            editions, named = (("student",), class_list) if fmt in CLASS_SETS else (options.editions, "")
            for edition in editions:
                for variant in options.variants:
                    jobs.append(Job(pack_dir, pack_name(pack_dir), edition, variant, fmt, options.out_dir, named))
    return jobs


def build(pack_dirs: list[Path], options: BuildOptions, progress: Progress | None = None) -> BuildReport:
    """Build the outputs of ``pack_dirs``; raises StudypackError on bad input, nothing half-written."""
    started = time.perf_counter()
    progress = progress or (lambda event, job, output: None)
    _check_pack_dirs(pack_dirs)
    _check_print_options(options)
    jobs = plan_jobs(pack_dirs, options)
    report = BuildReport()
    _prepare_out_dir(options.out_dir)

    with OutputLock(options.out_dir), _terminate_as_interrupt():
        cache = BuildCache.load(options.out_dir)
        themes = {d: Theme.for_pack(d, options.templates, options.styles) for d in pack_dirs}
        inputs = {d: inputs_digest(d, themes[d]) for d in pack_dirs}
        artefacts = PrintArtefacts(jobs, cache, themes, options, __version__, inputs)
        features = {job: artefacts.features(job) for job in jobs if job.format == "epub"}
        features.update({job: options.class_set_options() for job in jobs if job.format in CLASS_SETS})
        keys = {
            job: job_key(job, themes[job.pack_dir], options, __version__, features.get(job), inputs[job.pack_dir])
            for job in jobs
        }
        fresh = {job for job in jobs if not options.force and cache.fresh(job.output, keys[job])}
        fresh.difference_update(artefacts.twins_to_render([job for job in jobs if job not in fresh]))
        todo = [job for job in jobs if job not in fresh]
        for job in jobs:
            if job in fresh:
                output = Output(job, job.output, cache.pages(job.output), job.output.stat().st_size, 0.0, True)
                report.outputs.append(output)
                progress("cached", job, output)

        if todo:
            with _start_workers(todo, options.jobs) as pool:
                # The workers import the writers (WeasyPrint) while the packs are read here.
                from ..assemble.pack import load_pack

                def requests(pack, jobs: list[Job]) -> list[tuple[Job, WriteRequest]]:
                    options_of = lambda job: options.writer_options() | features.get(job, {})  # noqa: E731
                    return [
                        (job, WriteRequest(pack, job.edition, job.variant, themes[job.pack_dir], options_of(job)))
                        for job in jobs
                    ]

                staged = {job: temporary_name(job.output) for job in todo}
                try:
                    packs = _read_packs(todo, load_pack, requests)
                    rendered = list(_run(packs, staged, pool, artefacts, cache, progress))
                    _put_in_place(rendered, staged)
                    for output in rendered:
                        cache.record(
                            output.path, keys[output.job], output.pages, output.seconds, output.details.get("index_pages")
                        )
                        artefacts.keep(output, output.details)
                        report.outputs.append(replace(output, details={}))
                        progress("done", output.job, output)
                finally:
                    for tmp in staged.values():
                        tmp.unlink(missing_ok=True)
                    cache.save()
        report.outputs.sort(key=lambda o: jobs.index(o.job))
        report.printing = print_figures(report.outputs, options)
        if options.combine:
            report.print_run = _combine(report, options)
    report.seconds = time.perf_counter() - started
    return report


def _check_print_options(options: BuildOptions) -> None:
    """Refuse print-room options that cannot work together (here, not in the CLI, so that every caller is told)."""
    if options.roster is not None and "student" not in options.editions:
        raise StudypackError(
            "--names makes a named copy of the student edition for each student, but the build has no student edition",
            hint="add --edition student",
        )
    if options.combine and "pdf" not in options.formats:
        raise StudypackError("--combine puts the PDF handouts into one print run, but the build makes no PDF", hint="add --format pdf")


def print_figures(outputs: list[Output], options: BuildOptions) -> list:
    """The pages and sheets of paper of each PDF, booklet and class set (paper.PrintFigures)."""
    from .. import paper

    kinds = {"pdf": "handout", "booklet": "booklet", "classset": "class set", "classbooklet": "booklet class set"}
    return [
        paper.figures(
            o.path,
            kinds[o.job.format],
            o.job.edition,
            o.pages,
            options.class_size,
            len(options.roster) if o.job.format in CLASS_SETS else None,
            o.job.variant,
        )
        for o in outputs
        if o.job.format in kinds and o.pages
    ]


def _combine(report: BuildReport, options: BuildOptions) -> Path:
    """Write every PDF handout of the build as one print run, each handout starting on a right-hand page."""
    from .. import printroom
    from ..outputs import write_atomic

    handouts = [o.path for o in report.outputs if o.job.format == "pdf"]
    path = options.out_dir / PRINT_RUN
    try:
        pdf = printroom.print_run([p.read_bytes() for p in handouts], "Print run")
    except OSError as exc:
        raise OutputError(f"cannot read a handout for the print run: {exc.strerror}", where=str(exc.filename)) from None
    write_atomic(path, pdf)
    pages = len(printroom.read_pdf(pdf).pages)
    report.printing.append(printroom.PrintFigures(path, "print run", "", pages, printroom.sheets_double_sided(pages), 1))
    return path


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
    hint = "choose a folder you can write to with --out"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        in_the_way = next((p for p in (out_dir, *out_dir.parents) if p.exists() and not p.is_dir()), None)
        why = f"'{in_the_way}' is a file, not a folder" if in_the_way is not None else exc.strerror
        raise OutputError(f"cannot create the output folder: {why}", where=str(out_dir), hint=hint) from None
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise OutputError("the output folder is not writable", where=str(out_dir), hint=hint)


def _read_packs(todo: list[Job], load_pack, requests) -> Iterator[list[tuple[Job, WriteRequest]]]:
    """Read and validate each pack with work, once, and give its requests as soon as it is read.

    Rendering starts with the first pack while the others are read. Every
    pack is read even after one has problems, so that all of them are
    reported at once (ProblemsError, after the last); from the first problem
    on no more requests are given, and the build writes nothing.
    """
    jobs_of: dict[Path, list[Job]] = {}
    for job in todo:
        jobs_of.setdefault(job.pack_dir, []).append(job)
    problems: list[Problem] = []
    for pack_dir in sorted(jobs_of, key=str):
        try:
            pack = load_pack(pack_dir)
        except ProblemsError as exc:
            problems.extend(exc.problems)
            continue
        except StudypackError as exc:
            problems.append(Problem(exc.where, exc.message))
            continue
        if not problems:
            yield requests(pack, jobs_of[pack_dir])
    if problems:
        raise ProblemsError(problems)


def _start_workers(todo: list[Job], jobs: int):
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


def _longest_first(requests: list[tuple[Job, WriteRequest]], cache: BuildCache) -> list[tuple[Job, WriteRequest]]:
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


def _run(
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
        pending[:] = _longest_first(pending + batch, cache)
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


def _interrupt(signum, frame):
    """A signal handler: SIGTERM as Ctrl-C, so that the same clean-up runs."""
    raise KeyboardInterrupt


def render_job(job: Job, request: WriteRequest, dest: Path) -> Output:
    """Render one job to ``dest``, a temporary file beside its output (deleted if the job fails)."""
    started = time.perf_counter()
    writer = get_writer(job.format)
    if request.artefacts:
        from ..artefacts import read_kept

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
            from ..fetch import written_at

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


def _put_in_place(outputs: list[Output], staged: dict[Job, Path]) -> None:
    """Rename every rendered output into place, with Ctrl-C and SIGTERM held off until all are."""
    try:
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    except (AttributeError, ValueError, OSError):  # no signal masks here
        held = None
    try:
        for output in outputs:
            try:
                os.replace(staged[output.job], output.path)
            except OSError as exc:
                raise OutputError(f"cannot write the output: {exc.strerror}", where=str(output.path)) from None
    finally:
        if held is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)


@contextmanager
def _terminate_as_interrupt():
    """Treat SIGTERM like Ctrl-C, so the same clean-up runs."""

    try:
        previous = signal.signal(signal.SIGTERM, _interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    except KeyboardInterrupt:
        raise Interrupted("build interrupted; the outputs of earlier builds are as they were") from None
    finally:
        signal.signal(signal.SIGTERM, previous)

