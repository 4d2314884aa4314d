"""The command line, through Click's CliRunner and `run` (the console script's core)."""

import json
import re

import pytest
from click.testing import CliRunner

from studypack import __version__
from studypack.cli import main, run


@pytest.fixture
def runner():
    return CliRunner()


def test_version_and_help_with_examples(runner):
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output
    for command in ["build", "check", "list", "inspect"]:
        result = runner.invoke(main, [command, "--help"])
        assert result.exit_code == 0
        assert "Example" in result.output, command


def test_build_html_writes_one_file_per_edition(runner, pack_copy, tmp_path):
    folder = pack_copy("basic")
    out = tmp_path / "out"
    result = runner.invoke(main, ["build", str(folder), "--format", "html", "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    student = out / "basic" / "basic-student.html"
    teacher = out / "basic" / "basic-teacher.html"
    assert student.is_file() and teacher.is_file()
    s, t = student.read_text(), teacher.read_text()
    assert "SECRET-TEACHER-NOTE" in t and "SECRET-TEACHER-NOTE" not in s
    assert "MARK-SCHEME-POINT" in t and "MARK-SCHEME-POINT" not in s
    assert '<a class="source-ref" href="#src-declaration">Source A</a>' in s
    assert "[Can] you imagine" in s
    assert (out / "basic" / "basic-answers.html").is_file()  # the answer key: --edition all has it
    assert "3 outputs (3 rendered, 0 from the cache)" in result.output


def test_second_build_comes_from_the_cache(runner, pack_copy, tmp_path):
    folder = pack_copy("basic")
    args = ["build", str(folder), "-f", "html", "-o", str(tmp_path / "out"), "-j", "1", "-q"]
    assert runner.invoke(main, args).exit_code == 0
    result = runner.invoke(main, args)
    assert "3 outputs (0 rendered, 3 from the cache)" in result.output
    result = runner.invoke(main, [*args, "--force"])
    assert "3 outputs (3 rendered, 0 from the cache)" in result.output


def test_build_with_no_pack_dir_builds_every_pack_under_packs(runner, pack_copy, tmp_path, monkeypatch):
    pack_copy("basic")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["build", "-f", "html", "-e", "student", "-j", "1"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "dist" / "basic" / "basic-student.html").is_file()
    assert not (tmp_path / "dist" / "basic" / "basic-teacher.html").exists()


def test_check_ok_and_list(runner, pack_copy):
    folder = pack_copy("basic")
    result = runner.invoke(main, ["check", str(folder)])
    assert result.exit_code == 0
    assert result.output == f"{folder}: ok (2 documents, 5 sources, 2 questions)\n"
    result = runner.invoke(main, ["list", str(folder)])
    assert result.exit_code == 0
    assert "basic: Test pack (Every part of the format)" in result.output
    assert "  Source A [declaration] from corin: From the declaration of 46" in result.output


def test_check_reports_every_problem_with_positions_and_exit_1(pack_copy, capsys):
    folder = pack_copy("basic")
    yaml = folder / "pack.yaml"
    yaml.write_text(yaml.read_text().replace("subtitle:", "subtitel:").replace("marks: 4", "marks: four"))
    code = run(["check", str(folder)])
    err = capsys.readouterr().err
    assert code == 1
    lines = err.strip().splitlines()
    assert re.fullmatch(rf"{re.escape(str(folder))}/pack.yaml:2:1: unknown key 'subtitel' \(did you mean 'subtitle'\?\)", lines[0])
    assert "marks" in lines[1] and "four" in lines[1]
    assert lines[-1] == "2 errors"
    assert "Traceback" not in err


def test_inspect_json_is_stable_structure(runner):
    result = runner.invoke(main, ["inspect", "tests/data/documents/corin.txt", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["schema"] == "studypack.inspect/1"
    text = runner.invoke(main, ["inspect", "tests/data/documents/corin.txt"]).output
    assert "source-3" in text and "Kamenev at the 14th Party Congress, December 1925." in text


def test_usage_error_is_exit_2_and_missing_pack_is_exit_1(capsys, tmp_path):
    assert run(["build", "--format", "docx"]) == 2
    assert "Invalid value for '--format'" in capsys.readouterr().err
    assert run(["build", str(tmp_path / "nowhere")]) == 1
    err = capsys.readouterr().err
    assert f"{tmp_path / 'nowhere'}: no such pack folder" in err
    assert "Traceback" not in err


def test_missing_document_for_inspect(capsys, tmp_path):
    assert run(["inspect", str(tmp_path / "missing.txt")]) == 1
    err = capsys.readouterr().err
    assert "missing.txt" in err and "Traceback" not in err


@pytest.mark.parametrize("case", ["built", "bad folder"])
def test_the_console_script_ends_without_teardown_but_with_its_exit_handlers_and_all_it_printed(pack_copy, tmp_path, case):
    """`entry` leaves with os._exit (cli.leave): the exit code, every line printed to a pipe and
    every exit handler must survive that."""
    import os
    import subprocess
    import sys

    folder = pack_copy("basic") if case == "built" else tmp_path / "missing"
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('exit handler ran', file=sys.stderr))\n"
        "from studypack.cli import entry\n"
        f"sys.argv = ['studypack', 'build', {str(folder)!r}, '--format', 'html', '--out', {str(tmp_path / 'out')!r}]\n"
        "entry()\n"
        "print('not reached')\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # a pipe's output is buffered
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env)
    assert result.stderr.rstrip().endswith("exit handler ran"), result.stderr
    assert "not reached" not in result.stdout
    if case == "built":
        assert result.returncode == 0, result.stderr
        assert re.search(r"3 outputs \(3 rendered, 0 from the cache\)", result.stdout), result.stdout
    else:
        assert result.returncode == 1
        assert "missing: no such pack folder" in result.stderr


def test_a_profiled_run_still_writes_its_profile(tmp_path):
    """`cli.leave` skips the interpreter's teardown, but not under a profiler, which writes after the program."""
    import subprocess
    import sys

    out = tmp_path / "run.prof"
    result = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "studypack", "--version"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert __version__ in result.stdout
    assert out.is_file() and out.stat().st_size > 0
