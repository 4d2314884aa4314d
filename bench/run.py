"""The performance benchmark: ``make bench`` (python bench/run.py [--quick] [--keep]).

Runs each case as a whole process, several times, side by side with what it
is compared to (the two alternate in every round, so that a busy machine
slows both alike), and prints the medians and their ratios against the
targets of the "fast builds" issue. The table, with the machine it ran on, is
written into docs/performance.md between its ``bench:start`` and
``bench:end`` markers.

Everything is built in a temporary folder: copies of the sample packs under
packs/, eight generated packs, a pack ten times larger and one of about 800
pages (bench/gen.py). Times are wall-clock seconds; CPU seconds and peak
memory come from ``os.wait4`` (a process and the workers it waited for).
Benchmarks are never tests: tests/ checks behaviour only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from gen import make_copy, make_large  # noqa: E402

BIN = Path(sys.executable).parent
STUDYPACK = str(BIN / "studypack")
WEASYPRINT = str(BIN / "weasyprint")
PYTHON = sys.executable
PDF_VARIANT = "pdf/ua-1"  # what the PDF writer asks WeasyPrint for (writers/pdf.py)
DOC = REPO / "docs" / "performance.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


# --- running and timing ------------------------------------------------------------------


@dataclass
class Run:
    """One process: wall and CPU seconds, peak memory (MB) of it and the children it waited for."""

    wall: float
    cpu: float
    rss_mb: float


def run(cmd: list[str], cwd: Path | None = None, quiet: bool = True) -> Run:
    """Run a command to the end and measure it; raise if it fails."""
    out = subprocess.DEVNULL if quiet else None
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)  # this process's usage, its waited-for workers' included
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            text = err.read().decode(errors="replace")
            raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{text[-2000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


@dataclass
class Series:
    """The runs of one case."""

    name: str
    runs: list[Run] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    @property
    def rss(self) -> float:
        return max(r.rss_mb for r in self.runs)


def side_by_side(cases: dict[str, callable], reps: int) -> dict[str, Series]:
    """Run every case once per round, ``reps`` rounds, rotating who goes first."""
    series = {name: Series(name) for name in cases}
    names = list(cases)
    for i in range(reps):
        order = names[i % len(names):] + names[: i % len(names)]
        for name in order:
            series[name].runs.append(cases[name]())
    return series


# --- the results table -----------------------------------------------------------------------


@dataclass
class Row:
    target: str
    what: str
    measured: str
    goal: str
    met: bool | None  # None: not applicable / skipped


ROWS: list[Row] = []
NOTES: list[str] = []


def row(target: str, what: str, measured: str, goal: str, met: bool | None) -> None:
    ROWS.append(Row(target, what, measured, goal, met))
    verdict = {True: "met", False: "NOT met", None: "-"}[met]
    print(f"  [{target}] {what}: {measured} (goal {goal}) -> {verdict}", flush=True)


def s(x: float) -> str:
    return f"{x:.2f} s"


# --- the cases -------------------------------------------------------------------------------


class Bench:
    def __init__(self, work: Path, reps: int, quick: bool, full: bool):
        self.work = work
        self.reps = reps
        self.quick = quick
        self.full = full
        self.samples = sorted(p for p in (REPO / "packs").iterdir() if (p / "pack.yaml").is_file())
        self.packs = work / "packs"
        self.out = work / "out"
        self.pandoc = shutil.which("pandoc")

    def fresh(self, name: str) -> Path:
        path = self.out / name
        if path.exists():
            shutil.rmtree(path)
        return path

    def studypack(self, *args: str) -> list[str]:
        return [STUDYPACK, *args]

    def setup(self) -> None:
        print(f"setting up in {self.work}", flush=True)
        self.sample_copies = [make_copy(p, self.packs / p.name) for p in self.samples]
        self.generated = [
            make_copy(self.samples[i % len(self.samples)], self.packs / f"generated-{i + 1}", f" (copy {i + 1})")
            for i in range(8)
        ]
        first = self.sample_copies[0]
        self.large10 = make_large(first, 10, self.packs / f"{first.name}-x10")
        self.pages: dict[Path, int] = {}  # student PDF pages of the packs built so far
        # The compared cases run on the first two samples (all of them with --full), to keep within ~10 minutes.
        self.compared = self.sample_copies if self.full else self.sample_copies[:2]

    def student_pages(self, pack: Path) -> int:
        """The pages of a pack's student PDF (built here if no case has built it yet)."""
        if pack not in self.pages:
            out = self.fresh(f"pages-{pack.name}")
            run(self.studypack("build", str(pack), "--format", "pdf", "--edition", "student", "-o", str(out)))
            self.pages[pack] = _pdf_pages(out / pack.name / f"{pack.name}-student.pdf")
        return self.pages[pack]

    # Target 1 ------------------------------------------------------------------------------
    def pdf_vs_weasyprint(self) -> dict[str, float]:
        print("\n1. one PDF vs WeasyPrint's command line on the same HTML", flush=True)
        per_page = {}
        for pack in self.compared:
            out = self.fresh(f"t1-{pack.name}")
            cmd = self.studypack("build", str(pack), "--format", "pdf", "--edition", "student", "--emit-html", "--force", "-o", str(out))
            run(cmd)
            html = out / pack.name / f"{pack.name}-student.print.html"
            pdf = out / pack.name / f"{pack.name}-student.pdf"
            pages = self.pages[pack] = _pdf_pages(pdf)
            empty = self.work / f"t1-{pack.name}-empty"

            def cold(empty=empty, pack=pack) -> Run:
                shutil.rmtree(empty, ignore_errors=True)  # nothing from an earlier build: not even the index's pages
                return run(self.studypack("build", str(pack), "--format", "pdf", "--edition", "student", "-o", str(empty)))

            series = side_by_side(
                {
                    "cold": cold,
                    "studypack": lambda cmd=cmd: run(cmd),
                    "weasyprint": lambda: run([WEASYPRINT, "--pdf-variant", PDF_VARIANT, str(html), str(self.work / "w.pdf")]),
                },
                max(self.reps, 5),  # short runs, and the nearest goal: more rounds
            )
            a, b, c = series["studypack"], series["weasyprint"], series["cold"]
            per_page[pack.name] = c.wall / pages  # target 5 compares a cold build with a cold build
            row("1", f"PDF {pack.name} ({pages} pages), into an empty folder: studypack {s(c.wall)} vs weasyprint {s(b.wall)}",
                f"{c.wall / b.wall:.2f}x (CPU {c.cpu / b.cpu:.2f}x)", "<= 1.10x", c.wall / b.wall <= 1.10)
            row("1", f"PDF {pack.name} ({pages} pages), built again (--force): studypack {s(a.wall)} vs weasyprint {s(b.wall)}",
                f"{a.wall / b.wall:.2f}x (CPU {a.cpu / b.cpu:.2f}x)", "<= 1.10x", a.wall / b.wall <= 1.10)
        return per_page

    # Target 2 ------------------------------------------------------------------------------
    def epub_and_startup(self) -> None:
        print("\n2. EPUB builds, and the command line's start", flush=True)
        helps = side_by_side({"help": lambda: run(self.studypack("--help"))}, max(self.reps, 5))["help"]
        row("2", "studypack --help", s(helps.wall), "well under 0.3 s", helps.wall < 0.3)

        pack = self.sample_copies[0]
        for fmt in ("epub", "html"):
            out = self.fresh(f"t2-imports-{fmt}")
            got = _probe("imports", "studypack", "build", str(pack), "--format", fmt, "-o", str(out), "--force")
            row("2", f"{fmt}-only build imports WeasyPrint?", "yes" if got["weasyprint"] else "no", "no", not got["weasyprint"])
        out = self.fresh("t2-imports-cached")
        run(self.studypack("build", str(pack), "-o", str(out)))
        got = _probe("imports", "studypack", "build", str(pack), "-o", str(out))
        row("3", "nothing changed: imports WeasyPrint / reads documents?",
            f"{'yes' if got['weasyprint'] else 'no'} / {'yes' if got['studypack.readers'] else 'no'}", "no / no",
            not got["weasyprint"] and not got["studypack.readers"])

        if not self.pandoc:
            NOTES.append("pandoc is not installed: the EPUB-vs-pandoc comparisons were skipped (apt-get install pandoc).")
            print("  pandoc is absent: skipping the EPUB-vs-pandoc comparisons", flush=True)
            row("2", "EPUB vs pandoc", "skipped: pandoc absent", "<= 1.5x / <= 0.5x", None)
            return
        cases = [(p, "sample", 1.5) for p in self.compared] + [(self.large10, "10x", 0.5)]
        for pack, size, goal in cases:
            html_out = self.fresh(f"t2-html-{pack.name}")
            run(self.studypack("build", str(pack), "--format", "html", "--edition", "student", "-o", str(html_out)))
            html = html_out / pack.name / f"{pack.name}-student.html"
            lean = self.fresh(f"t2-epub-{pack.name}")  # an EPUB-only build: no page map or cover kept here
            kept = self.fresh(f"t2-epub-kept-{pack.name}")  # after a full build: the PDF's page map and cover kept
            run(self.studypack("build", str(pack), "--edition", "student", "--format", "pdf", "--format", "epub", "-o", str(kept)))
            self.pages[pack] = _pdf_pages(kept / pack.name / f"{pack.name}-student.pdf")
            epub_args = ["build", str(pack), "--format", "epub", "--edition", "student", "--force"]
            series = side_by_side(
                {
                    "lean": lambda: run(self.studypack(*epub_args, "-o", str(lean))),
                    "kept": lambda: run(self.studypack(*epub_args, "-o", str(kept))),
                    "pandoc": lambda: run([self.pandoc, str(html), "-o", str(self.work / "p.epub")]),
                },
                self.reps,
            )
            p = series["pandoc"].wall
            for name, label in (("lean", "EPUB-only build"), ("kept", "EPUB build with the PDF's page map and cover kept")):
                w = series[name].wall
                row("2", f"{label}, {pack.name} ({size}): studypack {s(w)} vs pandoc {s(p)}",
                    f"{w / p:.2f}x", f"<= {goal}x", w / p <= goal)

    # Target 3 ------------------------------------------------------------------------------
    def cache(self) -> None:
        print("\n3. nothing changed, nothing rendered", flush=True)
        packs = [str(p) for p in self.sample_copies]
        out = self.out / "t3"
        every = ["--edition", "student", "--edition", "teacher"]

        def cold() -> Run:
            self.fresh("t3")
            return run(self.studypack("build", *packs, *every, "-o", str(out)))

        def warm() -> Run:
            return run(self.studypack("build", *packs, *every, "-o", str(out)))

        series = {"cold": Series("cold"), "warm": Series("warm")}
        for _ in range(2):
            series["cold"].runs.append(cold())
            series["warm"].runs.append(warm())
        c, w = series["cold"].wall, series["warm"].wall
        row("3", f"second build of the samples (3 formats, 2 editions): {s(w)} vs cold {s(c)}", f"{w / c:.3f}x", "<= 0.10x", w / c <= 0.10)
        report = _build_json(self.studypack("build", *packs, *every, "-o", str(out), "--force"))
        row("3", "--force rebuilds everything", f"{report['rendered']} of {report['outputs']} rendered", "all", report["rendered"] == report["outputs"])
        one = Path(packs[0]) / "commentary"
        changed = sorted(one.glob("*.md"))[0]
        changed.write_text(changed.read_text(encoding="utf-8") + "\nA sentence added by the benchmark.\n", encoding="utf-8")
        report = _build_json(self.studypack("build", *packs, *every, "-o", str(out)))
        per_pack = report["outputs"] // len(packs)
        row("3", "one pack changed: outputs rendered again", f"{report['rendered']} (its own: {per_pack})",
            f"{per_pack}", report["rendered"] == per_pack)

    # Target 4 ------------------------------------------------------------------------------
    def parallel(self) -> None:
        print("\n4. parallel builds", flush=True)
        packs = [str(p) for p in self.sample_copies + self.generated]
        args = ["build", *packs, "--edition", "student", "--force"]
        out1, out2 = self.out / "t4-j1", self.out / "t4-j2"
        series = side_by_side(
            {
                "jobs1": lambda: run(self.studypack(*args, "--jobs", "1", "-o", str(out1))),
                "jobs2": lambda: run(self.studypack(*args, "--jobs", "2", "-o", str(out2))),
            },
            2 if self.full else 1,  # each run is long: one round, unless --full
        )
        j1, j2 = series["jobs1"].wall, series["jobs2"].wall
        n = len(packs)
        row("4", f"{n} packs x 3 formats (student): --jobs 1 {s(j1)} vs --jobs 2 {s(j2)}", f"{j1 / j2:.2f}x faster",
            ">= 1.7x", j1 / j2 >= 1.7)

        # The same outputs made by the raw tools, one after another.
        html_out = self.out / "t4-html"
        run(self.studypack("build", *packs, "--edition", "student", "--format", "pdf", "--format", "html", "--emit-html", "-o", str(html_out)))
        raw = 0.0
        for pack in packs:
            name = Path(pack).name
            raw += run([WEASYPRINT, "--pdf-variant", PDF_VARIANT, str(html_out / name / f"{name}-student.print.html"), str(self.work / "w.pdf")]).wall
            raw += run([PYTHON, str(HERE / "raw_ebooklib.py"), str(html_out / name / f"{name}-student.html"), str(self.work / "e.epub")]).wall
        default = j2 if (os.cpu_count() or 1) == 2 else side_by_side({"b": lambda: run(self.studypack(*args, "-o", str(out2)))}, 1)["b"].wall
        row("4", f"full build {s(default)} vs raw WeasyPrint + ebooklib one after another {s(raw)}", f"{default / raw:.2f}x",
            "<= 0.6x", default / raw <= 0.6)

    # Target 5 ------------------------------------------------------------------------------
    def scale(self, sample_per_page: float) -> None:
        print("\n5. one large pack", flush=True)
        # About 800 pages: as many copies of the first sample's parts as that takes, from the ten-times pack.
        first = self.sample_copies[0]
        one, ten = self.student_pages(first), self.student_pages(self.large10)
        per_copy = max(1.0, (ten - one) / 9)
        copies = max(2, round(((300 if self.quick else 800) - one) / per_copy) + 1)
        pack = make_large(first, copies, self.packs / f"{first.name}-x{copies}")
        out = self.fresh("t5")
        big = run(self.studypack("build", str(pack), "--format", "pdf", "--edition", "student", "-o", str(out)))
        pages = _pdf_pages(out / pack.name / f"{pack.name}-student.pdf")
        ratio = (big.wall / pages) / sample_per_page
        row("5", f"{pages}-page PDF in {s(big.wall)}: {big.wall / pages * 1000:.0f} ms per page vs the sample's {sample_per_page * 1000:.0f} ms",
            f"{ratio:.2f}x", "<= 1.2x", ratio <= 1.2)
        row("5", f"{pages}-page PDF: peak memory", f"{big.rss_mb:.0f} MB", "< 600 MB", big.rss_mb < 600)
        for probe_pack in (first, self.large10, pack) if self.full else (first, self.large10):
            got = _probe("pdfua", str(probe_pack))
            row("5", f"pdf/ua-1 write, {got['pages']} pages: plain {s(got['plain'])}, ua-1 {s(got['ua'])}, with our pydyf fix {s(got['ua_fixed'])}",
                f"ua-1 +{(got['ua'] / got['plain'] - 1) * 100:.0f}%, fixed +{(got['ua_fixed'] / got['plain'] - 1) * 100:.0f}%",
                "same bytes", got["same_bytes"])


