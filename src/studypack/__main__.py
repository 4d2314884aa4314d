"""``python -m studypack``."""

from .cli import entry

entry()
