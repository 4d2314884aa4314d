"""The manifest loader never crashes: whatever pack.yaml holds, the answer is a Manifest or a StudypackError.

Inputs: arbitrary text and bytes, YAML-like token soup, arbitrary YAML
structures, and the good pack with parts of it replaced by arbitrary values
(so that the deeper checks run too). Every problem must be one line in the
``path:line:col: message`` form, pack.yaml's problems in order of position,
and a manifest that loads must keep the promises the checks make.
"""

from __future__ import annotations

import copy
import io
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from studypack.errors import ProblemsError, StudypackError
from studypack.manifest.entries import Manifest
from studypack.manifest.load import load_manifest

GOOD = Path(__file__).parent / "data" / "manifests" / "good"
SHOWN = "packs/x"
LINE = re.compile(r"packs/x/[^:\n]+:(\d+):(\d+): \S[^\n]*")
KEYS = [
    "title", "subtitle", "course", "author", "language", "rights", "date", "description", "keywords", "labels",
    "paper", "documents", "parts", "glossary", "people", "timeline", "id", "path", "citation", "missing_notes",
    "corrections", "find", "replace", "quotations", "from", "to", "items", "commentary", "credit", "source",
    "document", "omit", "intro", "attribution", "worksheet", "instructions", "questions", "text", "marks",
    "lines", "sources", "mark_scheme", "indicative", "levels", "level", "descriptor", "edition", "term",
    "definition", "aliases", "name", "event",
]  # fmt: skip
WORDS = [
    "corin", "cliff", "corin#source-1", "cliff#p1", "corin#", "#x", "documents/corin.txt", "../x",
    "commentary/introduction.md", "missing.md", "teacher", "student", "a4", "letters", "2024-02-30", "en-GB",
    "[[declaration]]", "[[nobody]]", "q1", "part-1", "declaration", "", " ", "0", "-1", "61", "\x00", "\ud800",
]  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(),
    st.sampled_from(WORDS),
    st.text(max_size=30),
)
keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=10))
structures = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5)),
    max_leaves=30,
)
soup = st.lists(
    st.sampled_from(
        [
            "- ",
            ": ",
            "[",
            "]",
            "{",
            "}",
            ", ",
            "&a ",
            "*a",
            "!!int ",
            "!x ",
            "'",
            '"',
            "# c",
            "|",
            ">",
            "? ",
            "---",
            "...",
            "%YAML 1.1",
            "\t",
            "\n",
            "\n  ",
            "\n    ",
            "title",
            "parts",
            "source",
            "<<",
            "~",
            "1",
            "2024-13-40",
            "0x1G",
            "é",
            "\r",
            "\ufeff",
            "\x85",
        ]
    ),  # fmt: skip
    max_size=40,
).map("".join)


def dump(data: object) -> str:
    """Data as YAML text (what a person might have written)."""
    out = io.StringIO()
    YAML(typ="safe", pure=True).dump(data, out)
    return out.getvalue()


GOOD_DATA = YAML(typ="safe", pure=True).load((GOOD / "pack.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("props") / "x"
    shutil.copytree(GOOD, folder)
    return folder


def outcome(pack: Path, raw: bytes) -> Manifest | StudypackError:
    """Load `raw` as the pack's pack.yaml; any exception but a StudypackError fails the test."""
    (pack / "pack.yaml").write_bytes(raw)
    try:
        return load_manifest(pack, display_dir=SHOWN)
    except StudypackError as err:
        message = err.format_message()
        assert message.strip()
        if isinstance(err, ProblemsError):
            *lines, summary = message.split("\n")
            assert lines and re.fullmatch(r"\d+ errors?", summary)
            assert all(LINE.fullmatch(line) for line in lines), lines
            here = [tuple(map(int, LINE.fullmatch(x).groups())) for x in lines if x.startswith(f"{SHOWN}/pack.yaml:")]
            assert here == sorted(here)
        return err


def assert_promises_kept(manifest: Manifest) -> None:
    """What a loaded manifest guarantees to the assembler."""
    ids = [s.id for s in manifest.sources]
    assert len(ids) == len(set(ids))
    assert len({q.id for q in manifest.questions}) == len(manifest.questions)
    assert len({d.id for d in manifest.documents}) == len(manifest.documents)
    documents = {d.id for d in manifest.documents}
    for source in manifest.sources:
        assert source.ref.document in documents
    for question in manifest.questions:
        assert set(question.sources) <= set(ids)
        assert question.marks >= 1 and 0 <= question.lines <= 60
    for part in manifest.parts:
        assert set(part.editions) <= {"student", "teacher"} and part.items
    for document in manifest.documents:
        assert document.file.is_file() and document.file.is_relative_to(manifest.root.resolve())


common = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@common
@given(st.text(max_size=300))
def test_any_text(pack, text):
    outcome(pack, text.encode("utf-8", "surrogatepass"))


@common
@given(st.binary(max_size=200))
def test_any_bytes(pack, raw):
    outcome(pack, raw)


@common
@given(soup)
def test_yaml_token_soup(pack, text):
    outcome(pack, text.encode("utf-8"))


@pytest.mark.slow
@common
@given(structures)
def test_any_structure(pack, data):
    outcome(pack, dump(data).encode("utf-8"))


@st.composite
def mutated_good_pack(draw) -> dict:
    """The good pack with a few values, anywhere in it, replaced, removed or added."""
    data = copy.deepcopy(GOOD_DATA)
    for _ in range(draw(st.integers(1, 3))):
        node, key = None, None
        current = data
        while isinstance(current, (dict, list)) and current and draw(st.booleans()):
            key = draw(
                st.sampled_from(sorted(current)) if isinstance(current, dict) else st.integers(0, len(current) - 1)
            )
            node, current = current, current[key]
        if node is None:
            data[draw(keys)] = draw(structures)
        elif draw(st.booleans()) and isinstance(node, dict):
            del node[key]
        else:
            node[key] = draw(st.one_of(scalars, scalars, structures))
    return data


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_good_pack())
def test_mutated_good_pack(pack, data):
    result = outcome(pack, dump(data).encode("utf-8"))
    if isinstance(result, Manifest):
        assert_promises_kept(result)


def test_good_pack_keeps_its_promises(pack):
    result = outcome(pack, (GOOD / "pack.yaml").read_bytes())
    assert isinstance(result, Manifest)
    assert_promises_kept(result)
