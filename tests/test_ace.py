"""DAISY Ace over every sample book: no accessibility violation in any edition.

Ace is installed by `make test` (`npm ci` in tests/ace/, pinned by its
package-lock.json) and runs with the system's Chromium. Without npm the
tests are skipped locally; in CI (CI=true) a missing Ace is a failure, so the
check cannot silently stop running.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ACE = REPO / "tests" / "ace" / "node_modules" / ".bin" / "ace-puppeteer"
PACKS = ("power-struggle", "trotsky-isolated", "interpretations")
EDITIONS = ("student", "teacher", "answers")


def _chromium() -> str | None:
    return next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)


@pytest.fixture(scope="module")
def ace() -> Path:
    missing = [what for what, there in (("Ace (make test installs it with npm)", ACE.exists()),
                                        ("Chromium", _chromium())) if not there]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"not installed: {', '.join(missing)}")
        pytest.skip(f"not installed: {', '.join(missing)}")
    return ACE


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> Path:
    """The sample packs built as full books (the PDF too, for the page list and the cover)."""
    out = tmp_path_factory.mktemp("ace-books")
    subprocess.run(
        [sys.executable, "-m", "studypack", "build", "-q", "--format", "pdf", "--format", "epub", "--out", str(out),
         *(str(REPO / "packs" / pack) for pack in PACKS)],
        check=True, cwd=out,
    )
    return out


def violations(ace: Path, epub: Path, report: Path) -> list[str]:
    """Ace's violations for one book, one line each ('file: impact rule: what'), from its JSON report."""
    env = dict(os.environ, PUPPETEER_EXECUTABLE_PATH=_chromium())
    run = subprocess.run([str(ace), "--silent", "--outdir", str(report), str(epub)],
                         env=env, capture_output=True, text=True, timeout=600)
    data = json.loads((report / "report.json").read_text(encoding="utf-8")) if (report / "report.json").exists() else None
    if data is None:
        return [f"Ace made no report (exit {run.returncode}): {run.stderr[-500:]}"]
    return [
        f"{checked['earl:testSubject']['url']}: {found['earl:test']['earl:impact']} "
        f"{found['earl:test']['dct:title']}: {found['earl:result']['dct:description'].strip()}"
        for checked in data.get("assertions", ()) for found in checked.get("assertions", ())
    ]


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("pack", PACKS)
def test_every_sample_book_passes_ace(ace, books, tmp_path, pack, edition):
    found = violations(ace, books / pack / f"{pack}-{edition}.epub", tmp_path / "report")
    assert found == [], "\n".join(found)
