"""Model + pack -> HTML: the `Renderer` of one pack, edition and target, and its stylesheets.

Templates come from the environment (environment.py); stylesheets are found
the same way, file by file: ``--styles`` folders, the pack's ``styles/``, the
built-ins. A pack's own templates and stylesheets are read only where they lie,
links followed, inside the pack folder: a link out of the pack is a
SandboxError naming it (folders given on the command line are the user's own,
and trusted).
"""

from __future__ import annotations

import functools
import os
import re
import types
from dataclasses import dataclass, field

import jinja2
from markupsafe import Markup

from .. import apparatus
from .. import model as m
from ..errors import TemplateError
from ..resource_policy import ResourcePolicy, read_pack_file
from ..resources import builtin_dir
from ..theme import Theme
from .acknowledgements import markers_without_text, source_labels
from .environment import make_environment, shown, template_line
from .markdown import markdown_to_html, source_refs
from .clean import clean_page
from .sanitise import check_stylesheet, css_urls

# The stylesheets of each target, in cascade order; a pack's styles/ folder
# may replace any of them file by file.
STYLESHEETS = {
    "html": ("base.css", "screen.css"),
    "pdf": ("base.css", "print.css"),
    "epub": ("base.css", "epub.css"),
}

# A stylesheet of the user's own, added after the built-ins of every target
# when a styles folder has it: rules that extend the built-in styles instead
# of replacing a whole file (``body.target-pdf`` and the like pick a target).
CUSTOM_STYLESHEET = "custom.css"

# The accessible variants (docs/print-room.md) add, after the target's stylesheets, the
# clear-print rules they share, then their own rules for every target
# (``variant-NAME.css``) and for this target (``variant-NAME.TARGET.css``), where they have them.
VARIANT_BASE = "clear-print.css"


def _filter_stubs() -> dict:
    """Stand-ins for the filters a `Renderer` adds: a template is compiled knowing each filter's
    name and whether it is passed the context (`Renderer._placed`), not what it does."""
    placed = jinja2.pass_context(lambda context, value, *args: value)
    return {"markdown": placed, "markdown_inline": placed, "spans": placed, "href": str, "visible": list, "kind": str,
            "block_kind": str}


