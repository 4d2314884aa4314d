"""The wording shared by every message about what a pack's author wrote.

Values are quoted and made printable (`quote`, `clean`), described for
"got …" (`describe`), offered as a "did you mean" (`suggest`) or a list of
options (`either`), and key paths are written as people read them (`dotted`).
"""

from __future__ import annotations

import difflib
import re
import typing
from typing import Any

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean(text: str) -> str:
    """Text made safe for a one-line message: no control characters, no lone surrogates."""
    return _SURROGATE.sub("\ufffd", _UNPRINTABLE.sub(" ", text))


def quote(text: str, limit: int = 60) -> str:
    """Text in single quotes for a message, shortened to `limit` characters."""
    text = clean(str(text))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"'{text}'"


def describe(value: Any) -> str:
    """What a YAML value is, for 'got …' in a message."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "keys and values (a mapping)"
    return quote(repr(value))


def suggest(word: Any, options: typing.Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the option closest to `word`, or '' when none is close."""
    options = [o for o in options if isinstance(o, str)]
    if not isinstance(word, str) or not options or len(word) > 100:
        return ""
    folded = {o.casefold(): o for o in options}
    match = folded.get(word.casefold())
    if match is None:
        close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
        match = close[0] if close else None
    return f" (did you mean {quote(match)}?)" if match is not None and match != word else ""


def either(options: typing.Sequence[str]) -> str:
    """Options quoted and joined for a message: ``'a', 'b' or 'c'``."""
    quoted = [quote(o) for o in options]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f" or {quoted[-1]}"


def dotted(keys: tuple[str | int, ...]) -> str:
    """A key path (`yamlpos.KeyPath`) as people read it: ``parts[2].items[0].source.from``."""
    out = ""
    for key in keys:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out
