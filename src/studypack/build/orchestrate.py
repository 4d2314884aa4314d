"""A build from start to end: check, plan, render, put in place, sum up.

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

import os
import signal
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator

from .. import __version__
from .artefacts import PrintArtefacts
from ..errors import Interrupted, OutputError, Problem, ProblemsError, StudypackError
from ..outputs import OutputLock, temporary_name
from ..theme import Theme
from ..writers import WriteRequest
from .cache import BuildCache, inputs_digest, job_key
from .jobs import CLASS_SETS, BuildOptions, BuildReport, Job, Output, Progress, plan_jobs
from .printing import combine, print_figures
from .schedule import run_jobs, start_workers

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
        plan = _Plan.make(jobs, pack_dirs, options, cache)
        for job in jobs:
            if job not in plan.todo:
                output = Output(job, job.output, cache.pages(job.output), job.output.stat().st_size, 0.0, True)
                report.outputs.append(output)
                progress("cached", job, output)
        if plan.todo:
            _render(plan, options, cache, report, progress)
        report.outputs.sort(key=lambda o: jobs.index(o.job))
        report.printing = print_figures(report.outputs, options)
        if options.combine:
            report.print_run = combine(report, options)
    report.seconds = time.perf_counter() - started
    return report


@dataclass(frozen=True)
class _Plan:
    """What a build has to do: each pack's theme, each job's cache key and writer options, the jobs not up to date."""

    themes: dict[Path, Theme]
    artefacts: PrintArtefacts
    features: dict[Job, dict]  # what a job's writer is told besides the build's writer options
    keys: dict[Job, str]
    todo: list[Job]

    @classmethod
    def make(cls, jobs: list[Job], pack_dirs: list[Path], options: BuildOptions, cache: BuildCache) -> _Plan:
        """The plan of a build: a job is to do unless its output is fresh (and no EPUB needs its layout)."""
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
        return cls(themes, artefacts, features, keys, [job for job in jobs if job not in fresh])

    def requests(self, pack, jobs: list[Job], options: BuildOptions) -> list[tuple[Job, WriteRequest]]:
        """What each job of a pack asks its writer for."""
        return [
            (
                job,
                WriteRequest(
                    pack, job.edition, job.variant, self.themes[job.pack_dir], options.writer_options() | self.features.get(job, {})
                ),
            )
            for job in jobs
        ]


def _render(plan: _Plan, options: BuildOptions, cache: BuildCache, report: BuildReport, progress: Progress) -> None:
    """Render the jobs to do, each to a temporary file, and put them all in place once every one has succeeded."""
    with start_workers(plan.todo, options.jobs) as pool:
        # The workers import the writers (WeasyPrint) while the packs are read here.
        from ..assemble.pack import load_pack

        staged = {job: temporary_name(job.output) for job in plan.todo}
        try:
            packs = _read_packs(plan.todo, load_pack, lambda pack, jobs: plan.requests(pack, jobs, options))
            rendered = list(run_jobs(packs, staged, pool, plan.artefacts, cache, progress))
            _put_in_place(rendered, staged)
            for output in rendered:
                cache.record(output.path, plan.keys[output.job], output.pages, output.seconds, output.details.get("index_pages"))
                plan.artefacts.keep(output, output.details)
                report.outputs.append(replace(output, details={}))
                progress("done", output.job, output)
        finally:
            for tmp in staged.values():
                tmp.unlink(missing_ok=True)
            cache.save()


def _check_print_options(options: BuildOptions) -> None:
    """Refuse print-room options that cannot work together (here, not in the CLI, so that every caller is told)."""
    if options.roster is not None and "student" not in options.editions:
        raise StudypackError(
            "--names makes a named copy of the student edition for each student, but the build has no student edition",
            hint="add --edition student",
        )
    if options.combine and "pdf" not in options.formats:
        raise StudypackError("--combine puts the PDF handouts into one print run, but the build makes no PDF", hint="add --format pdf")
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
def _interrupt(signum, frame):
    """A signal handler: SIGTERM as Ctrl-C, so that the same clean-up runs."""
    raise KeyboardInterrupt


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
