"""What the preview serves: the latest build of each edition of one pack, made in memory as the pack changes."""

from __future__ import annotations

import io
import logging
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import StudypackError
from ..theme import Theme
from ..writers import WriteRequest, get_writer

log = logging.getLogger(__name__)

EDITIONS = ("student", "teacher")
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


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """The width and height of each page of a PDF, in points."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return [document[i].get_size() for i in range(len(document))]
    finally:
        document.close()
