"""A pack is untrusted input: what it can make studypack read, fetch or write into an output.

The hostile packs are the good pack of the corpus (tests/bad_inputs/_pack)
with the files of one attack in tests/hostile/<attack>/ laid over it;
``{port}`` in them is the port of a web server on 127.0.0.1 that this test
runs and counts requests on, ``{secret_url}`` the file: URL of a secret
outside the pack. Links out of the pack are made here (git keeps no
symlinks that point outside the repository).

Every build of a hostile pack must fail with exit code 1 and a message that
names the pack's file and the reference, make no request, and leave none of
the outside bytes anywhere in the output folder or in the message.
"""

from __future__ import annotations

import http.server
import shutil
import threading
import zipfile
from pathlib import Path

import jinja2
import lxml.html
import pytest
from jinja2.sandbox import SandboxedEnvironment

from studypack import cli
from studypack.errors import SandboxError
from studypack.render import make_environment
from studypack.theme import Theme

HERE = Path(__file__).parent
HOSTILE = HERE / "hostile"
GOOD_PACK = HERE / "bad_inputs" / "_pack"
MARKER = "STUDYPACK-SECRET-MARKER"
SECRET_SVG = f"""<svg xmlns="http://www.w3.org/2000/svg" width="400" height="60">
<text x="10" y="40" font-size="30">{MARKER}</text></svg>
"""
PASSWD = "root:x:0:0"

# attack -> (the pack file the message must name, the reference it must name)
ATTACKS = {
    "img-etc-passwd": ("templates/part.html", "/etc/passwd"),
    "css-url-etc-passwd": ("styles/base.css", "/etc/passwd"),
    "css-import-etc-passwd": ("styles/base.css", "/etc/passwd"),
    "link-attachment": ("templates/pack.html", "secret.svg"),
    "loopback-image": ("commentary/introduction.md", "http://127.0.0.1:{port}/map.png"),
    "loopback-css-import": ("styles/base.css", "http://127.0.0.1:{port}/style.css"),
    "loopback-font": ("styles/base.css", "http://127.0.0.1:{port}/tracker.woff"),
    "loopback-base-href": ("templates/pack.html", "http://127.0.0.1:{port}/"),
    "parent-path-image": ("templates/part.html", "secret.svg"),
    "parent-path-css": ("styles/base.css", "secret.svg"),
    "template-base-href": ("templates/part.html", "http://127.0.0.1:{port}/"),
    "template-script": ("templates/part.html", "<script>"),
    "template-event-attribute": ("templates/part.html", "onerror"),
}


# Builds that succeed, and must still fetch nothing and leak nothing: an e-book
# does not use pack.html (its chapters come from chapter.xhtml), and a <base>
# in a PDF's body changes nothing (the writer's own <base>, first, is the one).
UNUSED = {("link-attachment", "epub"), ("loopback-base-href", "epub"), ("template-base-href", "pdf")}


def _link(pack: Path, relative: str, target: str) -> None:
    path = pack / relative
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    path.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)


# attack -> (make the links, the file the message names, the reference it names)
LINKS = {
    "symlink-template": (lambda p: _link(p, "templates/part.html", "../../secret.svg"), "templates/part.html", "../../secret.svg"),
    "symlink-stylesheet": (lambda p: _link(p, "styles/base.css", "../../secret.svg"), "styles/base.css", "../../secret.svg"),
    "symlink-templates-folder": (lambda p: _link(p, "templates", "../secret-folder"), "templates", "'../secret-folder'"),
    "symlink-styles-folder-to-root": (lambda p: _link(p, "styles", "/"), "styles", "'/'"),
    "symlink-document": (lambda p: _link(p, "documents/letters.txt", "../../secret.svg"), "pack.yaml", "documents/letters.txt"),
    "symlink-commentary": (lambda p: _link(p, "commentary/introduction.md", "../../secret.svg"), "pack.yaml", "commentary/introduction.md"),
    "symlink-image": (
        lambda p: (
            _link(p, "images/map.svg", "../../secret.svg"),
            (p / "commentary" / "introduction.md").write_text("Read [[declaration]].\n\n![A map](images/map.svg)\n"),
        ),
        "commentary/introduction.md",
        "secret.svg",
    ),
    "document-parent-path": (
        lambda p: (p / "pack.yaml").write_text((p / "pack.yaml").read_text().replace("documents/letters.txt", "../secret.svg")),
        "pack.yaml",
        "'../secret.svg' is outside the pack folder",
    ),
}


