"""The text as every reader sees it: one module, so a reader can use it without importing the package."""

from __future__ import annotations

# Non-breaking spaces of every width become plain spaces; nothing else changes.
_SPACES = str.maketrans({"\u00a0": " ", "\u2007": " ", "\u202f": " "})


def normalise(text: str) -> str:
    """The text as readers see it: no BOM, ``\\n`` line endings, plain spaces for non-breaking ones."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_SPACES)
