"""Atomic output, the output-folder lock and the build cache."""

import json
import os

import pytest

from studypack.build.cache import BuildCache
from studypack.errors import OutputError
from studypack.outputs import OutputLock, atomic_target, temporary_name, write_atomic


@pytest.mark.broken_pdfs  # its "PDF" files are a few bytes of text
def test_atomic_target_replaces_only_on_success(tmp_path):
    out = tmp_path / "pack-student.pdf"
    out.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_target(out) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("writer failed")
    assert out.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pack-student.pdf"]

    with atomic_target(out) as tmp:
        assert tmp.parent == out.parent and tmp.name.startswith(".")
        tmp.write_bytes(b"new")
    assert out.read_bytes() == b"new"
    assert not temporary_name(out).exists()


def test_write_atomic_into_a_missing_folder_is_an_output_error(tmp_path):
    with pytest.raises(OutputError) as exc:
        write_atomic(tmp_path / "missing" / "x.html", b"x")
    assert "cannot write the output" in exc.value.format_message()


def test_second_lock_on_a_folder_is_refused_with_a_clear_message(tmp_path):
    with OutputLock(tmp_path):
        with pytest.raises(OutputError) as exc:
            with OutputLock(tmp_path):
                pass
    message = exc.value.format_message()
    assert message.startswith(f"{tmp_path}: another studypack build is writing to this folder")
    assert exc.value.exit_code == 3
    with OutputLock(tmp_path):  # released after the first build
        pass


def test_cache_is_fresh_only_for_the_same_key_and_the_same_file(tmp_path):
    out = tmp_path / "p" / "p-student.html"
    out.parent.mkdir()
    out.write_text("x")
    cache = BuildCache.load(tmp_path)
    assert not cache.fresh(out, "k1")
    cache.record(out, "k1", 3)
    cache.save()

    again = BuildCache.load(tmp_path)
    assert again.fresh(out, "k1")
    assert again.pages(out) == 3
    assert not again.fresh(out, "k2")
    out.write_text("changed by hand")
    os.utime(out, ns=(1, 1))
    assert not again.fresh(out, "k1")


def test_unreadable_cache_is_empty(tmp_path):
    (tmp_path / ".studypack-cache.json").write_text("{not json")
    assert BuildCache.load(tmp_path).entries == {}
    (tmp_path / ".studypack-cache.json").write_text(json.dumps({"version": 99, "outputs": {"a": {}}}))
    assert BuildCache.load(tmp_path).entries == {}
