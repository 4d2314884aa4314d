"""``studypack preview``: the pack in a browser, rebuilt and reloaded as the teacher edits it.

A small HTTP server on the loopback interface (never another address) serves,
for each edition:

- ``/student/``: the HTML edition, exactly as ``build`` writes it, plus a
  toolbar and a script that reloads the page when the pack changes;
- ``/student/print/``: the print layout, as pictures of the PDF's pages;
- ``/student/print.pdf``: the PDF itself;
- ``/student/ebook/``: the EPUB's chapters one at a time, served from the
  book itself (``/student/ebook/FILE`` is the book's file FILE, and nothing
  else), each with links to the previous and the next;
- ``/student/book.epub``: the EPUB itself.

Every input of the pack is watched (see watch.py). On a change the pack is
read again and both editions' HTML rendered in memory; nothing is written to
disk. The PDF is laid out, and the EPUB made, only when a view asks for it. Open pages
learn of a new build through Server-Sent Events (``/_studypack/events``) and
reload. A build that fails shows its error in the page instead, escaped,
and the server carries on.
"""

from __future__ import annotations

import http.server
import io
import logging
import re
import tempfile
import threading
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from ..errors import StudypackError
from ..theme import Theme
from ..build.watch import changes, inputs
from ..writers import WriteRequest, get_writer

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
EDITIONS = ("student", "teacher")
EVENTS = "/_studypack/events"
KEEPALIVE_SECONDS = 15
PAGE_SCALE = 2  # page pictures at twice CSS-pixel size, sharp on high-density screens


@dataclass(frozen=True)
class PreviewOptions:
    """What a preview shows: the edition it opens on, the port, the theme folders, the paper."""

    edition: str = "student"
    port: int = 0  # 0: a free port
    templates: tuple[Path, ...] = ()
    styles: tuple[Path, ...] = ()
    paper: str | None = None


def choose_pack(pack_dir: Path | None) -> Path:
    """The pack to preview: the one named, else the current folder, else the only pack under ./packs."""
    if pack_dir is None:
        if Path("pack.yaml").is_file():
            return Path(".")
        found = sorted(p for p in Path("packs").glob("*") if (p / "pack.yaml").is_file())
        if len(found) == 1:
            return found[0]
        names = ", ".join(str(p) for p in found)
        raise StudypackError(
            f"name the pack to preview; this folder has {names}" if found else "no pack here to preview",
            hint="e.g. studypack preview packs/my-pack",
        )
    if not (pack_dir / "pack.yaml").is_file():
        raise StudypackError("not a pack folder (it has no pack.yaml)", where=str(pack_dir))
    return pack_dir


@dataclass(frozen=True)
class Built:
    """One edition of one build: its HTML, or the error that stopped it."""

    html: str | None = None
    error: str | None = None


