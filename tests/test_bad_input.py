"""Bad input gets a clear error, and nothing is lost: the corpus in tests/bad_inputs/.

Each case is a folder ``tests/bad_inputs/<case>/`` holding ``expected.txt``,
a transcript of the command and what it must print::

    $ studypack check pack
    pack/pack.yaml:4:1: duplicate key 'title' (first at line 2)
    1 error
    [exit 1]

The first line is the command, the last its exit code, the lines between
exactly what it writes to standard error (``{work}`` stands for the folder it
runs in, where a message names a file outside the pack).

The case runs in a fresh folder: ``pack/``, and every other folder of the
case (``other/``), is a copy of the good pack ``_pack/`` with the case's files
laid over it; every top-level file of the case is copied as it is (a secret
outside the pack, say); what git cannot hold (a 50 MB document, a symlink
loop, a FIFO, a held lock) is made by the case's entry in `SETUPS`.

A build that fails must leave the previous outputs as they were: every
build case starts with old outputs in ``dist/`` and ends with exactly those
bytes there, and no temporary file.

To see what a case prints now (to write its expected.txt):
``.venv/bin/python tests/test_bad_input.py CASE``.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
from contextlib import ExitStack
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studypack import cli
from studypack.errors import StudypackError
from studypack.outputs import OutputLock
from studypack.manifest.yamlpos import read_yaml

CORPUS = Path(__file__).parent / "bad_inputs"
BASE = CORPUS / "_pack"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.txt").is_file())
OLD_OUTPUT = b"<p>the output of an earlier build</p>\n"


@dataclass(frozen=True)
class Expected:
    """A case's transcript: the command's arguments, its standard error lines, its exit code."""

    argv: list[str]
    lines: list[str]
    exit_code: int


def command_of(case: str) -> list[str]:
    """The arguments of a case's command (the first line of its expected.txt)."""
    command = (CORPUS / case / "expected.txt").read_text(encoding="utf-8").splitlines()[0]
    assert command.startswith("$ studypack "), f"{case}: the first line must be '$ studypack ...'"
    return shlex.split(command)[2:]


