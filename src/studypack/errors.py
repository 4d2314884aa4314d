"""Errors for people: what is wrong, where, and what to do.

Every error a user can cause is a `StudypackError` (a Click exception, so the
CLI prints its message and exits with its code, no traceback). A `Problem` is
one finding with a place; `ProblemsError` carries all the problems found in a
pass (a manifest, a pack check) so that they are reported at once.

Exit codes: 0 success, 1 a pack or content error, 2 a usage error (Click's
own), 3 an output could not be written, 130 interrupted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import click

from .model import Location


# What a terminal obeys instead of printing: C0 and C1 controls (ESC starts a command), bidirectional
# overrides that reorder what is shown; newlines and tabs are ours, between lines and columns.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LONG = re.compile(r"\S{%d,}" % 201)


def terminal_safe(text: str) -> str:
    """``text`` as it may be printed: controls shown as ``\\xNN`` (never obeyed), and any run of more
    than 200 characters without a space (a data: URL, a pasted file) cut to "… (N characters)"."""
    text = _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text)
    return _LONG.sub(lambda m: f"{m.group()[:120]}… ({len(m.group())} characters)", text)


class StudypackError(click.ClickException):
    """A mistake in a pack, a document or the command line, told in one line."""

    exit_code = 1

    def __init__(self, message: str, where: Location | str | None = None, hint: str | None = None):
        self.where = where
        self.hint = hint
        super().__init__(message)

    def format_message(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return terminal_safe(text)

    def show(self, file=None) -> None:  # noqa: D102 - Click's hook; drop Click's "Error: " prefix
        click.echo(self.format_message(), file=file, err=True)


class PackError(StudypackError):
    """Something in pack.yaml or the files it names is wrong."""


class DocumentError(StudypackError):
    """A document cannot be read (missing, binary, not UTF-8, too large)."""


class TemplateError(StudypackError):
    """A template (built-in or the pack's own) failed to render."""


class SandboxError(StudypackError):
    """A pack tried to reach a file or address outside what it may read.

    ``reference`` is the URL or path that was refused, so that the build can say
    which of the pack's files wrote it (`studypack.resource_policy.written_at`).
    """

    def __init__(self, message: str, where: Location | str | None = None, hint: str | None = None, reference: str | None = None):
        self.reference = reference
        super().__init__(message, where, hint)


class RosterError(StudypackError):
    """A class list given with --names cannot be used (not UTF-8, no name column, a name twice...)."""


class OutputError(StudypackError):
    """An output could not be written (permissions, a lock held by another build)."""

    exit_code = 3


class Interrupted(StudypackError):
    """The build was interrupted (Ctrl-C, SIGTERM); previous outputs are intact."""

    exit_code = 130


@dataclass(frozen=True)
class Problem:
    """One finding: where, what, and whether it stops the build."""

    where: Location | None
    message: str
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        tag = "" if self.severity == "error" else f"{self.severity}: "
        return terminal_safe(f"{prefix}{tag}{self.message}")


class ProblemsError(StudypackError):
    """Several problems found in one pass, all reported together."""

    def __init__(self, problems: list[Problem]):
        self.problems = [p for p in problems]
        errors = [p for p in problems if p.severity == "error"]
        summary = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
        super().__init__("\n".join(str(p) for p in problems) + f"\n{summary}")

    def format_message(self) -> str:
        return terminal_safe(self.message)
