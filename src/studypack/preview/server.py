"""The preview's HTTP server: the routes, the stream of build events, and `PreviewServer`, which also watches."""

from __future__ import annotations

import http.server
import logging
import re
import threading
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from ..build.watch import changes, inputs
from ..errors import StudypackError
from .pages import EVENTS, ebook_page, error_page, print_page, toolbar, with_toolbar
from .site import PreviewOptions, Site

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
KEEPALIVE_SECONDS = 15

MEDIA_TYPES = {".xhtml": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".png": "image/png",
               ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".svg": "image/svg+xml",
               ".webp": "image/webp", ".woff": "font/woff", ".woff2": "font/woff2", ".otf": "font/otf", ".ttf": "font/ttf"}


ROUTE = re.compile(
    r"^/(?P<edition>student|teacher)/(?:(?P<print>print/)(?:(?P<page>[1-9][0-9]{0,3})\.png)?|(?P<pdf>print\.pdf)"
    r"|(?P<ebook>ebook/)(?P<file>[A-Za-z0-9._/-]*)|(?P<epub>book\.epub))?$"
)


class Handler(http.server.BaseHTTPRequestHandler):
    """Answers the browser: pages, page pictures, the PDF and the stream of build events."""

    server: "_Server"
    server_version = "studypack-preview"
    timeout = 30  # seconds a connection may sit idle (or a request dribble in) before it is closed

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if not self._from_this_machine():
            return self._send(403, "text/plain", b"studypack preview answers only to 127.0.0.1 and localhost\n")
        url = urlsplit(self.path)
        site = self.server.site
        if url.path == "/":
            return self._redirect(f"/{site.options.edition}/")
        if url.path == EVENTS:
            return self._events(parse_qs(url.query).get("seen", ["0"])[0])
        match = ROUTE.match(url.path)
        if not match:
            return self._send(404, "text/plain", b"not found: the preview has /student/ and /teacher/\n")
        edition, name = match["edition"], site.pack_dir.resolve().name
        if match["ebook"] or match["epub"]:
            return self._ebook_file(site, edition, match["file"] if match["ebook"] else None, name)
        if match["pdf"] or match["page"]:
            return self._print_file(site, edition, match["page"], name)
        if match["print"]:
            generation, pdf, sizes = site.print_layout(edition)
            page = (
                error_page(name, edition, "print", generation, pdf)
                if isinstance(pdf, str)
                else print_page(name, edition, generation, sizes)
            )
            return self._send(200, "text/html; charset=utf-8", page.encode("utf-8"))
        generation, built = site.edition(edition)
        bar = toolbar(name, edition, "screen", generation)
        page = error_page(name, edition, "screen", generation, built.error) if built.error else with_toolbar(built.html, bar)
        return self._send(200, "text/html; charset=utf-8", page.encode("utf-8"))

    def _print_file(self, site: Site, edition: str, page: str | None, name: str) -> None:
        if page:
            png = site.page_image(edition, int(page))
            if png is None:
                return self._send(404, "text/plain", b"no such page\n")
            return self._send(200, "image/png", png)
        _, pdf, _ = site.print_layout(edition)
        if isinstance(pdf, str):
            return self._send(500, "text/plain; charset=utf-8", pdf.encode("utf-8"))
        disposition = f'inline; filename="{name}-{edition}.pdf"'
        return self._send(200, "application/pdf", pdf, {"Content-Disposition": disposition})

    def _ebook_file(self, site: Site, edition: str, href: str | None, name: str) -> None:
        generation, book = site.ebook(edition)
        if isinstance(book, str):
            if href is None:
                return self._send(500, "text/plain; charset=utf-8", book.encode("utf-8"))
            return self._send(200, "text/html; charset=utf-8", error_page(name, edition, "ebook", generation, book).encode("utf-8"))
        if href is None:
            disposition = f'attachment; filename="{name}-{edition}.epub"'
            return self._send(200, "application/epub+zip", book.data, {"Content-Disposition": disposition})
        if not href:  # the first chapter after the cover
            first = next((h for h in book.spine if not h.startswith("cover")), book.spine[0])
            return self._redirect(f"/{edition}/ebook/{first}")
        data = book.file(href)
        if data is None or ".." in href.split("/"):
            return self._send(404, "text/plain", b"no such file in the book\n")
        media = MEDIA_TYPES.get(Path(href).suffix.lower(), "application/octet-stream")
        if href.endswith(".xhtml"):
            page = ebook_page(data.decode("utf-8"), edition, book, href, toolbar(name, edition, "ebook", generation))
            return self._send(200, media, page.encode("utf-8"))
        return self._send(200, media, data)

    def _events(self, seen: str) -> None:
        site = self.server.site
        shown = int(seen) if seen.isdigit() else -1
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while not site.closed:
                generation = site.wait(shown, KEEPALIVE_SECONDS)
                if site.closed:
                    break
                self.wfile.write(f"data: {generation}\n\n".encode() if generation != shown else b": waiting\n\n")
                self.wfile.flush()
                shown = generation
        except OSError:  # the page was closed or reloaded
            pass

    def _from_this_machine(self) -> bool:
        # A page elsewhere could point its own name at 127.0.0.1 (DNS rebinding): only our names pass.
        port = self.server.server_address[1]
        return self.headers.get("Host", "") in (f"{LOOPBACK}:{port}", f"localhost:{port}")

    def _redirect(self, where: str) -> None:
        self.send_response(302)
        self.send_header("Location", where)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: int, content_type: str, body: bytes, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if content_type.startswith(("image/svg", "application/xhtml", "application/xml", "text/xml")):
            # a pack's own file opened by itself (an SVG picture, an e-book's page) runs nothing, loads nothing
            self.send_header("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - http.server's signature
        log.debug("%s " + format, self.address_string(), *args)


class _Server(http.server.ThreadingHTTPServer):
    """One thread per connection, at most ``max_connections`` at once: one more is closed at once
    (idle connections would otherwise hold a thread each for ever)."""

    daemon_threads = True
    max_connections = 64
    site: Site

    def server_activate(self) -> None:  # noqa: D102 - socketserver's hook, before the first request
        self._slots = threading.BoundedSemaphore(self.max_connections)
        super().server_activate()

    def process_request(self, request, client_address) -> None:  # noqa: D102 - socketserver's hook
        if not self._slots.acquire(blocking=False):
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request, client_address) -> None:  # noqa: D102 - socketserver's hook
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


