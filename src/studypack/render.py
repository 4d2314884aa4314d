"""Model + pack -> HTML, through Jinja2.

Templates are looked up in order: ``--templates`` folders, the pack's own
``templates/``, then the built-ins. ``!default/NAME`` always names the
built-in, so an override can extend the template it hides::

    {% extends "!default/source.html" %}

Every environment is sandboxed (a pack is untrusted input), autoescapes
.html/.xhtml/.xml and uses StrictUndefined, so a misspelt variable is an error
rather than an empty string. Stylesheets are found the same way, file by file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from . import model as m
from .errors import TemplateError
from .markdown import markdown_to_html
from .resources import builtin_dir

# The stylesheets of each target, in cascade order; a pack's styles/ folder
# may replace any of them file by file.
STYLESHEETS = {
    "html": ("base.css", "screen.css"),
    "pdf": ("base.css", "print.css"),
    "epub": ("base.css", "epub.css"),
}


@dataclass(frozen=True)
class Theme:
    """Where templates and styles come from: user folders first, built-ins last."""

    template_dirs: tuple[Path, ...] = ()
    style_dirs: tuple[Path, ...] = ()

    @classmethod
    def for_pack(cls, pack_root: Path, templates: Iterable[Path] = (), styles: Iterable[Path] = ()) -> "Theme":
        """The theme of a pack: command-line folders, then the pack's own, then built-ins."""
        tdirs = [Path(p) for p in templates]
        sdirs = [Path(p) for p in styles]
        if (pack_root / "templates").is_dir():
            tdirs.append(pack_root / "templates")
        if (pack_root / "styles").is_dir():
            sdirs.append(pack_root / "styles")
        return cls(tuple(tdirs), tuple(sdirs))

    def dirs(self) -> tuple[Path, ...]:
        """Every folder the theme takes files from, built-ins included (for the build cache)."""
        return (*self.template_dirs, *self.style_dirs, builtin_dir("templates"), builtin_dir("styles"))

    def stylesheet(self, name: str) -> Path:
        """The file that provides stylesheet ``name``: the first user folder that has it, else the built-in."""
        for folder in self.style_dirs:
            candidate = folder / name
            if candidate.is_file():
                return candidate
        return builtin_dir("styles") / name