class Counter(http.server.BaseHTTPRequestHandler):
    """Answers every request with the secret (so a fetch would show), and counts it."""

    requests: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's name
        Counter.requests.append(self.path)
        body = SECRET_SVG.encode()
        self.send_response(200)
        self.send_header("Content-Type", "image/svg+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    """A web server on the loopback interface only, for the whole module; its requests are counted."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Counter)
    httpd.timeout = 5
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


def hostile_pack(tmp_path: Path, attack: str, port: int) -> Path:
    """The good pack with the attack laid over it, a secret file and folder beside it."""
    (tmp_path / "secret.svg").write_text(SECRET_SVG)
    (tmp_path / "secret-folder").mkdir()
    (tmp_path / "secret-folder" / "part.html").write_text(SECRET_SVG)
    pack = tmp_path / "pack"
    shutil.copytree(GOOD_PACK, pack)
    overlay = HOSTILE / attack
    for source in sorted(overlay.rglob("*")) if overlay.is_dir() else []:
        if source.is_file():
            target = pack / source.relative_to(overlay)
            target.parent.mkdir(parents=True, exist_ok=True)
            text = source.read_text(encoding="utf-8")
            text = text.replace("{port}", str(port)).replace("{secret_url}", (tmp_path / "secret.svg").as_uri())
            target.write_text(text, encoding="utf-8")
    if attack in LINKS:
        LINKS[attack][0](pack)
    return pack


def build(pack: Path, fmt: str, capsys) -> tuple[int, str]:
    code = cli.run(["build", str(pack), "--format", fmt, "--edition", "student", "--out", str(pack.parent / "dist"), "--jobs", "1", "--quiet"])
    return code, capsys.readouterr().err


def assert_nothing_leaked(tmp_path: Path, err: str) -> None:
    assert MARKER not in err and PASSWD not in err
    dist = tmp_path / "dist"
    for path in dist.rglob("*") if dist.is_dir() else []:
        assert not path.name.endswith(".tmp"), path
        if path.is_file():
            data = path.read_bytes()
            assert MARKER.encode() not in data and PASSWD.encode() not in data, path


@pytest.mark.parametrize("fmt", ["html", "pdf", "epub"])
@pytest.mark.parametrize("attack", [*ATTACKS, *LINKS])
def test_a_hostile_pack_is_refused_with_a_clear_message_and_nothing_leaks(attack, fmt, tmp_path, server, capsys):
    Counter.requests.clear()
    port = server.server_address[1]
    pack = hostile_pack(tmp_path, attack, port)
    file, reference = ATTACKS[attack] if attack in ATTACKS else LINKS[attack][1:]
    code, err = build(pack, fmt, capsys)
    assert Counter.requests == []
    assert_nothing_leaked(tmp_path, err)
    if (attack, fmt) in UNUSED:
        assert code == 0, err
        return
    assert code == 1, err
    assert list((tmp_path / "dist").rglob(f"*.{fmt}")) == [], "a failed build left an output"
    assert "Traceback" not in err
    assert f"{pack}/{file}" in err, err
    assert reference.format(port=port) in err, err


def test_the_good_pack_builds_in_every_format(tmp_path, server, capsys):
    """The attacks, not the pack they are laid over, make the builds above fail."""
    pack = hostile_pack(tmp_path, "none", server.server_address[1])
    for fmt in ("html", "pdf", "epub"):
        code, err = build(pack, fmt, capsys)
        assert code == 0, err
    assert Counter.requests == []


# --- document text, commentary and titles can never inject markup -----------------

INJECTIONS = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "<b onmouseover=alert(1)>bold</b>",
    "</style><script>alert(2)</script>",
]


