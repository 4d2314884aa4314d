"""`studypack preview`: the server, live reload, errors in the page, and a real browser end to end.

The browser test drives Debian's headless Chromium over the DevTools protocol
through a pipe (--remote-debugging-pipe: JSON messages ending in NUL on file
descriptors 3 and 4), so it needs no Python package; without Chromium it is
skipped. Every wait is bounded.
"""

from __future__ import annotations

import fcntl
import http.client
import json
import os
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from studypack.errors import StudypackError
from studypack.preview import PreviewOptions, PreviewServer, choose_pack, error_page
from studypack.cli.scaffold import new_pack

WAIT = 20  # seconds: a bound, never a delay


@pytest.fixture
def pack(tmp_path):
    new_pack("railways", tmp_path / "packs")
    return tmp_path / "packs" / "railways"


@pytest.fixture
def server(pack):
    with PreviewServer(pack) as running:
        yield running


def get(url: str, path: str, host: str | None = None) -> tuple[int, dict, str]:
    """GET ``path`` from the server at ``url``: status, headers, body."""
    address = urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=WAIT)
    try:
        connection.request("GET", path, headers={"Host": host} if host else {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def until(condition, what: str):
    """Poll ``condition`` until it returns something true, for at most WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"gave up after {WAIT} s waiting for {what}")


# --- the server, without a browser ----------------------------------------------


def test_serves_both_editions_on_loopback_with_the_reload_script(server):
    assert server.url.startswith("http://127.0.0.1:")
    status, headers, _ = get(server.url, "/")
    assert status == 302 and headers["Location"] == "/student/"
    status, headers, student = get(server.url, "/student/")
    assert status == 200 and headers["Cache-Control"] == "no-store"
    assert "Old Mr Harker" in student and "/_studypack/events" in student
    assert student.rstrip().endswith("</html>")
    _, _, teacher = get(server.url, "/teacher/")
    assert "Mark scheme" in teacher and "Mark scheme" not in student
    assert get(server.url, "/nowhere")[0] == 404


def test_the_ebook_view_reads_the_book_chapter_by_chapter_and_nothing_outside_it(server, pack):
    import io
    import re
    import zipfile

    status, headers, _ = get(server.url, "/student/ebook/")
    assert status == 302 and headers["Location"].startswith("/student/ebook/") and "cover" not in headers["Location"]
    where, seen, texts = headers["Location"], [], []
    while where:  # the chapters, in reading order, by their "Next" links
        status, headers, page = get(server.url, where)
        assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8", where
        assert "/_studypack/events" in page and 'aria-current=page>E-book' in page
        seen.append(where)
        texts.append(page)
        following = re.search(r'<a href="([^"]+)" rel="next">', page)
        where = following[1] if following else None
        assert len(seen) < 50
    assert len(seen) >= 4 and len(set(seen)) == len(seen)
    assert any("Old Mr Harker" in text for text in texts)
    assert 'rel="prev"' not in texts[0] and 'rel="prev"' in texts[-1]
    stylesheet = re.search(r'href="([^"]+\.css)"', texts[1])[1]
    status, headers, css = get(server.url, "/student/ebook/" + stylesheet)
    assert status == 200 and headers["Content-Type"] == "text/css; charset=utf-8" and "{" in css

    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=WAIT)
    connection.request("GET", "/teacher/book.epub")
    response = connection.getresponse()
    book = zipfile.ZipFile(io.BytesIO(response.read()))
    connection.close()
    assert response.headers["Content-Type"] == "application/epub+zip"
    assert book.namelist()[0] == "mimetype" and any("Mark scheme" in book.read(n).decode("utf-8", "replace") for n in book.namelist())

    for outside in ("META-INF/container.xml", "../../pack.yaml", "nothing.xhtml"):
        assert get(server.url, "/student/ebook/" + outside)[0] == 404, outside

    edit(pack / "commentary" / "introduction.md", "This pack", "This new pack")
    until(lambda: "This new pack" in get(server.url, "/student/")[2], "the rebuild")
    assert any("This new pack" in get(server.url, where)[2] for where in seen)  # the book was made again


def test_answers_only_to_its_own_names(server):
    port = urlsplit(server.url).port
    assert get(server.url, "/student/", host=f"localhost:{port}")[0] == 200
    assert get(server.url, "/student/", host="attacker.example")[0] == 403


def test_events_announce_each_rebuild(server, pack):
    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=WAIT)
    connection.request("GET", "/_studypack/events?seen=1")
    stream = connection.getresponse()
    assert stream.headers["Content-Type"] == "text/event-stream"
    assert stream.readline() == b"retry: 1000\n"
    edit(pack / "commentary" / "introduction.md", "This pack", "This new pack")
    lines = [stream.readline() for _ in range(3)]
    connection.close()
    assert b"data: 2\n" in lines
    assert "This new pack" in get(server.url, "/student/")[2]


def test_a_failed_build_is_shown_escaped_and_the_server_carries_on(server, pack):
    manifest = pack / "pack.yaml"
    edit(manifest, "source: example#source-a", "source: example#<b>source-z</b>")
    page = until(lambda: (lambda p: "could not be built" in p and p)(get(server.url, "/student/")[2]), "the error page")
    assert "pack.yaml:" in page and "example#&lt;b&gt;source-z&lt;/b&gt;" in page and "<b>" not in page
    edit(manifest, "source: example#<b>source-z</b>", "source: example#source-a")
    until(lambda: "Old Mr Harker" in get(server.url, "/student/")[2], "the pack again")


def test_error_page_escapes_everything():
    page = error_page("<pack>", "student", "screen", 3, "pack.yaml:1:1: <script>alert(1)</script>")
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;pack&gt;" in page


def test_a_port_in_use_is_a_clear_error(server, pack):
    port = urlsplit(server.url).port
    with pytest.raises(StudypackError, match=f"cannot listen on port {port}") as exc:
        PreviewServer(pack, PreviewOptions(port=port))
    assert "--port" in exc.value.format_message()


def test_which_pack_to_preview(tmp_path, monkeypatch, pack):
    monkeypatch.chdir(tmp_path)
    assert choose_pack(None) == Path("packs/railways")
    new_pack("canals", tmp_path / "packs")
    with pytest.raises(StudypackError, match="name the pack to preview; this folder has packs/canals, packs/railways"):
        choose_pack(None)
    monkeypatch.chdir(pack)
    assert choose_pack(None) == Path(".")
    with pytest.raises(StudypackError, match="no pack.yaml"):
        choose_pack(tmp_path)


# --- a real browser ------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class Chromium:
    """Headless Chromium, driven over the DevTools protocol through a pipe."""

    def __init__(self, profile: Path):
        commands_read, self._commands = os.pipe()
        self._replies, replies_write = os.pipe()
        # Above 9, so that moving them to 3 and 4 in the child cannot close one another.
        commands_read, replies_write = (_above_nine(fd) for fd in (commands_read, replies_write))
        flags = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
            "--window-size=1100,900", f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank",
        ]  # fmt: skip
        # Chromium reads commands on fd 3 and writes replies on fd 4.
        shell = f'exec "$0" "$@" 3<&{commands_read} 4>&{replies_write} {commands_read}<&- {replies_write}>&-'
        self.process = subprocess.Popen(
            ["bash", "-c", shell, CHROMIUM, *flags],
            pass_fds=(commands_read, replies_write),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(commands_read)
        os.close(replies_write)
        self._ids = iter(range(1, 1_000_000))
        self._inbox: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]

    def _read(self) -> None:
        buffer = b""
        while chunk := os.read(self._replies, 65536):
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            for message in messages:
                self._inbox.put(json.loads(message))
        self._inbox.put(None)

    def call(self, method: str, session: str | None = None, **params):
        """Send one command and return its result (events in between are dropped)."""
        number = next(self._ids)
        message = {"id": number, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + WAIT
        while True:
            reply = self._inbox.get(timeout=max(0.1, deadline - time.monotonic()))
            assert reply is not None, "Chromium closed the pipe"
            if reply.get("id") == number:
                assert "error" not in reply, reply["error"]
                return reply["result"]

    def open(self, url: str) -> None:
        self.call("Page.navigate", self.session, url=url)

    def js(self, expression: str):
        """The value of a JavaScript expression in the page."""
        result = self.call("Runtime.evaluate", self.session, expression=expression, returnByValue=True)
        return result["result"].get("value")

    def screenshot(self, path: Path) -> None:
        import base64

        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", self.session)["data"]))

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (AssertionError, OSError, queue.Empty):
            pass
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        os.close(self._commands)


def _above_nine(fd: int) -> int:
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


@pytest.fixture
def browser(tmp_path):
    if CHROMIUM is None:
        pytest.skip("needs Chromium for the end-to-end preview test (Debian: apt-get install chromium)")
    chromium = Chromium(tmp_path / "chromium-profile")
    yield chromium
    chromium.close()


@pytest.mark.slow
def test_the_page_in_a_browser_follows_the_pack_as_it_is_edited(server, pack, browser, tmp_path):
    browser.open(server.url)
    text = "document.body ? document.body.innerText : ''"
    until(lambda: "Old Mr Harker" in browser.js(text), "the pack in the browser")
    assert browser.js("location.pathname") == "/student/"
    browser.js("window.openedOnce = true")

    edit(pack / "documents" / "example-railway.txt", "Old Mr Harker", "Old Mrs Harker")
    until(lambda: "Old Mrs Harker" in browser.js(text), "the page to show the edited document")
    assert browser.js("window.openedOnce") is None  # it reloaded by itself
    assert browser.js("location.pathname") == "/student/"

    edit(pack / "pack.yaml", "source: example#source-a", "source: example#<i>source-z</i>")
    until(lambda: "could not be built" in browser.js(text), "the error in the page")
    assert "example#<i>source-z</i>" in browser.js("document.querySelector('.problem pre').textContent")
    assert browser.js("document.querySelectorAll('.problem i').length") == 0
    browser.screenshot(tmp_path / "error.png")

    edit(pack / "pack.yaml", "source: example#<i>source-z</i>", "source: example#source-a")
    until(lambda: "Old Mrs Harker" in browser.js(text), "the pack after the fix")
    browser.screenshot(tmp_path / "screen.png")

    browser.js("document.querySelector('a[href=\"/student/print/\"]').click()")
    sheets = "Array.from(document.querySelectorAll('img.sheet'))"
    until(lambda: browser.js(f"{sheets}.length") >= 2, "the print layout")
    browser.screenshot(tmp_path / "print.png")
    loaded = f"{sheets}.every(i => i.complete && i.naturalWidth > 0)"
    until(lambda: browser.js(f"window.scrollBy(0, 600), {loaded}"), "every page's picture (they load as they scroll in)")
    assert browser.js("document.querySelector('img.sheet').naturalWidth") > browser.js(
        "document.querySelector('img.sheet').naturalHeight"
    ) * 0.6


# --- the command ---------------------------------------------------------------------


def test_the_command_prints_the_address_serves_and_stops_on_ctrl_c(pack):
    import signal
    import sys

    command = [sys.executable, "-m", "studypack", "preview", str(pack), "--edition", "teacher"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith(f"previewing {pack} at http://127.0.0.1:") and "(Ctrl-C to stop)" in line
        url = line.split(" at ")[1].split()[0]
        assert get(url, "/")[1]["Location"] == "/teacher/"
        assert "Mark scheme" in get(url, "/teacher/")[2]
        process.send_signal(signal.SIGINT)
        assert process.wait(WAIT) == 0
        assert process.stderr.read().strip() == "stopped"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(WAIT)
