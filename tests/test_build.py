"""Build orchestration: the cache, --force, parallel workers, what is imported, and the summary.

Behaviour only: how fast anything is, is `make bench`'s business (bench/run.py).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from studypack.build.jobs import BuildOptions, BuildReport, Job, Output
from studypack.build.orchestrate import build
from studypack.build.schedule import longest_first
from studypack.build.cache import BuildCache
from studypack.errors import Problem, ProblemsError, StudypackError
from studypack.cli.progress import Display
from studypack.theme import Theme
from studypack.workers import WorkerDied

LIGHT = ("html", "epub")  # formats that need no WeasyPrint


def options(out: Path, **changes) -> BuildOptions:
    base = {"formats": LIGHT, "editions": ("student", "teacher"), "out_dir": out, "jobs": 1}
    return BuildOptions(**(base | changes))


def rendered(report) -> list[str]:
    return sorted(o.path.name for o in report.rendered)


def files(out: Path) -> dict[str, bytes]:
    """Every output of a build folder by its path in it (the cache's own files left out)."""
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(out).parts)
    }


def run_python(code: str, cwd: Path) -> dict:
    """Run ``code`` in a fresh interpreter; it prints one JSON line last."""
    result = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


IMPORTS = """
import json, sys
from studypack.cli import run
code = run({argv!r})
print(json.dumps({{"exit": code, "weasyprint": "weasyprint" in sys.modules,
                  "readers": "studypack.readers" in sys.modules, "assemble": "studypack.assemble" in sys.modules,
                  "jinja2": "jinja2" in sys.modules, "lxml": "lxml.etree" in sys.modules}}))
"""


# --- the cache -------------------------------------------------------------------------------


def test_nothing_changed_nothing_rendered(pack_copy, tmp_path):
    pack = pack_copy("basic")
    first = build([pack], options(tmp_path / "out"))
    assert rendered(first) == ["basic-student.epub", "basic-student.html", "basic-teacher.epub", "basic-teacher.html"]
    again = build([pack], options(tmp_path / "out"))
    assert again.rendered == [] and all(o.cached for o in again.outputs)
    assert [o.path for o in again.outputs] == [o.path for o in first.outputs]


def test_force_renders_everything_again(pack_copy, tmp_path):
    pack = pack_copy("basic")
    build([pack], options(tmp_path / "out"))
    again = build([pack], options(tmp_path / "out", force=True))
    assert len(again.rendered) == 4


def test_changing_one_pack_renders_only_its_outputs(pack_copy, tmp_path):
    basic, handout = pack_copy("basic"), pack_copy("handout")
    out = tmp_path / "out"
    build([basic, handout], options(out, formats=("html",)))
    yaml = handout / "pack.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8") + "\n# a comment changes the pack's files\n", encoding="utf-8")
    again = build([basic, handout], options(out, formats=("html",)))
    assert rendered(again) == ["handout-student.html", "handout-teacher.html"]


@pytest.mark.parametrize("change", ["template", "option", "output edited by hand"])
def test_what_an_output_depends_on_invalidates_it(pack_copy, tmp_path, change):
    pack = pack_copy("basic")
    out = tmp_path / "out"
    extra = {}
    build([pack], options(out, formats=("html",), editions=("student",)))
    if change == "template":
        (pack / "templates").mkdir()
        (pack / "templates" / "unused.html").write_text("{# not used, still an input #}")
    elif change == "option":
        extra = {"paper": "letter"}
    else:
        target = out / "basic" / "basic-student.html"
        target.write_text("edited")
        os.utime(target, ns=(1, 1))
    again = build([pack], options(out, formats=("html",), editions=("student",), **extra))
    assert rendered(again) == ["basic-student.html"]


def test_a_build_with_nothing_to_do_reads_no_document_and_imports_no_weasyprint(pack_copy, tmp_path):
    pack = pack_copy("basic")
    out = tmp_path / "out"
    argv = ["build", str(pack), "-o", str(out), "-f", "html", "-f", "epub", "-q"]
    assert run_python(IMPORTS.format(argv=argv), tmp_path)["exit"] == 0
    got = run_python(IMPORTS.format(argv=argv), tmp_path)
    assert got == {"exit": 0, "weasyprint": False, "readers": False, "assemble": False, "jinja2": False, "lxml": False}


# --- what is imported ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["epub", "html"])
def test_epub_and_html_builds_never_import_weasyprint(pack_copy, tmp_path, fmt):
    pack = pack_copy("basic")
    for jobs in ("1", "2"):
        argv = ["build", str(pack), "-o", str(tmp_path / f"out{jobs}"), "-f", fmt, "-j", jobs, "-q"]
        got = run_python(IMPORTS.format(argv=argv), tmp_path)
        assert got["exit"] == 0 and got["weasyprint"] is False


