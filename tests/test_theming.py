"""Theme overrides: shadowing file by file, `!default/` extension, precedence, custom.css, the sandbox."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from studypack.assemble.pack import load_pack
from studypack.build.jobs import BuildOptions
from studypack.build.orchestrate import build
from studypack.errors import TemplateError
from studypack.render import STYLESHEETS, Renderer
from studypack.theme import Theme
from studypack.resources import builtin_dir
from studypack.cli.scaffold import new_pack

EXAMPLE = Path(__file__).parents[1] / "examples" / "restyled-handout"


@pytest.fixture(scope="module")
def pack_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("theming")
    new_pack("plain", root)
    return root / "plain"


@pytest.fixture(scope="module")
def pack(pack_dir):
    return load_pack(pack_dir)


def html(pack, theme: Theme, edition: str = "student", target: str = "html") -> str:
    return Renderer(pack, edition, target, theme).render("pack.html", inline_css="")


def folder(root: Path, name: str, files: dict[str, str]) -> Path:
    path = root / name
    path.mkdir(parents=True, exist_ok=True)
    for file, text in files.items():
        (path / file).write_text(text, encoding="utf-8")
    return path


def test_a_pack_template_shadows_the_built_in_of_the_same_name(tmp_path, pack_dir, pack):
    copy = shutil.copytree(pack_dir, tmp_path / "plain")
    folder(copy, "templates", {"commentary.html": '<aside class="mine">{{ item.markdown|markdown }}</aside>\n'})
    page = html(load_pack(copy), Theme.for_pack(copy))
    assert '<aside class="mine">' in page and 'class="commentary' not in page
    assert 'class="source-text"' in page  # every other template is still the built-in


@pytest.mark.parametrize("edition", ["student", "teacher"])
@pytest.mark.parametrize("target", ["html", "pdf"])
def test_an_override_that_only_extends_the_built_in_changes_nothing(tmp_path, pack, edition, target):
    names = sorted(p.name for p in builtin_dir("templates").glob("*.html"))
    assert {"source.html", "title.html", "question.html", "apparatus.html"} <= set(names)
    theme = Theme((folder(tmp_path, "t", {n: f'{{% extends "!default/{n}" %}}\n' for n in names}),))
    assert html(pack, theme, edition, target) == html(pack, Theme(), edition, target)


def test_an_override_extends_the_built_in_it_hides_through_its_blocks(tmp_path, pack):
    override = (
        '{% extends "!default/source.html" %}\n'
        '{% block attribution %}<p class="who">{{ item.attribution|upper }}</p>{% endblock %}\n'
    )
    page = html(pack, Theme((folder(tmp_path, "t", {"source.html": override}),)))
    assert '<p class="who">AN INVENTED LETTER' in page
    assert 'class="attribution"' not in page
    assert '<blockquote class="source-text">' in page and "Old Mr Harker" in page


def test_super_keeps_what_the_built_in_block_printed(tmp_path, pack):
    override = '{% extends "!default/title.html" %}{% block pack_title %}{{ super() }}<p class="motto">M</p>{% endblock %}'
    page = html(pack, Theme((folder(tmp_path, "t", {"title.html": override}),)))
    assert '<h1 class="pack-title">Plain</h1>' in page and '<p class="motto">M</p>' in page


def test_command_line_folders_come_before_the_packs_own_then_the_built_ins(tmp_path, pack_dir):
    copy = shutil.copytree(pack_dir, tmp_path / "plain")
    own = folder(copy, "templates", {"commentary.html": "<p>pack</p>\n", "worksheet.html": "<p>pack ws</p>\n"})
    first = folder(tmp_path, "first", {"commentary.html": "<p>first</p>\n"})
    second = folder(tmp_path, "second", {"commentary.html": "<p>second</p>\n", "worksheet.html": "<p>second ws</p>\n"})
    pack = load_pack(copy)
    page = html(pack, Theme.for_pack(copy, templates=[first, second]))
    assert "<p>first</p>" in page and "<p>second</p>" not in page and "<p>pack</p>" not in page
    assert "<p>second ws</p>" in page
    (first / "commentary.html").unlink()
    assert "<p>second</p>" in html(pack, Theme.for_pack(copy, templates=[first, second]))
    assert "<p>pack</p>" in html(pack, Theme.for_pack(copy))
    shutil.rmtree(own)
    assert 'class="commentary' in html(pack, Theme.for_pack(copy))


def test_stylesheets_shadow_file_by_file_in_the_same_order(tmp_path, pack_dir, pack):
    copy = shutil.copytree(pack_dir, tmp_path / "plain")
    folder(copy, "styles", {"screen.css": "/* pack screen */", "base.css": "/* pack base */"})
    given = folder(tmp_path, "given", {"screen.css": "/* given screen */"})
    css = Renderer(pack, "student", "html", Theme.for_pack(copy, styles=[given])).css()
    assert "/* given screen */" in css and "/* pack screen */" not in css
    assert css.index("/* pack base */") < css.index("/* given screen */")
    builtin_print = (builtin_dir("styles") / "print.css").read_text(encoding="utf-8")
    assert builtin_print in Renderer(pack, "student", "pdf", Theme.for_pack(copy, styles=[given])).css()


@pytest.mark.parametrize("target", ["html", "pdf", "epub"])
def test_custom_css_comes_after_the_built_ins_of_every_target_when_there_is_one(tmp_path, pack, target):
    assert Renderer(pack, "student", target, Theme()).stylesheets() == STYLESHEETS[target]
    theme = Theme(style_dirs=(folder(tmp_path, "s", {"custom.css": ".target-pdf .source-label { color: red; }"}),))
    renderer = Renderer(pack, "student", target, theme)
    assert renderer.stylesheets() == (*STYLESHEETS[target], "custom.css")
    assert renderer.css().endswith(".target-pdf .source-label { color: red; }")


@pytest.mark.parametrize(
    "template, message",
    [
        ("{{ pack.__class__.__init__.__globals__ }}", "not allowed"),
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "not allowed"),
        ("{{ pack.documents[0].document.__class__.__reduce_ex__(2) }}", "not allowed"),
        ('{% include "../pack.yaml" %}', "template not found"),
        ('{% include "/etc/passwd" %}', "template not found"),
        ('{% include "!default/../pyproject.toml" %}', "template not found"),
    ],
)
def test_an_override_is_sandboxed(tmp_path, pack, template, message):
    theme = Theme((folder(tmp_path, "t", {"commentary.html": template}),))
    with pytest.raises(TemplateError, match=message):
        html(pack, theme)


def test_the_markup_inside_a_paragraph_comes_from_a_template_a_pack_can_override(tmp_path):
    """Corrections, note calls and the marks of glossary terms and people are written by the macros of
    inline.html: a pack's own replaces the markup it changes and keeps the built-in's for the rest."""
    basic = load_pack(Path(__file__).parent / "roots" / "basic")
    built_in = html(basic, Theme(), "teacher")
    assert 'class="correction"' in built_in and 'class="noteref"' in built_in and 'class="mention"' in built_in
    own = folder(
        tmp_path,
        "templates",
        {
            "inline.html": '{% import "!default/inline.html" as default %}'
            "{% set note_marker, note_call, headword_use = default.note_marker, default.note_call, default.headword_use %}"
            '{% macro correction(text, original) %}<ins title="{{ original }}">{{ text }}</ins>{% endmacro %}'
        },
    )
    changed = html(basic, Theme(template_dirs=(own,)), "teacher")
    assert "<ins title=" in changed and 'class="correction"' not in changed
    assert changed.count('class="noteref"') == built_in.count('class="noteref"')
    assert changed.count('class="mention"') == built_in.count('class="mention"')


@pytest.mark.slow
def test_the_restyled_handout_example_uses_its_overrides(tmp_path):
    example = shutil.copytree(EXAMPLE, tmp_path / "restyled-handout")
    pack = load_pack(example)
    theme = Theme.for_pack(example)
    page = html(pack, theme)
    assert page.count('<span class="provenance-label">Provenance</span>') == 2
    assert '<p class="course school">Ashford Parva School · History Department</p>' in page
    assert ".target-pdf .source-label" in Renderer(pack, "student", "pdf", theme).css()

    report = build([example], BuildOptions(formats=("epub",), editions=("student",), out_dir=tmp_path / "dist", jobs=1))
    with zipfile.ZipFile(report.outputs[0].path) as epub:
        names = epub.namelist()
        stylesheet = next(n for n in names if n.endswith("custom.css"))
        assert ".provenance-label" in epub.read(stylesheet).decode("utf-8")


@pytest.mark.parametrize("target", ["html", "pdf", "epub"])
def test_templates_compiled_ahead_by_a_worker_render_as_compiled_on_demand(pack, target, monkeypatch):
    """A worker compiles the built-in templates while it waits (render.precompile, with stand-ins for
    the Renderer's filters): the compiled code must be what a Renderer would have compiled."""
    from studypack.render import environment, precompile

    monkeypatch.setenv("STUDYPACK_CACHE_DIR", "")  # compiled here, not read from disk
    theme = Theme()
    monkeypatch.setattr(environment, "_COMPILED", environment._CompiledTemplates())
    on_demand = html(pack, theme, "teacher", target)
    monkeypatch.setattr(environment, "_COMPILED", environment._CompiledTemplates())
    precompile(target)
    assert environment._COMPILED._code, "nothing was compiled ahead"
    assert html(pack, theme, "teacher", target) == on_demand


def test_compiled_templates_are_kept_on_disk_and_used_by_the_next_process(pack, tmp_path, monkeypatch):
    """The compiled templates outlive the process (the user's cache folder): a later build loads them
    instead of compiling, and a template whose source changed is compiled afresh."""
    from studypack.render import environment as render

    monkeypatch.setenv("STUDYPACK_CACHE_DIR", str(tmp_path / "cache"))
    theme = Theme()
    monkeypatch.setattr(render, "_COMPILED", render._CompiledTemplates())
    first = html(pack, theme, "teacher", "epub")
    folder = render.template_cache_dir()
    kept = sorted(folder.glob("*.jbc"))
    assert len(kept) >= 5, kept  # the page, its parts, sources, worksheets...
    assert folder.parent == tmp_path / "cache" and oct(folder.stat().st_mode & 0o777) == oct(0o700)

    # A new process: nothing in memory, and compiling is not allowed.
    monkeypatch.setattr(render, "_COMPILED", render._CompiledTemplates())

    def no_compiling(self, *args, **kwargs):
        raise AssertionError("a template was compiled although its code was on disk")

    with monkeypatch.context() as m:
        m.setattr(render.SandboxedEnvironment, "compile", no_compiling)
        assert html(pack, theme, "teacher", "epub") == first

    # A pack's own template of the same name, changed: compiled, and its own code kept too.
    own = tmp_path / "own"
    (own / "templates").mkdir(parents=True)
    base = (builtin_dir("templates") / "source.html").read_text(encoding="utf-8")
    (own / "templates" / "source.html").write_text("<p class='own'></p>" + base, encoding="utf-8")
    changed = html(pack, Theme(template_dirs=(own / "templates",)), "teacher", "epub")
    assert '<p class="own"></p>' in changed  # kept by the page's allow-list (comments are not)
    assert len(list(folder.glob("*.jbc"))) == len(kept) + 1
    (own / "templates" / "source.html").write_text("<p class='changed'></p>" + base, encoding="utf-8")
    monkeypatch.setattr(render, "_COMPILED", render._CompiledTemplates())
    again = html(pack, Theme(template_dirs=(own / "templates",)), "teacher", "epub")
    assert '<p class="changed"></p>' in again and '<p class="own"></p>' not in again


@pytest.mark.parametrize("setting", ["empty", "shared", "no home"])
def test_compiled_templates_are_not_kept_where_others_could_write(pack, tmp_path, monkeypatch, setting):
    """Compiled code runs as it is loaded: no cache when STUDYPACK_CACHE_DIR is set empty, or when the
    folder can be written by others; the build still renders."""
    from studypack.render import environment as render

    if setting == "empty":
        monkeypatch.setenv("STUDYPACK_CACHE_DIR", "")
    elif setting == "no home":  # no HOME, no XDG_CACHE_HOME: not a "~" folder where the build runs
        for name in ("STUDYPACK_CACHE_DIR", "XDG_CACHE_HOME", "HOME"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setattr("os.path.expanduser", lambda path: path)
        monkeypatch.chdir(tmp_path)
    else:
        shared = tmp_path / "shared"
        shared.mkdir()
        shared.chmod(0o777)
        monkeypatch.setenv("STUDYPACK_CACHE_DIR", str(shared))
    assert render.template_cache_dir() is None
    monkeypatch.setattr(render, "_COMPILED", render._CompiledTemplates())
    assert "source" in html(pack, Theme(), "teacher", "epub")
    assert not list(tmp_path.rglob("*.jbc")) and not (tmp_path / "~").exists()