class Site:
    """What the preview serves: the latest build of each edition, and a generation number that counts builds."""

    def __init__(self, pack_dir: Path, options: PreviewOptions):
        self.pack_dir = pack_dir
        self.options = options
        self.generation = 0
        self.closed = False
        self._editions: dict[str, Built] = {}
        self._pack = None
        self._prints: dict[str, tuple[int, object]] = {}  # edition: (generation, (PDF, page sizes) or an error)
        self._books: dict[str, tuple[int, object]] = {}  # edition: (generation, Ebook or an error)
        self._changed = threading.Condition()
        self._print_lock = threading.Lock()  # WeasyPrint and PDFium, one at a time

    def theme(self) -> Theme:
        """The pack's theme as its folder is now (a templates/ folder may have appeared)."""
        return Theme.for_pack(self.pack_dir, self.options.templates, self.options.styles)

    def request(self, edition: str) -> WriteRequest:
        """What a writer needs to render ``edition`` of the latest pack."""
        return WriteRequest(self._pack, edition, "standard", self.theme(), {"paper": self.options.paper})

    def rebuild(self) -> None:
        """Read the pack again and render each edition's HTML; tell waiting pages."""
        from ..assemble.pack import load_pack

        pack, editions = None, {}
        try:
            pack = load_pack(self.pack_dir)
        except Exception as exc:
            editions = dict.fromkeys(EDITIONS, Built(error=describe(exc)))
        with self._changed:
            self._pack = pack
        for edition in EDITIONS if pack is not None else ():
            try:
                editions[edition] = Built(html=render_html(self.request(edition)))
            except Exception as exc:
                editions[edition] = Built(error=describe(exc))
        with self._changed:
            self._editions = editions
            self._prints.clear()
            self._books.clear()
            self.generation += 1
            self._changed.notify_all()
        errors = {b.error for b in editions.values() if b.error}
        log.info("build %d of %s: %s", self.generation, self.pack_dir, "; ".join(errors) or "ok")

    def wait(self, seen: int, timeout: float) -> int:
        """The generation, once it is other than ``seen`` or after ``timeout`` seconds or on close."""
        with self._changed:
            self._changed.wait_for(lambda: self.generation != seen or self.closed, timeout)
            return self.generation

    def close(self) -> None:
        """Release every page waiting for a change."""
        with self._changed:
            self.closed = True
            self._changed.notify_all()

    def edition(self, edition: str) -> tuple[int, Built]:
        """The generation and the latest HTML (or error) of an edition."""
        with self._changed:
            return self.generation, self._editions.get(edition, Built(error="the first build has not finished"))

    def print_layout(self, edition: str) -> tuple[int, bytes | str, list[tuple[float, float]]]:
        """The generation, the PDF of an edition (laid out now if this build has none yet) or its error, and its page sizes in points."""

        def lay_out(request: WriteRequest) -> tuple[bytes, list[tuple[float, float]]]:
            pdf = render_pdf(request)
            return pdf, page_sizes(pdf)

        generation, made = self._once_per_build(self._prints, edition, lay_out)
        return (generation, made, []) if isinstance(made, str) else (generation, *made)

    def ebook(self, edition: str) -> tuple[int, "Ebook | str"]:
        """The generation and the EPUB of an edition (made now if this build has none yet), or its error."""

        def make(request: WriteRequest) -> Ebook:
            # Without the print layout's page list and the cover, which `build` takes from the PDF.
            options = {**request.options, "page_list": False, "cover": False}
            return Ebook(_written("epub", WriteRequest(request.pack, edition, "standard", request.theme, options)))

        return self._once_per_build(self._books, edition, make)

    def _once_per_build(self, made: dict, edition: str, make: Callable[[WriteRequest], object]) -> tuple[int, object]:
        """What ``make`` makes of an edition, made when first asked for after each build and kept in
        ``made``; the build's error, or make's, as a message instead. One at a time (WeasyPrint, PDFium)."""
        with self._print_lock:
            with self._changed:
                generation, built, cached = self.generation, self._editions.get(edition), made.get(edition)
            if cached and cached[0] == generation:
                return cached
            if built is None or built.error:
                result = built.error if built else "no build yet"
            else:
                try:
                    result = make(self.request(edition))
                except Exception as exc:
                    result = describe(exc)
            with self._changed:
                if self.generation == generation:
                    made[edition] = (generation, result)
            return generation, result

    def page_image(self, edition: str, number: int) -> bytes | None:
        """Page ``number`` (from 1) of the edition's PDF as a PNG, or None if there is no such page."""
        _, pdf, sizes = self.print_layout(edition)
        if isinstance(pdf, str) or not 1 <= number <= len(sizes):
            return None
        import pypdfium2

        with self._print_lock:
            document = pypdfium2.PdfDocument(pdf)
            try:
                bitmap = document[number - 1].render(scale=PAGE_SCALE * 96 / 72)
                out = io.BytesIO()
                bitmap.to_pil().save(out, format="PNG")
            finally:
                document.close()
        return out.getvalue()


def describe(exc: Exception) -> str:
    """An error as a teacher reads it: a StudypackError's own message, else an internal error."""
    if isinstance(exc, StudypackError):
        return exc.format_message()
    log.debug("preview build failed", exc_info=exc)
    return f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)"


def _written(fmt: str, request: WriteRequest) -> bytes:
    """What the writer of ``fmt`` writes for ``request``, through a temporary file."""
    with tempfile.TemporaryDirectory(prefix="studypack-preview-") as tmp:
        dest = Path(tmp) / f"preview.{fmt}"
        get_writer(fmt).write(request, dest)
        return dest.read_bytes()


def render_html(request: WriteRequest) -> str:
    """The HTML edition, exactly as ``build`` writes it."""
    return _written("html", request).decode("utf-8")


def render_pdf(request: WriteRequest) -> bytes:
    """The PDF handout, exactly as ``build`` writes it."""
    return _written("pdf", request)