@pytest.mark.parametrize("target", ["html", "epub"])
def test_markup_in_documents_commentary_and_pack_yaml_is_printed_as_text(tmp_path, target, capsys):
    pack = tmp_path / "pack"
    shutil.copytree(GOOD_PACK, pack)
    yaml = (pack / "pack.yaml").read_text()
    yaml = yaml.replace("title: The Declaration of 46", "title: \"The Declaration <script>alert('title')</script>\"")
    yaml = yaml.replace("The Politburo answered within a week.", "The Politburo answered <img src=x onerror=alert(3)>.")
    (pack / "pack.yaml").write_text(yaml)
    document = (pack / "documents" / "letters.txt").read_text()
    (pack / "documents" / "letters.txt").write_text(
        document.replace("the quiet folk.", "the quiet folk. " + " ".join(INJECTIONS))
    )
    (pack / "commentary" / "introduction.md").write_text(
        "Read [[declaration]]. " + " ".join(INJECTIONS) + "\n\n"
        "[click me](javascript:alert(4)) [or me](JaVaScRiPt:alert(5)) [and me](vbscript:msgbox(6))\n\n"
        "<div onclick=\"alert(7)\">raw HTML block</div>\n"
    )
    code = cli.run(["build", str(pack), "--format", target, "--edition", "teacher", "--out", str(tmp_path / "dist"), "--jobs", "1", "--quiet"])
    assert code == 0, capsys.readouterr().err
    if target == "html":
        pages = [(tmp_path / "dist" / "pack" / "pack-teacher.html").read_text()]
    else:
        with zipfile.ZipFile(tmp_path / "dist" / "pack" / "pack-teacher.epub") as book:
            pages = [book.read(n).decode() for n in book.namelist() if n.endswith((".xhtml", ".opf", ".ncx"))]
    text = "\n".join(pages)
    for page in pages:
        root = lxml.html.document_fromstring(page.encode())
        assert root.xpath("//script") == []
        assert [a for el in root.iter() if isinstance(el.tag, str) for a in el.attrib if a.lower().startswith("on")] == []
        assert [h for h in root.xpath("//@href") if h.strip().lower().startswith(("javascript:", "vbscript:"))] == []
    assert "&lt;script&gt;alert(&#39;title&#39;)" in text or "&lt;script&gt;alert('title')" in text
    assert "&lt;script&gt;alert(" in text  # printed, as text
    assert "raw HTML block" in text


def test_templates_render_in_a_sandbox_with_autoescape_and_strict_undefined():
    env = make_environment(Theme())
    assert isinstance(env, SandboxedEnvironment)
    assert all(env.autoescape(name) for name in ("page.html", "chapter.xhtml", "feed.xml"))
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ nothing }}").render()
    for attempt in ("{{ ''.__class__.__mro__ }}", "{{ cycler.__init__.__globals__ }}", "{{ f.__globals__ }}"):
        with pytest.raises((jinja2.exceptions.SecurityError, jinja2.UndefinedError)):
            env.from_string(attempt).render(f=make_environment)


def test_a_pack_template_reaching_for_python_internals_is_a_template_error(tmp_path, capsys):
    pack = tmp_path / "pack"
    shutil.copytree(GOOD_PACK, pack)
    (pack / "templates").mkdir()
    (pack / "templates" / "title.html").write_text("<h1>{{ pack.title }}</h1>\n{{ pack.__class__.__init__.__globals__ }}\n")
    code, err = build(pack, "html", capsys)
    assert code == 1
    assert err.startswith(f"{pack}/templates/title.html:2: the template ")
    assert "Traceback" not in err


def test_a_template_link_out_of_the_pack_is_refused_before_it_is_read(tmp_path):
    (tmp_path / "secret.html").write_text(MARKER)
    pack = tmp_path / "pack"
    (pack / "templates").mkdir(parents=True)
    (pack / "templates" / "part.html").symlink_to(tmp_path / "secret.html")
    (pack / "styles").mkdir()
    (pack / "styles" / "base.css").symlink_to(tmp_path / "secret.html")
    theme = Theme.for_pack(pack)
    with pytest.raises(SandboxError) as exc:
        make_environment(theme).get_template("part.html")
    assert exc.value.where == str(pack / "templates" / "part.html")
    with pytest.raises(SandboxError):
        theme.stylesheet("base.css")
    # A folder given on the command line is the user's own: its links are followed.
    trusted = Theme.for_pack(tmp_path / "other", templates=[pack / "templates"])
    assert trusted.confine(pack / "templates" / "part.html", "template")