def make_environment(theme: Theme) -> SandboxedEnvironment:
    """A sandboxed Jinja2 environment with the theme's loader order and our filters."""
    builtin = jinja2.FileSystemLoader(str(builtin_dir("templates")))
    loader = jinja2.ChoiceLoader(
        [
            jinja2.PrefixLoader({"!default": builtin}, delimiter="/"),
            jinja2.FileSystemLoader([str(p) for p in theme.template_dirs]),
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
    return env


@dataclass
class Renderer:
    """Renders one pack in one edition for one target (html, pdf or epub).

    ``href_for`` maps an anchor id to the link that reaches it; for one-file
    outputs that is ``#id``, the EPUB writer gives the chapter file too.
    """

    pack: m.Pack
    edition: str
    target: str
    theme: Theme = field(default_factory=Theme)
    variant: str = "standard"
    anchor_files: dict[str, str] = field(default_factory=dict)
    options: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.env = make_environment(self.theme)
        self._labels = {e.id: e.display_label for e in self.pack.extracts}
        self.env.globals.update(
            pack=self.pack,
            edition=self.edition,
            target=self.target,
            variant=self.variant,
            options=self.options,
            is_teacher=self.edition == "teacher",
        )
        self.env.filters.update(
            markdown=self.markdown,
            markdown_inline=self.markdown_inline,
            spans=self.spans,
            href=self.href,
            visible=self.visible,
            kind=kind_of,
        )
        self.env.globals.update(visible_parts=self.visible_parts, notes_of=self.notes_of)

    # --- what is shown -------------------------------------------------

    def visible(self, things):
        """Keep the parts or items meant for this edition."""
        return [t for t in things if not t.editions or self.edition in t.editions]

    def visible_parts(self) -> list[m.Part]:
        """The parts of this edition that have something to show."""
        return [p for p in self.visible(self.pack.parts) if self.visible(p.items)]

    # --- links and text ------------------------------------------------

    def href(self, anchor: str) -> str:
        """The link to an anchor id, across files where the target has several."""
        return f"{self.anchor_files.get(anchor, '')}#{anchor}"

    def _resolve_ref(self, source_id: str) -> tuple[str, str]:
        try:
            label = self._labels[source_id]
        except KeyError:
            raise TemplateError(f"reference to unknown source '{source_id}'") from None
        return label, self.href(f"src-{source_id}")

    def markdown(self, text: str | None) -> Markup:
        """Markdown (raw HTML off) with ``[[id]]`` source references resolved."""
        return markdown_to_html(text or "", self._resolve_ref)

    def markdown_inline(self, text: str | None) -> Markup:
        """One line of Markdown, without a paragraph around it."""
        return markdown_to_html(text or "", self._resolve_ref, inline=True)

    def notes_of(self, extract: m.Extract) -> dict[str, m.Note]:
        """The notes with text of an extract, by id."""
        return {n.id: n for n in extract.notes}

    def spans(self, spans: tuple[m.Inline, ...], extract: m.Extract | None = None) -> Markup:
        """A paragraph's inline content as HTML: corrections in brackets, notes per target."""
        notes = self.notes_of(extract) if extract else {}
        missing = self._missing_notes(extract)
        out: list[str] = []
        for span in spans:
            if isinstance(span, m.Text):
                out.append(str(escape(span.text)))
            elif isinstance(span, m.Correction):
                out.append(f'<span class="correction" title="{escape(span.original)}">{escape(span.text)}</span>')
            else:
                # A note call sits against the word before it, as in print.
                if out:
                    out[-1] = out[-1].rstrip()
                if span.note_id in notes and extract is not None:
                    out.append(self._note_html(extract, notes[span.note_id], span))
                elif missing == "keep":
                    out.append(f'<span class="note-marker">{escape(span.marker)}</span>')
                # "omit": the marker of a note the document lacks is not printed.
        return Markup("".join(out).strip())

    def _missing_notes(self, extract: m.Extract | None) -> str:
        if extract is None:
            return "omit"
        for pdoc in self.pack.documents:
            if pdoc.document.id == extract.document_id:
                return pdoc.missing_notes
        return "omit"

    def _note_html(self, extract: m.Extract, note: m.Note, ref: m.NoteRef) -> str:
        body = " ".join(str(self.spans(p.spans)) for p in note.paragraphs)
        anchor = f"fn-{extract.id}-{note.id}"
        label = escape(ref.label)
        if self.target == "pdf":
            return f'<span class="footnote" id="{anchor}">{body}</span>'
        if self.target == "epub":
            return (
                f'<a class="noteref" epub:type="noteref" id="ref-{anchor}" href="#{anchor}">{label}</a>'
            )
        return f'<a class="noteref" id="ref-{anchor}" href="#{anchor}"><sup>{label}</sup></a>'

    # --- output --------------------------------------------------------

    def render(self, template: str, **context) -> str:
        """Render a template with the pack's context."""
        try:
            return self.env.get_template(template).render(**context)
        except jinja2.TemplateSyntaxError as exc:
            where = exc.filename or exc.name or template
            raise TemplateError(f"template syntax error: {exc.message}", where=f"{where}:{exc.lineno}") from None
        except jinja2.UndefinedError as exc:
            raise TemplateError(f"template '{template}' uses something undefined: {exc.message}") from None
        except jinja2.TemplateNotFound as exc:
            raise TemplateError(f"template not found: {exc.name}") from None
        except jinja2.exceptions.SecurityError as exc:
            raise TemplateError(f"template '{template}' tried something not allowed: {exc}") from None

    def css(self) -> str:
        """The target's stylesheets, concatenated in cascade order."""
        return "\n".join(self.theme.stylesheet(n).read_text(encoding="utf-8") for n in self.stylesheets())

    def stylesheets(self) -> tuple[str, ...]:
        """The names of the target's stylesheets (variants add their own)."""
        names = STYLESHEETS[self.target]
        if self.variant != "standard":
            names = (*names, f"variant-{self.variant}.css")
        return names


def kind_of(thing) -> str:
    """The template name stem for a model object: ``commentary``, ``source``, ``worksheet``."""
    return {m.Commentary: "commentary", m.Extract: "source", m.Worksheet: "worksheet"}[type(thing)]

