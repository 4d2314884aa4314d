"""What a build makes: its options, its jobs (pack x edition x variant x format), their outputs and report."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..roster import Roster
from ..writers import extension_of

EDITIONS = ("student", "teacher", "answers")

# The class sets: one named copy of the student edition per student, as handouts and (with --booklet) as booklets.
CLASS_SETS = ("classset", "classbooklet")


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