class Ebook:
    """An EPUB held in memory: its files, and its spine (the chapters in reading order)."""

    def __init__(self, data: bytes):
        import zipfile

        from lxml import etree

        self.data = data
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            self.files = {name: book.read(name) for name in book.namelist()}
        container = etree.fromstring(self.files["META-INF/container.xml"])
        opf_path = container.find(".//{*}rootfile").get("full-path")
        self.root = opf_path.rpartition("/")[0]  # the folder the book's own paths are relative to
        opf = etree.fromstring(self.files[opf_path])
        hrefs = {item.get("id"): item.get("href") for item in opf.iterfind(".//{*}manifest/{*}item")}
        self.spine = [hrefs[ref.get("idref")] for ref in opf.iterfind(".//{*}spine/{*}itemref")]

    def file(self, href: str) -> bytes | None:
        """The book's file at ``href`` (relative to its package folder), or None: nothing outside the book."""
        return self.files.get(f"{self.root}/{href}" if self.root else href)


MEDIA_TYPES = {".xhtml": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".png": "image/png",
               ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".svg": "image/svg+xml",
               ".webp": "image/webp", ".woff": "font/woff", ".woff2": "font/woff2", ".otf": "font/otf", ".ttf": "font/ttf"}


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """The width and height of each page of a PDF, in points."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return [document[i].get_size() for i in range(len(document))]
    finally:
        document.close()


# --- what the browser gets --------------------------------------------------------

TOOLBAR_CSS = """
#studypack-preview { all: initial; position: fixed; top: 0; right: 0; z-index: 2147483647;
  font: 13px/1.4 system-ui, sans-serif; background: #1f2933; color: #fff; padding: 4px 10px;
  border-bottom-left-radius: 6px; opacity: 0.92; }
#studypack-preview a { color: #cde; margin: 0 3px; text-decoration: none; }
#studypack-preview a[aria-current] { color: #fff; font-weight: bold; text-decoration: underline; }
#studypack-preview .status { color: #fc6; margin-left: 6px; }
@media print { #studypack-preview { display: none; } }
"""

# Reload when the server has a newer build than the one this page shows; the
# browser keeps the scroll position. EventSource reconnects by itself.
RELOAD_JS = """
(function () {
  var shown = %(generation)d, status = document.querySelector("#studypack-preview .status");
  var events = new EventSource("%(events)s?seen=" + shown);
  events.onmessage = function (e) {
    if (Number(e.data) !== shown) { status.textContent = "reloading\\u2026"; events.close(); location.reload(); }
  };
  events.onopen = function () { status.textContent = ""; };
  events.onerror = function () { status.textContent = "not connected: is studypack preview still running?"; };
})();
"""


def toolbar(pack_name: str, edition: str, view: str, generation: int) -> str:
    """The preview's toolbar and reload script, to end a page's <body>."""

    def link(href: str, text: str, current: bool) -> str:
        return f'<a href="{href}"{" aria-current=page" if current else ""}>{text}</a>'

    places = {"screen": "", "print": "print/", "ebook": "ebook/"}
    editions = " ".join(link(f"/{e}/{places[view]}", e.title(), e == edition) for e in EDITIONS)
    views = " ".join(
        (
            link(f"/{edition}/", "Screen", view == "screen"),
            link(f"/{edition}/print/", "Print layout", view == "print"),
            link(f"/{edition}/print.pdf", "PDF", False),
            link(f"/{edition}/ebook/", "E-book", view == "ebook"),
            link(f"/{edition}/book.epub", "EPUB", False),
        )
    )
    script = RELOAD_JS % {"generation": generation, "events": EVENTS}
    return (
        f"<style>{TOOLBAR_CSS}</style>\n"
        f'<div id="studypack-preview" role="navigation" aria-label="studypack preview">'
        f"{escape(pack_name)} · {editions} · {views}<span class=status></span></div>\n"
        f"<script>{script}</script>\n"
    )


def with_toolbar(html: str, bar: str) -> str:
    """The page with the toolbar inserted before its closing </body> (or at its end)."""
    at = html.lower().rfind("</body>")
    return html + bar if at < 0 else html[:at] + bar + html[at:]


def standalone(title: str, body: str, bar: str) -> str:
    """A page of the preview's own: the error page, the print layout."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8" />'
        '<meta name="viewport" content="width=device-width, initial-scale=1" />'
        f"<title>{escape(title)}</title><style>{PAGE_CSS}</style></head>\n<body>{body}\n{bar}</body></html>\n"
    )