def read_expected(case: str) -> Expected:
    """A case's expected.txt."""
    _, *messages, status = (CORPUS / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert status.startswith("[exit ") and status.endswith("]"), f"{case}: the last line must be '[exit N]'"
    return Expected(command_of(case), messages, int(status[6:-1]))


# --- what cannot be stored in git: made when the case runs ----------------------


def _sparse_document(work: Path, stack: ExitStack) -> None:
    with open(work / "pack" / "documents" / "letters.txt", "wb") as fh:
        fh.truncate(50 * 1024 * 1024)


def _symlink_loop(work: Path, stack: ExitStack) -> None:
    document = work / "pack" / "documents" / "letters.txt"
    document.unlink()
    document.symlink_to("letters.txt")


def _document_link_outside(work: Path, stack: ExitStack) -> None:
    document = work / "pack" / "documents" / "letters.txt"
    document.unlink()
    document.symlink_to("../../secret.txt")


def _documents_folder_link_outside(work: Path, stack: ExitStack) -> None:
    shutil.rmtree(work / "pack" / "documents")
    (work / "pack" / "documents").symlink_to("../elsewhere", target_is_directory=True)


def _fifo_document(work: Path, stack: ExitStack) -> None:
    document = work / "pack" / "documents" / "letters.txt"
    document.unlink()
    os.mkfifo(document)


def _template_link_outside(work: Path, stack: ExitStack) -> None:
    (work / "pack" / "templates").mkdir()
    (work / "pack" / "templates" / "source.html").symlink_to("../../secret.txt")


def _stylesheet_link_outside(work: Path, stack: ExitStack) -> None:
    (work / "pack" / "styles").mkdir()
    (work / "pack" / "styles" / "screen.css").symlink_to("../../secret.txt")


def _pack_yaml_link_outside(work: Path, stack: ExitStack) -> None:
    (work / "pack" / "pack.yaml").unlink()
    (work / "pack" / "pack.yaml").symlink_to("../secret.txt")


def _output_under_a_file(work: Path, stack: ExitStack) -> None:
    (work / "dist").write_text("a file where the output folder should be\n")


def _output_read_only(work: Path, stack: ExitStack) -> None:
    if os.geteuid() == 0:
        pytest.skip("root may write in any folder (output-under-a-file tests what root cannot)")
    (work / "dist").mkdir()
    (work / "dist").chmod(0o555)
    stack.callback((work / "dist").chmod, 0o755)


def _output_locked(work: Path, stack: ExitStack) -> None:
    (work / "dist").mkdir()
    stack.enter_context(OutputLock(work / "dist"))


def _interrupted(work: Path, stack: ExitStack) -> None:
    """The writer is stopped by Ctrl-C halfway through writing its file."""
    from studypack.writers.html import HtmlWriter

    def write(self, request, dest):
        dest.write_text("<p>half a page")
        raise KeyboardInterrupt

    patch = stack.enter_context(pytest.MonkeyPatch.context())
    patch.setattr(HtmlWriter, "write", write)


SETUPS = {
    "document-50mb": _sparse_document,
    "document-symlink-loop": _symlink_loop,
    "document-symlink-outside": _document_link_outside,
    "documents-folder-symlink-outside": _documents_folder_link_outside,
    "document-fifo": _fifo_document,
    "template-symlink-outside": _template_link_outside,
    "stylesheet-symlink-outside": _stylesheet_link_outside,
    "pack-yaml-symlink-outside": _pack_yaml_link_outside,
    "output-under-a-file": _output_under_a_file,
    "output-read-only": _output_read_only,
    "output-locked": _output_locked,
    "build-interrupted": _interrupted,
}


def prepare(case: str, work: Path, stack: ExitStack) -> None:
    """Lay the case out in ``work``: each folder the good pack plus the case's files."""
    shutil.copytree(BASE, work / "pack")
    for entry in sorted((CORPUS / case).iterdir()):
        if entry.is_dir():
            shutil.copytree(BASE, work / entry.name, dirs_exist_ok=True)
            shutil.copytree(entry, work / entry.name, dirs_exist_ok=True)
        elif entry.name != "expected.txt":
            shutil.copy(entry, work / entry.name)
    if case in SETUPS:
        SETUPS[case](work, stack)


def plant_old_outputs(work: Path, argv: list[str]) -> dict[Path, bytes]:
    """Outputs of an earlier build in dist/ (for a build into dist that can have them)."""
    dist = work / "dist"
    if argv[0] != "build" or "dist" not in argv or dist.is_file() or dist.is_dir() and not os.access(dist, os.W_OK):
        return {}
    old = {}
    for pack in [a for a in argv[1:] if (work / a / "pack.yaml").exists()]:
        for edition in ("student", "teacher"):
            path = work / "dist" / pack / f"{pack}-{edition}.html"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(OLD_OUTPUT)
            old[path] = OLD_OUTPUT
    return old


def dist_files(work: Path) -> dict[Path, bytes]:
    """Every file under dist/ but the lock and the cache, with its bytes."""
    dist = work / "dist"
    if not dist.is_dir():
        return {}
    skip = {".studypack.lock", ".studypack-cache.json"}
    return {p: p.read_bytes() for p in dist.rglob("*") if p.is_file() and p.name not in skip}


def run_case(case: str, work: Path) -> tuple[int, str, dict[Path, bytes]]:
    """Run a case's command in ``work``: exit code, standard error, and the old outputs it started with."""
    argv = command_of(case)
    with ExitStack() as stack:
        prepare(case, work, stack)
        old = plant_old_outputs(work, argv)
        saved = os.getcwd()
        os.chdir(work)
        try:
            with pytest.MonkeyPatch.context() as patch:
                err = StringIO()  # standard error as the user sees it, without pytest's capture
                patch.setattr(sys, "stderr", err)
                patch.setattr(sys, "stdout", StringIO())
                code = cli.run(argv)
        finally:
            os.chdir(saved)
    shown = err.getvalue().replace(str(work.resolve()), "{work}").replace(str(work), "{work}")
    return code, shown, old


@pytest.mark.parametrize("case", CASES)
def test_bad_input_gets_its_message_and_exit_code(case, tmp_path):
    expected = read_expected(case)
    code, err, old = run_case(case, tmp_path / "work")
    assert "Traceback" not in err and "internal error" not in err
    assert err.splitlines() == expected.lines
    assert code == expected.exit_code
    if old:
        assert dist_files(tmp_path / "work") == old, "a failed build changed the earlier outputs"


def test_the_corpus_is_big_and_every_setup_has_its_case():
    assert len(CASES) >= 40
    assert set(SETUPS) <= set(CASES)


def test_the_good_pack_that_every_case_starts_from_builds(tmp_path, monkeypatch, capsys):
    shutil.copytree(BASE, tmp_path / "pack")
    monkeypatch.chdir(tmp_path)
    assert cli.run(["check", "pack"]) == 0
    assert cli.run(["build", "pack", "--format", "html", "--out", "dist", "--jobs", "1", "--quiet"]) == 0
    assert capsys.readouterr().err == ""


# --- load_pack never crashes, whatever the pack folder holds -------------------------

_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
_NAMES = ["letters", "declaration", "letters#source-1", "documents/letters.txt", "commentary/introduction.md", "student"]
_SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-5, 100), _TEXT, st.sampled_from(_NAMES))
_KEYS = st.sampled_from(
    ["title", "documents", "parts", "id", "path", "items", "source", "commentary", "worksheet", "questions", "text",
     "marks", "sources", "from", "to", "document", "edition", "omit", "corrections", "find", "replace", "quotations"]
)
_VALUE = st.recursive(
    _SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=4)), max_leaves=12
)
_DOCUMENT = st.one_of(st.binary(max_size=200), st.text(max_size=400).map(lambda t: t.encode("utf-8", "surrogatepass")))


@settings(max_examples=40, deadline=None)
@given(keys=st.dictionaries(_KEYS, _VALUE, max_size=5), alone=st.booleans(), document=_DOCUMENT)
def test_load_pack_raises_only_studypack_errors(tmp_path_factory, keys, alone, document):
    """The good pack with some of its keys replaced (or only the generated keys), and any document."""
    from studypack.assemble.pack import load_pack

    root = tmp_path_factory.mktemp("pack")
    shutil.copytree(BASE, root, dirs_exist_ok=True)
    good = read_yaml((BASE / "pack.yaml").read_bytes(), "pack.yaml").data
    (root / "pack.yaml").write_text(json.dumps(keys if alone else {**good, **keys}, ensure_ascii=False), encoding="utf-8")
    (root / "documents" / "letters.txt").write_bytes(document)
    try:
        load_pack(root)
    except StudypackError as exc:
        assert exc.format_message().strip()


if __name__ == "__main__":  # print what a case prints now
    import tempfile

    for name in sys.argv[1:]:
        with tempfile.TemporaryDirectory() as folder:
            code, err, _ = run_case(name, Path(folder) / "work")
            print(f"== {name}\n$ studypack {shlex.join(command_of(name))}\n{err}[exit {code}]")
