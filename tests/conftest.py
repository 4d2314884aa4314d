"""Shared fixtures: fixture packs live in tests/roots/<name>/ (copied to tmp_path before use)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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
