"""The sandboxed Jinja2 environment: where templates are found, and the cache of compiled templates.

Templates are looked up in order: ``--templates`` folders, the pack's own
``templates/``, then the built-ins. ``!default/NAME`` always names the
built-in, so an override can extend the template it hides::

    {% extends "!default/source.html" %}

Every environment is sandboxed (a pack is untrusted input), autoescapes
.html/.xhtml/.xml and uses StrictUndefined, so a misspelt variable is an error
rather than an empty string. A pack's own templates are read only where they
lie, links followed, inside the pack folder (`Theme.confine`).
"""

from __future__ import annotations

import functools
import hashlib
import os
import posixpath
import sys
from pathlib import Path

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment

from ..errors import TemplateError
from ..resource_policy import read_pack_file
from ..resources import builtin_dir
from ..theme import Theme


def make_environment(theme: Theme) -> SandboxedEnvironment:
    """A sandboxed Jinja2 environment with the theme's loader order and our filters."""
    builtin = jinja2.FileSystemLoader(str(builtin_dir("templates")))
    loader = jinja2.ChoiceLoader(
        [
            jinja2.PrefixLoader({"!default": builtin}, delimiter="/"),
            _ThemeLoader(theme),
            builtin,
        ]
    )
    env = SandboxedEnvironment(
        loader=loader,
        autoescape=jinja2.select_autoescape(["html", "xhtml", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.bytecode_cache = _COMPILED
    return env


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Compiled templates shared by every environment of the process, and kept on disk between builds.

    Each `Renderer` makes its own environment, and an EPUB alone makes three;
    compiling the templates is most of the time a render takes (about 70 ms
    for the built-ins, a fifth of a small EPUB build). Jinja2 keys a template
    by its name and file and checks its source, so a changed or different
    template is compiled afresh. Every environment here has the same
    settings, which is what makes the compiled code shareable.

    On disk, Jinja2's own file cache (it writes each file whole, through a
    temporary file) in the user's cache folder (`template_cache_dir`), in a
    folder named after what else shapes the code: this package (the
    environment's settings and filters), Jinja2's version and Python's. The
    folder is looked for when first needed, and only a private one is used:
    compiled code runs as it is loaded. Kept in memory too, so that the
    environments of one process share the code with no folder at all
    (``STUDYPACK_CACHE_DIR`` set empty) and a worker's precompiled templates
    (`renderer.precompile`) are at hand; failing to write a file only costs time.
    """

    def __init__(self) -> None:
        # Jinja2's constructor would make a folder in the temporary directory when given none.
        self.pattern = "%s.jbc"
        self._code: dict[str, bytes] = {}

    @functools.cached_property
    def directory(self) -> str | None:  # the attribute Jinja2's file cache reads
        """The folder on disk, looked for when first needed (None: none usable)."""
        folder = template_cache_dir()
        return None if folder is None else str(folder)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)  # Jinja2 checks the magic and the source's checksum
        elif self.directory is not None:
            try:
                super().load_bytecode(bucket)
            except OSError:
                return
            if bucket.code is not None:
                self._code[bucket.key] = bucket.bytecode_to_string()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()
        if self.directory is not None:
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass


def template_cache_dir() -> Path | None:
    """The folder of compiled templates: ``$STUDYPACK_CACHE_DIR``, else ``$XDG_CACHE_HOME/studypack``,
    else ``~/.cache/studypack``; then a folder for this studypack, Jinja2 and Python.

    None (compile every time) when ``STUDYPACK_CACHE_DIR`` is set empty, or there is no home folder
    to find the cache folder in, or the folder cannot be made, or it is not the user's own and private: compiled code is run as it is loaded, so it
    must come from nowhere anyone else can write.
    """
    base = os.environ.get("STUDYPACK_CACHE_DIR")
    if base is None:
        home = os.path.expanduser("~")
        caches = os.environ.get("XDG_CACHE_HOME") or (os.path.join(home, ".cache") if home != "~" else "")
        base = os.path.join(caches, "studypack") if os.path.isabs(caches) else ""  # never a folder of the working directory
    if not base:
        return None
    shaped = hashlib.sha256()
    for module in sorted(Path(__file__).parent.glob("*.py")):
        shaped.update(module.read_bytes())
    shaped.update(f"jinja2 {jinja2.__version__} python {sys.version_info[:2]}".encode())
    folder = Path(base) / f"templates-{shaped.hexdigest()[:16]}"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for level in (folder, folder.parent):
            info = level.stat()
            if info.st_uid != getattr(os, "getuid", lambda: info.st_uid)() or info.st_mode & 0o022:
                return None
    except OSError:
        return None
    return folder


_COMPILED = _CompiledTemplates()


class _ThemeLoader(jinja2.FileSystemLoader):
    """The theme's template folders, whose files must stay where the theme may read (`Theme.confine`)."""

    def __init__(self, theme: Theme):
        super().__init__([str(p) for p in theme.template_dirs])
        self.theme = theme

    def get_source(self, environment, template):
        for folder in self.searchpath:
            filename = posixpath.join(folder, *split_template_path(template))
            if os.path.lexists(filename) and not os.path.isdir(filename):
                break  # a pipe or a broken link too: refused by name below, not passed over
        else:
            raise jinja2.TemplateNotFound(template)
        self.theme.confine(Path(filename), "template")
        try:
            source = read_pack_file(Path(filename), "template").decode("utf-8")
        except UnicodeDecodeError:
            raise TemplateError("this template is not UTF-8 text; save it as UTF-8", where=filename) from None
        mtime = os.path.getmtime(filename)
        return source, os.path.normpath(filename), lambda: _unchanged(filename, mtime)


def _unchanged(filename: str, mtime: float) -> bool:
    """Whether a template file is as it was when it was read (Jinja2 reloads it otherwise)."""
    try:
        return os.path.getmtime(filename) == mtime
    except OSError:
        return False


def shown(filename: str) -> str:
    """A template's file as messages name it: a built-in one as ``!default/NAME``."""
    builtin = str(builtin_dir("templates"))
    if filename.startswith(builtin + os.sep):
        return "!default/" + filename[len(builtin) + 1 :]
    return filename


def template_line(exc: BaseException) -> str | None:
    """``file:line`` of the innermost template frame of an exception's traceback (Jinja maps them)."""
    where = None
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.endswith(".py") and not filename.startswith("<"):
            where = f"{shown(filename)}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where
