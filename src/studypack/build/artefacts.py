"""What one job of a build makes for another: the print layout's page map and the cover image, for the EPUB.

An EPUB has two things only a WeasyPrint layout can make: the page list
(where each page of the printed handout begins, `writers.epub.pages`) and the
cover image (`layout.cover`). WeasyPrint takes about 0.4 s to import and
another layout of the handout costs as much as the PDF, so an EPUB does not
make them itself:

- the page map is a by-product of the PDF of the same pack, edition and
  variant (its "twin"): the EPUB job waits for the twin and is given its map;
- the cover image is made by the first EPUB that has WeasyPrint at hand (its
  twin is in the build, so its worker has WeasyPrint loaded anyway);
- both are kept in the output folder (`BuildCache.keep_artefact`) under the
  twin's layout key (everything the layout depends on), so a later EPUB-only
  build uses them without WeasyPrint. A job is handed a kept artefact as a
  `Kept` (where it lies), which the job reads itself (`read_kept`), in its
  worker: the build process, which is what a small EPUB build waits on,
  never reads or passes on the bytes.

An EPUB-only build that has neither (the PDF was never built into this
folder) makes the book without page list and cover, and never imports
WeasyPrint. The EPUB's cache key says which it has, so a later build that
can add them rebuilds it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ..layout.pagemap import decode_page_map, encode_page_map
from .cache import BuildCache, job_key

PAGE_MAP = "pages.json.z"
COVER = "cover.png"


def layout_key(job, theme, options, version: str, inputs: str | None = None) -> str:
    """The key of the print layout of a job's pack, edition and variant: what its artefacts are kept under."""
    twin = replace(job, format="pdf")
    return job_key(twin, theme, replace(options, emit_html=False), version, inputs=inputs)


@dataclass(frozen=True)
class Kept:
    """An artefact kept in the output folder, handed to a job to read itself."""

    path: Path
    name: str  # PAGE_MAP or COVER

    def read(self):
        """The artefact: a page map decoded, a cover's PNG bytes (OSError if it is gone)."""
        data = self.path.read_bytes()
        return decode_page_map(data) if self.name == PAGE_MAP else data


def read_kept(artefacts: dict) -> dict:
    """A job's artefacts with every `Kept` one read; one that cannot be read is left out, and the
    writer does without it as it would in a build that never kept it (it makes it itself)."""
    out = {}
    for name, value in artefacts.items():
        if isinstance(value, Kept):
            try:
                value = value.read()
            except (OSError, ValueError):
                continue
        out[name] = value
    return out


class PrintArtefacts:
    """For one build: which EPUBs get a page list and a cover, from where, and when they may start."""

    def __init__(self, jobs: list, cache: BuildCache, themes: dict, options, version: str, inputs: dict | None = None):
        self.cache = cache
        self.jobs = set(jobs)
        inputs = inputs or {}
        self.keys = {
            job: layout_key(job, themes[job.pack_dir], options, version, inputs.get(job.pack_dir))
            for job in jobs
            if job.format in ("epub", "pdf")
        }
        self.made: dict = {}  # twin job -> its page map, once rendered in this build

    def twin(self, job):
        """The PDF of an EPUB's pack, edition and variant, where the build makes it too; else None."""
        twin = replace(job, format="pdf")
        return twin if twin in self.jobs else None

    def features(self, job) -> dict:
        """What an EPUB job will have ({"page_list": ..., "cover": ...}); part of its options and cache key."""
        key = self.keys[job]
        in_build = self.twin(job) is not None
        return {
            "page_list": in_build or self.cache.has_artefact(key, PAGE_MAP),
            "cover": in_build or self.cache.has_artefact(key, COVER),
        }

    def twins_to_render(self, todo: list) -> list:
        """PDFs that are up to date but must render again: an EPUB to render needs a page map not kept."""
        out = []
        for job in todo:
            twin = self.twin(job) if job.format == "epub" else None
            if twin is not None and twin not in todo and twin not in out:
                if not self.cache.has_artefact(self.keys[twin], PAGE_MAP):
                    out.append(twin)
        return out

    def ready(self, job, todo: set) -> bool:
        """Whether a job can start: an EPUB waits for its twin when the build renders the twin."""
        twin = self.twin(job) if job.format == "epub" else None
        return twin is None or twin not in todo or twin in self.made

    def for_job(self, job) -> dict:
        """The artefacts to hand a job's writer: an EPUB's page map and cover; a handout's index pages, last time."""
        if job.format != "epub":
            hint = self.cache.index_pages(job.output)
            return {"index_pages": hint} if hint else {}
        key, artefacts = self.keys[job], {}
        twin = self.twin(job)
        if self.made.get(twin) is not None:
            artefacts["page_map"] = self.made[twin]
        elif (kept := self.cache.artefact_path(key, PAGE_MAP)) is not None:
            artefacts["page_map"] = Kept(kept, PAGE_MAP)
        if (kept := self.cache.artefact_path(key, COVER)) is not None:
            artefacts["cover"] = Kept(kept, COVER)
        return artefacts

    def rendered(self, output, details: dict) -> None:
        """Take what a finished job made for others (before it is in place: the EPUB may start)."""
        if output.job.format == "pdf":
            self.made[output.job] = details.get("page_map")  # None: the EPUB lays the handout out itself

    def keep(self, output, details: dict) -> None:
        """Keep a job's artefacts in the output folder, once it is in place and recorded."""
        job = output.job
        if job not in self.keys:
            return
        key = self.keys[job]
        if job.format == "pdf" and "page_map" in details:
            self.cache.keep_artefact(job.output, key, PAGE_MAP, encode_page_map(details["page_map"]))
        elif job.format == "epub" and details.get("cover_image"):
            self.cache.keep_artefact(job.output, key, COVER, details["cover_image"])
        else:
            self.cache.refer(job.output, key)
