"""Measurements the benchmark takes inside one process (it runs this file as a subprocess).

    python bench/probe.py imports studypack ARGS...   run the CLI, then say which heavy modules it imported
    python bench/probe.py pdfua PACK_DIR              lay a handout out once, time writing it three ways

``imports`` prints JSON: the exit code and, for each of weasyprint,
studypack.readers and ebooklib, whether the build imported it.

``pdfua`` prints JSON: pages, and the seconds of ``write_pdf`` without a
variant, with pdf/ua-1 as pydyf stands, and with pdf/ua-1 and our fix
(`studypack.layout.hooks.speedups`, which also holds the page-reference
speed-up: the two are switched together); and whether the fix changed the bytes.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def imports(argv: list[str]) -> dict:
    from studypack.cli import run

    code = run(argv)
    return {
        "exit": code,
        **{name: name in sys.modules for name in ("weasyprint", "studypack.readers", "ebooklib")},
    }


def pdfua(pack_dir: Path) -> dict:
    from contextlib import nullcontext

    from studypack.assemble.pack import load_pack
    from studypack.layout.engine import PDF_VARIANT
    from studypack.layout.handout import lay_out_handout
    from studypack.layout.hooks.speedups import installed
    from studypack.theme import Theme
    from studypack.writers import WriteRequest
    from studypack.writers.handout_html import paper_css, paper_of, prepare_handout

    pack = load_pack(pack_dir)
    request = WriteRequest(pack, "student", "standard", Theme.for_pack(pack_dir), {})
    setup = prepare_handout(request, paper_css(paper_of(request)))
    document = lay_out_handout(setup).document  # the handout, index and all
    document.write_pdf()  # the first write warms font subsetting up; not counted

    def timed(variant, fixed: bool) -> tuple[float, bytes]:
        with installed() if fixed else nullcontext():
            started = time.perf_counter()
            data = document.write_pdf(pdf_variant=variant, pdf_identifier=b"bench")
        return time.perf_counter() - started, data

    plain, _ = timed(None, False)
    ua, ua_bytes = timed(PDF_VARIANT, False)
    ua_fixed, fixed_bytes = timed(PDF_VARIANT, True)
    return {
        "pages": len(document.pages),
        "plain": plain,
        "ua": ua,
        "ua_fixed": ua_fixed,
        "same_bytes": ua_bytes == fixed_bytes,
    }


if __name__ == "__main__":
    kind, *rest = sys.argv[1:]
    if kind == "imports":
        result = imports(rest[1:])
    elif kind == "pdfua":
        result = pdfua(Path(rest[0]))
    else:
        sys.exit(f"unknown probe {kind}")
    print(json.dumps(result))