@pytest.mark.slow
def test_epub_build_with_workers_leaves_templates_and_xml_to_them(pack_copy, tmp_path):
    """With workers, the build process itself reads the packs and never imports Jinja2 or lxml:
    the workers do, meanwhile (also when the EPUB takes a page map kept by an earlier PDF build)."""
    pack = pack_copy("basic")
    out = tmp_path / "out"
    assert run_python(IMPORTS.format(argv=["build", str(pack), "-o", str(out), "-f", "pdf", "-j", "2", "-q"]), tmp_path)["exit"] == 0
    argv = ["build", str(pack), "-o", str(out), "-f", "epub", "-j", "2", "-q"]
    got = run_python(IMPORTS.format(argv=argv), tmp_path)
    assert got == {"exit": 0, "weasyprint": False, "readers": True, "assemble": True, "jinja2": False, "lxml": False}
    assert any(p.suffix == ".epub" for p in (out / "basic").iterdir())


def test_help_imports_neither_weasyprint_nor_the_pack_reader(tmp_path):
    got = run_python(IMPORTS.format(argv=["--help"]), tmp_path)
    assert got == {"exit": 0, "weasyprint": False, "readers": False, "assemble": False, "jinja2": False, "lxml": False}
    got = run_python(IMPORTS.format(argv=["build", "--help"]), tmp_path)
    assert got["weasyprint"] is False and got["readers"] is False


# --- parallel -----------------------------------------------------------------------------


def test_parallel_and_serial_builds_write_the_same_bytes(pack_copy, tmp_path):
    packs = [pack_copy("basic"), pack_copy("handout")]
    serial = build(packs, options(tmp_path / "serial", jobs=1))
    parallel = build(packs, options(tmp_path / "parallel", jobs=2))
    assert rendered(serial) == rendered(parallel) and len(serial.rendered) == 8
    assert files(tmp_path / "serial") == files(tmp_path / "parallel")
    assert [o.path.name for o in parallel.outputs] == [o.path.name for o in serial.outputs]  # the summary's order


@pytest.mark.slow
def test_parallel_and_serial_pdf_and_epub_are_the_same_bytes(pack_copy, tmp_path):
    """With PDFs: each EPUB waits for its PDF's page map, in workers as in one process."""
    pack = pack_copy("basic")
    opts = {"formats": ("pdf", "epub", "html"), "editions": ("student",)}
    build([pack], options(tmp_path / "serial", jobs=1, **opts))
    build([pack], options(tmp_path / "parallel", jobs=2, **opts))
    serial, parallel = files(tmp_path / "serial"), files(tmp_path / "parallel")
    assert serial == parallel and set(serial) == {f"basic/basic-student.{ext}" for ext in ("pdf", "epub", "html")}


def test_an_error_in_a_worker_reaches_the_build_intact(pack_copy, tmp_path, monkeypatch):
    from studypack.writers.html import HtmlWriter

    def broken(self, request, dest):
        raise ProblemsError([Problem("pack.yaml:3", "a broken line")])

    monkeypatch.setattr(HtmlWriter, "write", broken)  # the workers are forked: they see it too
    with pytest.raises(ProblemsError) as exc:
        build([pack_copy("basic")], options(tmp_path / "out", formats=("html",), jobs=2))
    assert exc.value.problems[0].message == "a broken line"
    assert "pack.yaml:3: a broken line" in exc.value.format_message()
    assert not list((tmp_path / "out").rglob("*.tmp"))


def test_a_worker_that_dies_is_an_error_naming_its_output(pack_copy, tmp_path, monkeypatch):
    from studypack.writers.html import HtmlWriter

    monkeypatch.setattr(HtmlWriter, "write", lambda self, request, dest: os._exit(9))
    with pytest.raises(WorkerDied) as exc:
        build([pack_copy("basic")], options(tmp_path / "out", formats=("html",), jobs=2))
    assert "basic-" in exc.value.format_message() and "exit code 9" in exc.value.format_message()
    assert isinstance(exc.value, StudypackError)


