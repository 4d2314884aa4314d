"""Shared fixtures: fixture packs live in tests/roots/<name>/ (copied to tmp_path before use)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from pdfcheck import PdfAudit

# In CI the property tests run the same examples every time (a red run does not land, so a failure there
# must be one that can be run again); on a developer's machine they explore new ones each run.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOTS = Path(__file__).parent / "roots"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def pack_copy(tmp_path):
    """Copy a fixture pack (tests/roots/NAME) or a sample pack (packs/NAME) into tmp_path; return its folder."""

    def copy(name: str, where: str = "roots") -> Path:
        src = ROOTS / name if where == "roots" else REPO / "packs" / name
        dest = tmp_path / "packs" / name
        shutil.copytree(src, dest)
        return dest

    return copy


@pytest.fixture(autouse=True, scope="session")
def _template_cache(tmp_path_factory):
    """Compiled templates go to a folder of the test session, not the user's cache (render.template_cache_dir);
    set in the environment, so that the builds the tests run as processes use it too."""
    import os

    folder = tmp_path_factory.mktemp("studypack-cache")
    before = os.environ.get("STUDYPACK_CACHE_DIR")
    os.environ["STUDYPACK_CACHE_DIR"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("STUDYPACK_CACHE_DIR", None)
    else:
        os.environ["STUDYPACK_CACHE_DIR"] = before


# Whole modules that lay out many handouts or run validators over books: slow, left out by
# `make test-fast` (docs/testing.md). Single slow tests elsewhere carry the mark themselves.
SLOW_MODULES = {"test_pieces", "test_printroom", "test_variants", "test_epub", "test_ace"}


def pytest_collection_modifyitems(items):
    """Mark the tests of SLOW_MODULES slow."""
    for item in items:
        if item.module.__name__.rsplit(".", 1)[-1] in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


_AUDIT = PdfAudit()


@pytest.fixture(autouse=True)
def _every_pdf_passes_qpdf(request, tmp_path_factory):
    """After each test, qpdf's checker over every PDF the session has written since (tests/pdfcheck.py):
    a problem fails the test that wrote it. A test that makes a broken PDF on purpose is marked
    ``broken_pdfs``."""
    yield
    if request.node.get_closest_marker("broken_pdfs"):
        _AUDIT.new_problems(tmp_path_factory.getbasetemp())  # seen, and forgiven
        return
    problems = _AUDIT.new_problems(tmp_path_factory.getbasetemp())
    assert not problems, "qpdf finds problems in PDFs this test wrote:\n" + "\n".join(problems)