def precompile(target: str) -> None:
    """Compile the built-in templates into the process's shared cache, and read the URLs of the
    ``target``'s built-in stylesheets (a worker, while it waits for a pack)."""
    env = make_environment(Theme())
    env.filters.update(_filter_stubs())
    for name in sorted(os.listdir(builtin_dir("templates"))):
        if name.endswith((".html", ".xhtml")):
            env.get_template(name)
    for name in STYLESHEETS[target]:
        css_urls((builtin_dir("styles") / name).read_text(encoding="utf-8"))


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
            options=types.MappingProxyType(dict(self.options)),  # read-only: a template cannot change the build
            is_teacher=self.edition == "teacher",
        )
        # The study apparatus: terms and people marked in the parts' text, the index after them.
        # (The answer key has no glossary or index to link to: nothing is marked in it.)
        words = apparatus.headwords(self.pack) if self.edition != "answers" else []
        self.marker = apparatus.Marker(words, self._write_use)
        self.index_pages: dict[str, int] | None = None  # anchor -> printed page, where a layout told us
        self.prints_index = False  # whether the last render printed an index (PDF) whose page runs a layout tells
        self._parts = self.visible_parts()
        self.env.filters.update(
            markdown=self._placed(self.markdown),
            markdown_inline=self._placed(self.markdown_inline),
            spans=self._placed(self.spans),
            href=self.href,
            visible=self.visible,
            kind=kind_of,
            block_kind=block_kind,
        )
        self.env.globals.update(visible_parts=self.visible_parts, notes_of=self.notes_of)
        self.env.globals.update(sources_of=self.sources_of, referred_sources=self.referred_sources)
        self.env.globals.update(
            index_entries=self.index_entries,
            index_is_provisional=lambda: self.target == "pdf" and self.index_pages is None,
            first_uses=self.marker.first_uses,
            other_names=self.marker.other_names,
            source_labels=source_labels,
            markers_without_text=self.markers_without_text,
        )

    # --- what is shown -------------------------------------------------

    def visible(self, things):
        """Keep the parts or items meant for this edition (the answer key: the worksheets of every edition)."""
        if self.edition == "answers":
            return [t for t in things if isinstance(t, (m.Part, m.Worksheet))]
        return [t for t in things if not t.editions or self.edition in t.editions]

    def visible_parts(self) -> list[m.Part]:
        """The parts of this edition that have something to show."""
        return [p for p in self.visible(self.pack.parts) if self.visible(p.items)]

    def sources_of(self, question: m.Question) -> list[m.Extract]:
        """The sources a question names (``sources``) or refers to (``[[id]]`` in its text), in the pack's order."""
        ids = set(question.sources) | {ref for ref, _ in source_refs(question.text)}
        return [e for e in self.pack.extracts if e.id in ids]

    def referred_sources(self) -> list[m.Extract]:
        """The sources the questions of this edition's worksheets refer to, in the pack's order."""
        questions = [q for p in self._parts for i in self.visible(p.items) if isinstance(i, m.Worksheet) for q in i.questions]
        ids = {e.id for q in questions for e in self.sources_of(q)}
        texts = [t for q in questions for t in (q.mark_scheme or "", *q.indicative, *(lv.descriptor for lv in q.levels))]
        ids |= {ref for text in texts for ref, _ in source_refs(text)}
        return [e for e in self.pack.extracts if e.id in ids]

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

    def markdown(self, text: str | None, place: apparatus.Place | None = None) -> Markup:
        """Markdown (raw HTML off) with ``[[id]]`` source references resolved; terms marked at a ``place`` in a part."""
        return markdown_to_html(text or "", self._resolve_ref, mark=self._mark(place))

    def markdown_inline(self, text: str | None, place: apparatus.Place | None = None) -> Markup:
        """One line of Markdown, without a paragraph around it."""
        return markdown_to_html(text or "", self._resolve_ref, inline=True, mark=self._mark(place))

    # --- the study apparatus --------------------------------------------

    def _placed(self, method):
        """A filter that tells ``method`` where in the pack the template is (its part, source or question)."""

        @jinja2.pass_context
        def placed(context, value, *args):
            return method(value, *args, place=apparatus.place_in(context, self._parts))

        return placed

    def _mark(self, place: apparatus.Place | None):
        if place is None:
            return None
        return lambda text: self.marker.mark(text, place)

    def index_entries(self) -> list[apparatus.IndexEntry]:
        """The index of the terms and people the parts use (render it after the parts).

        In print its locators are page numbers, which only a layout knows: until the
        writer sets ``index_pages`` the entries have provisional ones of about the same
        width (the built-in template then prints only the index's heading: the writer
        sets the index alone, writers/splice.py); ``prints_index`` says whether there is one.
        """
        entries = apparatus.index_entries(self.marker, self.index_pages, provisional=self.target == "pdf")
        self.prints_index = self.target == "pdf" and bool(entries)
        return entries

    def markers_without_text(self) -> dict[str, int]:
        """Document id -> note markers, in the sources this edition prints, whose note text the document lacks."""
        extracts = [i for p in self._parts for i in self.visible(p.items) if isinstance(i, m.Extract)]
        return markers_without_text(self.pack, extracts)

    def notes_of(self, extract: m.Extract) -> dict[str, m.Note]:
        """The notes with text of an extract, by id."""
        return {n.id: n for n in extract.notes}

    def spans(
        self, spans: tuple[m.Inline, ...], extract: m.Extract | None = None, place: apparatus.Place | None = None
    ) -> Markup:
        """A paragraph's inline content as HTML: corrections in brackets, notes per target, terms marked at a ``place``."""
        notes = self.notes_of(extract) if extract else {}
        missing = self._missing_notes(extract)
        out: list[str] = []
        for span in spans:
            if isinstance(span, m.Text):
                out.append(self.marker.mark(span.text, place))
            elif isinstance(span, m.Correction):
                out.append(str(self._inline.correction(span.text, span.original)))
            else:
                # A note call sits against the word before it, as in print.
                if out:
                    out[-1] = out[-1].rstrip()
                if span.note_id in notes and extract is not None:
                    out.append(self._note_html(extract, notes[span.note_id], span, place))
                elif missing == "keep":
                    out.append(str(self._inline.note_marker(span.marker)))
                # "omit": the marker of a note the document lacks is not printed.
        return Markup("".join(out).strip())

    def _missing_notes(self, extract: m.Extract | None) -> str:
        if extract is None:
            return "omit"
        for pdoc in self.pack.documents:
            if pdoc.document.id == extract.document_id:
                return pdoc.missing_notes
        return "omit"

    def _note_html(self, extract: m.Extract, note: m.Note, ref: m.NoteRef, place: apparatus.Place | None) -> str:
        """A note call: the note itself in print (set as a footnote), a link to it elsewhere."""
        body = ""
        if self.target == "pdf":
            body = Markup(" ".join(str(self.spans(p.spans, place=place)) for p in note.paragraphs))
        return str(self._inline.note_call(self.target, f"fn-{extract.id}-{note.id}", ref.label, body))

    def _write_use(self, use: apparatus.Use) -> str:
        """The markup of a headword's use in the text (`apparatus.Marker`)."""
        return str(self._inline.headword_use(use, self.href(use.headword.anchor), self.target))

    @functools.cached_property
    def _inline(self):
        """The macros of the template ``inline.html``: the markup written inside a paragraph."""
        return self.env.get_template("inline.html").module

    # --- output --------------------------------------------------------

    def render(self, template: str, *, again: bool = False, **context) -> str:
        """Render a template with the pack's context; a template's mistake is a TemplateError at its line.

        ``again`` keeps what the last render marked (the index's uses): for a
        template rendered on its own after the whole pack, as the PDF writer
        renders the index once it knows the pages."""
        if not again:
            self.marker.new_pass()
        try:
            html = self.env.get_template(template).render(**context)
        except jinja2.TemplateSyntaxError as exc:
            where = shown(exc.filename or exc.name or template)
            raise TemplateError(f"template syntax error: {exc.message}", where=f"{where}:{exc.lineno}") from None
        except jinja2.UndefinedError as exc:
            message = re.sub(r"studypack\.model\.(?:\w+\.)?", "", exc.message or "")  # 'Part object', not its module
            raise TemplateError(f"the template uses something undefined: {message}", where=template_line(exc)) from None
        except jinja2.TemplateNotFound as exc:
            raise TemplateError(f"template not found: {exc.name}", where=template_line(exc)) from None
        except jinja2.exceptions.SecurityError as exc:
            raise TemplateError(f"the template tried something not allowed: {exc}", where=template_line(exc)) from None
        except RecursionError as exc:
            raise TemplateError("templates include or extend each other without end", where=template_line(exc)) from None
        except TemplateError:
            raise
        except Exception as exc:  # noqa: BLE001 - a pack's own template failing (1/0) is the pack's mistake
            where = template_line(exc)
            if where is None or where.startswith("!default/"):
                raise
            raise TemplateError(f"the template failed: {type(exc).__name__}: {exc}", where=where) from None
        return clean_page(html, target=self.target, xhtml=template.endswith(".xhtml"), policy=self._policy)

    @functools.cached_property
    def _policy(self) -> ResourcePolicy:
        """What the pages may refer to: the pack's files and the built-in styles."""
        return ResourcePolicy.for_pack(self.pack.root, builtin_dir("styles"))

    def css(self) -> str:
        """The target's stylesheets, concatenated in cascade order."""
        return "\n".join(_read_css(self.theme.stylesheet(name)) for name in self.stylesheets())

    def stylesheets(self) -> tuple[str, ...]:
        """The names of the target's stylesheets (variants add their own)."""
        names = STYLESHEETS[self.target]
        if self.variant != "standard":
            own = (f"variant-{self.variant}.css", f"variant-{self.variant}.{self.target}.css")
            names = (*names, VARIANT_BASE, *(name for name in own if self.theme.has_stylesheet(name)))
        if any((folder / CUSTOM_STYLESHEET).is_file() for folder in self.theme.style_dirs):
            names = (*names, CUSTOM_STYLESHEET)
        for name in names:  # the pack's own, checked whichever writer reads them (the EPUB's copies them in)
            path = self.theme.stylesheet(name)
            if self.theme.pack_root is not None and path.is_relative_to(self.theme.pack_root):
                check_stylesheet(_read_css(path), path, ResourcePolicy.for_pack(self.theme.pack_root))
        return names


def _read_css(path) -> str:
    """A stylesheet's text; a TemplateError naming it if it is not UTF-8."""
    try:
        return read_pack_file(path, "stylesheet").decode("utf-8")
    except UnicodeDecodeError:
        raise TemplateError("this stylesheet is not UTF-8 text; save it as UTF-8", where=str(path)) from None


def kind_of(thing) -> str:
    """The template name stem for a model object: ``commentary``, ``source``, ``worksheet``."""
    return {m.Commentary: "commentary", m.Extract: "source", m.Worksheet: "worksheet"}[type(thing)]


# The name a template gives each block of a source (templates/source-block.html).
BLOCK_KINDS = {m.Paragraph: "paragraph", m.Line: "line", m.ListBlock: "list", m.Cells: "table",
               m.SceneBreak: "break", m.Omission: "gap"}


def block_kind(block) -> str:
    """The kind of a block of a source: ``paragraph``, ``line``, ``list``, ``table``, ``break`` or ``gap``."""
    return BLOCK_KINDS[type(block)]