class PreviewServer:
    """A running preview of one pack: the HTTP server, the watcher, the latest build.

    Use as a context manager; `url` is where to point the browser.
    """

    def __init__(self, pack_dir: Path, options: PreviewOptions = PreviewOptions()):
        self.site = Site(pack_dir, options)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        try:
            self._httpd = _Server((LOOPBACK, options.port), Handler)
        except OSError as exc:
            raise StudypackError(
                f"cannot listen on port {options.port}: {exc.strerror}",
                hint="choose another port with --port, or leave --port out to use a free one",
            ) from None
        self._httpd.site = self.site

    @property
    def url(self) -> str:
        """The address of the preview's first page."""
        return f"http://{LOOPBACK}:{self._httpd.server_address[1]}/"

    def start(self) -> "PreviewServer":
        """Build, then serve and watch in background threads."""
        options = self.site.options
        stream = changes(inputs([self.site.pack_dir], options.templates, options.styles), self._stop)
        try:
            next(stream)  # watching from here: a change saved during the first build is not missed
            self.site.rebuild()
        except BaseException:
            self._stop.set()
            self._httpd.server_close()
            raise
        self._threads = [
            threading.Thread(target=self._httpd.serve_forever, name="preview-http", daemon=True),
            threading.Thread(target=self._rebuild_on_change, args=(stream,), name="preview-watch", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        return self

    def _rebuild_on_change(self, stream) -> None:
        for batch in stream:
            log.info("changed: %s", ", ".join(sorted(str(p) for p in batch)))
            self.site.rebuild()

    def stop(self) -> None:
        """Stop watching and serving; open pages are told nothing more."""
        self._stop.set()
        self.site.close()
        if self._threads:
            self._httpd.shutdown()
        self._httpd.server_close()
        for thread in self._threads:
            thread.join(5)

    def __enter__(self) -> "PreviewServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def preview(pack_dir: Path, options: PreviewOptions, ready: Callable[[str], None]) -> None:
    """Serve the preview of ``pack_dir`` until Ctrl-C; ``ready`` is given the URL once it is up."""
    server = PreviewServer(pack_dir, options)
    try:
        with server:
            ready(server.url)
            while True:
                threading.Event().wait(3600)
    except KeyboardInterrupt:
        return
