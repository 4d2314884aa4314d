"""Nothing is lost: an interrupted or failed build leaves the earlier outputs, and no temporary file.

Each build here is a real ``studypack`` process, stopped the way a teacher
or the system stops it: SIGTERM to the process, or Ctrl-C (SIGINT to its
whole process group, workers included). So that the signal is sure to come
while an output is being written, the writers of these processes write half
a page, say so in a marker file, then take their time (see `SLOW_WRITER`).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "packs" / "power-struggle"
OLD = {
    "power-struggle-student.html": b"<p>student edition of an earlier build</p>\n",
    "power-struggle-teacher.html": b"<p>teacher edition of an earlier build</p>\n",
}
INTERRUPTED = "build interrupted; the outputs of earlier builds are as they were"

# Runs studypack with every writer slowed down: it writes half its file, touches
# the marker (argv[1]) and sleeps, so that the test can stop it mid-write.
SLOW_WRITER = """
import sys, time
from pathlib import Path
from studypack.writers.html import HtmlWriter

def write(self, request, dest):
    dest.write_text("<p>half a page")
    Path(sys.argv[1]).write_text("writing")
    time.sleep(60)
    raise AssertionError("the build was not stopped")

HtmlWriter.write = write
from studypack.cli import run
sys.exit(run(sys.argv[2:]))
"""


@pytest.fixture
def workspace(tmp_path):
    """A copy of a sample pack and the outputs of an earlier build of it."""
    shutil.copytree(SAMPLE, tmp_path / "power-struggle")
    out = tmp_path / "dist" / "power-struggle"
    out.mkdir(parents=True)
    for name, data in OLD.items():
        (out / name).write_bytes(data)
    return tmp_path


def start(workspace: Path, code: str, *args: str) -> subprocess.Popen:
    """A studypack process in its own process group (as a terminal would start it)."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=workspace,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def wait_for(path: Path, proc: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if proc.poll() is not None:
            pytest.fail(f"the build ended before it wrote anything: {proc.communicate()}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the build never started writing")
        time.sleep(0.02)


def assert_earlier_outputs_intact(workspace: Path) -> None:
    out = workspace / "dist" / "power-struggle"
    assert {p.name: p.read_bytes() for p in out.iterdir()} == OLD
    assert [p for p in (workspace / "dist").rglob("*") if p.name.endswith(".tmp")] == []


def assert_group_gone(proc: subprocess.Popen, seconds: float = 10) -> None:
    """No process of the build (a worker) outlives it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    pytest.fail("a worker process outlived the build")


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("how", ["SIGTERM", "Ctrl-C"])
def test_an_interrupted_build_leaves_the_earlier_outputs_and_no_temporary_file(workspace, how, jobs):
    marker = workspace / "writing"
    args = ["build", "power-struggle", "--format", "html", "--out", "dist", "--force", "--jobs", jobs]
    proc = start(workspace, SLOW_WRITER, str(marker), *args)
    wait_for(marker, proc)
    assert list((workspace / "dist").rglob(".*.tmp")), "the half-written temporary file is there"
    if how == "SIGTERM":
        proc.send_signal(signal.SIGTERM)
    else:
        os.killpg(proc.pid, signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("the build did not stop")
    assert proc.returncode == 130, err
    assert err.decode().strip().splitlines()[-1] == INTERRUPTED
    assert b"Traceback" not in err
    assert_earlier_outputs_intact(workspace)
    assert_group_gone(proc)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers end with a killed build through Linux's prctl")
def test_a_build_killed_outright_takes_its_workers_and_their_temporary_files_with_it(workspace):
    """SIGKILL gives the build process no chance to stop its workers: the kernel tells them
    (PR_SET_PDEATHSIG), each removes its temporary file, and the folder's lock is free again."""
    from studypack.outputs import OutputLock

    marker = workspace / "writing"
    args = ["build", "power-struggle", "--format", "html", "--edition", "student", "--out", "dist", "--force", "--jobs", "2"]
    proc = start(workspace, SLOW_WRITER, str(marker), *args)
    wait_for(marker, proc)
    assert list((workspace / "dist").rglob(".*.tmp")), "the half-written temporary file is there"
    proc.kill()
    proc.communicate(timeout=30)
    assert_group_gone(proc)
    assert_earlier_outputs_intact(workspace)
    with OutputLock(workspace / "dist"):
        pass


def test_a_build_that_fails_halfway_leaves_every_earlier_output(workspace):
    """The student edition renders, the teacher edition fails: neither output is replaced."""
    templates = workspace / "power-struggle" / "templates"
    templates.mkdir()
    (templates / "title.html").write_text("<h1>{{ pack.title }}</h1>\n{% if is_teacher %}{{ pack.teacher_only }}{% endif %}\n")
    for jobs in ("1", "2"):
        proc = subprocess.run(
            [sys.executable, "-m", "studypack", "build", "power-struggle", "-f", "html", "-o", "dist", "--force", "-j", jobs, "-q"],
            cwd=workspace,
            env={**os.environ, "PYTHONPATH": str(REPO / "src")},
            capture_output=True,
            timeout=60,
        )
        assert proc.returncode == 1
        assert proc.stderr.decode().startswith("power-struggle/templates/title.html:2: the template uses something undefined")
        assert_earlier_outputs_intact(workspace)


HOLD_LOCK = """
import sys
from pathlib import Path
from studypack.outputs import OutputLock

with OutputLock(Path(sys.argv[1])):
    print("locked", flush=True)
    sys.stdin.read()
"""


def test_a_second_build_into_a_folder_being_written_is_refused_clearly(workspace, capsys, monkeypatch):
    from studypack import cli

    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(workspace / "dist")],
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout.readline() == b"locked\n"
        monkeypatch.chdir(workspace)
        args = ["build", "power-struggle", "--format", "html", "--out", "dist", "--jobs", "1", "--quiet"]
        assert cli.run(args) == 3
        assert capsys.readouterr().err.splitlines() == [
            "dist: another studypack build is writing to this folder; wait for it to finish, "
            "or build into another folder with --out"
        ]
        assert_earlier_outputs_intact(workspace)
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
    assert cli.run(args) == 0  # the lock goes with the build that held it