PAGE_CSS = """
body { margin: 0; padding: 3em 1em; background: #e4e7eb; font: 16px/1.5 system-ui, sans-serif; color: #1f2933; }
.problem { max-width: 60em; margin: 0 auto; background: #fff; border-left: 6px solid #b42318; padding: 1em 1.5em; }
.problem pre { white-space: pre-wrap; font-size: 14px; }
.sheet { display: block; margin: 0 auto 1.5em; max-width: 100%; height: auto; background: #fff;
  box-shadow: 0 1px 4px rgba(0, 0, 0, 0.3); }
.count { text-align: center; color: #52606d; }
"""


def error_page(pack_name: str, edition: str, view: str, generation: int, error: str) -> str:
    """The page shown instead of the pack while its build fails."""
    body = (
        '<section class="problem" role="alert"><h1>The pack could not be built</h1>'
        f"<pre>{escape(error)}</pre><p>Fix it and save: this page reloads by itself.</p></section>"
    )
    return standalone(f"Error: {pack_name}", body, toolbar(pack_name, edition, view, generation))


def print_page(pack_name: str, edition: str, generation: int, sizes: list[tuple[float, float]]) -> str:
    """The print layout: one picture per page of the PDF, at its printed size."""
    sheets = "\n".join(
        f'<img class="sheet" src="/{edition}/print/{n}.png?g={generation}" alt="Page {n}" '
        f'width="{round(w * 96 / 72)}" height="{round(h * 96 / 72)}" loading="lazy" />'
        for n, (w, h) in enumerate(sizes, 1)
    )
    body = f'<main>{sheets}<p class="count">{len(sizes)} pages</p></main>'
    return standalone(f"{pack_name}: print layout ({edition})", body, toolbar(pack_name, edition, "print", generation))


# An e-reader sets the book in a column with margins of its own; in a browser window the chapter
# gets the same, and the links to move through the book.
READER_CSS = """
html { background: #e4e7eb; }
body { max-width: 34em; margin: 2.5em auto; padding: 1.5em 2em; background: #fff; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.3); }
nav.studypack-reader { display: flex; justify-content: space-between; gap: 1em; margin-top: 2em; padding-top: 0.8em;
  border-top: 1px solid #cbd2d9; font: 14px/1.4 system-ui, sans-serif; }
nav.studypack-reader a { color: #1f3a5f; }
"""


def ebook_page(html: str, edition: str, book: Ebook, href: str, bar: str) -> str:
    """A chapter of the book as the browser shows it: the reader's column, the previous and the next chapter, the toolbar."""
    at = book.spine.index(href) if href in book.spine else -1
    links = []
    if at > 0:
        links.append(f'<a href="/{edition}/ebook/{escape(book.spine[at - 1])}" rel="prev">\u2039 Previous</a>')
    if href != "nav.xhtml" and book.file("nav.xhtml") is not None:
        links.append(f'<a href="/{edition}/ebook/nav.xhtml">Contents</a>')
    if 0 <= at < len(book.spine) - 1:
        links.append(f'<a href="/{edition}/ebook/{escape(book.spine[at + 1])}" rel="next">Next \u203a</a>')
    reader = f'<nav class="studypack-reader" aria-label="chapters">{"".join(links)}</nav>'
    style = f"<style>{READER_CSS}</style>"
    end_of_head = html.lower().find("</head>")
    html = html if end_of_head < 0 else html[:end_of_head] + style + html[end_of_head:]
    return with_toolbar(html, reader + bar)


# --- the server ----------------------------------------------------------------------

ROUTE = re.compile(
    r"^/(?P<edition>student|teacher)/(?:(?P<print>print/)(?:(?P<page>[1-9][0-9]{0,3})\.png)?|(?P<pdf>print\.pdf)"
    r"|(?P<ebook>ebook/)(?P<file>[A-Za-z0-9._/-]*)|(?P<epub>book\.epub))?$"
)


class Handler(http.server.BaseHTTPRequestHandler):
    """Answers the browser: pages, page pictures, the PDF and the stream of build events."""

    server: "_Server"
    server_version = "studypack-preview"

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
    daemon_threads = True
    site: Site


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