def _pdf_pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def _probe(*args: str) -> dict:
    out = subprocess.run([PYTHON, str(HERE / "probe.py"), *args], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _build_json(cmd: list[str]) -> dict:
    """Outputs and rendered outputs of a build, from its summary line."""
    import re

    out = subprocess.run(cmd + ["--quiet"], check=True, capture_output=True, text=True).stdout
    m = re.search(r"(\d+) outputs \((\d+) rendered, (\d+) from the cache\)", out)
    return {"outputs": int(m.group(1)), "rendered": int(m.group(2)), "cached": int(m.group(3))}


# --- the machine and the document -------------------------------------------------------------


def machine() -> list[str]:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, StopIteration):
        pass
    versions = []
    for module in ("weasyprint", "pydyf", "ebooklib"):
        try:
            from importlib.metadata import version

            versions.append(f"{module} {version(module)}")
        except Exception:  # noqa: BLE001
            pass
    pandoc = "absent"
    if shutil.which("pandoc"):
        pandoc = subprocess.run(["pandoc", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    return [
        f"{cpu}, {os.cpu_count()} cores{mem}; {platform.system()} {platform.release()}",
        f"Python {platform.python_version()}; {', '.join(versions)}; pandoc: {pandoc}",
    ]


def write_doc(lines_machine: list[str], load: tuple, seconds: float, reps: int, quick: bool) -> None:
    table = ["| target | case | measured | goal | met |", "| --- | --- | --- | --- | --- |"]
    for r in ROWS:
        met = {True: "yes", False: "**no**", None: "-"}[r.met]
        table.append(f"| {r.target} | {r.what} | {r.measured} | {r.goal} | {met} |")
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    block = [
        START,
        f"Latest run: {when}, {seconds / 60:.1f} minutes, {reps} rounds per comparison{' (--quick)' if quick else ''}.",
        "",
        "Machine:",
        "",
        *[f"- {line}" for line in lines_machine],
        f"- load average before / after: {load[0]:.2f} / {load[1]:.2f} "
        f"({'other work was running: read the ratios, not the seconds' if max(load) > (os.cpu_count() or 1) * 0.5 else 'quiet'})",
        "",
        *table,
        "",
        *[f"Note: {n}" for n in NOTES],
        END,
    ]
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else f"# Performance\n\n{START}\n{END}\n"
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    DOC.write_text(head + "\n".join(block) + tail, encoding="utf-8")
    print(f"\nwrote the table into {DOC.relative_to(REPO)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and a ~300-page pack instead of ~800")
    parser.add_argument("--reps", type=int, default=None, help="rounds per comparison (default 3; 2 with --quick)")
    parser.add_argument("--full", action="store_true", help="more rounds of the long cases, and the pdf/ua-1 write probe at ~800 pages (~20 minutes)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--no-doc", action="store_true", help="print only; leave docs/performance.md alone")
    parser.add_argument("--only", default="", help="targets to run, e.g. 1,2 (5 needs 1); implies --no-doc")
    args = parser.parse_args()
    reps = args.reps or (2 if args.quick else 3)
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="studypack-bench-"))
    try:
        bench = Bench(work, reps, args.quick, args.full)
        bench.setup()
        per_page: dict[str, float] = {}
        sections = [
            ("1", lambda: per_page.update(bench.pdf_vs_weasyprint())),
            ("2", bench.epub_and_startup),
            ("3", bench.cache),
            ("4", bench.parallel),
            ("5", lambda: bench.scale(per_page[bench.sample_copies[0].name])),
        ]
        only = set(filter(None, args.only.split(",")))
        for target, section in sections:
            if only and target not in only:
                continue
            try:
                section()
            except Exception as exc:  # noqa: BLE001 - one failed case must not lose the others' figures
                print(f"  target {target} failed: {exc}", flush=True)
                NOTES.append(f"target {target}: the benchmark failed ({str(exc).splitlines()[-1][:200]})")
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    seconds = time.perf_counter() - started
    met = sum(1 for r in ROWS if r.met)
    failed = sum(1 for r in ROWS if r.met is False)
    print(f"\n{met} met, {failed} not met, in {seconds / 60:.1f} minutes")
    if not args.no_doc and not args.only:
        write_doc(machine(), (load_before, os.getloadavg()[0]), seconds, reps, args.quick)


if __name__ == "__main__":
    main()
