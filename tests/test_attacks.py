"""The attacks of issue 20 on a pack's templates and stylesheets, each a fixture pack in tests/attacks/.

Each folder is laid over the good pack of tests/bad_inputs/_pack (``{port}``
becomes the port of a listener on 127.0.0.1 that records every request) and
its ``expected.txt`` says what must happen: ``refused: <words of the one-line
message>``, or ``neutralised: <text no output may contain>`` for markup the
allow-list drops quietly. Then the outputs with the neutralised attacks are
opened in headless Chromium: nothing may reach the listener.
"""

from __future__ import annotations

import http.server
import os
import re
import shutil
import signal
import subprocess
import threading
import zipfile
from pathlib import Path

import pytest

from studypack import cli

HERE = Path(__file__).parent
ATTACKS = HERE / "attacks"
GOOD_PACK = HERE / "bad_inputs" / "_pack"
CHROMIUM = shutil.which("chromium")


class Recorder(http.server.BaseHTTPRequestHandler):
    """Answers every request with an empty picture, and records its path."""

    requests: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's name
        Recorder.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/gif")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def listener():
    """A logging HTTP listener on the loopback interface, for the whole module."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def attack_pack(tmp_path: Path, attacks: list[str], port: int) -> Path:
    """The good pack with the attacks' files laid over it (the later attack's file wins)."""
    pack = tmp_path / "pack"
    shutil.copytree(GOOD_PACK, pack)
    for attack in attacks:
        overlay = ATTACKS / attack
        for source in sorted(overlay.rglob("*")):
            if source.is_file() and source.name != "expected.txt":
                target = pack / source.relative_to(overlay)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(source.read_text(encoding="utf-8").replace("{port}", str(port)), encoding="utf-8")
    return pack


def expected(attack: str) -> tuple[str, str]:
    """("refused", words of the message) or ("neutralised", text absent from every output)."""
    kind, _, text = (ATTACKS / attack / "expected.txt").read_text(encoding="utf-8").strip().partition(": ")
    return kind, text


def build(pack: Path, fmt: str, capsys) -> tuple[int, str]:
    code = cli.run(["build", str(pack), "--format", fmt, "--edition", "student", "--out", str(pack.parent / "dist"), "--jobs", "1", "--quiet"])
    return code, capsys.readouterr().err


def output_texts(dist: Path) -> list[str]:
    """The text of every HTML page and EPUB document of a build."""
    texts = [p.read_text(encoding="utf-8") for p in dist.rglob("*.html")]
    for book in dist.rglob("*.epub"):
        with zipfile.ZipFile(book) as z:
            texts += [z.read(n).decode("utf-8") for n in z.namelist() if n.endswith((".xhtml", ".css", ".svg"))]
    return texts


ALL = sorted(p.name for p in ATTACKS.iterdir() if (p / "expected.txt").is_file())
NEUTRALISED = [a for a in ALL if expected(a)[0] == "neutralised"]


def test_every_fixture_says_what_must_happen():
    assert len(ALL) >= 20
    assert {expected(a)[0] for a in ALL} == {"refused", "neutralised"}


@pytest.mark.parametrize("fmt", ["html", "epub"])
@pytest.mark.parametrize("attack", ALL)
def test_each_attack_is_refused_in_one_line_or_neutralised(attack, fmt, tmp_path, listener, capsys):
    Recorder.requests.clear()
    pack = attack_pack(tmp_path, [attack], listener.server_address[1])
    code, err = build(pack, fmt, capsys)
    kind, text = expected(attack)
    text = text.replace("{port}", str(listener.server_address[1]))
    assert Recorder.requests == []
    assert "Traceback" not in err
    if kind == "refused":
        assert code == 1, err
        message, *rest = err.strip().splitlines()
        assert text in message, err
        assert message.startswith(f"{pack}/"), err  # the pack's file that wrote it (and its line, where known)
        assert all(line.startswith("  hint:") for line in rest), err
        assert not list((tmp_path / "dist").rglob(f"*.{fmt}"))
    else:
        assert code == 0, err
        texts = output_texts(tmp_path / "dist")
        assert texts
        assert not [t for t in texts if text.lower() in t.lower()]


def chromium_loads(page: Path, port: int) -> list[str]:
    """The requests the listener saw while headless Chromium opened ``page`` (given time to load)."""
    Recorder.requests.clear()
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--no-first-run", "--virtual-time-budget=3000", "--dump-dom", page.as_uri()],
        capture_output=True, timeout=120, check=False,
    )
    return list(Recorder.requests)


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium")
def test_the_outputs_with_the_neutralised_attacks_load_nothing_in_chromium(tmp_path, listener):
    port = listener.server_address[1]
    # The harness can see a load: a page written by hand (not built) that fetches from the listener.
    control = tmp_path / "control.html"
    control.write_text(f'<!DOCTYPE html><img src="http://127.0.0.1:{port}/control"><script>fetch("http://127.0.0.1:{port}/ran")</script>')
    assert set(chromium_loads(control, port)) == {"/control", "/ran"}

    # Every neutralised attack's markup in one part.html, built as HTML and EPUB.
    lines = [(ATTACKS / a / "templates" / "part.html").read_text(encoding="utf-8").splitlines()[3] for a in NEUTRALISED]
    pack = attack_pack(tmp_path, NEUTRALISED[:1], port)
    template = (pack / "templates" / "part.html").read_text(encoding="utf-8").splitlines()
    template[3] = "\n".join(lines)
    (pack / "templates" / "part.html").write_text("\n".join(template) + "\n", encoding="utf-8")
    for fmt in ("html", "epub"):
        code = cli.run(["build", str(pack), "--format", fmt, "--edition", "student", "--out", str(tmp_path / "dist"), "--jobs", "1", "--quiet"])
        assert code == 0
    (page,) = (tmp_path / "dist").rglob("*.html")
    assert "Content-Security-Policy" in page.read_text(encoding="utf-8")
    assert chromium_loads(page, port) == []
    (book,) = (tmp_path / "dist").rglob("*.epub")
    unpacked = tmp_path / "book"
    with zipfile.ZipFile(book) as z:
        z.extractall(unpacked)
    chapters = sorted(unpacked.rglob("part-*.xhtml"))
    assert chapters
    for chapter in chapters:  # no policy in a book's pages (Ace must run its script there): the allow-list alone
        assert "Content-Security-Policy" not in chapter.read_text(encoding="utf-8")
        assert chromium_loads(chapter, port) == []


# --- every file a build reads is opened one way: ordinary files only, with a cap on size -------------


def _fifo_picture(pack: Path) -> None:
    # where the PDF (from the pack folder) and the EPUB (from the stylesheet's folder) look for it
    os.mkfifo(pack / "styles" / "bg.png")
    os.mkfifo(pack / "bg.png")
    (pack / "styles" / "custom.css").write_text('body { background: url("bg.png"); }\n', encoding="utf-8")


def _fifo_template(pack: Path) -> None:
    os.mkfifo(pack / "templates" / "part.html")


def _huge_commentary(pack: Path) -> None:
    (pack / "commentary" / "introduction.md").write_text("Read [[declaration]].\n\n" + "word " * 600_000, encoding="utf-8")


def _huge_stylesheet(pack: Path) -> None:
    (pack / "styles" / "custom.css").write_text("/* padding */\n" + "p { color: red }\n" * 200_000, encoding="utf-8")


SPECIAL = {
    # the EPUB's writer refuses it as "not a file in the pack folder", naming the stylesheet's line
    "fifo-picture-in-css": (_fifo_picture, "(bg.png|styles/bg.png|styles/custom.css:1:25)", "(not an ordinary file|not a file in the pack)"),
    "fifo-template": (_fifo_template, "templates/part.html", "not an ordinary file"),
    "huge-commentary": (_huge_commentary, "pack.yaml", "larger than 2 MB"),
    "huge-stylesheet": (_huge_stylesheet, "styles/custom.css", "larger than 2 MB"),
}


@pytest.mark.parametrize("fmt", ["pdf", "epub"])
@pytest.mark.parametrize("case", SPECIAL)
def test_special_and_huge_files_are_refused_by_name_without_hanging(case, fmt, tmp_path, capsys):
    pack = tmp_path / "pack"
    shutil.copytree(GOOD_PACK, pack)
    (pack / "styles").mkdir()
    (pack / "templates").mkdir()
    make, named, words = SPECIAL[case]
    make(pack)
    # a build that hung on a pipe would stop here, by the alarm, not pass
    signal.signal(signal.SIGALRM, lambda *_: pytest.fail("the build hung"))
    signal.alarm(120)
    try:
        code, err = build(pack, fmt, capsys)
    finally:
        signal.alarm(0)
    assert code == 1, err
    message = err.strip().splitlines()[0]
    assert re.match(f"{re.escape(str(pack))}/{named}[:]", message) and re.search(words, message), err


# --- the terminal prints names and values, never obeys them -------------------------------------------


def test_a_pack_folder_named_with_terminal_commands_is_printed_harmlessly(tmp_path, capsys):
    pack = tmp_path / "pack\x1b]0;PWNED\x07\x1b[2J"
    shutil.copytree(GOOD_PACK, pack)
    (pack / "pack.yaml").write_text((pack / "pack.yaml").read_text(encoding="utf-8").replace(
        "title: The Declaration of 46", 'title: "The Declaration \\0\\e]0;PWNED\\a"'), encoding="utf-8")
    for args in (["check", str(pack)], ["build", str(pack), "--format", "html", "--out", str(tmp_path / "dist"), "--jobs", "1"]):
        cli.run(args)
        captured = capsys.readouterr()
        printed = captured.out + captured.err
        assert "pack\\x1b]0;PWNED\\x07\\x1b[2J" in printed, printed
        assert not [c for c in printed if ord(c) < 0x20 and c not in "\n\t"], printed


def test_a_huge_data_url_in_a_message_is_cut(tmp_path, capsys):
    pack = attack_pack(tmp_path, ["data-html-image"], 9)
    part = pack / "templates" / "part.html"
    part.write_text(part.read_text(encoding="utf-8").replace("hello", "A" * 500_000), encoding="utf-8")
    code, err = build(pack, "html", capsys)
    assert code == 1
    assert len(err) < 2000 and "characters)" in err, err[:3000]


# --- the pack's mistakes are exit 1 at file:line:col, not internal errors ---------------------------

EXIT_CASES = {
    "date-beyond-zip": (("date: 2024-09-02", "date: 9999-12-31"), "pack.yaml:4:7: ", "from 1980 to 2107"),
    "huge-hex-integer": (("marks: 8", "marks: 0x" + "F" * 4000), "pack.yaml:25:18: ", "expected a whole number"),
    "lone-surrogate": (("title: The Declaration of 46", 'title: "The \\ud800 Declaration"'), "pack.yaml:2:8: ", "lone surrogate"),
}


@pytest.mark.parametrize("case", EXIT_CASES)
def test_values_the_outputs_cannot_hold_are_exit_1_at_their_place(case, tmp_path, capsys):
    (old, new), where, words = EXIT_CASES[case]
    pack = tmp_path / "pack"
    shutil.copytree(GOOD_PACK, pack)
    text = (pack / "pack.yaml").read_text(encoding="utf-8")
    assert old in text
    (pack / "pack.yaml").write_text(text.replace(old, new), encoding="utf-8")
    code, err = build(pack, "epub", capsys)
    assert code == 1, err
    first = err.splitlines()[0]
    assert first.startswith(f"{pack}/{where}") and words in first and len(first) < 400, err


def test_the_preview_lets_only_its_own_script_run(tmp_path):
    from studypack.resource_policy import ResourcePolicy
    from studypack.preview.pages import toolbar, with_toolbar
    from studypack.render import clean_page

    page = clean_page("<!DOCTYPE html><html><head><title>t</title></head><body><p>text</p></body></html>",
                      target="html", xhtml=False, policy=ResourcePolicy.for_pack(tmp_path))
    assert "script-src 'none'" in page
    shown = with_toolbar(page, toolbar("pack", "student", "screen", 1))
    nonce = re.search(r"script-src 'nonce-([^']+)'", shown).group(1)
    assert shown.count("<script") == 1 and f'<script nonce="{nonce}">' in shown
    assert "script-src 'none'" not in shown and "connect-src 'self'" in shown


def test_the_preview_closes_connections_beyond_its_cap_and_times_idle_ones_out():
    import socket

    from studypack.preview.server import Handler, _Server

    assert Handler.timeout and Handler.timeout <= 60
    httpd = _Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    idle = []
    try:
        for _ in range(_Server.max_connections):
            idle.append(socket.create_connection(httpd.server_address, timeout=10))
        extra = socket.create_connection(httpd.server_address, timeout=10)
        assert extra.recv(1) == b""  # closed by the server at once, not left waiting
        extra.close()
    finally:
        for s in idle:
            s.close()
        httpd.shutdown()
        httpd.server_close()
