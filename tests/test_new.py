"""`studypack new`: a pack that checks and builds at once, and never overwrites a folder."""

from __future__ import annotations

import datetime
import re

import pytest

from studypack.cli import scaffold
from studypack.assemble.pack import check_packs, load_pack
from studypack.build.jobs import BuildOptions
from studypack.build.orchestrate import build
from studypack.cli import run


@pytest.mark.slow
def test_new_pack_checks_and_builds_every_format(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert run(["new", "railways"]) == 0
    out = capsys.readouterr().out
    pack = tmp_path / "packs" / "railways"
    assert "created packs/railways/pack.yaml" in out
    assert "studypack preview packs/railways" in out
    assert sorted(str(p.relative_to(pack)) for p in pack.rglob("*") if p.is_file()) == [
        "commentary/introduction.md",
        "documents/example-railway.txt",
        "pack.yaml",
    ]
    assert check_packs([pack])[0].startswith(f"{pack}: ok (1 document")
    dist = tmp_path / "dist"
    report = build([pack], BuildOptions(editions=("student",), out_dir=dist, jobs=1))
    assert sorted(o.path.name for o in report.outputs) == [f"railways-student.{ext}" for ext in ("epub", "html", "pdf")]
    build([pack], BuildOptions(formats=("html",), editions=("teacher",), out_dir=dist, jobs=1))
    student = (dist / "railways" / "railways-student.html").read_text(encoding="utf-8")
    teacher = (dist / "railways" / "railways-teacher.html").read_text(encoding="utf-8")
    assert "Source A" in student and "Old Mr Harker" in student
    assert "Teacher’s notes" in teacher and "Teacher’s notes" not in student


def test_title_and_date_are_filled_in_and_every_key_is_commented(tmp_path):
    title = 'Rail: "the age of steam" # not a comment'
    scaffold.new_pack("rail", tmp_path, title=title, today=datetime.date(2025, 3, 4))
    pack = load_pack(tmp_path / "rail")
    assert pack.title == title
    assert pack.date == "2025-03-04"
    lines = (tmp_path / "rail" / "pack.yaml").read_text(encoding="utf-8").splitlines()
    explained = set()
    for before, line in zip(["#", *lines], lines):
        key = re.match(r"\s*(?:- )?(\w+):", line)
        if not key or line.lstrip().startswith("#"):
            continue
        commented = "#" in line or before.lstrip().startswith("#") or key[1] in explained
        assert commented, f"no comment explains: {line}"
        explained.add(key[1])


def test_default_title_comes_from_the_name():
    assert scaffold.title_of("russia-1924") == "Russia 1924"


def test_an_existing_folder_is_never_changed(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    existing = tmp_path / "packs" / "railways"
    existing.mkdir(parents=True)
    (existing / "notes.txt").write_text("mine")
    assert run(["new", "railways"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("packs/railways: a folder of that name already exists")
    assert [p.name for p in existing.iterdir()] == ["notes.txt"]


@pytest.mark.parametrize(
    "name, hint",
    [
        ("My Pack", "try 'my-pack'"),
        ("packs/railways", "--dir"),
        ("Railways_1", "try 'railways-1'"),
        ("rail--ways", "try 'rail-ways'"),
        ("..", "e.g."),
        ("x" * 65, "try"),
    ],
)
def test_bad_names_are_refused_with_a_suggestion(tmp_path, monkeypatch, capsys, name, hint):
    monkeypatch.chdir(tmp_path)
    assert run(["new", name]) == 1
    err = capsys.readouterr().err
    assert "cannot be a pack name" in err and hint in err
    assert not (tmp_path / "packs").exists()


def test_a_pack_that_cannot_be_written_whole_is_removed(tmp_path, monkeypatch):
    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(scaffold, "_copy", fail)
    with pytest.raises(scaffold.OutputError, match="No space left"):
        scaffold.new_pack("railways", tmp_path)
    assert list(tmp_path.iterdir()) == []
