"""`build --watch`: rebuilds only the packs that changed, reports errors and keeps watching."""

from __future__ import annotations

import queue
import threading
from pathlib import Path

import pytest

from studypack.build.jobs import BuildOptions
from studypack.errors import StudypackError
from studypack.cli.scaffold import new_pack
from studypack.build.watch import InputFilter, affected, watch_builds

WAIT = 15  # seconds: a bound, not a delay; each step normally takes well under one


class Recorder:
    """A listener that hands what happens to the test, one event at a time."""

    def __init__(self) -> None:
        self.events: queue.Queue = queue.Queue()

    def changed(self, paths):
        self.events.put(("changed", [p.name for p in paths]))

    def built(self, report):
        self.events.put(("built", sorted(o.path.name for o in report.rendered)))

    def failed(self, error):
        self.events.put(("failed", error.format_message()))

    def next(self, kind: str):
        """The next event of ``kind`` (skipping "changed"), or fail after WAIT seconds."""
        while True:
            event, value = self.events.get(timeout=WAIT)
            if event == kind:
                return value
            assert event == "changed", (event, value)


@pytest.fixture
def two_packs(tmp_path):
    for name in ("alpha", "beta"):
        new_pack(name, tmp_path / "packs")
    return [tmp_path / "packs" / "alpha", tmp_path / "packs" / "beta"]


def test_watch_rebuilds_the_changed_pack_and_survives_errors(tmp_path, two_packs):
    alpha, beta = two_packs
    options = BuildOptions(formats=("html",), editions=("student",), out_dir=tmp_path / "dist", jobs=1)
    recorder, stop = Recorder(), threading.Event()
    watcher = threading.Thread(target=watch_builds, args=(two_packs, options, recorder), kwargs={"stop": stop})
    watcher.start()
    try:
        assert recorder.next("built") == ["alpha-student.html", "beta-student.html"]

        intro = alpha / "commentary" / "introduction.md"
        intro.write_text(intro.read_text(encoding="utf-8") + "\nA new closing sentence.\n", encoding="utf-8")
        assert recorder.next("built") == ["alpha-student.html"]
        assert "A new closing sentence." in (tmp_path / "dist" / "alpha" / "alpha-student.html").read_text()

        manifest = beta / "pack.yaml"
        good = manifest.read_text(encoding="utf-8")
        manifest.write_text(good.replace("source: example#source-a", "source: example#source-z"), encoding="utf-8")
        message = recorder.next("failed")
        assert "'example#source-z' names nothing" in message and "pack.yaml:" in message

        manifest.write_text(good.replace("A letter about", "A farmer’s letter about"), encoding="utf-8")
        assert recorder.next("built") == ["beta-student.html"]
        assert "A farmer’s letter about" in (tmp_path / "dist" / "beta" / "beta-student.html").read_text()
    finally:
        stop.set()
        watcher.join(WAIT)
    assert not watcher.is_alive()


def test_a_folder_without_pack_yaml_is_refused_before_watching(tmp_path):
    with pytest.raises(StudypackError, match="not a pack folder"):
        watch_builds([tmp_path], BuildOptions(out_dir=tmp_path / "dist"), Recorder())


def test_changes_map_to_the_packs_they_affect(tmp_path, two_packs):
    alpha, beta = two_packs
    assert affected(two_packs, [alpha / "pack.yaml"]) == [alpha]
    assert affected(two_packs, [beta / "templates" / "source.html", alpha / "x.md"]) == [alpha, beta]
    shared_theme = tmp_path / "theme" / "source.html"
    assert affected(two_packs, [shared_theme]) == two_packs


def test_hidden_files_editor_files_and_outputs_are_not_inputs(tmp_path):
    keep = InputFilter(ignore=[tmp_path / "dist"])
    added = 1
    assert keep(added, str(tmp_path / "packs" / "a" / "pack.yaml"))
    assert not keep(added, str(tmp_path / "packs" / "a" / ".pack.yaml.swp"))
    assert not keep(added, str(tmp_path / "packs" / "a" / "pack.yaml~"))
    assert not keep(added, str(tmp_path / "dist" / "a" / "a-student.html"))
    assert not keep(added, str(Path(tmp_path / "packs" / "a" / ".studypack-cache.json")))


def test_the_command_rebuilds_on_a_change_and_stops_on_ctrl_c(tmp_path, two_packs):
    import signal
    import subprocess
    import sys

    alpha = two_packs[0]
    command = [sys.executable, "-m", "studypack", "build", str(alpha), "-f", "html", "-e", "student", "-j", "1"]
    command += ["-o", str(tmp_path / "dist"), "--watch"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = iter(process.stdout.readline, "")
        assert "watching for changes (Ctrl-C to stop)" in next(line for line in lines if "watching" in line)
        (alpha / "commentary" / "introduction.md").write_text("Changed.\n", encoding="utf-8")
        seen = []
        for line in lines:
            seen.append(line)
            if "watching" in line:
                break
        assert seen[0] == f"changed: {alpha / 'commentary' / 'introduction.md'}\n"
        assert any("alpha-student.html" in line for line in seen[1:])
        assert any(line.startswith("1 outputs (1 rendered") for line in seen)
        process.send_signal(signal.SIGINT)
        assert process.wait(WAIT) == 0
        assert "stopped watching" in process.stdout.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(WAIT)