def test_longest_jobs_start_first(tmp_path):
    def job(name, fmt):
        return Job(tmp_path / name, name, "student", "standard", fmt, tmp_path / "out")

    for name, size in (("small", 1_000), ("large", 50_000)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "pack.yaml").write_text("x" * size)
    cache = BuildCache.load(tmp_path / "out")
    jobs = [job("small", "html"), job("small", "pdf"), job("large", "epub"), job("large", "pdf")]
    order = [j for j, _ in longest_first([(j, None) for j in jobs], cache)]
    assert order == [jobs[3], jobs[2], jobs[1], jobs[0]]  # by size and format, before anything was timed

    out = tmp_path / "out" / "small" / "small-student.html"
    out.parent.mkdir(parents=True)
    out.write_text("x")
    cache.record(out, "key", None, seconds=99.0)  # last time, this one took longest
    assert [j for j, _ in longest_first([(j, None) for j in jobs], cache)][0] == jobs[0]


# --- the EPUB and the PDF's page map ------------------------------------------------------


def test_an_epub_only_build_has_no_page_list_and_its_key_says_so(pack_copy, tmp_path):
    from studypack.build.artefacts import PrintArtefacts

    pack = pack_copy("basic")
    out = tmp_path / "out"
    report = build([pack], options(out, formats=("epub",), editions=("student",)))
    (epub,) = report.outputs
    cache, themes = BuildCache.load(out), {pack: Theme.for_pack(pack)}
    alone = PrintArtefacts([epub.job], cache, themes, options(out), "v")
    assert alone.features(epub.job) == {"page_list": False, "cover": False}
    assert alone.ready(epub.job, {epub.job})
    pdf = replace(epub.job, format="pdf")
    with_pdf = PrintArtefacts([epub.job, pdf], cache, themes, options(out), "v")
    assert with_pdf.features(epub.job) == {"page_list": True, "cover": True}
    assert not with_pdf.ready(epub.job, {epub.job, pdf})  # it waits for the PDF's page map


# --- what the build shows -----------------------------------------------------------------


def test_summary_lists_each_output_with_pages_size_time_and_the_cache(pack_copy, tmp_path, capsys):
    pack = pack_copy("basic")
    out = tmp_path / "out"
    build([pack], options(out, formats=("html",), editions=("student",)))
    stream = io.StringIO()
    display = Display(stream=stream, live=False)
    report = build([pack], options(out, formats=("html", "epub"), editions=("student",)), progress=display.progress)
    capsys.readouterr()
    display.summary(report)
    lines = capsys.readouterr().out.splitlines()
    html_line = next(line for line in lines if "basic-student.html" in line)
    assert html_line.rstrip().endswith("cached") and "KB" in html_line
    epub_line = next(line for line in lines if "basic-student.epub" in line)
    assert epub_line.rstrip().endswith(" s") and "KB" in epub_line
    assert lines[-1].startswith("2 outputs (1 rendered, 1 from the cache) in ")
    assert "rendered basic-student.epub" in stream.getvalue()  # a plain line per output rendered, not a TTY


def test_pdf_outputs_report_their_pages(tmp_path, capsys):
    job = Job(tmp_path, "p", "student", "standard", "pdf", tmp_path)
    report = BuildReport([Output(job, tmp_path / "p-student.pdf", 12, 2048, 1.25, False)], 1.5)
    Display(stream=io.StringIO(), live=False).summary(report)
    first, last = capsys.readouterr().out.splitlines()
    assert "12 pages" in first and "2 KB" in first and first.rstrip().endswith("1.2 s")
    assert last == "1 outputs (1 rendered, 0 from the cache) in 1.5 s"


def test_quiet_shows_only_the_summary_line(pack_copy, tmp_path, capsys):
    pack = pack_copy("basic")
    stream = io.StringIO()
    display = Display(quiet=True, stream=stream)
    report = build([pack], options(tmp_path / "out", formats=("html",)), progress=display.progress)
    capsys.readouterr()
    display.summary(report)
    assert stream.getvalue() == ""
    assert capsys.readouterr().out.splitlines() == [f"2 outputs (2 rendered, 0 from the cache) in {report.seconds:.1f} s"]


def test_live_display_on_a_terminal_is_taken_down_before_the_summary(pack_copy, tmp_path, capsys):
    pack = pack_copy("basic")
    display = Display(stream=io.StringIO(), live=True)
    seen = []

    def progress(event, job, output):
        display.progress(event, job, output)
        if event == "rendered":
            seen.append(display._live is not None)

    report = build([pack], options(tmp_path / "out", formats=("html",), jobs=2), progress=progress)
    assert seen and all(seen[:-1])  # more than one output: the live display is up while they render
    display.summary(report)
    assert display._live is None
    assert capsys.readouterr().out.splitlines()[-1].startswith("2 outputs (2 rendered, 0 from the cache)")
