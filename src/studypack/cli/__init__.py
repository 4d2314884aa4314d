"""The command line: one module per command (build, packs, documents, preview), the group in main.py."""

from .main import entry, leave, main, run

__all__ = ["entry", "leave", "main", "run"]
